"""The Remote Access API as a raw ASGI application, for one or many simulated printers.

One :class:`SimulatorApp` serves any number of printers: it picks the printer by the local port
the request arrived on (``scope["server"][1]``), so one server bound to N sockets serves N printers.

Answers follow the vendor's conventions: every API-level result is HTTP 200 with the envelope
``{"data": ..., "status": 1}`` or ``{"error": {"code": ..., "msg": ...}, "status": 0}``, written as
the printer writes JSON (:mod:`printer_async.simulator._wire`: sorted keys, no spaces, ``26.0`` as
``26``); a request the printer cannot parse (a body that is not JSON or is nested beyond what a
parser takes, a missing or mistyped parameter, an integer that does not fit in 64 bits) gets HTTP
400 with an empty body; a body over :data:`MAX_BODY`, by its ``Content-Length`` or as it
arrives, 413; an unknown path 404 and a wrong method 405, all empty. Only an injected fault
answers 500.

Endpoints live in a routing table, ``(method, path) → handler``
(:mod:`printer_async.simulator._asgi`): :data:`~printer_async.simulator._routes.DEFAULT_ROUTES`
holds the built-in ones and :meth:`Router.add` adds more. A handler may be a coroutine function; a
*streaming* route (the upload) gets the body as :attr:`Request.stream` instead of in memory, and
whatever it leaves unread is drained before the answer, so a client never sees its upload cut off.

Requests arriving on a printer's camera port go to the camera server
(:mod:`printer_async.simulator._camera`) instead. The faults of
:mod:`printer_async.simulator._faults` are applied here, on the wire: an answer replaced, damaged,
or its connection closed or reset.
"""

from __future__ import annotations

import http
import inspect
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl

import anyio

from printer_async.simulator._asgi import (
    Answer,
    BadRequest,
    BodyStream,
    Receive,
    Request,
    Route,
    Router,
    Scope,
    Send,
    break_connection,
    envelope_error,
    envelope_ok,
    respond,
)
from printer_async.simulator._camera import CameraServer
from printer_async.simulator._failure import ApiFailure
from printer_async.simulator._faults import PRE_ANSWER_KINDS, Fault, FaultKind
from printer_async.simulator._routes import DEFAULT_ROUTES

if TYPE_CHECKING:
    from collections.abc import Mapping

    from printer_async.simulator._state import SimulatedPrinter

API_PREFIX: Final = "/v1"
MAX_BODY: Final = 1024 * 1024
"""The vendor's ceiling for non-file requests (HTTP 413 above it)."""


