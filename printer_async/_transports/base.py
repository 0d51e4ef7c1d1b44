"""The contract every transport keeps, and what the transports share.

A transport sends one printer's requests and reads the answers; the client
(:class:`~printer_async.AsyncPrinter`) asks nothing else of the HTTP stack. Two implement the
contract, :class:`BaseTransport`: :mod:`.httpx` (the default; an injected ``httpx.AsyncClient``,
``aiohttp_client()``'s among them) and :mod:`.aiohttp` (``transport="aiohttp"``). Neither imports
the other; both import this module.

The contract, for each implementation:

- :meth:`BaseTransport.request` reads a whole answer, refused past ``max_bytes``
  (:data:`MAX_BODY_BYTES` by default) and refused unread when it comes compressed
  (:func:`refuse_compressed`: every request asks for :data:`IDENTITY`). A redirect is an
  answer, never followed (the token is in the URL).
- Every failure of the HTTP stack is a :class:`~printer_async.PrinterConnectionError` (the
  network, a timeout; its text is :func:`failure_message`) or a
  :class:`~printer_async.ProtocolError` (an answer that is not HTTP the client can use).
  Foreign exceptions are translated in one place per transport and nowhere else
  (:func:`is_foreign` tells them).
- No token, password or login signature in any text a transport makes (:func:`redact`), nor in
  anything reachable from what it raises. The httpx transport chains httpx's exception as
  ``__cause__`` (httpx's exceptions hold the request, which :func:`~printer_async._redact.scrub`
  cleans); the aiohttp transport raises outside its ``except`` block, so that aiohttp's
  exception (whose request information holds the URL, token included) is neither cause nor
  context.
- :meth:`BaseTransport.aclose` closes what the transport made itself, never what it was given.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import threading
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs
import httpx

from printer_async._errors import ProtocolError
from printer_async._redact import redact

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping
    from contextlib import AbstractAsyncContextManager

__all__ = [
    "IDENTITY",
    "KEEPALIVE_EXPIRY",
    "MAX_BODY_BYTES",
    "STREAM_CONNECTIONS",
    "Answer",
    "BaseTransport",
    "StreamAnswer",
    "aiohttp_kind",
    "exception_detail",
    "failure_message",
    "is_foreign",
    "on_asyncio",
    "redact",
    "refuse_compressed",
    "shared_ssl_context",
]

MAX_BODY_BYTES: Final = 4 * 1024 * 1024
"""Answers larger than this are refused: no documented JSON answer comes close."""

IDENTITY: Final = {"Accept-Encoding": "identity"}
"""Sent with every request: a printer never compresses its answers, and the body cap counts
the bytes on the wire (4 MB of gzip inflates to 4 GB). See :func:`refuse_compressed`."""

_ENCODING_NAME: Final = re.compile(r"[A-Za-z0-9._-]{1,32}")


def refuse_compressed(encoding: str | None, endpoint: str, status_code: int) -> None:
    """Refuse an answer that came compressed although :data:`IDENTITY` asked for none.

    Called before any of its body is read, so a compressed answer is never inflated.

    Raises:
        ProtocolError: ``encoding`` (the ``Content-Encoding`` header) is not ``identity``.
    """
    if encoding is None or encoding.strip().lower() in {"", "identity"}:
        return
    name = encoding.strip() if _ENCODING_NAME.fullmatch(encoding.strip()) else "unknown"
    raise ProtocolError(
        f"{endpoint}: the answer came compressed ({name}), which this client never asks for "
        "and does not inflate; a printer never compresses, so a proxy between you and the "
        "printer may: turn compression off for the printer's API",
        endpoint=endpoint,
        status_code=status_code,
    )


STREAM_CONNECTIONS: Final = 8
"""Connections for camera snapshots and streams, apart from the API's four."""

KEEPALIVE_EXPIRY: Final = 60.0
"""Seconds an idle connection is kept for reuse: longer than a poll interval, so each poll does
not pay for a new TCP connection (about 0.5 ms of CPU here). A connection the printer closed
sooner is detected and replaced (the GET is sent once more)."""


_AIOHTTP_KINDS: Final = {
    "ServerTimeoutError": "timed out",  # and its subclasses, connect and socket read timeouts
    "ClientConnectorError": "could not connect",
    "ServerDisconnectedError": "the connection broke",
    "ClientPayloadError": "the connection broke",
    "ClientConnectionError": "the connection broke",
    "ClientResponseError": "the answer is not valid HTTP",  # aiohttp's parser refused it
}
"""What an aiohttp exception means, by class name (aiohttp is optional, so not imported)."""

_FOREIGN_MODULES: Final = ("aiohttp.", "httpx_aiohttp.", "yarl.", "multidict.")


