import logging

import attrs
import httpx
import pytest
from printer_async import (
    AsyncPrinter,
    CurrentJob,
    JobListEntry,
    JobStatus,
    RunningStatus,
    Statistics,
)

from _support import HOST, PASSWORD, load_fixture, make_job, ok


async def test_current_job_example_parses_field_by_field(api, printer):
    """The vendor's currentjob example becomes a CurrentJob with every field in its unit."""
    api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, json=load_fixture("current_job"))
    )
    job = await printer.current_job()
    assert job == CurrentJob(
        file_name="Local/a.gcode",
        print_progress=0.04945080354809761,
        printed_layer=1,
        total_layer=470,
        printed_time=197,
        total_time=11333,
        job_id="4C530E1EB1D4_D0E782BF5B17_7e10712090a1b3600f",
        job_status=JobStatus.RUNNING,
    )
    assert job.remaining_time == 11333 - 197
    assert job.has_job


async def test_idle_printer_shape_parses(api, printer):
    """An idle printer's answer (empty file_name and job_id) parses and has no job."""
    api.get("/job/currentjob").mock(
        return_value=httpx.Response(200, json=load_fixture("current_job_idle"))
    )
    job = await printer.current_job()
    assert job.file_name == ""
    assert job.job_id == ""
    assert not job.has_job


def test_remaining_time_is_never_negative():
    """A job past its estimate has zero seconds remaining, not a negative number."""
    job = CurrentJob(
        file_name="Local/a.gcode",
        print_progress=100.0,
        printed_layer=10,
        total_layer=10,
        printed_time=500,
        total_time=400,
        job_id="x",
        job_status=JobStatus.RUNNING,
    )
    assert job.remaining_time == 0


async def test_unknown_job_status_becomes_unknown(api, printer):
    """A job_status that new firmware may send maps to JobStatus.UNKNOWN instead of failing."""
    data = load_fixture("current_job")["data"] | {"job_status": "heating"}
    api.get("/job/currentjob").mock(return_value=ok(data))
    assert (await printer.current_job()).job_status is JobStatus.UNKNOWN


async def test_extra_keys_are_ignored(api, printer):
    """Fields the docs don't list are ignored."""
    data = load_fixture("current_job")["data"] | {"nozzle_temp": 210, "new_field": [1]}
    api.get("/job/currentjob").mock(return_value=ok(data))
    assert (await printer.current_job()).printed_time == 197


async def test_integral_floats_are_accepted_for_integers(api, printer):
    """A long sent as 197.0 is read as 197; a fractional value is a ProtocolError."""
    data = load_fixture("current_job")["data"] | {"printed_time": 197.0}
    api.get("/job/currentjob").mock(return_value=ok(data))
    assert (await printer.current_job()).printed_time == 197


async def test_statistics_example_parses_field_by_field(api, printer):
    """The vendor's statistics example maps _0/_1 to the left and right nozzle, in grams."""
    api.get("/dashboard/statistics").mock(
        return_value=httpx.Response(200, json=load_fixture("statistics"))
    )
    stats = await printer.statistics()
    assert stats == Statistics(
        printed_file_num=41,
        printed_total_time=492527,
        printed_used_filament=1473.8792724609375,
        printed_used_filament_left=1473.8792724609375,
        printed_used_filament_right=0.0,
    )


async def test_single_nozzle_statistics_have_no_right_figure(api, printer):
    """Without printed_used_filament_1 (one nozzle), the right figure is None, never 0."""
    data = load_fixture("statistics")["data"]
    del data["printed_used_filament_1"]
    api.get("/dashboard/statistics").mock(return_value=ok(data))
    assert (await printer.statistics()).printed_used_filament_right is None


async def test_job_list_example_parses_field_by_field(api, printer):
    """The vendor's joblist example becomes JobListEntry values, typos and all."""
    api.get("/dashboard/joblist").mock(
        return_value=httpx.Response(200, json=load_fixture("job_list"))
    )
    jobs = await printer.job_list(max_num=2, start_pos=9)
    assert jobs == [
        JobListEntry(
            file_name="Loacl/a.gcode",
            job_id="4C530E1EB1D4_D0E782BF5B17_7e10712060a0703715",
            job_index=9,
            user_tag="hello",
        ),
        JobListEntry(
            file_name="Loacl/b.gcode",
            job_id="4C530E1EB1D4_D0E782BF5B17_7e10712090a1b3600f",
            job_index=10,
            user_tag="world",
        ),
    ]


def test_models_are_frozen():
    """Models cannot be changed after they are made."""
    entry = JobListEntry(file_name="a", job_id="b", job_index=1, user_tag="")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        entry.job_index = 2  # type: ignore[misc]


@pytest.mark.parametrize("enum", [JobStatus, RunningStatus])
def test_enums_map_unknown_values(enum):
    """Both status enums turn an unknown value into UNKNOWN."""
    assert enum("something-new") is enum.UNKNOWN
    assert enum("paused") is enum.PAUSED


