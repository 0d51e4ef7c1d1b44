"""Printer state, setters, axis control, job control and the dashboard's job detail and picture."""

import base64
import json
import logging
from datetime import UTC, datetime

import httpx
import pytest
from printer_async import (
    BasicInfo,
    CameraInfo,
    InvalidParameterError,
    JobDetail,
    NotFoundError,
    NozzleInfo,
    PrinterBusyError,
    PrinterStateError,
    ProtocolError,
    RunningStatus,
    RunningStatusInfo,
    StateReason,
    SystemInfo,
)

from _support import TOKEN, assert_documented_error, error_cases, load_fixture, ok

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def fixture_response(name):
    """The recorded answer ``tests/fixtures/<name>.json``."""
    return httpx.Response(200, json=load_fixture(name))


def sent_json(route):
    """The JSON body of the last call of ``route``, after checking its query and type."""
    request = route.calls.last.request
    assert dict(request.url.params) == {"token": TOKEN}
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


# -- getters: request shape and the documented examples, field by field ----------------------


async def test_system_info_parses_every_documented_field(api, printer):
    """system_info() GETs /printer/system and maps the vendor's spellings to clear names."""
    route = api.get("/printer/system").mock(return_value=fixture_response("system_info"))
    info = await printer.system_info()
    assert dict(route.calls.last.request.url.params) == {"token": TOKEN}
    assert info == SystemInfo(
        serial_number="12345678942",
        api_version="0.1.0.307",
        battery=3.957441568374634,
        brightness=1,
        date_time=datetime(2017, 8, 16, 7, 8, 59, tzinfo=UTC),
        firmware_version="1.1.6-rev1",
        language="English",
        machine_id="16363785338095344960",
        machine_ip="192.168.0.57",
        machine_name="raise3d",
        model="Raise3D N2Plus",
        nozzle_count=2,
        storage_available_kb=4914340,
        update="",
        version="0.9.3.1165",
    )


async def test_a_bad_date_makes_date_time_none_and_keeps_the_rest(api, printer, caplog):
    """A date_time not in the documented form is None (logged at DEBUG); the call succeeds."""
    data = load_fixture("system_info")["data"] | {"date_time": "16/08/2017"}
    api.get("/printer/system").mock(return_value=ok(data))
    with caplog.at_level(logging.DEBUG, logger="printer_async"):
        info = await printer.system_info()
    assert info.date_time is None
    assert info.model == "Raise3D N2Plus"
    assert [r.levelno for r in caplog.records if "date_time" in r.getMessage()] == [logging.DEBUG]
    assert "16/08/2017" in caplog.text


INFORMATIONAL = {
    "api_version": ("api_version", 926),
    "battery": ("battery", "n/a"),
    "brightness": ("brightness", 6.5),
    "date_time": ("date_time", 1717859884),
    "firmware_version": ("firmware_version", None),
    "language": ("language", ["English"]),
    "machine_ip": ("machine_ip", {"v4": "192.168.0.57"}),
    "machine_name": ("machine_name", True),
    "model": ("model", 2),
    "storage_available_kb": ("storage_available", "3694700 KB"),
    "update": ("update", 0),
    "version": ("version", 1.7),
}
"""Each informational field of SystemInfo, its wire key, and a value it cannot be read from."""


@pytest.mark.parametrize("field", INFORMATIONAL)
async def test_an_unusable_informational_field_is_none(api, printer, field):
    """An informational system field of the wrong type is None; identity and nozzles still read."""
    key, value = INFORMATIONAL[field]
    api.get("/printer/system").mock(
        return_value=ok(load_fixture("system_info")["data"] | {key: value})
    )
    info = await printer.system_info()
    assert getattr(info, field) is None
    assert (info.serial_number, info.machine_id, info.nozzle_count) == (
        "12345678942",
        "16363785338095344960",
        2,
    )


