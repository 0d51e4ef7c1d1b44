"""The one place that talks to httpx.

It builds (or accepts) the ``httpx.AsyncClient``, sends requests, caps the size of an answer,
and turns every exception of the HTTP stack (httpx's, and aiohttp's under ``aiohttp_client()``)
into :class:`PrinterConnectionError` or :class:`ProtocolError`, with no token or login
signature in its text (see :mod:`printer_async._redact`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import ssl
import threading
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, cast

import anyio
import attrs
import httpx

from printer_async._errors import PrinterConnectionError, ProtocolError
from printer_async._redact import redact

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
    from contextlib import AbstractAsyncContextManager

__all__ = [
    "MAX_BODY_BYTES",
    "Answer",
    "BaseTransport",
    "StreamAnswer",
    "Transport",
    "aiohttp_client",
    "aiohttp_kind",
    "failure_message",
    "is_foreign",
    "redact",
    "shared_ssl_context",
]

T = TypeVar("T")

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
sooner is detected and replaced, see :meth:`Transport._send`."""

_URL_CACHE_SIZE: Final = 64

_STALE_CONNECTION_ERRORS: Final = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
"""What httpx raises when a kept-alive connection was closed by the printer before we used it."""

_FINISH_SECONDS: Final = 1.0
_FINISH_CHUNKS: Final = 64
"""Bounds on reading an abandoned answer's last buffered chunks, see :meth:`_Chunks.aclose`;
on a closed connection the read fails after at most the data already buffered."""

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


def _is_httpcore_pool(client: httpx.AsyncClient) -> bool:
    """Whether ``client`` sends through httpcore's connection pool (httpx's own transport)."""
    # httpx imports httpcore when a client builds its own transport, not on `import httpx`, so
    # it is a lookup here; at import time it would cost every program 15 ms (50 with trio).
    import httpcore  # noqa: PLC0415

    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    return isinstance(pool, httpcore.AsyncConnectionPool)


