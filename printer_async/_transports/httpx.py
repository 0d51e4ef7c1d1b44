"""The transport over httpx: the default, and the door for a caller's ``httpx.AsyncClient``.

It builds (or accepts) the ``httpx.AsyncClient``, sends requests, caps the size of an answer,
and turns every exception of the HTTP stack (httpx's, and aiohttp's under ``aiohttp_client()``)
into :class:`PrinterConnectionError` or :class:`ProtocolError`, with no token or login
signature in its text (see :mod:`printer_async._redact`). The contract it keeps is
:class:`~printer_async._transports.base.BaseTransport`'s.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final, cast

import anyio
import httpx

from printer_async._errors import PrinterConnectionError, ProtocolError
from printer_async._redact import redact
from printer_async._transports._httpcore_fixes import (
    in_own_task,
    is_httpcore_pool,
    reap_orphaned_connections,
)
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
    on_asyncio,
    refuse_compressed,
    shared_ssl_context,
)

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Mapping

__all__ = ["Transport"]

_URL_CACHE_SIZE: Final = 64

_STALE_CONNECTION_ERRORS: Final = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
"""What httpx raises when a kept-alive connection was closed by the printer before we used it."""

_FINISH_SECONDS: Final = 1.0
_FINISH_CHUNKS: Final = 64
"""Bounds on reading an abandoned answer's last buffered chunks, see :meth:`_Chunks.aclose`;
on a closed connection the read fails after at most the data already buffered."""

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
        """Send one request and read the whole answer (the contract: ``BaseTransport.request``)."""
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
        if is_httpcore_pool(self._client) and on_asyncio():
            return await in_own_task(lambda: self._exchange(request, endpoint, max_bytes))
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
        reap_orphaned_connections(self._client)
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
        """Send one request and read its answer as it arrives (``BaseTransport.stream``).

        It goes over a client of its own (see :meth:`_streams`), not the API's, unless the
        caller gave the client.
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
        reap_orphaned_connections(client)
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
            if is_httpcore_pool(client) and on_asyncio():
                await in_own_task(chunks.aclose)  # the clean-up, safe from asyncio's cancel
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