@pytest.mark.parametrize("field", INFORMATIONAL)
async def test_a_missing_informational_field_is_none(api, printer, field):
    """An informational system field the printer leaves out is None, not a ProtocolError."""
    data = load_fixture("system_info")["data"]
    del data[INFORMATIONAL[field][0]]
    api.get("/printer/system").mock(return_value=ok(data))
    assert getattr(await printer.system_info(), field) is None


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("Serial_number", 12345678942, "serial_number"),
        ("machine_id", None, "machine_id"),
        ("nozzies_num", "2", "nozzle_count"),
        ("nozzies_num", 1.5, "nozzle_count"),
    ],
)
async def test_a_bad_identity_or_nozzle_count_is_a_protocol_error(api, printer, key, value, field):
    """The fields the library relies on in /printer/system stay strict: ProtocolError names them."""
    api.get("/printer/system").mock(
        return_value=ok(load_fixture("system_info")["data"] | {key: value})
    )
    with pytest.raises(ProtocolError, match=field):
        await printer.system_info()


async def test_running_status_returns_the_enum(api, printer):
    """running_status() GETs /printer/runningstatus and returns a RunningStatus."""
    route = api.get("/printer/runningstatus").mock(return_value=fixture_response("running_status"))
    assert await printer.running_status() is RunningStatus.IDLE
    assert route.calls.last.request.method == "GET"


async def test_running_status_unknown_value_is_unknown(api, printer):
    """A running_status this version does not know is RunningStatus.UNKNOWN, not a crash."""
    api.get("/printer/runningstatus").mock(return_value=ok({"running_status": "heating"}))
    assert await printer.running_status() is RunningStatus.UNKNOWN


async def test_running_status_info_keeps_the_wire_string(api, printer):
    """running_status_info() gives the status and the value as sent, known or not."""
    route = api.get("/printer/runningstatus")
    route.mock(return_value=ok({"running_status": "idle"}))
    assert await printer.running_status_info() == RunningStatusInfo(RunningStatus.IDLE, "idle")
    route.mock(return_value=ok({"running_status": "heating"}))
    info = await printer.running_status_info()
    assert (info.running_status, info.raw_running_status) == (RunningStatus.UNKNOWN, "heating")


async def test_an_unknown_running_status_warns_once(api, printer, caplog):
    """The first unknown running_status logs one WARNING naming the field, value and printer."""
    api.get("/printer/runningstatus").mock(return_value=ok({"running_status": "heating"}))
    for _ in range(3):
        await printer.running_status()
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    for fragment in ("running_status", "'heating'", printer.name, "report"):
        assert fragment in record.getMessage()


@pytest.mark.parametrize("value", [None, 3, ["idle"]])
async def test_a_running_status_that_is_not_a_string_is_a_protocol_error(api, printer, value):
    """A running_status that is not a string at all raises ProtocolError naming it."""
    api.get("/printer/runningstatus").mock(return_value=ok({"running_status": value}))
    with pytest.raises(ProtocolError, match="running_status"):
        await printer.running_status()


async def test_running_status_without_the_member_is_a_protocol_error(api, printer):
    """An answer without running_status raises ProtocolError."""
    api.get("/printer/runningstatus").mock(return_value=ok({"status": "idle"}))
    with pytest.raises(ProtocolError, match="running_status"):
        await printer.running_status()


async def test_basic_info_parses_integers_as_floats(api, printer):
    """basic_info() parses the documented example (integers on the wire) into floats."""
    api.get("/printer/basic").mock(return_value=fixture_response("basic_info"))
    info = await printer.basic_info()
    assert info == BasicInfo(
        fan_cur_speed=0.0,
        fan_tar_speed=0.0,
        feed_cur_rate=100.0,
        feed_tar_rate=100.0,
        heatbed_cur_temp=25.0,
        heatbed_tar_temp=0.0,
    )
    assert isinstance(info.heatbed_cur_temp, float)


