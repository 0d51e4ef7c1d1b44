"""What a user gets from a real printer: every capture of a real Pro2, served byte for byte.

The captures in ``tests/fixtures/captures/`` (copied from ``api/captures/``) are answers of a real
Raise3D Pro2, idle, with no camera. Each one is served as is at the transport seam, and the tests
say what the library, the watch and the command line make of it. Variants of the same bytes
(numbers written as floats, a job that has just started, an unknown status) check that nothing
real printers send turns into a wrong number.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re

import attrs
import httpx
import pytest
from click.testing import CliRunner
from printer_async import (
    BasicInfo,
    JobStatus,
    NotFoundError,
    NozzleInfo,
    ProtocolError,
    RunningStatus,
)
from printer_async.cli._app import cli
from printer_async.cli._render import FleetBoard, job_summary, jsonable

from _support import CAPTURE_ENDPOINTS as ENDPOINTS
from _support import CAPTURES, HOST, PASSWORD, capture

CALLS = {
    "A1_system.json": lambda printer: printer.system_info(),
    "A2_camera.json": lambda printer: printer.camera_info(),
    "A3_runningstatus.json": lambda printer: printer.running_status_info(),
    "A4_basic.json": lambda printer: printer.basic_info(),
    "A5_nozzle1.json": lambda printer: printer.nozzle(1),
    "A6_nozzle2.json": lambda printer: printer.nozzle(2),
    "A7_currentjob_idle.json": lambda printer: printer.current_job(),
}
"""The call a user makes to get each capture's endpoint."""


def answer(body: bytes) -> httpx.Response:
    """An HTTP 200 answer with ``body`` as its bytes, untouched."""
    return httpx.Response(200, content=body, headers={"content-type": "application/json"})


def serve(api, name: str, body: bytes | None = None) -> None:
    """Answer the capture's endpoint with the capture (or ``body``) byte for byte."""
    api.get(ENDPOINTS[name]).mock(return_value=answer(capture(name) if body is None else body))


def data_of(name: str) -> dict:
    """The capture's decoded ``data`` member."""
    return json.loads(capture(name))["data"]


def rewritten(name: str, **changes: object) -> bytes:
    """The capture with ``changes`` to its data, written the way the printer writes JSON."""
    body = json.loads(capture(name))
    body["data"] |= changes
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def as_floats(value: object) -> object:
    """``value`` with every number written as a float: 26 becomes 26.0."""
    if isinstance(value, dict):
        return {key: as_floats(item) for key, item in value.items()}
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def test_every_capture_is_served_here():
    """No capture is left out: each one in the directory has its endpoint and call here."""
    names = {path.name for path in CAPTURES.glob("*.json")}
    assert names == set(ENDPOINTS) == set(CALLS)


def test_the_captures_are_the_printers_bytes():
    """The fixtures are written as the printer writes JSON: sorted keys, no spaces, no newline."""
    for name in ENDPOINTS:
        raw = capture(name)
        body = json.loads(raw)
        assert json.dumps(body, sort_keys=True, separators=(",", ":")).encode() == raw
        assert body["status"] == 1


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
async def test_every_capture_reads_without_error(api, printer, name):
    """Each capture, served byte for byte, gives its model; nothing is a ProtocolError."""
    serve(api, name)
    assert await CALLS[name](printer) is not None


async def test_the_idle_printer_has_no_job_and_no_estimate(api, printer):
    """Idle: no job, remaining_time None and no estimate, not 1,000 hours left."""
    serve(api, "A7_currentjob_idle.json")
    job = await printer.current_job()
    assert not job.has_job
    assert job.remaining_time is None
    assert job.estimate_known is False
    assert (job.job_status, job.raw_job_status) == (JobStatus.RUNNING, "running")
    assert job.total_time == 3600000  # as sent; only the derived numbers are withheld
    assert jsonable(job)["remaining_time"] is None


async def test_system_info_of_a_real_pro2(api, printer):
    """The Pro2's system answer: battery 0.0, two nozzles, storage in KB, its clock in UTC."""
    serve(api, "A1_system.json")
    info = await printer.system_info()
    assert info.battery == 0.0
    assert isinstance(info.battery, float)
    assert info.nozzle_count == 2
    assert info.storage_available_kb == 3694700
    assert info.date_time == dt.datetime(2024, 6, 8, 15, 18, 4, tzinfo=dt.UTC)
    assert (info.serial_number, info.machine_id) == ("10132021017", "17446916158712584660")
    assert (info.model, info.firmware_version, info.version, info.api_version) == (
        "Raise3D Pro2",
        "1.7.0.1008",
        "1.7.7.1026",
        "0.1.0.926",
    )
    assert (info.brightness, info.language, info.update) == (6, "English", "")


