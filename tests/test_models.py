import attrs
import httpx
import pytest
from printer_async import CurrentJob, JobListEntry, JobStatus, RunningStatus, Statistics

from _support import load_fixture, ok


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