@pytest.mark.parametrize("index", [1, 2])
async def test_nozzle_gets_the_numbered_endpoint(api, printer, index):
    """nozzle(1) reads /printer/nozzle1 and nozzle(2) reads /printer/nozzle2."""
    route = api.get(f"/printer/nozzle{index}").mock(return_value=fixture_response("nozzle"))
    info = await printer.nozzle(index)
    assert route.call_count == 1
    assert info == NozzleInfo(
        flow_cur_rate=100.0, flow_tar_rate=100.0, nozzle_cur_temp=26.0, nozzle_tar_temp=10.0
    )


@pytest.mark.parametrize("index", [0, 3, True, "1"])
async def test_nozzle_rejects_other_indexes_before_sending(api, printer, index):
    """Only 1 and 2 name a nozzle; anything else raises before any request."""
    with pytest.raises(InvalidParameterError):
        await printer.nozzle(index)
    assert not [c for c in api.calls if c.request.url.path != "/v1/login"]


async def test_camera_info_parses_both_documented_examples(api, printer):
    """camera_info() parses the connected and the disconnected examples."""
    route = api.get("/printer/camera").mock(return_value=fixture_response("camera_info"))
    info = await printer.camera_info()
    assert info.is_camera_connected is True
    assert info.server_uri == ":30216/api/v1/camera/auth_stream"
    assert info.server_port == 30216
    assert info.user_name == "raise3d_camera"
    assert info.password == "368d8d"
    route.mock(return_value=fixture_response("camera_info_disconnected"))
    info = await printer.camera_info()
    assert info.is_camera_connected is False
    assert info.user_name is None
    assert info.password is None


async def test_camera_password_is_not_in_the_repr(api, printer):
    """The camera password never appears in the CameraInfo repr."""
    api.get("/printer/camera").mock(return_value=fixture_response("camera_info"))
    info = await printer.camera_info()
    assert "368d8d" not in repr(info)
    assert "368d8d" not in str(info)


@pytest.mark.parametrize(
    ("uri", "port"),
    [
        (":30216/api/v1/camera/auth_stream", 30216),
        (":8080/x", 8080),
        (None, 30216),
        ("", 30216),
        ("garbage", 30216),
        (":99999/x", 30216),
    ],
)
def test_camera_port_comes_from_the_uri_or_defaults(uri, port):
    """The camera port is read from camerserver_URI, else it is the documented 30216."""
    assert CameraInfo(is_camera_connected=True, server_uri=uri).server_port == port


# -- setters: request bodies and client-side ranges ------------------------------------------

