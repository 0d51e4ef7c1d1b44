"""The printer's answer envelope: ``{"status": 1, "data": ...}`` or an error.

Errors come two ways and both are handled: HTTP 200 with ``{"status": 0, "error": {...}}``,
and an HTTP error status with an empty, HTML or JSON body. An HTTP 404 without an API error
body is a route this printer does not have; a redirect is refused, never followed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from printer_async._errors import ApiError, NotFoundError, ProtocolError, error_for
from printer_async._redact import redact

if TYPE_CHECKING:
    from printer_async._transports.base import Answer

__all__ = ["unwrap"]

MAX_DEPTH: Final = 32
"""The deepest nesting of arrays and objects an answer may have: the documented ones have 4.
Deeper answers are refused before anything walks them (Python's own recursion would fail
around a thousand levels, in json, cattrs, ``repr`` or ``==``)."""

# HTTP statuses that say enough by themselves to pick a typed error when the body is empty or
# HTML; any other non-2xx status without a JSON error body is a ProtocolError.
_MEANINGFUL_STATUSES: Final = frozenset({400, 401, 404, 405, 413, 415, 429, 500, 503})

_FILE_OPERATIONS: Final = frozenset(
    {"/delete", "/rename", "/moveto", "/copy", "/dir/create", "/dir/delete", "/dir/rename"}
)
"""The operations the vendor spells ``/filepos/...``; see ``AsyncPrinter.filepos_prefix``."""


def _describe_body(answer: Answer, error: ValueError | None = None) -> str:
    text = answer.content.lstrip()[:64].lower()
    if not text:
        return "an empty body"
    if text.startswith((b"<!doctype", b"<html", b"<")) or "html" in answer.content_type:
        return "an HTML page"
    if isinstance(error, _TooDeepError):
        return f"JSON nested more than {MAX_DEPTH} levels deep"
    return f"{len(answer.content)} bytes that are not JSON"


def _missing_route(endpoint: str, body: str) -> NotFoundError:
    """A 404 that is no API answer: the printer's firmware has no such endpoint."""
    hint = ""
    for prefix, other in (("/filepos", "/fileops"), ("/fileops", "/filepos")):
        if endpoint.startswith(prefix) and endpoint.removeprefix(prefix) in _FILE_OPERATIONS:
            hint = (
                f"; the file operations may be spelled {other} on this firmware: set "
                f'AsyncPrinter.filepos_prefix = "{other}" (printer.filepos_prefix) and try again'
            )
    return NotFoundError(
        f"{endpoint}: HTTP 404 with {body}: this printer has no {endpoint} endpoint (a route "
        f"its firmware does not offer, not a missing file){hint}",
        code=404,
        msg="",
        endpoint=endpoint,
        endpoint_missing=True,
    )


def _redirect(endpoint: str, answer: Answer) -> ProtocolError:
    where = f"to {redact(answer.location)}" if answer.location else "without a Location"
    return ProtocolError(
        f"{endpoint}: HTTP {answer.status_code} redirect {where}; printer-async does not follow "
        "redirects, as the token travels in the URL: give the final address, as "
        "AsyncPrinter(base_url=...) for a printer behind a proxy",
        endpoint=endpoint,
        status_code=answer.status_code,
    )


def _http_error(endpoint: str, answer: Answer) -> ApiError | ProtocolError:
    status = answer.status_code
    body = _describe_body(answer)
    if 300 <= status < 400:  # noqa: PLR2004
        return _redirect(endpoint, answer)
    if status == 404:  # noqa: PLR2004
        # The API's own 404 answers ("file not exist") carry an error body and never get here.
        if answer.content.lstrip().startswith((b"{", b"[")):
            body = "JSON that is not an API answer"
        return _missing_route(endpoint, body)
    if status == 500:  # noqa: PLR2004
        # Without a message, HTTP 500 is the doc's "restart the API" case, not a printer state.
        return ApiError(
            f"{endpoint}: HTTP 500 with {body}: restart the printer's API by switching "
            "Enable Remote Access API off and on",
            code=status,
            msg="",
            endpoint=endpoint,
        )
    if status in _MEANINGFUL_STATUSES:
        return error_for(endpoint, status, "token error" if status == 401 else "")  # noqa: PLR2004
    return ProtocolError(
        f"{endpoint}: HTTP {status} with {body}; a proxy or another service may be answering "
        "on this address",
        endpoint=endpoint,
        status_code=status,
    )


class _TooDeepError(ValueError):
    """JSON nested deeper than :data:`MAX_DEPTH`."""


def _too_deep(value: Any) -> bool:
    """Whether decoded JSON nests deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(item, dict):
            level.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            level.extend((child, depth + 1) for child in item)
    return False


def _decode(answer: Answer) -> Any:
    """The answer's JSON, or ``None`` for an empty body.

    Raises:
        ValueError: The body is not JSON (or not UTF-8), or nests too deeply
            (:class:`_TooDeepError`).
    """
    content = answer.content
    if not content.strip():
        return None
    try:
        body = json.loads(content)
    except RecursionError:
        raise _TooDeepError from None
    # Walked only when there are brackets enough to nest that deep: a poll's answer has two.
    if content.count(b"[") + content.count(b"{") > MAX_DEPTH and _too_deep(body):
        raise _TooDeepError
    return body


def unwrap(endpoint: str, answer: Answer) -> Any:
    """Return the ``data`` of a successful answer, or raise the typed error it carries.

    Args:
        endpoint: The API path without ``/v1``.
        answer: The HTTP answer.

    Returns:
        The ``data`` member (``None`` for setters, which answer ``{"status": 1}`` alone).

    Raises:
        ApiError: Or a subclass: the printer reported an error.
        ProtocolError: The answer is not the documented envelope.
    """
    is_success = 200 <= answer.status_code < 300  # noqa: PLR2004
    try:
        body = _decode(answer)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too deep, too many digits
        body = None
        if is_success:
            raise ProtocolError(
                f"{endpoint}: the printer answered with {_describe_body(answer, exc)}",
                endpoint=endpoint,
                status_code=answer.status_code,
            ) from None
    if not isinstance(body, dict) or "status" not in body:
        if not is_success:
            raise _http_error(endpoint, answer)
        what = "an empty body" if body is None else "JSON without a status member"
        raise ProtocolError(
            f"{endpoint}: the printer answered with {what}",
            endpoint=endpoint,
            status_code=answer.status_code,
        )
    status = body["status"]
    if status == 1 and not isinstance(status, bool):
        return body.get("data")
    error = body.get("error")
    if status == 0 and not isinstance(status, bool) and isinstance(error, dict):
        code, msg = error.get("code"), error.get("msg", "")
        if isinstance(code, int) and not isinstance(code, bool) and isinstance(msg, str):
            raise error_for(endpoint, code, msg)
    if not is_success:
        raise _http_error(endpoint, answer)
    raise ProtocolError(
        f"{endpoint}: the answer's status or error member is not in the documented shape",
        endpoint=endpoint,
        status_code=answer.status_code,
    )