def _declared_length(scope: Scope) -> int:
    """The request's ``Content-Length`` (0 if absent); the server has checked it is digits."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            digits = value.lstrip(b"0")
            # Beyond the ceiling's own number of digits, the value is too large whatever it is.
            return MAX_BODY + 1 if len(digits) > len(str(MAX_BODY)) else int(digits or b"0")
    return 0


# ---------------------------------------------------------------------- faults


def _html_page(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    title = f"{status} {phrase}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1>"
        "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def _data_fields(data: Any) -> set[str]:
    """Field names a mutation fault may target: ``data``'s keys and those of its lists' objects."""
    fields: set[str] = set()
    if isinstance(data, dict):
        fields.update(data)
        for value in data.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        fields.update(item)
    return fields


def _other_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return 12345
    if isinstance(value, int | float):
        return str(value)
    return "unexpected"


def _mutate(data: dict[str, Any], fault: Fault) -> None:
    """Apply a wrong-type, missing-field or bad-value fault to the first place the field appears."""
    targets: list[dict[str, Any]] = [data]
    for value in data.values():
        if isinstance(value, list):
            targets.extend(item for item in value if isinstance(item, dict))
    for target in targets:
        if fault.field in target:
            if fault.kind is FaultKind.MISSING_FIELD:
                del target[fault.field]
            elif fault.kind is FaultKind.BAD_VALUE:
                target[fault.field] = fault.value
            else:
                target[fault.field] = _other_type(target[fault.field])
            return


# ---------------------------------------------------------------------- the application


class SimulatorApp:
    """An ASGI application serving simulated printers, one per local port.

    Args:
        printers_by_port: The printer answering on each local port. A request on a port not in
            the map goes to the only printer if there is exactly one (useful under an in-memory
            ASGI transport), otherwise gets HTTP 404.
        router: The endpoints; :data:`DEFAULT_ROUTES` by default.
    """

    def __init__(
        self,
        printers_by_port: Mapping[int, SimulatedPrinter] | None = None,
        *,
        router: Router | None = None,
    ) -> None:
        self.printers: dict[int, SimulatedPrinter] = dict(printers_by_port or {})
        self.router = router if router is not None else DEFAULT_ROUTES
        self.cameras: dict[int, SimulatedPrinter] = {}
        """The printer whose camera server answers on each local port."""
        self.camera = CameraServer()
        self._requests: set[anyio.CancelScope] = set()

    def add_printer(self, port: int, printer: SimulatedPrinter) -> None:
        """Serve ``printer`` on requests arriving on local port ``port``."""
        self.printers[port] = printer

    def add_camera(self, port: int, printer: SimulatedPrinter) -> None:
        """Serve ``printer``'s camera server on requests arriving on local port ``port``."""
        self.cameras[port] = printer

    def close_streams(self) -> None:
        """End the camera streams, so that a shutdown does not wait for them."""
        self.camera.close()

    def cancel_requests(self) -> None:
        """End every request still being answered, without an answer and without an exception.

        For a server that is stopping: it closes the requests' connections first, so that the
        server, seeing each client gone, neither answers 500 nor logs an unfinished answer. A
        request cancelled this way returns normally from the ASGI call, where a cancelled task
        would raise ``CancelledError`` into the server, which uvicorn logs at ERROR as
        "Exception in ASGI application" with a traceback.
        """
        for request_scope in list(self._requests):
            request_scope.cancel()

    def _printer_for(self, scope: Scope) -> SimulatedPrinter | None:
        server = scope.get("server")
        if server is not None:
            printer = self.printers.get(server[1])
            if printer is not None:
                return printer
        if len(self.printers) == 1:
            return next(iter(self.printers.values()))
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one ASGI connection scope."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        with anyio.CancelScope() as request_scope:
            self._requests.add(request_scope)
            try:
                await self._serve_http(scope, receive, send)
            finally:
                self._requests.discard(request_scope)

    async def _serve_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server")
        camera_printer = self.cameras.get(server[1]) if server is not None else None
        if camera_printer is not None:
            await self.camera(camera_printer, scope, receive, send)
            return
        printer = self._printer_for(scope)
        if printer is None:
            await respond(send, 404)
            return
        await self._serve_api(printer, scope, receive, send)

    async def _serve_api(
        self, printer: SimulatedPrinter, scope: Scope, receive: Receive, send: Send
    ) -> None:
        path: str = scope["path"]
        route = self._resolve(scope["method"], path)
        stream = None
        body: bytes | None = b""
        if isinstance(route, Route) and route.streaming:
            stream = BodyStream(receive)
        elif _declared_length(scope) > MAX_BODY:
            # As nginx does: refused by what it says it will send, without waiting for it all.
            body = None
        else:
            body = await self._read_body(receive)
        if body is None:
            await respond(send, 413)
            return
        delay, fault = printer.faults.take(path)
        if delay:
            await anyio.sleep(delay)
        if fault is not None and fault.kind in PRE_ANSWER_KINDS:
            if stream is not None and fault.kind is not FaultKind.DROP:
                await stream.drain()
            await self._pre_answer_fault(send, fault)
            return
        answer = await self._answer(printer, scope, route, body, stream)
        if stream is not None and stream.disconnected:
            return  # nobody is left to answer
        if fault is not None and answer.status == 200:  # noqa: PLR2004 - only answers get damaged
            await self._damage(send, fault, answer.body)
            return
        await respond(send, answer.status, answer.body, headers=answer.headers)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    async def _read_body(receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b""  # the client went away; whatever we answer is lost
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _resolve(self, method: str, path: str) -> Route | Answer:
        """Find the route of a request, or the HTTP answer for a path or method it lacks."""
        api_path = path.removeprefix(API_PREFIX)
        route = self.router.find(method, api_path) if api_path != path else None
        if route is not None:
            return route
        allowed = self.router.allowed(api_path) if api_path != path else set()
        if not allowed:
            return Answer(404)
        allow = [(b"allow", ", ".join(sorted({*allowed, "OPTIONS"})).encode())]
        return Answer(200 if method == "OPTIONS" else 405, headers=allow)

    async def _answer(
        self,
        printer: SimulatedPrinter,
        scope: Scope,
        route: Route | Answer,
        body: bytes,
        stream: BodyStream | None,
    ) -> Answer:
        """Compute the answer to a request; a streaming request's body is drained first."""
        try:
            return await self._handle(printer, scope, route, body, stream)
        finally:
            if stream is not None:
                await stream.drain()

    async def _handle(
        self,
        printer: SimulatedPrinter,
        scope: Scope,
        route: Route | Answer,
        body: bytes,
        stream: BodyStream | None,
    ) -> Answer:
        if isinstance(route, Answer):
            return route
        path: str = scope["path"]
        query = dict(
            parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        )
        if route.auth and not printer.check_token(query.get("token")):
            return Answer(200, envelope_error(401, "token error"))
        server = scope.get("server")
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope.get("headers", [])
        }
        request = Request(
            scope["method"],
            route.path,
            query,
            body,
            server[0] if server else "127.0.0.1",
            headers=headers,
            stream=stream,
        )
        try:
            data = route.handler(printer, request)
            if inspect.isawaitable(data):
                data = await data
        except BadRequest as refusal:
            return Answer(refusal.status)
        except ApiFailure as failure:
            return Answer(200, envelope_error(failure.code, failure.msg))
        if isinstance(data, dict):
            mutation = printer.faults.take_mutation(path, _data_fields(data))
            if mutation is not None:
                _mutate(data, mutation)
        return Answer(200, envelope_ok(data))

    @staticmethod
    async def _pre_answer_fault(send: Send, fault: Fault) -> None:
        match fault.kind:
            case FaultKind.BUSY_10003:
                await respond(send, 200, envelope_error(10003, "busy"))
            case FaultKind.BUSY_500:
                await respond(send, 200, envelope_error(500, "printer is busy"))
            case FaultKind.SERVICE_UNAVAILABLE:
                await respond(send, 200, envelope_error(503, "no server"))
            case FaultKind.API_ERROR:
                await respond(send, 200, envelope_error(fault.code, fault.msg))
            case FaultKind.TOO_MANY_REQUESTS:
                await respond(send, 429)
            case FaultKind.HTML_ERROR:
                await respond(
                    send, fault.status, _html_page(fault.status), content_type=b"text/html"
                )
            case _:  # FaultKind.DROP
                if not await break_connection(send, reset=False):
                    # No transport to close: the closest thing is an empty answer that ends it.
                    await respond(send, 502, headers=[(b"connection", b"close")])

    @staticmethod
    async def _damage(send: Send, fault: Fault, payload: bytes) -> None:
        match fault.kind:
            case FaultKind.TRUNCATED_JSON:
                await respond(send, 200, payload[: max(1, len(payload) // 2)])
            case FaultKind.INVALID_JSON:
                await respond(send, 200, b"{status: 1, data: <not json>}")
            case _:  # FaultKind.RESET_MID_BODY
                headers = [
                    (b"content-length", str(len(payload)).encode()),
                    (b"content-type", b"application/json"),
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                part = payload[: max(1, len(payload) // 2)]
                await send({"type": "http.response.body", "body": part, "more_body": True})
                await break_connection(send, reset=True)