SETTERS = [
    (lambda p: p.set_nozzle_temperature(1, 200), "/printer/nozzle1/temp/set", {"temperature": 200}),
    (lambda p: p.set_nozzle_temperature(2, 0), "/printer/nozzle2/temp/set", {"temperature": 0}),
    (
        lambda p: p.set_nozzle_temperature(1, 310.0),
        "/printer/nozzle1/temp/set",
        {"temperature": 310},
    ),
    (lambda p: p.set_heatbed_temperature(60), "/printer/heatbedtemp/set", {"temperature": 60}),
    (lambda p: p.set_heatbed_temperature(110), "/printer/heatbedtemp/set", {"temperature": 110}),
    (lambda p: p.set_flow_rate(1, 100), "/printer/nozzle1/flowrate/set", {"flowrate": 100}),
    (lambda p: p.set_flow_rate(2, 300), "/printer/nozzle2/flowrate/set", {"flowrate": 300}),
    (lambda p: p.set_feed_rate(350), "/printer/feedrate/set", {"feedrate": 350}),
    (lambda p: p.set_feed_rate(1), "/printer/feedrate/set", {"feedrate": 1}),
    (lambda p: p.set_fan_speed(0), "/printer/fanspeed/set", {"fanspeed": 0}),
    (lambda p: p.set_fan_speed(100), "/printer/fanspeed/set", {"fanspeed": 100}),
    (
        lambda p: p.move_axes(x=300, y=300, feed=6000),
        "/printer/axiscontrol/set",
        {"is_relative_pos": 0, "feed": 6000, "x": 300, "y": 300},
    ),
    (
        lambda p: p.move_axes(z=300, feed=1200),
        "/printer/axiscontrol/set",
        {"is_relative_pos": 0, "feed": 1200, "z": 300},
    ),
    (
        lambda p: p.move_axes(x=-10, y=10, z=0, feed=8000, relative=True),
        "/printer/axiscontrol/set",
        {"is_relative_pos": 1, "feed": 8000, "x": -10, "y": 10, "z": 0},
    ),
    (
        lambda p: p.extrude(10, feed=600, relative=False),
        "/printer/axiscontrol/set",
        {"is_relative_pos": 0, "nozzle": 0, "feed": 600, "e": 10},
    ),
    (
        lambda p: p.extrude(-10, nozzle=2, feed=2400),
        "/printer/axiscontrol/set",
        {"is_relative_pos": 1, "nozzle": 1, "feed": 2400, "e": -10},
    ),
    (
        lambda p: p.extrude(-10000, feed=0, relative=False),
        "/printer/axiscontrol/set",
        {"is_relative_pos": 0, "nozzle": 0, "feed": 0, "e": -10000},
    ),
    (lambda p: p.pause_job(), "/job/currentjob/set", {"operate": "pause"}),
    (lambda p: p.resume_job(), "/job/currentjob/set", {"operate": "resume"}),
    (lambda p: p.stop_job(), "/job/currentjob/set", {"operate": "stop"}),
]


@pytest.mark.parametrize(("call", "endpoint", "body"), SETTERS)
async def test_setters_post_the_documented_json(api, printer, call, endpoint, body):
    """Each setter POSTs exactly the documented JSON body, with integers, token in the query."""
    route = api.post(endpoint).mock(return_value=ok())
    assert await call(printer) is None
    assert route.calls.last.request.method == "POST"
    sent = sent_json(route)
    assert sent == body
    assert all(type(v) is int for v in sent.values() if not isinstance(v, str))


OUT_OF_RANGE = [
    (lambda p: p.set_nozzle_temperature(1, 311), "0 to 310"),
    (lambda p: p.set_nozzle_temperature(2, -1), "0 to 310"),
    (lambda p: p.set_nozzle_temperature(1, 200.5), "0 to 310"),
    (lambda p: p.set_nozzle_temperature(1, celsius=True), "0 to 310"),
    (lambda p: p.set_nozzle_temperature(1, float("nan")), "0 to 310"),
    (lambda p: p.set_nozzle_temperature(1, "200"), "0 to 310"),
    (lambda p: p.set_nozzle_temperature(3, 200), "must be 1 .left. or 2 .right."),
    (lambda p: p.set_heatbed_temperature(111), "0 to 110"),
    (lambda p: p.set_heatbed_temperature(-1), "0 to 110"),
    (lambda p: p.set_flow_rate(1, 0), "1 to 300"),
    (lambda p: p.set_flow_rate(2, 301), "1 to 300"),
    (lambda p: p.set_flow_rate(0, 100), "must be 1 .left. or 2 .right."),
    (lambda p: p.set_feed_rate(0), "1 to 350"),
    (lambda p: p.set_feed_rate(351), "1 to 350"),
    (lambda p: p.set_fan_speed(101), "0 to 100"),
    (lambda p: p.set_fan_speed(-1), "0 to 100"),
    (lambda p: p.move_axes(feed=100), "at least one of x, y or z"),
    (lambda p: p.move_axes(x=1, feed=8001), "0 to 8000"),
    (lambda p: p.move_axes(x=1, feed=-1), "0 to 8000"),
    (lambda p: p.move_axes(x=-1, feed=100), "at least 0"),
    (lambda p: p.move_axes(y=-0.5, feed=100), "at least 0"),
    (lambda p: p.move_axes(z=11, feed=100, relative=True), "-10 to 10"),
    (lambda p: p.move_axes(x=-11, feed=100, relative=True), "-10 to 10"),
    (lambda p: p.extrude(11, feed=100), "-10 to 10"),
    (lambda p: p.extrude(10001, feed=100, relative=False), "-10000 to 10000"),
    (lambda p: p.extrude(1, feed=2401), "0 to 2400"),
    (lambda p: p.extrude(1, nozzle=0, feed=100), "must be 1 .left. or 2 .right."),
]


