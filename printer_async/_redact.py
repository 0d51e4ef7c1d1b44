"""Keeping the token, the login signature and the passwords out of logs and exceptions.

The token travels in every request's query string and the login's signature in the login's,
as the protocol wants, so any text that shows a URL can show them: httpx's request lines,
httpcore's DEBUG records of the answer's headers (a proxy's ``Location`` echoes the URL), and
the exceptions httpx and aiohttp raise, which keep the request (``.request``,
``.request_info``) and are chained under ours as ``__cause__`` or ``__context__``. A hostile
printer or proxy can echo them anywhere else: a reason phrase, a header, a malformed status
line or chunk size that h11 quotes in its error, a path, in any encoding.

Three defences, each in one place:

* the live secrets are known by value: each printer :func:`remember` its token, login signature,
  password and camera password, a notifier its URLs' secrets, and :func:`forget` them when they
  are done (or are garbage collected: the registry holds its owners weakly). Every record of
  every logger is searched for each of them, raw and in the forms a URL, a header or a
  traceback gives them (percent-encoded once or twice, base64 at any offset, escaped);
* every record of httpx, httpcore, httpx-aiohttp, aiohttp and printer-async, whichever logger
  under them made it and however deep, also has the values of ``token``, ``sign`` and
  ``password`` parameters blanked, whoever's they are. Both happen when the record is created
  (a record factory, chained to any other; a filter on a logger would see only that logger's
  own records, not its children's): its message, its arguments, its traceback and its stack;
* every error leaving :class:`~printer_async.AsyncPrinter` is scrubbed with :func:`scrub`: its
  text, and every exception, request and string reachable from it.

A record is only created for a logger enabled at its level, so none of this costs a poll
anything while logging is off; a login pays for working out its secrets' forms (microseconds).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import logging
import re
import threading
import urllib.parse
import weakref
from typing import TYPE_CHECKING, Any, Final

import httpx

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "MIN_SECRET",
    "REDACTED",
    "forget",
    "guard",
    "redact",
    "remember",
    "scrub",
    "secret_forms",
]

REDACTED: Final = "[redacted]"

_SECRET_PARAM: Final = re.compile(
    r"""(?ix)
    (token|sign|password)
    (=|%3D|%253D)                           # a query parameter, or one encoded in another
    (?:(?!%26|%2526)[^&\s"'<>,;\\])*        # its value, up to the next parameter or a quote
    """
)
"""A secret parameter: found by its name (a literal, which the regex engine finds fast);
whether the name starts there is :func:`_blank_param`'s to say."""
_NAME_STARTS_AFTER: Final = ("%3F", "%26", "%253F", "%2526")
"""A ``?`` or ``&`` percent-encoded once or twice: a parameter name starts after them."""
_SECRET_MEMBER: Final = re.compile(r"""(?i)("(?:token|sign|password)"\s*:\s*)"[^"]*\"""")
_USERINFO: Final = re.compile(r"""(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@'"<>]*):[^/\s@'"<>]*@""")
"""A password in a URL (``scheme://user:password@host``), whoever's it is."""

MIN_SECRET: Final = 6
"""Secrets shorter than this are not searched for as text: they would blank ordinary words.
(Their longer forms still are: a camera's ``user:password``, base64-encoded in a header.)"""

_REGEX_FORMS: Final = 128
"""Up to this many forms (a few printers'), one compiled alternation finds them; beyond it (a
fleet's), a scan whose cost does not grow with their number. On a 240-character httpcore
record: 4 µs for 40 forms, 20 µs for 128; the scan 22 µs for 129 or 6,000 forms, where the
alternation took 1 ms. (A record is only made for an enabled logger: a poll with logging off
pays nothing.)"""

_LOGGERS: Final = ("httpx", "httpcore", "httpx_aiohttp", "aiohttp", "printer_async")
"""The loggers (and every logger under them) whose records are also redacted by pattern."""


def _percent_forms(value: str) -> set[str]:
    """``value`` percent-encoded as URLs carry it: once or twice, either case of hex digits."""
    once = {
        urllib.parse.quote(value, safe=""),
        urllib.parse.quote(value),
        urllib.parse.quote_plus(value, safe=""),
    }
    forms = {value, *once, *(urllib.parse.quote(form, safe="") for form in once)}
    return forms | {re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), form) for form in forms}


