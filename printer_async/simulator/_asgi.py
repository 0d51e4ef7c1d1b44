"""The small ASGI framework the simulator's API is built on.

The ASGI types, the request a handler sees (:class:`Request`, with a streaming body as
:class:`BodyStream`), the routing table (:class:`Route`, :class:`Router`), the refusals a handler
raises (:class:`BadRequest` for HTTP 400, :class:`UnsupportedMediaType` for 415), the helpers that
write an answer and the vendor's envelope, and breaking a connection under uvicorn. Nothing here
knows an endpoint: those are in :mod:`printer_async.simulator._routes`, and the application that
dispatches to them in :mod:`printer_async.simulator._app`.
"""

from __future__ import annotations

import json
import re
import socket
import struct
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any, Final

import anyio
import anyio.lowlevel
import attrs

from printer_async.simulator._state import SimulatedPrinter
from printer_async.simulator._wire import dumps

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_INTEGER = re.compile(r"-?[0-9]{1,19}")
"""ASCII digits only (``\\d`` would take other scripts' digits), at most as many as 64 bits hold."""
_INT64: Final = range(-(2**63), 2**63)


class BadRequest(Exception):  # noqa: N818 - it is an answer (HTTP 400), not an error of the app
    """The request cannot be parsed: the printer answers HTTP 400 with an empty body."""

    status: int = 400


class UnsupportedMediaType(BadRequest):
    """The body is not of the type the endpoint takes: HTTP 415 with an empty body."""

    status = 415


class BodyStream:
    """A request body read chunk by chunk from ASGI ``receive`` (for streaming routes).

    Args:
        receive: The ASGI receive callable of the request.
    """

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.done = False
        self.disconnected = False
        """Whether the client went away before the body ended."""
        self.size = 0
        """Bytes read so far."""

    async def read(self) -> bytes:
        """Return the next non-empty chunk, or ``b""`` once the body is over."""
        while not self.done:
            message = await self._receive()
            if message["type"] != "http.request":
                self.done = self.disconnected = True
                return b""
            self.done = not message.get("more_body", False)
            chunk: bytes = message.get("body", b"")
            if chunk:
                self.size += len(chunk)
                return chunk
        return b""

    async def drain(self) -> None:
        """Read and drop the rest of the body."""
        while await self.read():
            pass


@attrs.frozen
class Request:
    """What a handler sees of one request.

    Attributes:
        method: ``GET``, ``POST`` ...
        path: The path after ``/v1`` (e.g. ``/printer/basic``).
        query: Query parameters (the last value wins).
        body: The raw request body (empty for a streaming route).
        server_host: The address the request arrived on.
        headers: Request headers, names in lower case (the last value wins).
        stream: The body, for a streaming route; ``None`` otherwise.
    """

    method: str
    path: str
    query: Mapping[str, str]
    body: bytes
    server_host: str
    headers: Mapping[str, str] = attrs.field(factory=dict)
    stream: BodyStream | None = None

    def param(self, name: str) -> str:
        """Return a required query parameter.

        Raises:
            BadRequest: If it is missing.
        """
        value = self.query.get(name)
        if value is None:
            raise BadRequest(name)
        return value

    def int_param(self, name: str) -> int:
        """Return a required integer query parameter.

        The printer's firmware parses a parameter into a machine integer, so a value that does not
        fit in 64 bits is as unparsable as one with letters in it. The bound also keeps ``int()``
        away from Python's 4,300-digit conversion limit, whose ``ValueError`` was an HTTP 500.

        Raises:
            BadRequest: If it is missing, not a decimal integer, or outside the 64-bit range.
        """
        value = self.param(name)
        if not _INTEGER.fullmatch(value) or int(value) not in _INT64:
            raise BadRequest(name)
        return int(value)

    def json_object(self) -> dict[str, Any]:
        """Return the body as a JSON object.

        Raises:
            BadRequest: If the body is not a JSON object.
        """
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            # RecursionError: json.loads gives up on arrays or objects nested some thousand deep
            # (a 1 MB body holds 500,000 levels); the printer cannot parse such a body either.
            raise BadRequest("body") from exc
        if not isinstance(value, dict):
            raise BadRequest("body")
        return value

    def int_field(self, name: str, *, required: bool = True) -> int | None:
        """Return an integer field of the JSON body (booleans are not integers here).

        Raises:
            BadRequest: If the body is not a JSON object, or the field is missing (when required)
                or not an integer.
        """
        value = self.json_object().get(name)
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise BadRequest(name)
        return value

    def str_field(self, *names: str) -> str:
        """Return the first of ``names`` present in the JSON body, as a string.

        Raises:
            BadRequest: If none is present or it is not a string.
        """
        body = self.json_object()
        for name in names:
            if name in body:
                value = body[name]
                if not isinstance(value, str):
                    raise BadRequest(name)
                return value
        raise BadRequest(names[0])