async def test_a_printer_without_a_camera(api, printer):
    """No camera: not connected, no URI, no credentials; a snapshot is NotFoundError at once."""
    serve(api, "A2_camera.json")
    camera = api.get("http://127.0.0.1:30216/api/v1/camera/takeshot")
    info = await printer.camera_info()
    assert info.is_camera_connected is False
    assert (info.server_uri, info.user_name, info.password) == (None, None, None)
    with pytest.raises(NotFoundError, match="no camera"):
        await printer.snapshot()
    assert camera.call_count == 0


async def test_running_status_basic_and_nozzles_of_an_idle_pro2(api, printer):
    """Idle, fan off, feed 100 %, bed and both nozzles at room temperature, as floats."""
    for name in ("A3_runningstatus.json", "A4_basic.json", "A5_nozzle1.json", "A6_nozzle2.json"):
        serve(api, name)
    assert await printer.running_status() is RunningStatus.IDLE
    assert await printer.basic_info() == BasicInfo(
        fan_cur_speed=0.0,
        fan_tar_speed=0.0,
        feed_cur_rate=100.0,
        feed_tar_rate=100.0,
        heatbed_cur_temp=26.0,
        heatbed_tar_temp=0.0,
    )
    left, right = await printer.nozzle(1), await printer.nozzle(2)
    assert left == NozzleInfo(
        flow_cur_rate=100.0, flow_tar_rate=100.0, nozzle_cur_temp=26.0, nozzle_tar_temp=0.0
    )
    assert right.nozzle_cur_temp == 24.0
    numbers = [*attrs.asdict(left).values(), *attrs.asdict(right).values()]
    assert all(isinstance(value, float) for value in numbers)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
async def test_every_number_may_come_as_a_float(api, printer, name):
    """Each capture with every number written as a float (26.0) reads as with integers."""
    serve(api, name)
    expected = await CALLS[name](printer)
    body = json.loads(capture(name))
    serve(api, name, json.dumps(as_floats(body)).encode())
    assert await CALLS[name](printer) == expected


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("A7_currentjob_idle.json", "printed_time"),
        ("A7_currentjob_idle.json", "total_layer"),
        ("A1_system.json", "nozzies_num"),
    ],
)
async def test_a_fraction_where_a_count_belongs_is_a_protocol_error(api, printer, name, key):
    """A count or time with a fraction (1.5 layers) is a ProtocolError, never rounded."""
    serve(api, name, rewritten(name, **{key: 1.5}))
    with pytest.raises(ProtocolError):
        await CALLS[name](printer)


# -- a job that has just started: the same placeholder totals -------------------------------------

JUST_STARTED = {
    "file_name": "Local/benchy.gcode",
    "job_id": "C400AD844745_48E7DAEB839B_7e60a1715281a13a10",
    "printed_time": 14,
}
"""The idle capture as a job that has just started: the printer has not read the file yet."""


async def test_a_job_that_has_just_started_has_no_estimate_yet(api, printer):
    """Placeholder totals with a job loaded: has_job, but remaining_time None, no estimate."""
    serve(api, "A7_currentjob_idle.json", rewritten("A7_currentjob_idle.json", **JUST_STARTED))
    job = await printer.current_job()
    assert job.has_job
    assert job.remaining_time is None
    assert job.estimate_known is False
    assert "estimating…" in job_summary(job)
    assert "1000:00:00" not in job_summary(job)
    assert "layer 0/?" in job_summary(job)


async def test_real_totals_give_a_real_remaining_time(api, printer):
    """Once the printer has read the file, remaining_time is total minus printed."""
    real = JUST_STARTED | {"total_layer": 43, "total_time": 3689, "printed_time": 444}
    serve(api, "A7_currentjob_idle.json", rewritten("A7_currentjob_idle.json", **real))
    job = await printer.current_job()
    assert (job.estimate_known, job.remaining_time) == (True, 3689 - 444)
    assert "left 54:05" in job_summary(job)


