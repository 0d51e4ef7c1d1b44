import httpx
import pytest
from printer_async import (
    ApiError,
    AsyncPrinter,
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

from _support import COMMON_ERRORS, HOST, PASSWORD, TOKEN, api_error, load_fixture, ok

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


# -- a missing route, a redirect ---------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404),
        httpx.Response(404, text="<html><body><h1>404 Not Found</h1></body></html>"),
        httpx.Response(404, text="Not Found"),
        httpx.Response(404, json={"detail": "Not Found"}),
    ],
    ids=["empty", "html", "text", "foreign-json"],
)
async def test_a_404_that_is_no_api_answer_is_a_missing_endpoint(api, printer, response):
    """An HTTP 404 without an API error body says this printer has no such endpoint."""
    api.get("/job/currentjob").mock(return_value=response)
    with pytest.raises(NotFoundError) as info:
        await printer.current_job()
    error = info.value
    assert error.endpoint_missing is True
    assert (error.code, error.msg, error.endpoint) == (404, "", "/job/currentjob")
    assert "this printer has no /job/currentjob endpoint" in str(error)
    assert "filepos_prefix" not in str(error)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404, json={"status": 0, "error": {"code": 404, "msg": "file not exist"}}),
        api_error(404, "file not exist"),
    ],
    ids=["http-404", "http-200"],
)
async def test_the_apis_own_404_answer_is_a_missing_file(api, printer, response):
    """The API's "file not exist" answer stays a NotFoundError about the file, not the route."""
    api.post("/filepos/delete").mock(return_value=response)
    with pytest.raises(NotFoundError) as info:
        await printer.delete_file("Local/a.gcode")
    assert info.value.endpoint_missing is False
    assert info.value.msg == "file not exist"
    assert "filepos_prefix" not in str(info.value)


async def test_a_missing_filepos_route_says_how_to_change_the_prefix(api, printer):
    """A 404 on /filepos/... names AsyncPrinter.filepos_prefix; setting it moves the calls."""
    api.post("/filepos/dir/create").mock(return_value=httpx.Response(404))
    fileops = api.post("/fileops/dir/create").mock(return_value=ok())
    with pytest.raises(NotFoundError) as info:
        await printer.create_directory("Local/new")
    assert info.value.endpoint_missing
    assert 'filepos_prefix = "/fileops"' in str(info.value)
    printer.filepos_prefix = "/fileops"
    await printer.create_directory("Local/new")
    assert fileops.call_count == 1


async def test_a_missing_fileops_route_suggests_the_documented_spelling(api, printer):
    """With the prefix set to /fileops, a 404 suggests going back to /filepos."""
    printer.filepos_prefix = "/fileops"
    api.post("/fileops/copy").mock(return_value=httpx.Response(404))
    with pytest.raises(NotFoundError, match='filepos_prefix = "/filepos"'):
        await printer.copy_file("Local/a.gcode", "Local/b.gcode")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_refused_without_leaking_the_token(api, printer, status):
    """A 3xx answer is a ProtocolError naming where it points (token redacted), never followed."""
    target = f"https://proxy.example/v1/job/currentjob?token={TOKEN}"
    api.get("/job/currentjob").mock(
        return_value=httpx.Response(status, headers={"Location": target})
    )
    with pytest.raises(ProtocolError) as info:
        await printer.current_job()
    text = str(info.value)
    assert "https://proxy.example/v1/job/currentjob?token=[redacted]" in text
    assert "base_url" in text
    assert TOKEN not in text
    assert info.value.status_code == status


async def test_a_client_told_to_follow_redirects_still_does_not(api):
    """Even an injected client with follow_redirects=True never sends the token on."""
    api.get("/job/currentjob").mock(
        return_value=httpx.Response(302, headers={"Location": "http://127.0.0.1:10800/v1/other"})
    )
    other = api.get("/other").mock(return_value=ok({}))
    async with httpx.AsyncClient(follow_redirects=True) as client:
        async with AsyncPrinter(HOST, password=PASSWORD, client=client) as printer:
            with pytest.raises(ProtocolError, match=r"HTTP 302 redirect to http://127\.0\.0\.1"):
                await printer.current_job()
    assert other.call_count == 0


async def test_a_redirect_without_a_location_is_a_protocol_error(api, printer):
    """A 3xx answer without a Location header is a ProtocolError too."""
    api.get("/job/currentjob").mock(return_value=httpx.Response(302))
    with pytest.raises(ProtocolError, match="redirect without a Location"):
        await printer.current_job()