@pytest.mark.parametrize(
    ("changes", "remaining"),
    [
        pytest.param({"printed_time": 197}, 11333 - 197, id="a-real-estimate"),
        pytest.param(
            {"total_time": 3600000, "total_layer": 0, "printed_time": 12},
            None,
            id="the-no-estimate-placeholder",
        ),
        pytest.param({"total_time": 0, "total_layer": 0}, None, id="a-total-of-zero"),
        pytest.param({"total_time": -5}, None, id="a-negative-total"),
        pytest.param(
            {"total_time": 3600000, "total_layer": 90000, "printed_time": 100},
            3600000 - 100,
            id="a-1000-hour-job-whose-layers-are-known",
        ),
        pytest.param(
            {"file_name": "", "job_id": "", "total_time": 11333},
            None,
            id="no-job-loaded",
        ),
    ],
)
def test_remaining_time_is_none_without_an_estimate(changes, remaining):
    """remaining_time is None with no job or the firmware's placeholder total, never 1000 h."""
    job = make_job(**changes)
    assert job.remaining_time == remaining
    assert job.estimate_known is (remaining is not None)


def test_raw_job_status_defaults_to_the_status_value():
    """A CurrentJob made in code keeps its job_status's value as raw_job_status."""
    assert make_job(job_status=JobStatus.PAUSED).raw_job_status == "paused"


async def test_an_unknown_job_status_keeps_the_wire_string(api, printer):
    """An unknown job_status is UNKNOWN and raw_job_status is what the printer sent."""
    data = load_fixture("current_job")["data"] | {"job_status": "heating"}
    api.get("/job/currentjob").mock(return_value=ok(data))
    job = await printer.current_job()
    assert (job.job_status, job.raw_job_status) == (JobStatus.UNKNOWN, "heating")


def _warnings(caplog):
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_an_unknown_value_warns_once_per_printer_field_and_value(api, caplog):
    """The first poll with an unknown job_status logs one WARNING; the next polls log none."""
    data = load_fixture("current_job")["data"] | {"job_status": "heating"}
    route = api.get("/job/currentjob").mock(return_value=ok(data))
    async with AsyncPrinter(HOST, password=PASSWORD, name="left-1") as printer:
        for _ in range(5):
            await printer.current_job()
        route.mock(return_value=ok(data | {"job_status": "cooling"}))
        await printer.current_job()
        await printer.current_job()
    records = _warnings(caplog)
    assert len(records) == 2
    first = records[0]
    assert first.name.startswith("printer_async")
    for fragment in ("'left-1'", "job_status", "'heating'", "/job/currentjob", "report"):
        assert fragment in first.getMessage()
    assert "'cooling'" in records[1].getMessage()


async def test_each_printer_reports_an_unknown_value_once(api, caplog):
    """Two printers that send the same unknown value each log it once, by their own name."""
    data = load_fixture("current_job")["data"] | {"job_status": "heating"}
    api.get("/job/currentjob").mock(return_value=ok(data))
    for name in ("left-1", "left-2"):
        async with AsyncPrinter(HOST, password=PASSWORD, name=name) as printer:
            await printer.current_job()
            await printer.current_job()
    names = ("left-1", "left-2")
    records = _warnings(caplog)
    assert len(records) == 2
    assert all(f"'{n}'" in r.getMessage() for r, n in zip(records, names, strict=True))


async def test_known_values_log_no_warning(api, printer, caplog):
    """A documented job_status and running_status log nothing."""
    api.get("/job/currentjob").mock(return_value=ok(load_fixture("current_job")["data"]))
    api.get("/printer/runningstatus").mock(return_value=ok({"running_status": "idle"}))
    await printer.current_job()
    await printer.running_status()
    assert _warnings(caplog) == []


async def test_unknown_values_are_remembered_up_to_a_cap(api, printer, caplog):
    """A firmware sending a new value every poll gets a bounded number of warnings and memory."""
    values = iter(f"state-{i}" for i in range(200))
    data = load_fixture("current_job")["data"]
    api.get("/job/currentjob").mock(side_effect=lambda _: ok(data | {"job_status": next(values)}))
    with caplog.at_level(logging.DEBUG, logger="printer_async"):
        for _ in range(200):
            await printer.current_job()
    assert len(_warnings(caplog)) == len(printer._unknown._seen) == 32
    assert "'state-199'" in caplog.text  # past the cap, still logged, at DEBUG


async def test_a_huge_unknown_value_is_cut_in_the_log(api, printer, caplog):
    """An unknown value of a megabyte is logged and remembered cut to a few dozen characters."""
    data = load_fixture("current_job")["data"] | {"job_status": "x" * 1_000_000}
    api.get("/job/currentjob").mock(return_value=ok(data))
    job = await printer.current_job()
    assert len(job.raw_job_status) == 1_000_000
    assert len(_warnings(caplog)[0].getMessage()) < 400
    assert all(len(value) <= 80 for _, value in printer._unknown._seen)
