"""The Remote Access API as a raw ASGI application, for one or many simulated printers.

One :class:`SimulatorApp` serves any number of printers: it picks the printer by the local port
the request arrived on (``scope["server"][1]``), so one server bound to N sockets serves N printers.

Answers follow the vendor's conventions: every API-level result is HTTP 200 with the envelope
``{"data": ..., "status": 1}`` or ``{"error": {"code": ..., "msg": ...}, "status": 0}``, written as
the printer writes JSON (:mod:`printer_async.simulator._wire`: sorted keys, no spaces, ``26.0`` as
``26``); a request the printer cannot parse (a body that is not JSON, a missing or mistyped
parameter) gets HTTP 400 with an empty body; an unknown path 404 and a wrong method 405, both
empty.

Endpoints live in a routing table, ``(method, path) → handler``: :data:`DEFAULT_ROUTES` holds the
built-in ones and :meth:`Router.add` adds more. A handler may be a coroutine function; a
*streaming* route (the upload) gets the body as :attr:`Request.stream` instead of in memory, and
whatever it leaves unread is drained before the answer, so a client never sees its upload cut off.

Requests arriving on a printer's camera port go to the camera server
(:mod:`printer_async.simulator._camera`) instead.
"""

from __future__ import annotations

import http
import inspect
import json
import re
import socket
import struct
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any, Final
from urllib.parse import parse_qsl

import anyio
import anyio.lowlevel
import attrs

from printer_async.simulator._camera import CameraServer
from printer_async.simulator._failure import ApiFailure
from printer_async.simulator._faults import PRE_ANSWER_KINDS, Fault, FaultKind
from printer_async.simulator._multipart import MultipartError, boundary_of, read_upload
from printer_async.simulator._state import SimulatedPrinter
from printer_async.simulator._wire import dumps

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

API_PREFIX: Final = "/v1"
FILEPOS_PREFIX: Final = "/filepos"
"""The vendor's spelling of the directory, move, delete, rename and copy paths (list, thumbnail
and upload are ``/fileops``); kept in this one place in case printers prove the text wrong."""
MAX_BODY: Final = 1024 * 1024
"""The vendor's ceiling for non-file requests (HTTP 413 above it)."""