def on_asyncio() -> bool:
    """Whether the running event loop is asyncio's (not trio's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # trio
        return False
    return True


async def _in_own_task(exchange: Callable[[], Awaitable[T]]) -> T:
    """Await ``exchange()`` in a task of its own, where httpcore's shields hold off cancellation.

    httpcore protects the clean-up of an answer (marking its connection idle, removing the
    request from the pool) with anyio's shielded cancel scopes. asyncio's own cancellation
    (``asyncio.timeout``, ``task.cancel()``, Home Assistant's update timeouts) ignores them: it
    is delivered at the next await, and landing inside that clean-up it leaves the connection
    busy and the request registered for ever. After ``max_connections`` of those, every call
    waits for the pool in vain. So the exchange runs in a task of its own, inside a cancel
    scope: a native cancellation of the waiting task becomes a cancellation of that scope,
    which the shields hold off until the clean-up is done, and the waiting task waits for the
    child to end before its own cancellation goes on. The child never outlives the call. Under
    trio every cancellation already is a cancel scope's.

    A task of asyncio's, where an anyio task group would do the same: the group cost about
    20 microseconds per request, this 11 (``benchmarks/per_poll.py``), and the default setup
    is to cost no more than a plain ``httpx.AsyncClient``.
    """
    scope = anyio.CancelScope()

    async def run() -> T | None:
        with scope:
            return await exchange()
        return None  # cancelled through the scope: the caller re-raises its own cancellation

    task = asyncio.get_running_loop().create_task(run())
    try:
        return cast("T", await asyncio.shield(task))
    except asyncio.CancelledError:
        scope.cancel()
        await _until_done(task)
        raise


async def _until_done(task: asyncio.Task[Any]) -> None:
    """Wait until ``task`` has ended, however often the caller is cancelled meanwhile."""
    while not task.done():
        # The caller re-raises its own cancellation; the child's failure is no news then.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.shield(task)
    if not task.cancelled():
        task.exception()  # retrieved: its failure is no news once the caller was cancelled


def _reap_orphaned_connections(client: httpx.AsyncClient) -> None:
    """Drop the connections a cancelled request left half-made in httpcore's pool.

    httpcore (1.0.9, encode/httpcore#1093) assigns a new connection to a queued request before
    that request connects it. When the request is cancelled in between (a caller's
    ``asyncio.timeout``, our own deadline), the pool forgets the request but keeps the
    connection, which is neither idle, nor closed, nor ever connected: it holds its slot for
    ever, and after ``max_connections`` of them every call ends in a pool timeout although the
    printer is fine. Such a connection owns no socket yet, so dropping it from the pool frees
    the slot and leaks nothing. Nothing is done for a client whose transport is not httpcore's
    pool (``aiohttp_client()``'s, a mock), or if httpcore's internals change shape.
    """
    import httpcore  # noqa: PLC0415 - see _is_httpcore_pool()

    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    connections = getattr(pool, "_connections", None)
    requests = getattr(pool, "_requests", None)
    if not isinstance(connections, list) or not isinstance(requests, list):
        return
    owned = {id(getattr(request, "connection", None)) for request in requests}
    for connection in list(connections):
        if (
            id(connection) not in owned
            and isinstance(connection, httpcore.AsyncHTTPConnection)
            and not connection.is_idle()  # idle: connected, the usual case; info() formats text
            and connection.info() == "CONNECTING"
        ):
            connections.remove(connection)


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


def aiohttp_client(
    *, timeout: float | httpx.Timeout = 10.0, keepalive: float = 60.0
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` over one aiohttp session, to share between many printers.

    Pass it as ``client=`` to every :class:`~printer_async.AsyncPrinter` of a fleet. aiohttp
    keeps a dictionary of connection pools, one per printer, so unlike a plain shared
    ``httpx.AsyncClient`` (whose single pool costs more with every printer added) one session
    serves thousands of printers; it also parses HTTP in C, which makes a poll cost about a
    quarter less CPU (``benchmarks/fleet.py``). asyncio only; needs ``pip install
    "printer-async[aiohttp]"``. Close it yourself (``async with``) after the printers.

    Args:
        timeout: Seconds, or an ``httpx.Timeout``, for each request.
        keepalive: Seconds an idle connection is kept for the next poll.

    Raises:
        ImportError: ``httpx-aiohttp`` is not installed.
    """
    try:
        import aiohttp  # noqa: PLC0415 - an optional dependency
        from httpx_aiohttp import AiohttpTransport  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError(
            'the aiohttp transport needs httpx-aiohttp: pip install "printer-async[aiohttp]"'
        ) from exc

    class Response(aiohttp.ClientResponse):
        async def start(self, connection: aiohttp.connector.Connection) -> Response:
            await super().start(connection)
            # aiohttp keeps a reason phrase that is not UTF-8 as surrogates; httpx-aiohttp then
            # fails to encode it after the answer has begun, and its connection is left for the
            # garbage collector. A reason is only words: the undecodable bytes become "?".
            if self.reason is not None and not self.reason.isascii():
                self.reason = self.reason.encode("utf-8", "replace").decode()
            return self

    def session() -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop, as aiohttp requires.
        connector = aiohttp.TCPConnector(
            limit=0, limit_per_host=2, keepalive_timeout=keepalive, ssl=shared_ssl_context()
        )
        # httpx asks for no compression (IDENTITY) and inflates nothing it refuses.
        return aiohttp.ClientSession(
            connector=connector, response_class=Response, auto_decompress=False
        )

    return httpx.AsyncClient(
        transport=AiohttpTransport(client=session, verify=shared_ssl_context()),
        timeout=timeout,
        trust_env=False,
    )


@attrs.frozen
class Answer:
    """An HTTP answer, read whole."""

    status_code: int
    content_type: str
    content: bytes
    location: str | None = None
    """The ``Location`` header of a redirect (never followed: the token is in the URL)."""


_SPENT: Final = httpx.ByteStream(b"")
"""What a fully read answer's ``stream`` is replaced with, see :meth:`_Chunks.aclose`."""


class _Chunks:
    """An answer's body as it arrives, with httpx's exceptions translated.

    :meth:`aclose` ends the answer, whether it was read to the end or abandoned part-way.
    """

    def __init__(self, response: httpx.Response, describe: Any) -> None:
        self._response = response
        self._finished = False
        # httpx annotates it as an AsyncIterator; it is an async generator, with aclose().
        self._chunks = cast("AsyncGenerator[bytes, None]", response.aiter_bytes())
        self._describe = describe

    def __aiter__(self) -> _Chunks:
        return self

    async def __anext__(self) -> bytes:
        try:
            return await anext(self._chunks)
        except StopAsyncIteration:
            self._finished = True
            raise
        except Exception as exc:
            if not is_foreign(exc):
                raise
            raise PrinterConnectionError(self._describe(exc)) from exc

    async def aclose(self) -> None:
        """Close the connection's answer and every async generator reading it.

        Closing httpx's ``aiter_bytes()`` generator alone would leave the generators httpx and
        httpcore nest under it (``aiter_raw()``, the transport's, the connection's) suspended
        until the garbage collector finds them, and trio warns about each one
        (encode/httpx#3686). So the answer is closed first, which closes its connection, and
        the generators are then run on: their next read fails at once, and that error unwinds
        and finishes every one of them.
        """
        if self._finished:  # read to the end (every poll): the generators are done already
            await self._response.aclose()
            # httpx's response and the stream it reads from hold each other: left so, every
            # poll would leave them (and the 20 objects they hold) to the garbage collector.
            self._response.stream = _SPENT
            return
        try:
            try:
                await self._response.aclose()
            except Exception as exc:  # the body is read or being abandoned
                if not is_foreign(exc):
                    raise
        finally:
            try:
                with anyio.move_on_after(_FINISH_SECONDS):
                    for _ in range(_FINISH_CHUNKS):
                        await anext(self._chunks)
            except StopAsyncIteration:
                pass  # finished, as wanted
            except Exception as exc:
                if not is_foreign(exc):
                    raise  # the answer was being abandoned anyway: its failure is no news
            finally:
                await self._chunks.aclose()


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

    :class:`Transport` speaks httpx; with ``transport="aiohttp"``,
    :class:`~printer_async._aiohttp_transport.AiohttpTransport` speaks aiohttp.
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
        """Send one request and read the whole answer (see :meth:`Transport.request`)."""

    def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> AbstractAsyncContextManager[StreamAnswer]:
        """Send one request and read its answer as it arrives (see :meth:`Transport.stream`)."""

    async def aclose(self) -> None:
        """Close what the transport created."""


class Transport:
    """Sends requests to one printer's API and reads the answers.

    Args:
        base_url: Like ``http://192.168.0.57:10800/v1``.
        timeout: Seconds, or an ``httpx.Timeout``, for each request.
        client: An ``httpx.AsyncClient`` to use; it is not closed by :meth:`aclose`. It then
            carries the camera's streams too, so its connection limit must leave room for them.
    """

    def __init__(
        self, base_url: str, *, timeout: float | httpx.Timeout, client: httpx.AsyncClient | None
    ) -> None:
        self.base_url = base_url
        self.netloc = httpx.URL(base_url).netloc.decode()
        """The printer's ``host:port``, for messages."""
        self._owns_client = client is None
        self._given_client = client
        self._own_client: httpx.AsyncClient | None = None
        self._stream_client: httpx.AsyncClient | None = None
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._urls: dict[tuple[str, str], httpx.URL] = {}
        self.closed = False

    @staticmethod
    def _new_client(
        timeout: float | httpx.Timeout, *, max_connections: int = 4
    ) -> httpx.AsyncClient:
        # One request at a time per printer is what the printer can take; a second connection
        # only helps a caller who runs calls concurrently, so allow a few.
        return httpx.AsyncClient(
            timeout=timeout,
            verify=shared_ssl_context(),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=2,
                keepalive_expiry=KEEPALIVE_EXPIRY,
            ),
            trust_env=False,
        )

    @property
    def _client(self) -> httpx.AsyncClient:
        """The API's client: the one given, or our own, made on first use.

        A printer a fleet moves onto its aiohttp session before its first request never makes
        one: a thousand of them would cost 8 MB.
        """
        if self._given_client is not None:
            return self._given_client
        if self._own_client is None:
            if self.closed:
                raise RuntimeError("the printer's transport is closed")
            self._own_client = self._new_client(self._timeout)
        return self._own_client

    @property
    def call_timeout(self) -> float | None:
        """Seconds a whole call may take, or ``None`` for no deadline.

        The ``timeout`` given, or the longest part of an ``httpx.Timeout`` (``None`` when it
        has none).
        """
        timeout = self._timeout
        parts = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        given = [part for part in parts if part is not None]
        return max(given) if given else None

    def _streams(self) -> httpx.AsyncClient:
        """The client for :meth:`stream`: a second one of our own, made on first use.

        A camera stream holds its connection for as long as it is watched; in the API's pool
        of four, four of them would leave every API call waiting (and a watch reporting the
        printer offline). A client the caller gave is used for everything, as given.
        """
        if not self._owns_client:
            return self._client
        if self.closed:
            raise RuntimeError("the printer's transport is closed")
        if self._stream_client is None:
            self._stream_client = self._new_client(
                self._timeout, max_connections=STREAM_CONNECTIONS
            )
        return self._stream_client

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
            The answer.

        Raises:
            PrinterConnectionError: The request failed on the network or timed out.
            ProtocolError: The answer was larger than ``max_bytes``.
        """
        try:
            request = self._client.build_request(
                method,
                self._url(endpoint, params),
                json=json,
                content=content,
                headers={**IDENTITY, **headers} if headers else IDENTITY,
                timeout=self._timeout,
            )
        except (httpx.InvalidURL, UnicodeError) as exc:  # not HTTPErrors: they would escape
            raise ProtocolError(
                f"{method} {endpoint}: cannot make a URL of it: {redact(str(exc))}",
                endpoint=endpoint,
            ) from exc
        if _is_httpcore_pool(self._client) and on_asyncio():
            return await _in_own_task(lambda: self._exchange(request, endpoint, max_bytes))
        return await self._exchange(request, endpoint, max_bytes)

    async def _exchange(self, request: httpx.Request, endpoint: str, max_bytes: int) -> Answer:
        """Send ``request`` and read its whole answer (see :meth:`request`)."""
        method = request.method
        try:
            response = await self._send(request)
        except Exception as exc:
            if not is_foreign(exc):
                raise
            raise PrinterConnectionError(self._describe(method, endpoint, exc)) from exc
        body = bytearray()
        # aclosing: an answer refused as too large is abandoned part-way, see _Chunks.aclose.
        async with contextlib.aclosing(
            _Chunks(response, lambda exc: self._describe(method, endpoint, exc))
        ) as chunks:
            refuse_compressed(
                response.headers.get("content-encoding"), endpoint, response.status_code
            )
            async for chunk in chunks:
                body += chunk
                if len(body) > max_bytes:
                    raise ProtocolError(
                        f"{endpoint}: the answer is larger than {max_bytes} bytes",
                        endpoint=endpoint,
                        status_code=response.status_code,
                    )
        return Answer(
            status_code=response.status_code,
            content_type=response.headers.get("content-type", ""),
            content=bytes(body),
            location=response.headers.get("location"),
        )

    def _url(self, endpoint: str, params: Mapping[str, Any] | None) -> httpx.URL:
        """The request URL; the polling URLs (the token alone) are parsed once, not per poll."""
        if params is None or params.keys() != {"token"}:
            return httpx.URL(self.base_url + endpoint, params=params)
        key = (endpoint, params["token"])
        url = self._urls.get(key)
        if url is None:
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()  # a new token: the old URLs are of no more use
            url = self._urls[key] = httpx.URL(self.base_url + endpoint, params=params)
        return url

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and return once the answer's headers have arrived.

        A GET that fails before any answer, on a connection the printer closed while it sat idle
        in the pool (its keep-alive timeout and our poll interval can meet), is sent once more on
        a fresh connection: the printer never saw it, and a GET changes nothing (RFC 9110 9.2.2).
        """
        _reap_orphaned_connections(self._client)
        # Never follow a redirect, even with a client made to: the token is in the URL.
        try:
            return await self._client.send(request, stream=True, follow_redirects=False)
        except _STALE_CONNECTION_ERRORS:
            if request.method != "GET":
                raise
        return await self._client.send(request, stream=True, follow_redirects=False)

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> AsyncIterator[StreamAnswer]:
        """Send one request and read its answer as it arrives, like a camera's MJPEG stream.

        It goes over a client of its own (see :meth:`_streams`), not the API's, unless the
        caller gave the client.

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
        """
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:  # the camera's address comes from the printer's answer
            raise ProtocolError(f"{method} {redact(url)}: not a valid URL: {exc}") from exc
        path, netloc = target.path, target.netloc.decode()
        client = self._streams()
        request = client.build_request(
            method, target, params=params, headers=IDENTITY, timeout=self._timeout
        )
        send_auth = httpx.BasicAuth(*auth) if auth is not None else httpx.USE_CLIENT_DEFAULT
        _reap_orphaned_connections(client)
        try:
            response = await client.send(request, stream=True, auth=send_auth)
        except Exception as exc:
            if not is_foreign(exc):
                raise
            raise PrinterConnectionError(self._describe(method, path, exc, netloc=netloc)) from exc
        chunks = _Chunks(response, lambda exc: self._describe(method, path, exc, netloc=netloc))
        try:
            refuse_compressed(response.headers.get("content-encoding"), path, response.status_code)
            yield StreamAnswer(
                status_code=response.status_code,
                content_type=response.headers.get("content-type", ""),
                chunks=chunks,
            )
        finally:
            if _is_httpcore_pool(client) and on_asyncio():
                await _in_own_task(chunks.aclose)  # the clean-up, safe from asyncio's cancel
            else:
                await chunks.aclose()

    def _describe(
        self, method: str, endpoint: str, exc: Exception, *, netloc: str | None = None
    ) -> str:
        kind = {
            httpx.TimeoutException: "timed out",
            httpx.ConnectError: "could not connect",
            httpx.RemoteProtocolError: "the connection broke",
            httpx.ReadError: "the connection broke",
        }
        what = (
            aiohttp_kind(exc)
            or aiohttp_kind(exc.__cause__)
            or next((v for k, v in kind.items() if isinstance(exc, k)), "the request failed")
        )
        host = netloc if netloc is not None else self.netloc
        return failure_message(method, endpoint, host, what, exception_detail(exc))

    async def aclose(self) -> None:
        """Close the clients this transport created (the API's and the streams')."""
        self.closed = True
        if self._owns_client:
            try:
                if self._own_client is not None:
                    await self._own_client.aclose()
            finally:
                if self._stream_client is not None:
                    await self._stream_client.aclose()
