"""The built-in endpoints of the Remote Access API: :data:`DEFAULT_ROUTES`.

Each handler turns a parsed :class:`~printer_async.simulator._asgi.Request` into a call on the
:class:`~printer_async.simulator.SimulatedPrinter` and returns the answer's ``data``; the paths are
those after ``/v1``. :meth:`Router.copy` and :meth:`Router.add` extend the table without touching
this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from printer_async.simulator._asgi import BadRequest, Request, Router, UnsupportedMediaType
from printer_async.simulator._multipart import MultipartError, boundary_of, read_upload

if TYPE_CHECKING:
    from printer_async.simulator._state import SimulatedPrinter

FILEPOS_PREFIX: Final = "/filepos"
"""The vendor's spelling of the directory, move, delete, rename and copy paths (list, thumbnail
and upload are ``/fileops``); kept in this one place in case printers prove the text wrong."""

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
