"""Text from the printer, made safe to show on a terminal.

File, job and directory names, the printer's messages and error texts are the printer's to
choose. Shown as they are, ``[bold]`` would restyle a rich table and ``[/x]`` crash it with a
``MarkupError``, and control characters (an escape sequence, a carriage return, a bidi override)
would drive the terminal. Everything printer-supplied goes through :func:`terminal_text` (plain
output) or :func:`cell` (rich output, never read as markup).
"""

from __future__ import annotations

import unicodedata
from typing import Final

from rich.markup import escape
from rich.text import Text

__all__ = ["cell", "markup_literal", "terminal_text"]

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