async def test_the_fleet_table_shows_no_made_up_time(api, printer):
    """The fleet board shows nothing left for the idle printer and "estimating…" for a new job."""
    board = FleetBoard([("idle", "a"), ("new", "b")])
    serve(api, "A7_currentjob_idle.json")
    board.job("idle", await printer.current_job())
    serve(api, "A7_currentjob_idle.json", rewritten("A7_currentjob_idle.json", **JUST_STARTED))
    board.job("new", await printer.current_job())
    rows = {row["name"]: row for row in board.as_json()}
    assert rows["idle"]["remaining_time"] is None
    assert rows["new"]["remaining_time"] is None
    assert rows["new"]["estimate_known"] is False
    cells = [list(column.cells) for column in board.table().at(120).columns]
    left = {str(name): str(value) for name, value in zip(cells[0], cells[4], strict=True)}
    assert left == {"idle": "", "new": "estimating…"}


async def test_the_watch_reports_the_idle_printer_as_no_job(api, printer):
    """The first event on an idle Pro2 shows no job, and its job has no remaining time."""
    serve(api, "A7_currentjob_idle.json")
    async with contextlib.aclosing(printer.watch(interval=1)) as events:
        event = await anext(events)
    assert (event.kind, event.current) == ("initial", None)
    assert event.job.remaining_time is None


# -- new firmware, bad fields, a missing route ----------------------------------------------------


async def test_an_unknown_status_keeps_its_word_and_warns_once(api, printer, caplog):
    """A job_status the library does not know is UNKNOWN, its word kept, one WARNING."""
    serve(
        api, "A7_currentjob_idle.json", rewritten("A7_currentjob_idle.json", job_status="warming")
    )
    for _ in range(3):
        job = await printer.current_job()
    assert (job.job_status, job.raw_job_status) == (JobStatus.UNKNOWN, "warming")
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


async def test_a_malformed_date_spoils_only_the_date(api, printer):
    """The Pro2's system answer with a date in another form: date_time None, the rest read."""
    serve(api, "A1_system.json", rewritten("A1_system.json", date_time="08.06.2024 15:18"))
    info = await printer.system_info()
    assert info.date_time is None
    assert (info.model, info.nozzle_count) == ("Raise3D Pro2", 2)


async def test_an_empty_404_is_a_missing_endpoint(api, printer):
    """A printer without /printer/camera (HTTP 404, empty body) says the endpoint is missing."""
    api.get("/printer/camera").mock(return_value=httpx.Response(404))
    with pytest.raises(NotFoundError, match="has no /printer/camera endpoint") as info:
        await printer.camera_info()
    assert info.value.endpoint_missing


# -- the command line on the idle Pro2 ------------------------------------------------------------


@pytest.fixture(name="pro2")
def _pro2(api):
    """Every capture served at its endpoint: an idle Pro2 with no camera."""
    for name in ENDPOINTS:
        serve(api, name)
    return api


def _status(*options: str):
    result = CliRunner().invoke(
        cli, ["status", HOST, *options], env={"PRINTER_ASYNC_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_status_of_the_idle_pro2(pro2):
    """`status` on the idle Pro2 says "no job" and shows no time left."""
    text = _status()
    assert re.search(r"job\s+no job", text)
    assert "Raise3D (Raise3D Pro2)" in text
    assert "left" not in text
    assert "1000:00:00" not in text


def test_status_json_of_the_idle_pro2(pro2):
    """`status --json` on the idle Pro2 carries remaining_time null and estimate_known false."""
    data = json.loads(_status("--json"))
    assert data["job"]["remaining_time"] is None
    assert data["job"]["estimate_known"] is False
    assert data["job"]["has_job"] is False
    assert data["job"]["raw_job_status"] == "running"
    assert (data["running_status"], data["raw_running_status"]) == ("idle", "idle")
    assert data["system"]["date_time"] == "2024-06-08T15:18:04+00:00"
    assert data["system"]["battery"] == 0.0
    assert len(data["nozzles"]) == 2


def test_status_shows_an_unknown_running_status_in_the_printers_word(pro2):
    """`status` shows a running_status it does not know as "unknown (warming)"."""
    name = "A3_runningstatus.json"
    serve(pro2, name, rewritten(name, running_status="warming"))
    assert re.search(r"status\s+unknown \(warming\)", _status())
    data = json.loads(_status("--json"))
    assert (data["running_status"], data["raw_running_status"]) == ("unknown", "warming")
