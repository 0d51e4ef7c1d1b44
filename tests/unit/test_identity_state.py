"""PrinterIdentity from a system answer, PrinterState's rules, and the two calls over respx."""

import json

import attrs
import httpx
import pytest
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    BasicInfo,
    JobStatus,
    NozzleInfo,
    PrinterConnectionError,
    PrinterIdentity,
    PrinterState,
    RunningStatus,
    RunningStatusInfo,
    SystemInfo,
)
from printer_async._convert import structure

from _support import CAPTURES, HOST, PASSWORD, api_error, load_fixture, make_job, ok

NOZZLE = NozzleInfo(flow_cur_rate=100, flow_tar_rate=100, nozzle_cur_temp=26, nozzle_tar_temp=0)
BASIC = BasicInfo(
    fan_cur_speed=0,
    fan_tar_speed=0,
    feed_cur_rate=100,
    feed_tar_rate=100,
    heatbed_cur_temp=25,
    heatbed_tar_temp=0,
)


def captured_system() -> SystemInfo:
    """The real Pro2's /printer/system answer."""
    data = json.loads((CAPTURES / "A1_system.json").read_text())["data"]
    return structure(data, SystemInfo, endpoint="/printer/system")


def state(running: RunningStatus, **job_changes) -> PrinterState:
    """A state with this running status and a job changed by ``job_changes``."""
    return PrinterState(
        job=make_job(**job_changes),
        running_status=RunningStatusInfo(running),
        basic=BASIC,
        nozzles=(NOZZLE, NOZZLE),
    )


def test_the_identity_of_the_captured_pro2_uses_its_serial_number():
    """unique_id is the label's serial number, not the firmware's 20-digit machine_id."""
    identity = PrinterIdentity.from_system_info(captured_system())
    assert identity == PrinterIdentity(
        unique_id="10132021017",
        manufacturer="Raise3D",
        model="Raise3D Pro2",
        name="Raise3D",
        serial_number="10132021017",
        sw_version="1.7.7.1026",
        firmware_version="1.7.0.1008",
        api_version="0.1.0.926",
    )
    assert identity.unique_id != captured_system().machine_id


def test_without_a_machine_name_the_identity_takes_the_name_given():
    """An empty machine name gives way to the AsyncPrinter's name, else model and serial."""
    info = attrs.evolve(captured_system(), machine_name="  ")
    assert PrinterIdentity.from_system_info(info, name="farm-7").name == "farm-7"
    assert PrinterIdentity.from_system_info(info).name == "Raise3D Pro2 10132021017"


def test_an_empty_serial_number_gives_way_to_the_machine_id():
    """A printer that reports no serial number is identified by its machine_id."""
    info = attrs.evolve(captured_system(), serial_number="")
    assert PrinterIdentity.from_system_info(info).unique_id == "17446916158712584660"


def test_an_idle_printer_is_idle_whatever_its_job_says():
    """Idle running status: no job status, progress or remaining time, though the job runs."""
    idle = state(RunningStatus.IDLE, print_progress=40.0, printed_time=100)
    assert idle.job.job_status is JobStatus.RUNNING
    assert idle.is_idle
    assert (idle.job_status, idle.progress, idle.remaining_time) == (None, None, None)
    assert not idle.is_printing
    assert not idle.is_paused


def test_the_real_idle_answer_has_no_job_status():
    """The captured idle answer (empty job, "running", the placeholder total) shows no job."""
    data = json.loads((CAPTURES / "A7_currentjob_idle.json").read_text())["data"]
    job = structure(data, type(make_job()), endpoint="/job/currentjob")
    idle = attrs.evolve(state(RunningStatus.IDLE), job=job)
    assert (idle.job_status, idle.progress, idle.remaining_time) == (None, None, None)


def test_an_idle_printer_keeps_its_last_jobs_outcome():
    """Idle after a completed job: the job status stays completed, with nothing remaining."""
    done = state(RunningStatus.IDLE, job_status=JobStatus.COMPLETED, print_progress=100.0)
    assert done.is_idle
    assert (done.job_status, done.progress, done.remaining_time) == (JobStatus.COMPLETED, 100, 0)


def test_a_running_and_a_paused_job_are_printing_and_paused():
    """Not idle: the job's status stands, with its progress and the estimate's remaining time."""
    running = state(RunningStatus.RUNNING, print_progress=25.0, printed_time=1000)
    assert running.is_printing
    assert (running.job_status, running.progress) == (JobStatus.RUNNING, 25.0)
    assert running.remaining_time == 11333 - 1000
    paused = state(RunningStatus.PAUSED, job_status=JobStatus.PAUSED)
    assert paused.is_paused
    assert paused.status is RunningStatus.PAUSED


def test_no_estimate_means_no_remaining_time():
    """A running job still on the firmware's placeholder total has no remaining time."""
    running = state(RunningStatus.RUNNING, total_time=3_600_000, total_layer=0)
    assert running.is_printing
    assert running.remaining_time is None


async def test_identify_reads_the_system_once_and_remembers_the_nozzles(api, printer):
    """identify() is one /printer/system; read_state() then reads no system again."""
    system = api.get("/printer/system").mock(
        return_value=ok(load_fixture("system_info")["data"] | {"nozzies_num": 1})
    )
    for path, fixture in (
        ("/job/currentjob", "current_job"),
        ("/printer/runningstatus", "running_status"),
        ("/printer/basic", "basic_info"),
        ("/printer/nozzle1", "nozzle"),
    ):
        api.get(path).mock(return_value=httpx.Response(200, json=load_fixture(fixture)))
    identity = await printer.identify()
    assert (identity.unique_id, identity.name) == ("12345678942", "raise3d")
    first = await printer.read_state()
    second = await printer.read_state()
    assert system.call_count == 1
    assert len(first.nozzles) == len(second.nozzles) == 1
    assert first.job.job_id == "4C530E1EB1D4_D0E782BF5B17_7e10712090a1b3600f"


async def test_identify_raises_what_a_config_flow_maps(api):
    """A wrong password is AuthenticationError; no answer is PrinterConnectionError."""
    api.get("/login", name="login").mock(
        return_value=api_error(10000, "sign error or password error")
    )
    async with AsyncPrinter(HOST, password=PASSWORD) as printer:
        with pytest.raises(AuthenticationError):
            await printer.identify()
    api.get("/login", name="login").mock(side_effect=httpx.ConnectError("refused"))
    async with AsyncPrinter(HOST, password=PASSWORD) as printer:
        with pytest.raises(PrinterConnectionError):
            await printer.identify()


@pytest.mark.parametrize("host", ["", "http://192.168.0.57", "192.168.0.57/v1", "a b"])
def test_a_malformed_address_is_a_value_error_at_construction(host):
    """What the docs' table calls a malformed address fails before anything is sent."""
    with pytest.raises(ValueError, match=r"."):
        AsyncPrinter(host, password=PASSWORD)