@pytest.mark.parametrize(("call", "wanted"), OUT_OF_RANGE)
async def test_out_of_range_values_raise_before_any_request(api, printer, call, wanted):
    """A value outside the documented range raises InvalidParameterError naming the range."""
    with pytest.raises(InvalidParameterError, match=wanted) as info:
        await call(printer)
    assert info.value.code == 10002
    assert not api.calls  # not even a login


# -- dashboard ----------------------------------------------------------------------------


async def test_job_detail_sends_pos_and_job_id_and_parses_the_example(api, printer):
    """job_detail() GETs /dashboard/job?pos=&job_id= and maps filament_used_0/_1 (mg)."""
    route = api.get("/dashboard/job").mock(return_value=fixture_response("job_detail"))
    job_id = "4C530E1EB1D4_D0E782BF5B17_7e10712060a0703715"
    detail = await printer.job_detail(9, job_id)
    assert dict(route.calls.last.request.url.params) == {
        "token": TOKEN,
        "pos": "9",
        "job_id": job_id,
    }
    assert detail == JobDetail(
        file_name="Local/a.gcode",
        real_print_time=9203,
        estimated_time=9200,
        filament_used_left=18.8792724609375,
        filament_used_right=10.8792724609375,
        user_tag="hello",
    )


async def test_job_detail_without_right_filament_is_none(api, printer):
    """A single-nozzle job detail (no filament_used_1) has filament_used_right None, never 0."""
    data = load_fixture("job_detail")["data"]
    del data["filament_used_1"]
    api.get("/dashboard/job").mock(return_value=ok(data))
    assert (await printer.job_detail(0, "x")).filament_used_right is None


@pytest.mark.parametrize(("pos", "job_id"), [(-1, "x"), (1.5, "x"), (0, ""), (0, None)])
async def test_job_detail_checks_arguments_before_sending(api, printer, pos, job_id):
    """A negative pos or an empty job_id raises InvalidParameterError before any request."""
    with pytest.raises(InvalidParameterError):
        await printer.job_detail(pos, job_id)
    assert not api.calls


async def test_job_thumbnail_decodes_the_base64_png(api, printer):
    """job_thumbnail() GETs /dashboard/imagedownload and returns the decoded PNG bytes."""
    route = api.get("/dashboard/imagedownload").mock(
        return_value=ok({"img_data": base64.b64encode(PNG).decode()})
    )
    assert await printer.job_thumbnail("J1", width=32, height=1024) == PNG
    assert dict(route.calls.last.request.url.params) == {
        "token": TOKEN,
        "job_id": "J1",
        "width": "32",
        "height": "1024",
    }


async def test_job_thumbnail_accepts_answers_above_the_json_cap(api, printer):
    """A 1024x1024 picture's answer (over 4 MB of base64) is read, not refused."""
    big = b"\x89PNG" + bytes(4 * 1024 * 1024)
    api.get("/dashboard/imagedownload").mock(
        return_value=ok({"img_data": base64.b64encode(big).decode()})
    )
    assert await printer.job_thumbnail("J1") == big


@pytest.mark.parametrize("data", [{"img_data": "not base64!"}, {"img_data": 3}, {}, None])
async def test_job_thumbnail_bad_image_data_is_a_protocol_error(api, printer, data):
    """img_data that is missing or not base64 raises ProtocolError."""
    api.get("/dashboard/imagedownload").mock(return_value=ok(data))
    with pytest.raises(ProtocolError):
        await printer.job_thumbnail("J1")