def _base64_forms(data: bytes) -> set[str]:
    """The base64 characters that ``data`` alone decides, wherever it starts in the input.

    ``user:password`` in a Basic header, a token inside some other blob: in the standard and
    the URL-safe alphabets.
    """
    forms: set[str] = set()
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + data).decode()
        # Character i carries bits 6i..6i+6: it is data's alone when they lie within it.
        piece = encoded[-(-8 * shift // 6) : 8 * (shift + len(data)) // 6]
        forms |= {piece, piece.replace("+", "-").replace("/", "_")}
    return forms


def secret_forms(value: str) -> frozenset[str]:
    """Every form of ``value`` a record may show, none shorter than :data:`MIN_SECRET`.

    Raw, in either case, percent-encoded once or twice, JSON- and repr-escaped, and
    base64-encoded at any offset.
    """
    forms = _percent_forms(value) | {value.lower(), value.upper()}
    forms |= {json.dumps(value)[1:-1], repr(value)[1:-1], repr(value.encode())[2:-1]}
    forms |= _base64_forms(value.encode())
    return frozenset(form for form in forms if len(form) >= MIN_SECRET)


class _Matcher:
    """Blanks any of a fixed set of strings in a text, leftmost and longest first."""

    def __init__(self, forms: Iterable[str]) -> None:
        ordered = sorted(set(forms), key=lambda form: (-len(form), form))
        self.empty = not ordered
        self._regex: re.Pattern[str] | None = None
        self._index: dict[str, list[str]] = {}
        if len(ordered) <= _REGEX_FORMS:
            if ordered:
                self._regex = re.compile("|".join(map(re.escape, ordered)))
        else:
            for form in ordered:  # longest first within each list too
                self._index.setdefault(form[:MIN_SECRET], []).append(form)

    def sub(self, text: str) -> str:
        if self._regex is not None:
            return self._regex.sub(REDACTED, text)
        if not self._index:
            return text
        pieces: list[str] = []
        start = position = 0
        end = len(text) - MIN_SECRET
        candidates = self._index.get
        while position <= end:
            forms = candidates(text[position : position + MIN_SECRET])
            found = None
            if forms is not None:
                found = next((form for form in forms if text.startswith(form, position)), None)
            if found is None:
                position += 1
                continue
            pieces += (text[start:position], REDACTED)
            position = start = position + len(found)
        return "".join((*pieces, text[start:])) if pieces else text


class _Registry:
    """The secrets alive in this process, by owner (held weakly) and by kind.

    Thread-safe: records are made in any thread (Apprise logs in a worker thread). The matcher
    is rebuilt when a record needs it after a change, never on a poll.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owners: weakref.WeakKeyDictionary[object, dict[str, frozenset[str]]] = (
            weakref.WeakKeyDictionary()
        )
        self._matcher = _Matcher(())
        self._stale = False

    def remember(self, owner: object, kind: str, values: Iterable[str | None]) -> None:
        forms = frozenset().union(*(secret_forms(value) for value in values if value))
        with self._lock:
            kinds = self._owners.get(owner)
            if kinds is None and not forms:
                return  # nothing to keep (a printer without password or token)
            if kinds is None:
                kinds = self._owners[owner] = {}
                # Its forms go with it when it is collected unclosed. (No lock: a finalizer
                # may run in the middle of any code, this class's included.)
                weakref.finalize(owner, self._changed)
            if kinds.get(kind) != forms:
                kinds[kind] = forms
                self._stale = True

    def forget(self, owner: object) -> None:
        with self._lock:
            if self._owners.pop(owner, None) is not None:
                self._stale = True

    def _changed(self) -> None:
        self._stale = True

    @property
    def matcher(self) -> _Matcher:
        if self._stale:
            with self._lock:
                if self._stale:
                    self._stale = False  # before the build: a finalizer during it sets it again
                    kinds = [forms for k in list(self._owners.values()) for forms in k.values()]
                    self._matcher = _Matcher(frozenset().union(*kinds))
        return self._matcher


_registry: Final = _Registry()


def remember(owner: object, kind: str, values: Iterable[str | None]) -> None:
    """Blank ``values`` (and their other forms) in every log record from now on.

    Args:
        owner: Whose secrets they are (a printer's login state, a notifier); held weakly, so
            its secrets are forgotten when it is garbage collected.
        kind: Which of the owner's secrets (``"login"``, ``"camera"``): the values replace
            those remembered before under the same kind.
        values: The secret values; ``None`` and empty ones are skipped.
    """
    _registry.remember(owner, kind, values)


def forget(owner: object) -> None:
    """Stop blanking the secrets of ``owner`` (it was closed: they are no longer used)."""
    _registry.forget(owner)


def redact(text: str, *, secrets: Iterable[str | None] = ()) -> str:
    """Blank the live secrets and the values of ``token``, ``sign`` and ``password`` in ``text``.

    The secrets :func:`remember` was given are found by value, in all their forms. Query
    parameters are found as such, also percent-encoded (once or twice) inside another URL (a
    login page's ``?next=...%3Ftoken%3D...``), and so are JSON members of those names and the
    password of a URL's ``user:password@``.

    Args:
        text: Any text.
        secrets: Values to blank as well, wherever they appear; shorter than
            :data:`MIN_SECRET` characters, they are left alone.
    """
    text = _registry.matcher.sub(text)
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET:
            text = text.replace(secret, REDACTED)
    return _by_pattern(text)


def _blank_param(match: re.Match[str]) -> str:
    start = match.start()
    before = match.string[max(0, start - 5) : start]
    last = before[-1:]
    in_a_name = last.isascii() and (last.isalnum() or last == "_")
    if in_a_name and not before.upper().endswith(_NAME_STARTS_AFTER):
        return match[0]  # part of a longer name (``mytoken=``): not ours to blank
    return f"{match[1]}{match[2]}{REDACTED}"


def _by_pattern(text: str) -> str:
    text = _SECRET_PARAM.sub(_blank_param, text)
    if '"' in text:
        text = _SECRET_MEMBER.sub(rf'\1"{REDACTED}"', text)
    if "@" in text:
        text = _USERINFO.sub(rf"\1:{REDACTED}@", text)
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


_TRACEBACKS: Final = logging.Formatter()


def _redact_record(record: logging.LogRecord, *, patterns: bool) -> None:
    """Blank the live secrets (and, with ``patterns``, secret parameters) in ``record``.

    Its message and arguments, its traceback and its stack: a record that held a secret
    leaves with its message formatted (``args`` ``None``) and its traceback as redacted text
    (``exc_info`` ``None``, ``exc_text`` set), which every formatter shows as it is.
    """
    matcher = _registry.matcher
    if matcher.empty and not patterns:
        return

    def clean(text: str) -> str:
        text = matcher.sub(text)
        return _by_pattern(text) if patterns else text

    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken record: logging reports it, msg and args too
        message = f"{record.msg} {record.args!r}"
    cleaned = clean(message)
    # An argument the message leaves out (a mapping's other keys) is still the record's.
    arguments = repr(record.args) if record.args and not matcher.empty else ""
    if cleaned != message or matcher.sub(arguments) != arguments:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[0] is not None:
        trace = record.exc_text or _TRACEBACKS.formatException(record.exc_info)
        cleaned = clean(trace)
        if cleaned != trace:
            record.exc_info, record.exc_text = None, cleaned
    elif record.exc_text:
        record.exc_text = clean(record.exc_text)
    if record.stack_info:
        record.stack_info = clean(record.stack_info)


@functools.lru_cache(maxsize=1024)
def _is_ours(name: str) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in _LOGGERS)


class _RedactingFilter(logging.Filter):
    """The same redaction as a filter, kept on the loggers that exist at import time.

    A second line of defence, for an application that later replaces the record factory
    without chaining it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record, patterns=_is_ours(record.name))
        return True


class _RedactingFactory:
    """Makes log records with ``previous``, and redacts them (:func:`_redact_record`)."""

    def __init__(self, previous: Callable[..., logging.LogRecord]) -> None:
        self._previous = previous

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._previous(*args, **kwargs)
        _redact_record(record, patterns=_is_ours(record.name))
        return record


def guard(names: Iterable[str]) -> None:
    """Put the redacting filter on the loggers ``names`` as well (once each).

    The record factory already redacts their records; the filter keeps doing so if an
    application replaces the factory without chaining it.
    """
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())


def _install() -> None:
    previous = logging.getLogRecordFactory()
    if not isinstance(previous, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(previous))
    names = [name for name in logging.root.manager.loggerDict if _is_ours(name)]
    guard({*names, *_LOGGERS})


_install()
