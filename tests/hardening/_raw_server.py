"""A small HTTP/1.1 server on raw asyncio streams that answers whatever a test scripts.

The simulator answers like a printer; this one answers like anything at all: any status and
reason, any headers, bodies shorter or longer than their ``Content-Length``, answers cut off,
stalled or trickled a few bytes at a time. It speaks to the client over real loopback sockets,
so every client setup (httpx, ``aiohttp_client()``, ...) is attacked the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import queue
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Literal, Self

import attrs

Behaviour = Literal["answer", "stall", "stall_mid_body", "trickle", "drop", "reset_mid_body"]


@attrs.frozen
class Request:
    """A request as it arrived."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        """The target without its query, like ``/v1/login``."""
        return self.target.split("?", 1)[0]


@attrs.frozen
class Reply:
    """What to answer one request with.

    ``content_length`` ``"auto"`` sends the body's length, ``None`` sends no such header (the
    body then ends when the connection closes, unless ``chunked``), an int sends that number
    whatever the body's length.
    """

    status: int = 200
    reason: bytes = b"OK"
    headers: tuple[tuple[bytes, bytes], ...] = ((b"Content-Type", b"application/json"),)
    body: bytes = b""
    content_length: int | Literal["auto"] | None = "auto"
    chunked: bool = False
    behaviour: Behaviour = "answer"
    delay: float = 0.0
    """Seconds to wait before answering (``answer``) or between trickled bytes (``trickle``)."""
    raw: bytes | None = None
    """Bytes to send instead of an answer built from the fields above; the connection then
    closes."""


Script = Callable[[Request], Reply | Awaitable[Reply]]


class RawServer:
    """Serves ``script(request)`` for each request on ``127.0.0.1``; use it as an async context."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[Request] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._transports: set[asyncio.Transport] = set()

    async def __aenter__(self) -> Self:
        loop = asyncio.get_running_loop()
        server = self

        class Protocol(asyncio.StreamReaderProtocol):
            """Records each connection's transport as soon as it exists, to close it at the end."""

            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                assert isinstance(transport, asyncio.Transport)
                server._transports.add(transport)
                super().connection_made(transport)

        def protocol() -> Protocol:
            return Protocol(asyncio.StreamReader(loop=loop), self._serve, loop=loop)

        self._server = await loop.create_server(protocol, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None
        # A connection accepted just now gets its transport one step of the event loop later:
        # let it come while the server is open. Under Python 3.11 a transport made after
        # close() fails half-made, and its socket is never closed (a ResourceWarning later).
        for _ in range(5):
            await asyncio.sleep(0)
        self._server.close()
        # Then its handler, one step at a time: let them come, and end them all.
        for _ in range(5):
            await asyncio.sleep(0)
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks)
        for transport in self._transports:
            transport.abort()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    return
                self.requests.append(request)
                reply = self.script(request)
                if not isinstance(reply, Reply):
                    reply = await reply
                if not await _send(writer, reply):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            return
        except asyncio.CancelledError:
            return  # the server is closing; a handler that ends cancelled is logged by asyncio
        finally:
            self._tasks.discard(task)
            writer.transport.abort()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    line, *fields = head.decode("latin-1").split("\r\n")
    method, target, _ = line.split(" ", 2)
    headers = {}
    for field in fields:
        if ":" in field:
            name, value = field.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunks += (await reader.readexactly(size + 2))[:size]
            if size == 0:
                break
        body = bytes(chunks)
    else:
        body = b""
    return Request(method, target, headers, body)


async def _send(writer: asyncio.StreamWriter, reply: Reply) -> bool:
    """Write one answer; whether the connection may carry another request."""
    if reply.behaviour == "drop":
        return False
    if reply.behaviour == "stall":
        await asyncio.Event().wait()  # until the client gives up (the server aborts us)
    if reply.delay and reply.behaviour == "answer":
        await asyncio.sleep(reply.delay)
    if reply.raw is not None:
        writer.write(reply.raw)
        await writer.drain()
        return False
    head, body = _encode(reply)
    writer.write(head)
    if reply.behaviour == "trickle":  # the body a byte at a time, then spaces, for ever
        for index in itertools.count():
            writer.write(body[index : index + 1] or b" ")
            await writer.drain()
            await asyncio.sleep(reply.delay)
    if reply.behaviour in {"stall_mid_body", "reset_mid_body"}:
        writer.write(body[: len(body) // 2])
        await writer.drain()
        if reply.behaviour == "stall_mid_body":
            await asyncio.Event().wait()
        return False
    writer.write(body)
    await writer.drain()
    keep = reply.chunked or reply.content_length == "auto"
    return keep and reply.status >= 200


def _encode(reply: Reply) -> tuple[bytes, bytes]:
    """The head and the body as they go on the wire."""
    head = bytearray(b"HTTP/1.1 %d %s\r\n" % (reply.status, reply.reason))
    for name, value in reply.headers:
        head += name + b": " + value + b"\r\n"
    body = reply.body
    if reply.chunked:
        head += b"Transfer-Encoding: chunked\r\n"
        body = (b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)) if body else b"0\r\n\r\n"
    elif reply.content_length == "auto":
        head += b"Content-Length: %d\r\n" % len(body)
    elif reply.content_length is not None:
        head += b"Content-Length: %d\r\n" % reply.content_length
    return bytes(head + b"\r\n"), body


@contextlib.contextmanager
def serving_in_thread(script: Script) -> Iterator[int]:
    """A :class:`RawServer` on an event loop of its own thread (for blocking clients); its port."""
    started: queue.Queue[tuple[int, asyncio.AbstractEventLoop, asyncio.Event]] = queue.Queue()

    async def main() -> None:
        stop = asyncio.Event()
        async with RawServer(script) as server:
            started.put((server.port, asyncio.get_running_loop(), stop))
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    port, loop, stop = started.get(timeout=10)
    try:
        yield port
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
