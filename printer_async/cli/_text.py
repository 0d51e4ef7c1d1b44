"""Text from the printer, made safe to show on a terminal.

File, job and directory names, the printer's messages and error texts are the printer's to
choose. Shown as they are, ``[bold]`` would restyle a rich table and ``[/x]`` crash it with a
``MarkupError``, and control characters (an escape sequence, a carriage return, a bidi override)
would drive the terminal. Everything printer-supplied goes through :func:`terminal_text` (plain
output) or :func:`cell` (rich output, never read as markup).
"""

from __future__ import annotations

import codecs
import logging
import unicodedata
from typing import TYPE_CHECKING, Final

from rich.markup import escape
from rich.text import Text

if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["cell", "log_to_stderr", "markup_literal", "plain_where_needed", "terminal_text"]

_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cs", "Zl", "Zp"})
"""Control characters (C0, DEL, C1), lone surrogates, line and paragraph separators."""
_BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_text(text: str) -> str:
    r"""``text`` with each character a terminal would act on written as its escape (``\x1b``)."""
    if text.isprintable():
        return text
    return "".join(
        repr(char)[1:-1]
        if unicodedata.category(char) in _UNSAFE_CATEGORIES or char in _BIDI_CONTROLS
        else char
        for char in text
    )


def cell(text: str, *, style: str = "") -> Text:
    """``text`` as a rich ``Text``: shown as written, never read as markup."""
    return Text(terminal_text(text), style=style)


def markup_literal(text: str) -> str:
    """``text`` to put inside a rich markup template (a progress bar's description)."""
    return escape(terminal_text(text))


class _TerminalFormatter(logging.Formatter):
    """Log lines with the printer's words made safe, line by line (a traceback keeps its)."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(terminal_text(line) for line in super().format(record).split("\n"))


def log_to_stderr(level: int, fmt: str) -> None:
    """Log to standard error at ``level``, as ``logging.basicConfig``, printer text made safe.

    Log messages quote names and error texts from printers and fleet files; an escape
    sequence in one must not drive the terminal of whoever reads the log.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(_TerminalFormatter(fmt))
    logging.basicConfig(level=level, handlers=[handler])


# -- terminals that are not UTF-8 ------------------------------------------------------------------

_PLAIN: Final = {
    "\u2026": "...",  # the ellipsis of "estimating…" and of cut names
    "\u00b0": "",  # "21.5 °C" becomes "21.5 C"
    "\u2192": "->",
    "\u2501": "-",  # rich's bar, should it not notice by itself
    "\u2500": "-",
    "\u2502": "|",
}
_ERRORS: Final = "printer_async.plain"


def _plain(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: what the stream cannot encode, in ASCII (else as an escape)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    chunk = error.object[error.start : error.end]
    text = "".join(
        _PLAIN.get(char, char.encode("ascii", "backslashreplace").decode()) for char in chunk
    )
    return text, error.end


codecs.register_error(_ERRORS, _plain)


def plain_where_needed(*streams: TextIO) -> None:
    """Make ``streams`` that cannot write every character write what they cannot in ASCII.

    ``PYTHONIOENCODING=ascii`` or a Latin-1 locale would fail with ``UnicodeEncodeError`` on
    ``estimating…`` or a name's ``é``; they get ``estimating...`` and an escape instead.
    """
    for stream in streams:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        if codecs.lookup(encoding).name.startswith("utf"):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=_ERRORS)
