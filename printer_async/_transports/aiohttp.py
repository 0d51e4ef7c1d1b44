"""The transport over aiohttp: the same contract as :mod:`.httpx`'s, faster.

:class:`AiohttpTransport` speaks aiohttp directly (no httpx client, no shim), so a poll costs
what aiohttp's C parser and one event-loop round trip cost, and leaves no garbage behind
(``benchmarks/per_poll.py``). It keeps every promise of the httpx transport: the same
:class:`Answer`, the same typed errors with the same messages, the body cap, the resend of a
GET on a kept-alive connection the printer closed (aiohttp's own, once), uploads streamed,
camera streams, and no token in anything an error carries.

One :class:`AiohttpSession` serves many printers: aiohttp keeps a dictionary of connection
pools, one per printer, where a single httpx pool shared by thousands of origins costs more
with every origin (DESIGN.md). asyncio only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json as jsonlib
import logging
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import attrs
import httpx
import yarl

from printer_async._errors import PrinterConnectionError, ProtocolError
from printer_async._redact import redact
from printer_async._transports.base import (
    IDENTITY,
    KEEPALIVE_EXPIRY,
    MAX_BODY_BYTES,
    STREAM_CONNECTIONS,
    Answer,
    StreamAnswer,
    aiohttp_kind,
    exception_detail,
    failure_message,
    is_foreign,
    refuse_compressed,
    shared_ssl_context,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping

__all__ = ["AiohttpSession", "AiohttpTransport"]

_log = logging.getLogger("printer_async.transport")

CONNECTIONS_PER_PORT: Final = STREAM_CONNECTIONS
"""Connections to one port of one printer. aiohttp has one limit for every host and port,
and the camera listens on a port of its own, so its streams and snapshots get as many
connections as over httpx, and never take the API's."""

_URL_CACHE_SIZE: Final = 64


class AiohttpSession:
    """One aiohttp ``ClientSession`` shared by many printers, made on first use.

    aiohttp wants its session made inside the running event loop, and a fleet is often built
    before the loop runs, so the session is made by the first request. The transports on it
    :meth:`join` it and :meth:`leave` it when they close: when the last one has left, the
    aiohttp session and its connections are closed (a fleet used without ``async with``, its
    printers closed one by one, leaves nothing open), and made again if a printer joins later.

    Args:
        keepalive: Seconds an idle connection is kept for the next poll.
    """

    def __init__(self, *, keepalive: float = KEEPALIVE_EXPIRY) -> None:
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None
        self._users = 0
        self.closed = False

    def join(self) -> None:
        """Count one more transport sending over the session."""
        self._users += 1

    async def leave(self) -> None:
        """Count one transport less; the last to leave closes the aiohttp session."""
        self._users -= 1
        if self._users == 0:
            session, self._session = self._session, None
            if session is not None:
                await session.close()

    def get(self) -> aiohttp.ClientSession:
        """The aiohttp session, made now if this is the first request.

        Raises:
            RuntimeError: The session is closed, or the running event loop is not asyncio's.
        """
        session = self._session
        if session is not None:
            return session
        if self.closed:
            raise RuntimeError("the printer's aiohttp session is closed")
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                'transport="aiohttp" runs under asyncio only; under trio, leave transport '
                "unset (httpx)"
            ) from None
        connector = aiohttp.TCPConnector(
            limit=0,  # thousands of printers, each bounded by limit_per_host
            limit_per_host=CONNECTIONS_PER_PORT,
            keepalive_timeout=self._keepalive,
            ssl=shared_ssl_context(),
        )
        self._session = session = aiohttp.ClientSession(
            connector=connector,
            # The API sets no cookies; a jar that keeps none saves a lookup per request.
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            raise_for_status=False,
            headers=IDENTITY,  # see refuse_compressed
            auto_decompress=False,
        )
        return session

    async def aclose(self) -> None:
        """Close the session and every connection in it; a second call does nothing."""
        self.closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()


@attrs.define
class _Body:
    """A request body that remembers the exception it raised.

    aiohttp writes a body in a task of its own and reports a failure there as a broken
    connection; the upload's own error (a file that changed size, a file too large) is what
    the caller must see.
    """

    content: AsyncIterable[bytes]
    error: BaseException | None = None

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.content:
                yield chunk
        except Exception as exc:
            self.error = exc
            raise


class _Chunks:
    """A streamed answer's body as it arrives, with aiohttp's exceptions translated."""

    def __init__(
        self, response: aiohttp.ClientResponse, describe: Callable[[BaseException], str]
    ) -> None:
        self._response = response
        self._describe = describe

    def __aiter__(self) -> _Chunks:
        return self

    async def __anext__(self) -> bytes:
        failure = None
        try:
            chunk = await self._response.content.readany()
        except Exception as exc:
            if not _foreign(exc):
                raise
            failure = self._describe(exc)
        if failure is not None:  # raised outside the except block: see AiohttpTransport.request
            raise PrinterConnectionError(failure)
        if not chunk:
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        """Close the answer: its connection goes back to the pool only if it was read whole."""
        self._response.close()


