import httpx
import pytest
from printer_async import (
    ApiError,
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PathError,
    PrinterBusyError,
    PrinterConnectionError,
    PrinterError,
    PrinterStateError,
    ProtocolError,
    ServiceUnavailableError,
    StateReason,
)
from printer_async._errors import error_for

from _support import COMMON_ERRORS, api_error, load_fixture

# The error tables of the five endpoints in ../shared/api/seeds/, with the class each maps to.
_SCREEN_AND_STATE = [
    (500, "printer show completed interface", PrinterStateError, StateReason.COMPLETED_SCREEN),
    (500, "printer show powerloss interface", PrinterStateError, StateReason.POWERLOSS_SCREEN),
    (500, "printer show powerdown interface", PrinterStateError, StateReason.POWERDOWN_SCREEN),
    (
        500,
        "printer show extrude retract interface",
        PrinterStateError,
        StateReason.EXTRUDE_RETRACT_SCREEN,
    ),
    (500, "printer show calibrate interface", PrinterStateError, StateReason.CALIBRATE_SCREEN),
    (500, "printer is busy", PrinterBusyError, None),
    (500, "printer is printing", PrinterStateError, StateReason.PRINTING),
    (500, "printer is paused", PrinterStateError, StateReason.PAUSED),
    (500, "printer is stoped", PrinterStateError, StateReason.STOPPED),
    (500, "unknown error", PrinterStateError, StateReason.UNKNOWN),
]
_COMMON = COMMON_ERRORS
SEED_ERRORS = [
    *[("POST", "/job/newjob/set", *row) for row in _COMMON + _SCREEN_AND_STATE],
    ("POST", "/job/newjob/set", 500, "print file is not exist", NotFoundError, None),
    ("POST", "/job/newjob/set", 10005, "root path error", PathError, None),
    *[("POST", "/job/recover/set", *row) for row in _COMMON + _SCREEN_AND_STATE],
    ("POST", "/job/recover/set", 10002, "no last job found", NotFoundError, None),
    *[("GET", "/dashboard/statistics", *row) for row in _COMMON],
    *[("GET", "/dashboard/joblist", *row) for row in _COMMON],
    ("GET", "/dashboard/joblist", 10002, "max_num error value(1~12)", InvalidParameterError, None),
    ("GET", "/dashboard/joblist", 10002, "start_pos error", InvalidParameterError, None),
    ("GET", "/dashboard/joblist", 10003, "busy", PrinterBusyError, None),
    *[("GET", "/job/currentjob", *row) for row in _COMMON],
]


async def _call(printer, endpoint: str):
    calls = {
        "/job/newjob/set": lambda: printer.start_job("Local/a.gcode"),
        "/job/recover/set": printer.recover_job,
        "/dashboard/statistics": printer.statistics,
        "/dashboard/joblist": printer.job_list,
        "/job/currentjob": printer.current_job,
    }
    return await calls[endpoint]()


@pytest.mark.parametrize(("method", "endpoint", "code", "msg", "cls", "reason"), SEED_ERRORS)
async def test_every_documented_error_maps_to_its_class(
    api, printer, method, endpoint, code, msg, cls, reason
):
    """Each (endpoint, code, msg) of the vendor's tables raises its class with the context."""
    api.route(method=method, path=endpoint).mock(return_value=api_error(code, msg))
    with pytest.raises(cls) as info:
        await _call(printer, endpoint)
    error = info.value
    assert type(error) is cls
    assert (error.code, error.msg, error.endpoint) == (code, msg, endpoint)
    if reason is not None:
        assert error.reason is reason


async def test_10002_means_not_found_on_recover_but_bad_parameter_on_joblist(api, printer):
    """10002 is NotFoundError on recover_job() but InvalidParameterError on job_list()."""
    api.post("/job/recover/set").mock(return_value=api_error(10002, "no last job found"))
    api.get("/dashboard/joblist").mock(return_value=api_error(10002, "start_pos error"))
    with pytest.raises(NotFoundError):
        await printer.recover_job()
    with pytest.raises(InvalidParameterError):
        await printer.job_list(start_pos=99)


def test_the_error_tree_has_one_root():
    """Every error is a PrinterError; API errors are ApiErrors."""
    for cls in (PrinterConnectionError, ProtocolError, ApiError):
        assert issubclass(cls, PrinterError)
    for cls in (
        AuthenticationError,
        ServiceUnavailableError,
        PrinterBusyError,
        PrinterStateError,
        NotFoundError,
        InvalidParameterError,
        PathError,
    ):
        assert issubclass(cls, ApiError)