def aiohttp_kind(cause: BaseException | None) -> str | None:
    """Describe an aiohttp exception (or one behind an httpx one), or ``None``.

    httpx-aiohttp maps aiohttp's ``ClientConnectionError``, and so its subclasses "connection
    refused" and "server disconnected", to ``httpx.ConnectTimeout``: the httpx class would say
    "timed out" for a printer that is off or closed the connection.
    """
    if cause is None:
        return None
    for cls in type(cause).__mro__:  # the most specific class first
        if cls.__module__.startswith("aiohttp.") and cls.__name__ in _AIOHTTP_KINDS:
            return _AIOHTTP_KINDS[cls.__name__]
    return None


def exception_detail(exc: BaseException) -> str:
    """An HTTP library's exception as one line for a message, redacted."""
    return redact(" ".join(str(exc).split())) or type(exc).__name__


def failure_message(method: str, endpoint: str, host: str, what: str, detail: str) -> str:
    """The text of a :class:`PrinterConnectionError`, the same whatever the transport."""
    return (
        f"{method} {endpoint} to {host}: {what} ({detail}); check that the printer is on, "
        "on the network, and has Enable Remote Access API switched on"
    )


def is_foreign(exc: BaseException) -> bool:
    """Whether ``exc`` comes from the HTTP stack under the client, and must be translated.

    httpx's own exceptions, and what a transport under httpx lets through: httpx-aiohttp passes
    on the aiohttp exceptions it has no httpx class for (an answer aiohttp's parser refuses is a
    ``ClientResponseError``) and raises ``UnicodeEncodeError`` for a reason phrase that is not
    UTF-8. An exception of printer-async, or one an upload's own body raised, is not foreign.
    """
    if isinstance(exc, httpx.HTTPError | httpx.StreamError | UnicodeError):
        return True
    return any(cls.__module__.startswith(_FOREIGN_MODULES) for cls in type(exc).__mro__)


def on_asyncio() -> bool:
    """Whether the running event loop is asyncio's (not trio's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # trio
        return False
    return True



_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One SSL context for every client printer-async creates.

    The API is plain HTTP, but httpx builds an SSL context per client unless given one, which
    costs about 0.9 MB per printer (see DESIGN.md); sharing one keeps a fleet small.
    """
    global _ssl_context  # noqa: PLW0603 - a process-wide cache, built on first use
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = ssl.create_default_context()
        return _ssl_context


@attrs.frozen
class Answer:
    """An HTTP answer, read whole."""

    status_code: int
    content_type: str
    content: bytes
    location: str | None = None
    """The ``Location`` header of a redirect (never followed: the token is in the URL)."""



@attrs.frozen
class StreamAnswer:
    """An HTTP answer whose body is read as it arrives.

    Attributes:
        status_code: The HTTP status.
        content_type: The ``Content-Type`` header, or ``""``.
        chunks: The body, chunk by chunk; a broken connection raises
            :class:`PrinterConnectionError`.
    """

    status_code: int
    content_type: str
    chunks: AsyncIterator[bytes] = attrs.field(repr=False)


class BaseTransport(Protocol):
    """What the client asks of a transport.

    :class:`~printer_async._transports.httpx.Transport` speaks httpx; with
    ``transport="aiohttp"``, :class:`~printer_async._transports.aiohttp.AiohttpTransport`
    speaks aiohttp.
    """

    base_url: str
    """Like ``http://192.168.0.57:10800/v1``."""
    netloc: str
    """The printer's ``host:port``, for messages."""
    closed: bool
    """Whether :meth:`aclose` was called."""

    @property
    def call_timeout(self) -> float | None:
        """Seconds a whole call may take, or ``None`` for no deadline."""

    async def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: Any = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = MAX_BODY_BYTES,
    ) -> Answer:
        """Send one request and read the whole answer.

        Args:
            method: ``GET`` or ``POST``.
            endpoint: The API path without ``/v1``, like ``/job/currentjob``.
            params: Query parameters (the token among them).
            json: A JSON body.
            content: A raw body (bytes or an async byte iterator), for uploads.
            headers: Extra headers.
            max_bytes: Refuse answers larger than this.

        Returns:
            The answer, whatever its HTTP status (a redirect included: never followed).

        Raises:
            PrinterConnectionError: The request failed on the network or timed out.
            ProtocolError: The answer was larger than ``max_bytes``, came compressed, or no
                URL can be made of ``endpoint`` and ``params``.
            RuntimeError: The transport is closed.
        """

    def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> AbstractAsyncContextManager[StreamAnswer]:
        """Send one request and read its answer as it arrives, like a camera's MJPEG stream.

        Args:
            method: ``GET`` or ``POST``.
            url: An absolute URL, which may be on another port of the printer (the camera).
            params: Query parameters.
            auth: A user name and password for HTTP Basic authentication.

        Yields:
            The answer; its body is closed when the ``async with`` block ends.

        Raises:
            PrinterConnectionError: The request failed on the network or timed out, before or
                while the body arrived.
            ProtocolError: ``url`` is not a valid URL, or the answer came compressed.
        """

    async def aclose(self) -> None:
        """Close what the transport created."""