@pytest.mark.parametrize(("width", "height"), [(0, 10), (10, 1025), (1.5, 10), (10, -3)])
async def test_job_thumbnail_checks_the_size_before_sending(api, printer, width, height):
    """Width and height outside 1-1024 raise InvalidParameterError naming the range."""
    with pytest.raises(InvalidParameterError, match="1 to 1024"):
        await printer.job_thumbnail("J1", width=width, height=height)
    assert not api.calls


# -- every documented error answer of these endpoints -----------------------------------------

GETTERS = {
    "system": ("GET", "/printer/system", lambda p: p.system_info()),
    "camera": ("GET", "/printer/camera", lambda p: p.camera_info()),
    "runningstatus": ("GET", "/printer/runningstatus", lambda p: p.running_status()),
    "basic": ("GET", "/printer/basic", lambda p: p.basic_info()),
    "nozzle1": ("GET", "/printer/nozzle1", lambda p: p.nozzle(1)),
    "nozzle2": ("GET", "/printer/nozzle2", lambda p: p.nozzle(2)),
}
SETTER_CALLS = {
    "nozzle1/temp": ("POST", "/printer/nozzle1/temp/set", lambda p: p.set_nozzle_temperature(1, 1)),
    "nozzle2/temp": ("POST", "/printer/nozzle2/temp/set", lambda p: p.set_nozzle_temperature(2, 1)),
    "nozzle1/flow": ("POST", "/printer/nozzle1/flowrate/set", lambda p: p.set_flow_rate(1, 100)),
    "nozzle2/flow": ("POST", "/printer/nozzle2/flowrate/set", lambda p: p.set_flow_rate(2, 100)),
    "heatbed": ("POST", "/printer/heatbedtemp/set", lambda p: p.set_heatbed_temperature(1)),
    "feedrate": ("POST", "/printer/feedrate/set", lambda p: p.set_feed_rate(100)),
    "fanspeed": ("POST", "/printer/fanspeed/set", lambda p: p.set_fan_speed(1)),
    "axis": ("POST", "/printer/axiscontrol/set", lambda p: p.move_axes(x=1, feed=100)),
    "extrude": ("POST", "/printer/axiscontrol/set", lambda p: p.extrude(1, nozzle=2, feed=100)),
}
JOB_CALLS = {
    "pause": ("POST", "/job/currentjob/set", lambda p: p.pause_job()),
    "resume": ("POST", "/job/currentjob/set", lambda p: p.resume_job()),
    "stop": ("POST", "/job/currentjob/set", lambda p: p.stop_job()),
}
DASHBOARD_CALLS = {
    "job": ("GET", "/dashboard/job", lambda p: p.job_detail(1, "J1")),
    "image": ("GET", "/dashboard/imagedownload", lambda p: p.job_thumbnail("J1")),
}
CALLS = GETTERS | SETTER_CALLS | JOB_CALLS | DASHBOARD_CALLS