def test_messages_say_what_to_do_next():
    """A state error's text names the state and what to do about it."""
    error = error_for("/job/newjob/set", 500, "printer is paused")
    assert "resume or stop" in str(error)
    assert repr(error) == (
        "PrinterStateError(code=500, msg='printer is paused', endpoint='/job/newjob/set')"
    )


@pytest.mark.parametrize(
    ("response", "cls"),
    [
        (httpx.Response(401), AuthenticationError),
        (httpx.Response(429), PrinterBusyError),
        (
            httpx.Response(503, text="<html><body>Service Unavailable</body></html>"),
            ServiceUnavailableError,
        ),
        (httpx.Response(404), NotFoundError),
        (httpx.Response(400), InvalidParameterError),
        (httpx.Response(500), ApiError),
        (httpx.Response(502, text="<!DOCTYPE html><h1>Bad Gateway</h1>"), ProtocolError),
        (httpx.Response(200, text="<html>login page</html>"), ProtocolError),
        (httpx.Response(200), ProtocolError),
        (httpx.Response(200, text='{"status": 1, "data": {"file_name": '), ProtocolError),
        (httpx.Response(200, content=b"\xff\xfe\x00garbage"), ProtocolError),
        (httpx.Response(200, json=[1, 2, 3]), ProtocolError),
        (httpx.Response(200, json={"data": {}}), ProtocolError),
        (httpx.Response(200, json={"status": 2}), ProtocolError),
        (httpx.Response(200, json={"status": 0}), ProtocolError),
        (httpx.Response(200, json={"status": 0, "error": {"code": "x", "msg": 1}}), ProtocolError),
        (httpx.Response(200, json={"status": True, "data": {}}), ProtocolError),
        (httpx.Response(200, json={"status": 1}), ProtocolError),
        (httpx.Response(200, json={"status": 1, "data": {"job_status": "running"}}), ProtocolError),
        (
            httpx.Response(500, json={"status": 0, "error": {"code": 503, "msg": "no server"}}),
            ServiceUnavailableError,
        ),
    ],
)
async def test_bad_answers_raise_typed_errors(api, printer, response, cls):
    """Empty, HTML, truncated, non-JSON and misshapen answers raise typed errors, not json's."""
    api.get("/job/currentjob").mock(return_value=response)
    with pytest.raises(cls) as info:
        await printer.current_job()
    assert type(info.value) is cls
    assert isinstance(info.value, PrinterError)


async def test_a_wrong_type_names_the_field(api, printer):
    """A field of the wrong type raises ProtocolError naming the field."""
    data = load_fixture("current_job")["data"] | {"printed_layer": "one"}
    api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, json={"status": 1, "data": data})
    )
    with pytest.raises(ProtocolError, match="printed_layer") as info:
        await printer.current_job()
    assert info.value.endpoint == "/job/currentjob"


async def test_a_missing_field_is_named(api, printer):
    """A missing field raises ProtocolError naming the field."""
    data = load_fixture("current_job")["data"]
    del data["job_id"]
    api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, json={"status": 1, "data": data})
    )
    with pytest.raises(ProtocolError, match="job_id"):
        await printer.current_job()


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("All connection attempts failed"),
        httpx.ConnectTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.ReadError("Connection reset by peer"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.WriteError("broken pipe"),
        httpx.PoolTimeout("pool"),
    ],
)
async def test_every_httpx_error_becomes_a_connection_error(api, printer, exc):
    """No httpx exception reaches the caller: they become PrinterConnectionError, chained."""
    api.get("/job/currentjob").mock(side_effect=exc)
    with pytest.raises(PrinterConnectionError) as info:
        await printer.current_job()
    assert info.value.__cause__ is exc
    assert "/job/currentjob" in str(info.value)


async def test_a_connection_error_during_login_is_a_connection_error(api, printer):
    """A network failure while logging in is a PrinterConnectionError, not an auth error."""
    api["login"].mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(PrinterConnectionError, match="/login"):
        await printer.current_job()


async def test_an_oversized_answer_is_refused(api, printer):
    """An answer larger than the cap raises ProtocolError instead of filling memory."""
    api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, content=b" " * (5 * 1024 * 1024))
    )
    with pytest.raises(ProtocolError, match="larger than"):
        await printer.current_job()