class AiohttpTransport:
    """Sends requests to one printer's API over aiohttp and reads the answers.

    The contract is :class:`~printer_async._transports.base.BaseTransport`'s.

    Args:
        base_url: Like ``http://192.168.0.57:10800/v1``.
        timeout: Seconds, or an ``httpx.Timeout``, for each request.
        session: The session to share; by default the transport makes one of its own and
            closes it in :meth:`aclose`. A shared session is left open.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | httpx.Timeout,
        session: AiohttpSession | None = None,
    ) -> None:
        self.base_url = base_url
        self._session = session if session is not None else AiohttpSession()
        self._session.join()
        limits = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        parts = [
            t for t in (limits.connect, limits.read, limits.write, limits.pool) if t is not None
        ]
        self.call_timeout = max(parts) if parts else None
        """Seconds a whole call may take (the longest part of the timeout), or ``None``."""

        def shorter(limit: float | None) -> float | None:
            if limit is None or (self.call_timeout is not None and limit >= self.call_timeout):
                return None
            return limit

        # The client bounds every call by its deadline (call_timeout), login and retry
        # included; aiohttp is given only the limits of an httpx.Timeout that are shorter. A
        # timer of aiohttp's as long as the deadline would add a cost to every poll, and when
        # both fire together aiohttp's would report a plain timeout instead of the deadline's.
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            connect=shorter(limits.pool),  # aiohttp's connect: a free connection, or a new one
            sock_connect=shorter(limits.connect),
            sock_read=shorter(limits.read),
        )
        # A streamed upload or a camera stream may rightly take long (their deadlines move on
        # with each chunk): a bound on each phase too.
        self._stream_timeout = aiohttp.ClientTimeout(
            total=None,
            connect=limits.pool,  # aiohttp's connect: a free connection, or a new one
            sock_connect=limits.connect,
            sock_read=limits.read,
        )
        self.netloc = httpx.URL(base_url).netloc.decode()
        """The printer's ``host:port``, for messages."""
        self._urls: dict[tuple[str, str], yarl.URL] = {}
        self.closed = False

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
        """Send one request and read the whole answer; see ``Transport.request``.

        Raises:
            PrinterConnectionError: The request failed on the network or timed out.
            ProtocolError: The answer was larger than ``max_bytes``, or no URL can be made.
        """
        if self.closed:
            raise RuntimeError("the printer's transport is closed")
        url = self._url(method, endpoint, params)
        data: Any = None
        body: _Body | None = None
        if json is not None:
            data = _json_body(json)
            headers = {"Content-Type": "application/json", **(headers or {})}
        elif isinstance(content, bytes | bytearray | memoryview):
            data = bytes(content)
        elif content is not None:
            body = _Body(content)
            data = body.chunks()
        failure: BaseException
        try:
            response = await self._session.get().request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=self._timeout if body is None else self._stream_timeout,
                allow_redirects=False,  # as httpx: a redirect is an answer, not followed
            )
            try:
                length = response.content_length
                if (
                    length is not None
                    and length <= max_bytes
                    and "Content-Encoding" not in response.headers
                ):
                    answer = await response.read()  # the usual answer: one read, no copy
                else:
                    answer = await _read_capped(response, endpoint, max_bytes)
            finally:
                response.release()  # back to the pool, unless closed for being cut short
            headers = response.headers
            if _log.isEnabledFor(logging.DEBUG):  # as httpx logs its request lines
                _log.debug(
                    'HTTP Request: %s %s "%d %s"',
                    method,
                    redact(str(url)),
                    response.status,
                    response.reason,
                )
            return Answer(
                status_code=response.status,
                content_type=headers.get("Content-Type", ""),
                content=answer,
                location=headers.get("Location"),
            )
        except Exception as exc:
            if not _foreign(exc):
                raise
            failure = (
                body.error
                if body is not None and body.error is not None
                else PrinterConnectionError(self._describe(method, endpoint, exc))
            )
        # Raised here, outside the except block, so that the aiohttp exception (whose request
        # information holds the URL, token included) is neither its cause nor its context.
        raise failure

    def _url(self, method: str, endpoint: str, params: Mapping[str, Any] | None) -> yarl.URL:
        """The request URL, encoded as the httpx transport encodes it.

        The same bytes go on the wire either way; the polling URLs (the token alone) are made
        once per token, not per poll.
        """
        cacheable = params is not None and len(params) == 1 and "token" in params
        if cacheable:
            assert params is not None  # noqa: S101 - narrowed by cacheable
            key = (endpoint, params["token"])
            url = self._urls.get(key)
            if url is not None:
                return url
        try:
            encoded = str(httpx.URL(self.base_url + endpoint, params=params))
        except httpx.InvalidURL as exc:
            raise ProtocolError(
                f"{method} {endpoint}: cannot make a URL of it: {redact(str(exc))}",
                endpoint=endpoint,
            ) from None
        url = yarl.URL(encoded, encoded=True)
        if cacheable:
            if len(self._urls) >= _URL_CACHE_SIZE:
                self._urls.clear()  # a new token: the old URLs are of no more use
            self._urls[key] = url
        return url

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> AsyncIterator[StreamAnswer]:
        """Send one request and read its answer as it arrives; see ``Transport.stream``.

        Camera streams go over the same session, on their own connections (aiohttp pools by
        host and port, and the camera listens on a port of its own).

        Raises:
            PrinterConnectionError: The request failed on the network or timed out, before or
                while the body arrived.
            ProtocolError: ``url`` is not a valid URL.
        """
        if self.closed:
            raise RuntimeError("the printer's transport is closed")
        try:
            target = httpx.URL(url, params=params)
        except httpx.InvalidURL as exc:  # the camera's address comes from the printer's answer
            raise ProtocolError(f"{method} {redact(url)}: not a valid URL: {exc}") from None
        path, netloc = target.path, target.netloc.decode()
        headers = {"Authorization": _basic_auth(*auth)} if auth is not None else None
        failure: str | None = None
        try:
            response = await self._session.get().request(
                method,
                yarl.URL(str(target), encoded=True),
                headers=headers,
                timeout=self._stream_timeout,
                allow_redirects=False,
            )
        except Exception as exc:
            if not _foreign(exc):
                raise
            failure = self._describe(method, path, exc, netloc=netloc)
        if failure is not None:
            raise PrinterConnectionError(failure)
        chunks = _Chunks(response, lambda exc: self._describe(method, path, exc, netloc=netloc))
        try:
            refuse_compressed(response.headers.get("Content-Encoding"), path, response.status)
            yield StreamAnswer(
                status_code=response.status,
                content_type=response.headers.get("Content-Type", ""),
                chunks=chunks,
            )
        finally:
            await chunks.aclose()

    def _describe(
        self, method: str, endpoint: str, exc: BaseException, *, netloc: str | None = None
    ) -> str:
        what = aiohttp_kind(exc) or (
            "timed out" if isinstance(exc, TimeoutError) else "the request failed"
        )
        return failure_message(method, endpoint, netloc or self.netloc, what, exception_detail(exc))

    async def aclose(self) -> None:
        """Leave the session, which closes when no transport is left on it; once."""
        if self.closed:
            return
        self.closed = True
        await self._session.leave()