_INTEGER = re.compile(r"-?\d+")


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

        Raises:
            BadRequest: If it is missing or not an integer.
        """
        value = self.param(name)
        if not _INTEGER.fullmatch(value):
            raise BadRequest(name)
        return int(value)

    def json_object(self) -> dict[str, Any]:
        """Return the body as a JSON object.

        Raises:
            BadRequest: If the body is not a JSON object.
        """
        try:
            value = json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
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


DEFAULT_ROUTES: Final = Router()
"""The built-in endpoints of the Remote Access API."""
_route = DEFAULT_ROUTES.route


@_route("GET", "/login", auth=False)
def _login(printer: SimulatedPrinter, request: Request) -> Any:
    token = printer.login(request.param("sign"), request.param("timestamp"))
    return {"token": token}


@_route("GET", "/printer/system")
def _system(printer: SimulatedPrinter, request: Request) -> Any:
    return printer.system_info(machine_ip=request.server_host)


@_route("GET", "/printer/camera")
def _camera(printer: SimulatedPrinter, request: Request) -> Any:
    del request
    return printer.camera_info()


@_route("GET", "/printer/runningstatus")
def _running_status(printer: SimulatedPrinter, request: Request) -> Any:
    del request
    return {"running_status": printer.running_status}


@_route("GET", "/printer/basic")
def _basic(printer: SimulatedPrinter, request: Request) -> Any:
    del request
    return printer.basic_info()


def _required_int(request: Request, name: str) -> int:
    value = request.int_field(name)
    if value is None:  # pragma: no cover - required fields are never None
        raise BadRequest(name)
    return value


def _nozzle_routes(nozzle: int) -> None:
    prefix = f"/printer/nozzle{nozzle}"

    def info(printer: SimulatedPrinter, request: Request) -> Any:
        del request
        return printer.nozzle_info(nozzle)

    def set_temp(printer: SimulatedPrinter, request: Request) -> Any:
        printer.set_nozzle_temp(nozzle, _required_int(request, "temperature"))

    def set_flowrate(printer: SimulatedPrinter, request: Request) -> Any:
        printer.set_flowrate(nozzle, _required_int(request, "flowrate"))

    DEFAULT_ROUTES.add("GET", prefix, info)
    DEFAULT_ROUTES.add("POST", f"{prefix}/temp/set", set_temp)
    DEFAULT_ROUTES.add("POST", f"{prefix}/flowrate/set", set_flowrate)


_nozzle_routes(1)
_nozzle_routes(2)


@_route("POST", "/printer/heatbedtemp/set")
def _set_heatbed(printer: SimulatedPrinter, request: Request) -> Any:
    printer.set_heatbed_temp(_required_int(request, "temperature"))


@_route("POST", "/printer/feedrate/set")
def _set_feedrate(printer: SimulatedPrinter, request: Request) -> Any:
    printer.set_feedrate(_required_int(request, "feedrate"))


@_route("POST", "/printer/fanspeed/set")
def _set_fanspeed(printer: SimulatedPrinter, request: Request) -> Any:
    printer.set_fanspeed(_required_int(request, "fanspeed"))


@_route("POST", "/printer/axiscontrol/set")
def _axis_control(printer: SimulatedPrinter, request: Request) -> Any:
    relative = _required_int(request, "is_relative_pos")
    if relative not in (0, 1):
        raise BadRequest("is_relative_pos")
    moves: dict[str, int] = {}
    for axis in ("x", "y", "z", "e"):
        value = request.int_field(axis, required=False)
        if value is not None:
            moves[axis] = value
    printer.axis_control(
        is_relative_pos=relative,
        feed=_required_int(request, "feed"),
        moves=moves,
        nozzle=request.int_field("nozzle", required=False),
    )


@_route("GET", "/job/currentjob")
def _current_job(printer: SimulatedPrinter, request: Request) -> Any:
    del request
    return printer.current_job()


@_route("POST", "/job/currentjob/set")
def _set_current_job(printer: SimulatedPrinter, request: Request) -> Any:
    printer.operate(request.json_object().get("operate"))


@_route("POST", "/job/newjob/set")
def _new_job(printer: SimulatedPrinter, request: Request) -> Any:
    # The vendor's example sends file_path, its parameter table says filepath: accept both.
    printer.start_job(request.str_field("file_path", "filepath"))


@_route("POST", "/job/recover/set")
def _recover(printer: SimulatedPrinter, request: Request) -> Any:
    del request
    printer.recover()


@_route("GET", "/dashboard/statistics")
def _statistics(printer: SimulatedPrinter, request: Request) -> Any:
    del request
    return printer.statistics()


@_route("GET", "/dashboard/joblist")
def _job_list(printer: SimulatedPrinter, request: Request) -> Any:
    return printer.job_list(request.int_param("max_num"), request.int_param("start_pos"))


@_route("GET", "/dashboard/job")
def _job_detail(printer: SimulatedPrinter, request: Request) -> Any:
    return printer.job_detail(request.int_param("pos"), request.param("job_id"))


@_route("GET", "/fileops/list")
def _list_files(printer: SimulatedPrinter, request: Request) -> Any:
    return printer.list_files(
        request.param("dir"), request.int_param("start_pos"), request.int_param("max_num")
    )


@_route("GET", "/dashboard/imagedownload")
def _job_thumbnail(printer: SimulatedPrinter, request: Request) -> Any:
    return printer.job_thumbnail(
        request.param("job_id"), request.int_param("width"), request.int_param("height")
    )


@_route("GET", "/fileops/imagedownload")
def _file_thumbnail(printer: SimulatedPrinter, request: Request) -> Any:
    return printer.file_thumbnail(
        request.param("data_path"), request.int_param("width"), request.int_param("height")
    )


@_route("POST", "/fileops/upload", streaming=True)
async def _upload(printer: SimulatedPrinter, request: Request) -> Any:
    boundary = boundary_of(request.headers.get("content-type", ""))
    if boundary is None or request.stream is None:
        raise UnsupportedMediaType("content-type")
    try:
        uploaded = await read_upload(request.stream, boundary, limit=printer.upload_limit)
    except MultipartError as exc:
        raise BadRequest(str(exc)) from exc
    printer.store_upload(
        uploaded.dir_path,
        uploaded.filename,
        size=uploaded.size,
        sha256=uploaded.sha256,
        head=uploaded.head,
    )


@_route("POST", f"{FILEPOS_PREFIX}/dir/create")
def _create_dir(printer: SimulatedPrinter, request: Request) -> Any:
    printer.create_dir(request.str_field("dir_path"))


@_route("POST", f"{FILEPOS_PREFIX}/dir/delete")
def _delete_dir(printer: SimulatedPrinter, request: Request) -> Any:
    printer.delete_dir(request.str_field("dir_path"))


@_route("POST", f"{FILEPOS_PREFIX}/dir/rename")
def _rename_dir(printer: SimulatedPrinter, request: Request) -> Any:
    printer.rename_dir(request.str_field("dir_path"), request.str_field("new_name"))


@_route("POST", f"{FILEPOS_PREFIX}/delete")
def _delete_file(printer: SimulatedPrinter, request: Request) -> Any:
    printer.delete_file(request.str_field("file_path"))


@_route("POST", f"{FILEPOS_PREFIX}/rename")
def _rename_file(printer: SimulatedPrinter, request: Request) -> Any:
    # The vendor's example sends file_path, its parameter table says dir_path: accept both.
    printer.rename_file(request.str_field("file_path", "dir_path"), request.str_field("new_name"))


@_route("POST", f"{FILEPOS_PREFIX}/moveto")
def _move_file(printer: SimulatedPrinter, request: Request) -> Any:
    printer.move_file(request.str_field("file_src"), request.str_field("file_dst"))


@_route("POST", f"{FILEPOS_PREFIX}/copy")
def _copy_file(printer: SimulatedPrinter, request: Request) -> Any:
    printer.copy_file(request.str_field("file_src"), request.str_field("file_dst"))


# ---------------------------------------------------------------------- wire helpers


@attrs.frozen
class _Answer:
    status: int
    body: bytes = b""  # JSON when not empty
    headers: list[tuple[bytes, bytes]] = attrs.Factory(list)


def _envelope_ok(data: Any) -> bytes:
    return dumps({"status": 1} if data is None else {"data": data, "status": 1})


def _envelope_error(code: int, msg: str) -> bytes:
    return dumps({"error": {"code": code, "msg": msg}, "status": 0})


async def _respond(
    send: Send,
    status: int,
    body: bytes = b"",
    *,
    content_type: bytes = b"application/json",
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    response_headers = [(b"content-length", str(len(body)).encode()), *headers]
    if body:
        response_headers.append((b"content-type", content_type))
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


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


async def _break_connection(send: Send, *, reset: bool) -> bool:
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

    def add_printer(self, port: int, printer: SimulatedPrinter) -> None:
        """Serve ``printer`` on requests arriving on local port ``port``."""
        self.printers[port] = printer

    def add_camera(self, port: int, printer: SimulatedPrinter) -> None:
        """Serve ``printer``'s camera server on requests arriving on local port ``port``."""
        self.cameras[port] = printer

    def close_streams(self) -> None:
        """End the camera streams, so that a shutdown does not wait for them."""
        self.camera.close()

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
        server = scope.get("server")
        camera_printer = self.cameras.get(server[1]) if server is not None else None
        if camera_printer is not None:
            await self.camera(camera_printer, scope, receive, send)
            return
        printer = self._printer_for(scope)
        if printer is None:
            await _respond(send, 404)
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
        else:
            body = await self._read_body(receive)
        if body is None:
            await _respond(send, 413)
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
        await _respond(send, answer.status, answer.body, headers=answer.headers)

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

    def _resolve(self, method: str, path: str) -> Route | _Answer:
        """Find the route of a request, or the HTTP answer for a path or method it lacks."""
        api_path = path.removeprefix(API_PREFIX)
        route = self.router.find(method, api_path) if api_path != path else None
        if route is not None:
            return route
        allowed = self.router.allowed(api_path) if api_path != path else set()
        if not allowed:
            return _Answer(404)
        allow = [(b"allow", ", ".join(sorted({*allowed, "OPTIONS"})).encode())]
        return _Answer(200 if method == "OPTIONS" else 405, headers=allow)

    async def _answer(
        self,
        printer: SimulatedPrinter,
        scope: Scope,
        route: Route | _Answer,
        body: bytes,
        stream: BodyStream | None,
    ) -> _Answer:
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
        route: Route | _Answer,
        body: bytes,
        stream: BodyStream | None,
    ) -> _Answer:
        if isinstance(route, _Answer):
            return route
        path: str = scope["path"]
        query = dict(
            parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        )
        if route.auth and not printer.check_token(query.get("token")):
            return _Answer(200, _envelope_error(401, "token error"))
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
            return _Answer(refusal.status)
        except ApiFailure as failure:
            return _Answer(200, _envelope_error(failure.code, failure.msg))
        if isinstance(data, dict):
            mutation = printer.faults.take_mutation(path, _data_fields(data))
            if mutation is not None:
                _mutate(data, mutation)
        return _Answer(200, _envelope_ok(data))

    @staticmethod
    async def _pre_answer_fault(send: Send, fault: Fault) -> None:
        match fault.kind:
            case FaultKind.BUSY_10003:
                await _respond(send, 200, _envelope_error(10003, "busy"))
            case FaultKind.BUSY_500:
                await _respond(send, 200, _envelope_error(500, "printer is busy"))
            case FaultKind.SERVICE_UNAVAILABLE:
                await _respond(send, 200, _envelope_error(503, "no server"))
            case FaultKind.API_ERROR:
                await _respond(send, 200, _envelope_error(fault.code, fault.msg))
            case FaultKind.TOO_MANY_REQUESTS:
                await _respond(send, 429)
            case FaultKind.HTML_ERROR:
                await _respond(
                    send, fault.status, _html_page(fault.status), content_type=b"text/html"
                )
            case _:  # FaultKind.DROP
                if not await _break_connection(send, reset=False):
                    # No transport to close: the closest thing is an empty answer that ends it.
                    await _respond(send, 502, headers=[(b"connection", b"close")])

    @staticmethod
    async def _damage(send: Send, fault: Fault, payload: bytes) -> None:
        match fault.kind:
            case FaultKind.TRUNCATED_JSON:
                await _respond(send, 200, payload[: max(1, len(payload) // 2)])
            case FaultKind.INVALID_JSON:
                await _respond(send, 200, b"{status: 1, data: <not json>}")
            case _:  # FaultKind.RESET_MID_BODY
                headers = [
                    (b"content-length", str(len(payload)).encode()),
                    (b"content-type", b"application/json"),
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                part = payload[: max(1, len(payload) // 2)]
                await send({"type": "http.response.body", "body": part, "more_body": True})
                await _break_connection(send, reset=True)