SETTER_500 = [
    (500, "printer is in safe mode", PrinterStateError, StateReason.SAFE_MODE),
    (500, "printer is not ready", PrinterStateError, StateReason.NOT_READY),
    (500, "printer is busy", PrinterBusyError, None),
    (500, "serial is disconnected", PrinterStateError, StateReason.SERIAL_DISCONNECTED),
    (500, "unknown error", PrinterStateError, StateReason.UNKNOWN),
]
NO_RIGHT_NOZZLE = [(404, "no right nozzle", NotFoundError, None)]
AXIS_10002 = [
    "nozzle error value(0 or 1)",
    "feed error xyz value(0~8000)",
    "feed error e value(0~2400)",
    *(f"{a} error relative model value(-10~10)" for a in "xyze"),
    *(f"{a} error aboslute model value(0~305)" for a in "xyz"),
    "e error aboslute model value(-10000~10000)",
    "feed_xy error value(60~6000)",
]
JOB_500 = [
    *(
        (500, f"printer show {screen} interface", PrinterStateError, reason)
        for screen, reason in [
            ("completed", StateReason.COMPLETED_SCREEN),
            ("powerloss", StateReason.POWERLOSS_SCREEN),
            ("powerdown", StateReason.POWERDOWN_SCREEN),
            ("extrude retract", StateReason.EXTRUDE_RETRACT_SCREEN),
            ("calibrate", StateReason.CALIBRATE_SCREEN),
        ]
    ),
    (500, "printer is busy", PrinterBusyError, None),
    (500, "printer is printing", PrinterStateError, StateReason.PRINTING),
    (500, "printer is paused", PrinterStateError, StateReason.PAUSED),
    (500, "printer is stoped", PrinterStateError, StateReason.STOPPED),
    (500, "unknown error", PrinterStateError, StateReason.UNKNOWN),
    (10002, "operate parament error", InvalidParameterError, None),
]
DOCUMENTED_ERRORS = {
    "nozzle2": NO_RIGHT_NOZZLE,
    "nozzle1/temp": [
        *SETTER_500,
        (10002, "temperature error value(0~310)", InvalidParameterError, None),
    ],
    "nozzle2/temp": [
        *SETTER_500,
        *NO_RIGHT_NOZZLE,
        (10002, "temperature error value(0~310)", InvalidParameterError, None),
    ],
    "nozzle1/flow": [
        *SETTER_500,
        (10002, "flowrate error value(1~300)", InvalidParameterError, None),
    ],
    "nozzle2/flow": [
        *SETTER_500,
        *NO_RIGHT_NOZZLE,
        (10002, "flowrate error value(1~300)", InvalidParameterError, None),
    ],
    "heatbed": [
        *SETTER_500,
        (10002, "temperature error value(0~110)", InvalidParameterError, None),
    ],
    "feedrate": [*SETTER_500, (10002, "feedrate error value(1~350)", InvalidParameterError, None)],
    "fanspeed": [
        *SETTER_500,
        (10002, "fanspeed error value(0~100)", InvalidParameterError, None),
        (10002, "fanspeed error value(1~350)", InvalidParameterError, None),
    ],
    "axis": [
        *SETTER_500,
        *NO_RIGHT_NOZZLE,
        *((10002, m, InvalidParameterError, None) for m in AXIS_10002),
    ],
    "extrude": [
        *NO_RIGHT_NOZZLE,
        (10002, "nozzle error value(0 or 1)", InvalidParameterError, None),
    ],
    "pause": JOB_500,
    "resume": JOB_500,
    "stop": JOB_500,
    "job": [
        (10002, "job id not match pos", InvalidParameterError, None),
        (10002, "pos error", InvalidParameterError, None),
        (10003, "busy", PrinterBusyError, None),
    ],
    "image": [
        (404, "no image corresponds to the job", NotFoundError, None),
        (404, "data file not exist", NotFoundError, None),
        (500, "can not open IODevice", PrinterStateError, StateReason.IO_FAILURE),
        (10002, "width error, range(1~1024)", InvalidParameterError, None),
        (10002, "height error, range(1~1024)", InvalidParameterError, None),
        (10004, "data file error", InvalidParameterError, None),
    ],
}


@pytest.mark.parametrize(
    ("name", "code", "msg", "cls", "reason"), error_cases(CALLS, DOCUMENTED_ERRORS)
)
async def test_every_documented_error_maps_to_its_class(api, printer, name, code, msg, cls, reason):
    """Each documented (code, msg) of each endpoint raises its typed error with the context."""
    error = await assert_documented_error(api, printer, CALLS[name], code, msg, cls, reason)
    assert TOKEN not in str(error)