Handler = Callable[[SimulatedPrinter, Request], Any]
"""Returns the answer's ``data`` (``None`` for a bare ``{"status": 1}``), or an awaitable of it;
raises :class:`ApiFailure` for an error envelope or :class:`BadRequest` for HTTP 400."""


@attrs.frozen
class Route:
    """One endpoint: method, path after ``/v1``, handler, need of a token, streaming.

    A streaming route reads its body as :attr:`Request.stream` instead of in memory.
    """

    method: str
    path: str
    handler: Handler
    auth: bool = True
    streaming: bool = False


class Router:
    """A table of routes, ``(method, path) → Route``."""

    def __init__(self, routes: Iterable[Route] = ()) -> None:
        self._routes: dict[tuple[str, str], Route] = {}
        self._methods: dict[str, set[str]] = {}
        for route in routes:
            self.add(
                route.method, route.path, route.handler, auth=route.auth, streaming=route.streaming
            )

    def add(
        self,
        method: str,
        path: str,
        handler: Handler,
        *,
        auth: bool = True,
        streaming: bool = False,
    ) -> None:
        """Register (or replace) the handler of ``method path``."""
        self._routes[method, path] = Route(method, path, handler, auth, streaming)
        self._methods.setdefault(path, set()).add(method)

    def route(
        self, method: str, path: str, *, auth: bool = True, streaming: bool = False
    ) -> Callable[[Handler], Handler]:
        """Return a decorator that registers a handler."""

        def register(handler: Handler) -> Handler:
            self.add(method, path, handler, auth=auth, streaming=streaming)
            return handler

        return register

    def find(self, method: str, path: str) -> Route | None:
        """Return the route of ``method path``, if any."""
        return self._routes.get((method, path))

    def allowed(self, path: str) -> set[str]:
        """Return the methods registered for ``path`` (empty if the path is unknown)."""
        return self._methods.get(path, set())

    def copy(self) -> Router:
        """Return an independent copy, to extend without touching this one."""
        return Router(self._routes.values())


@attrs.frozen
class Answer:
    """An HTTP answer: status, body, extra headers."""

    status: int
    body: bytes = b""  # JSON when not empty
    headers: list[tuple[bytes, bytes]] = attrs.Factory(list)


def envelope_ok(data: Any) -> bytes:
    """Return the success envelope around ``data`` (a bare ``{"status": 1}`` for ``None``)."""
    return dumps({"status": 1} if data is None else {"data": data, "status": 1})


def envelope_error(code: int, msg: str) -> bytes:
    """Return the error envelope of ``code`` and ``msg``."""
    return dumps({"error": {"code": code, "msg": msg}, "status": 0})


async def respond(
    send: Send,
    status: int,
    body: bytes = b"",
    *,
    content_type: bytes = b"application/json",
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Send a whole answer: status, ``content-length`` (and ``content-type`` if any body), body."""
    response_headers = [(b"content-length", str(len(body)).encode()), *headers]
    if body:
        response_headers.append((b"content-type", content_type))
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def break_connection(send: Send, *, reset: bool) -> bool:
    """Close (FIN) or reset (RST) the connection under ``send``; return whether it was possible.

    uvicorn's ``send`` is a bound method of its request-response cycle, which holds the asyncio
    transport (both its h11 and httptools protocols). Other servers may not expose it.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return False
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # Linger 0 turns the close into a TCP RST: the client sees "connection reset".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    # Let the server notice the loss before we return, so it neither sends its own 500 nor logs an
    # incomplete response: connection_lost runs from the event loop's next iterations.
    for _ in range(50):
        if getattr(cycle, "disconnected", True):
            break
        await anyio.lowlevel.checkpoint()
    return True