async def _read_capped(response: aiohttp.ClientResponse, endpoint: str, max_bytes: int) -> bytes:
    """The whole body of an unusual answer: of unknown length, too large, or compressed.

    Raises:
        ProtocolError: The body is compressed (see ``refuse_compressed``), or larger than
            ``max_bytes``; it is refused as soon as that is known, and its connection closed.
    """
    if (encoding := response.headers.get("Content-Encoding")) is not None:
        try:
            refuse_compressed(encoding, endpoint, response.status)
        except ProtocolError:
            response.close()  # refused unread: the connection cannot be reused
            raise
        if response.content_length is not None and response.content_length <= max_bytes:
            return await response.read()  # "identity": not compressed after all
    if response.content_length is None:  # chunked, or until the connection closes
        body = bytearray()
        while chunk := await response.content.readany():
            body += chunk
            if len(body) > max_bytes:
                break
        else:
            return bytes(body)
    response.close()  # abandoned part-way: the connection cannot be reused
    raise ProtocolError(
        f"{endpoint}: the answer is larger than {max_bytes} bytes",
        endpoint=endpoint,
        status_code=response.status,
    )


def _foreign(exc: BaseException) -> bool:
    """Whether ``exc`` must be translated into a :class:`PrinterError`.

    aiohttp's, yarl's and multidict's exceptions and the loop's timeouts must; an exception of
    printer-async, or of an upload's own body, is raised as itself.
    """
    return isinstance(exc, TimeoutError) or is_foreign(exc)


def _json_body(value: Any) -> bytes:
    # As httpx encodes json=: compact, UTF-8, and no NaN or infinity (not JSON).
    return jsonlib.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _basic_auth(user: str, password: str) -> str:
    # As httpx.BasicAuth writes it; aiohttp's auth= argument is deprecated.
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
