"""Keeping the token, the login signature and the password out of logs and exceptions.

The token travels in every request's query string and the login's signature in the login's,
as the protocol wants, so any text that shows a URL can show them: httpx's request lines,
httpcore's DEBUG records of the answer's headers (a proxy's ``Location`` echoes the URL), and
the exceptions httpx and aiohttp raise, which keep the request (``.request``,
``.request_info``) and are chained under ours as ``__cause__`` or ``__context__``.

Two defences, each in one place:

* every log record of httpx, httpcore, httpx-aiohttp, aiohttp and printer-async, whichever
  logger under them made it and however deep, is redacted when it is created (a record
  factory, chained to any other; a filter on a logger would see only that logger's own
  records, not its children's);
* every error leaving :class:`~printer_async.AsyncPrinter` is scrubbed with :func:`scrub`: its
  text, and every exception, request and string reachable from it.
"""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any, Final

import httpx

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["REDACTED", "redact", "scrub"]

REDACTED: Final = "[redacted]"

_SECRET_PARAM: Final = re.compile(
    r"""(?ix)
    (?:(?<![a-z0-9_])|(?<=%3F)|(?<=%26))    # a name's start, or after a percent-encoded ? or &
    (token|sign|password)
    (=|%3D)                                 # a query parameter, or one percent-encoded in another
    (?:(?!%26)[^&\s"'<>,;\\])*               # its value, up to the next parameter or a quote
    """
)
_SECRET_MEMBER: Final = re.compile(r"""(?i)("(?:token|sign|password)"\s*:\s*)"[^"]*\"""")

_MIN_LITERAL: Final = 8
"""Secrets shorter than this are not searched for as text: they would blank ordinary words."""

_LOGGERS: Final = ("httpx", "httpcore", "httpx_aiohttp", "aiohttp", "printer_async")
"""The loggers (and every logger under them) whose records are redacted."""


def redact(text: str, *, secrets: Iterable[str | None] = ()) -> str:
    """Blank the values of ``token``, ``sign`` and ``password`` parameters in ``text``.

    Query parameters are found as such, also percent-encoded inside another URL (a login page's
    ``?next=...%3Ftoken%3D...``), and so are JSON members of those names.

    Args:
        text: Any text.
        secrets: Values to blank wherever they appear (tokens and signatures: long random hex,
            which no ordinary word matches); shorter than 8 characters, they are left alone.
    """
    text = _SECRET_PARAM.sub(lambda match: f"{match[1]}{match[2]}{REDACTED}", text)
    text = _SECRET_MEMBER.sub(rf'\1"{REDACTED}"', text)
    for secret in secrets:
        if secret and len(secret) >= _MIN_LITERAL:
            text = text.replace(secret, REDACTED)
    return text


def scrub(error: BaseException, *, secrets: Iterable[str | None] = ()) -> None:
    """Remove secrets from ``error`` and from everything reachable from it, in place.

    It walks ``error``, its ``__cause__`` and ``__context__`` chains and exception groups'
    members; in each it redacts the strings in ``args`` and in the instance's attributes,
    replaces an httpx request (``.request`` of httpx's exceptions) by one with a redacted
    URL, an aiohttp ``request_info`` by a redacted one, and drops aiohttp's ``history`` of
    earlier answers. What the traceback's frames hold is not touched.

    Args:
        error: The exception about to be raised to the caller.
        secrets: Values to blank wherever they appear, see :func:`redact`.
    """
    known = tuple(secrets)
    seen: set[int] = set()
    pending = [error]
    while pending:
        exc = pending.pop()
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        # A class may forbid setting an attribute: what it holds is then kept as it was.
        with contextlib.suppress(TypeError, AttributeError):
            exc.args = tuple(_clean(arg, known, pending) for arg in exc.args)
        for name, value in list(getattr(exc, "__dict__", {}).items()):
            cleaned = _clean(value, known, pending)
            if cleaned is not value:
                with contextlib.suppress(TypeError, AttributeError):
                    setattr(exc, name, cleaned)
        pending.extend(e for e in (exc.__cause__, exc.__context__) if e is not None)
        if isinstance(exc, BaseExceptionGroup):
            pending.extend(exc.exceptions)


def _clean(value: Any, secrets: tuple[str | None, ...], pending: list[BaseException]) -> Any:
    """``value`` without secrets: a redacted copy, or ``value`` itself when it holds none."""
    cleaned = value
    if isinstance(value, str):  # an enum's str value included: it is kept when clean
        text = redact(value, secrets=secrets)
        cleaned = value if text == value else text
    elif isinstance(value, BaseException):
        pending.append(value)
    elif isinstance(value, httpx.Request):
        # A new request keeps the method and a redacted URL; the headers (a camera's Basic
        # credentials) are left behind.
        cleaned = httpx.Request(value.method, redact(str(value.url), secrets=secrets))
    elif isinstance(value, httpx.Response) or _is_foreign(value, "aiohttp", "ClientResponse"):
        cleaned = None  # HTTPStatusError's (never raised here), or a redirect history's answers
    elif _is_foreign(value, "aiohttp", "RequestInfo"):  # a tuple: before tuples
        url_type = type(value.url)
        url, real_url = (url_type(redact(str(u), secrets=secrets)) for u in value[::3])
        cleaned = type(value)(url, value.method, value.headers, real_url)
    elif _is_foreign(value, "yarl", "URL"):
        cleaned = type(value)(redact(str(value), secrets=secrets))
    elif isinstance(value, tuple | list):
        items = [_clean(item, secrets, pending) for item in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            cleaned = items if isinstance(value, list) else tuple(items)
    return cleaned


def _is_foreign(value: Any, package: str, name: str) -> bool:
    # aiohttp and yarl are optional: their classes are recognised by name, never imported.
    kind = type(value)
    return kind.__name__ == name and kind.__module__.startswith(package)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return  # a broken record: logging reports it when it is emitted
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None


def _is_ours(name: str) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in _LOGGERS)


class _RedactingFilter(logging.Filter):
    """The same redaction as a filter, kept on the loggers that exist at import time.

    A second line of defence, for an application that later replaces the record factory
    without chaining it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


class _RedactingFactory:
    """Makes log records with ``previous``, and redacts those of :data:`_LOGGERS`."""

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self._previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._previous(*args, **kwargs)
        if _is_ours(record.name):
            _redact_record(record)
        return record


def _install() -> None:
    previous = logging.getLogRecordFactory()
    if not isinstance(previous, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(previous))
    names = [name for name in logging.root.manager.loggerDict if _is_ours(name)]
    for name in {*names, *_LOGGERS}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())


_install()
