"""AsyncPrinter against the simulator: printer state, setters, job control and the dashboard."""

import struct

import pytest
from printer_async import (
    AsyncPrinter,
    InvalidParameterError,
    NotFoundError,
    PrinterBusyError,
    PrinterStateError,
    RunningStatus,
    StateReason,
)
from printer_async.simulator import SimulatedPrinter

from _support import PASSWORD


@pytest.fixture(name="sim")
def _sim(clock, nozzles):
    """A seeded simulated printer on the manual clock."""
    return SimulatedPrinter(password=PASSWORD, clock=clock, seed=11, nozzles=nozzles)


@pytest.fixture(name="printer")
async def _printer(endpoint, transport):
    """An AsyncPrinter on the served simulator, on each transport."""
    async with AsyncPrinter(
        endpoint.host, port=endpoint.port, password=PASSWORD, transport=transport
    ) as printer:
        yield printer


async def complete(sim, clock, path):
    """Print ``path`` to completion; return its job id."""
    job_id = sim.start_job(path)
    clock.advance(sim.files[path].total_time + 1)
    return job_id


# -- reading the printer ------------------------------------------------------------------


async def test_system_info_matches_the_printer(printer, sim):
    """system_info() maps Serial_number, nozzies_num and storage_available (KB)."""
    info = await printer.system_info()
    wire = sim.system_info()
    assert info.serial_number == wire["Serial_number"] == sim.serial_number
    assert info.nozzle_count == 2
    assert info.storage_available_kb == wire["storage_available"]
    assert info.machine_name == "raise3d"


async def test_running_status_follows_the_job(printer, sim):
    """running_status() is idle, then running after a start, paused after a pause."""
    assert await printer.running_status() is RunningStatus.IDLE
    await printer.start_job("Local/benchy.gcode")
    assert await printer.running_status() is RunningStatus.RUNNING
    await printer.pause_job()
    assert await printer.running_status() is RunningStatus.PAUSED
    sim.safe_mode = True
    assert await printer.running_status() is RunningStatus.ERROR


async def test_basic_info_and_nozzles_move_toward_their_targets(printer, clock):
    """Setters change targets at once; current values approach them with simulated time."""
    await printer.set_fan_speed(80)
    await printer.set_heatbed_temperature(60)
    await printer.set_feed_rate(150)
    await printer.set_nozzle_temperature(1, 200)
    await printer.set_nozzle_temperature(2, 180)
    await printer.set_flow_rate(2, 90)
    before = await printer.basic_info()
    assert (before.fan_tar_speed, before.heatbed_tar_temp) == (80, 60)
    assert before.heatbed_cur_temp == 25
    assert before.feed_tar_rate == before.feed_cur_rate == 150
    clock.advance(3600)
    after = await printer.basic_info()
    assert (after.fan_cur_speed, after.heatbed_cur_temp) == (80, 60)
    left, right = await printer.nozzle(1), await printer.nozzle(2)
    assert (left.nozzle_tar_temp, left.nozzle_cur_temp, left.flow_tar_rate) == (200, 200, 100)
    assert (right.nozzle_tar_temp, right.nozzle_cur_temp, right.flow_cur_rate) == (180, 180, 90)


@pytest.mark.parametrize("nozzles", [1])
async def test_a_one_nozzle_printer_has_no_right_nozzle(printer, nozzles):
    """On one nozzle, nozzle(2) and its setters raise NotFoundError ("no right nozzle")."""
    info = await printer.system_info()
    assert info.nozzle_count == 1
    assert (await printer.nozzle(1)).flow_cur_rate == 100
    for call in (
        printer.nozzle(2),
        printer.set_nozzle_temperature(2, 100),
        printer.set_flow_rate(2, 100),
        printer.extrude(1, nozzle=2, feed=100),
    ):
        with pytest.raises(NotFoundError) as caught:
            await call
        assert caught.value.msg == "no right nozzle"


async def test_camera_info_names_the_camera_server(printer, endpoint, sim):
    """camera_info() gives the camera port and the credentials; repr hides the password."""
    info = await printer.camera_info()
    assert info.is_camera_connected is True
    assert info.server_port == endpoint.camera_port
    assert info.user_name == "raise3d_camera"
    assert info.password == sim.camera_info()["password"]
    assert info.password not in repr(info)


# -- setters ------------------------------------------------------------------------------


async def test_axis_moves_and_extrusion_reach_the_printer(printer, sim):
    """move_axes() (absolute and relative) and extrude() change the printer's positions."""
    await printer.move_axes(x=100, y=50, feed=3000)
    await printer.move_axes(z=5, x=-3, feed=600, relative=True)
    await printer.extrude(7, nozzle=2, feed=300)
    assert sim.position == {"x": 97, "y": 50, "z": 5, "e": 7}


@pytest.mark.parametrize(
    ("endpoint_path", "body", "msg"),
    [
        ("/printer/nozzle1/temp/set", {"temperature": 311}, "temperature error value(0~310)"),
        ("/printer/nozzle2/flowrate/set", {"flowrate": 0}, "flowrate error value(1~300)"),
        ("/printer/heatbedtemp/set", {"temperature": 111}, "temperature error value(0~110)"),
        ("/printer/feedrate/set", {"feedrate": 351}, "feedrate error value(1~350)"),
        ("/printer/fanspeed/set", {"fanspeed": 101}, "fanspeed error value(0~100)"),
        (
            "/printer/axiscontrol/set",
            {"is_relative_pos": 1, "feed": 100, "x": 11},
            "x error relative model value(-10~10)",
        ),
        (
            "/printer/axiscontrol/set",
            {"is_relative_pos": 0, "feed": 100, "x": 400},
            "x error aboslute model value(0~305)",
        ),
        (
            "/printer/axiscontrol/set",
            {"is_relative_pos": 1, "feed": 2401, "e": 1},
            "feed error e value(0~2400)",
        ),
    ],
)
async def test_out_of_range_values_answered_by_the_printer(printer, endpoint_path, body, msg):
    """Past the client's checks, the printer's own 10002 answer is an InvalidParameterError."""
    with pytest.raises(InvalidParameterError) as caught:
        await printer._request("POST", endpoint_path, json=body)
    assert (caught.value.code, caught.value.msg, caught.value.endpoint) == (
        10002,
        msg,
        endpoint_path,
    )


async def test_setters_in_safe_mode_and_busy(printer, sim):
    """Safe mode refuses setters with PrinterStateError(SAFE_MODE); busy with PrinterBusyError."""
    sim.safe_mode = True
    with pytest.raises(PrinterStateError) as caught:
        await printer.set_fan_speed(50)
    assert (caught.value.reason, caught.value.msg) == (
        StateReason.SAFE_MODE,
        "printer is in safe mode",
    )
    sim.safe_mode, sim.busy = False, True
    with pytest.raises(PrinterBusyError):
        await printer.set_heatbed_temperature(50)
    with pytest.raises(PrinterBusyError):
        await printer.move_axes(x=1, feed=100, relative=True)
    sim.busy = False
    await printer.set_fan_speed(50)


# -- job control --------------------------------------------------------------------------


async def test_pause_resume_stop_and_their_refusals(printer, sim):
    """Job control drives the printer; each documented 500 answer is a typed error."""
    with pytest.raises(PrinterStateError) as caught:
        await printer.pause_job()
    assert caught.value.reason is StateReason.STOPPED  # "printer is stoped": no job yet
    await printer.start_job("Local/benchy.gcode")
    with pytest.raises(PrinterStateError) as caught:
        await printer.resume_job()
    assert caught.value.reason is StateReason.PRINTING
    await printer.pause_job()
    assert sim.job_status == "paused"
    with pytest.raises(PrinterStateError) as caught:
        await printer.pause_job()
    assert caught.value.reason is StateReason.PAUSED
    sim.busy = True
    with pytest.raises(PrinterBusyError):
        await printer.resume_job()
    sim.busy = False
    await printer.resume_job()
    assert sim.job_status == "running"
    await printer.stop_job()
    assert sim.job_status == "stopped"
    with pytest.raises(PrinterStateError) as caught:
        await printer.stop_job()
    assert caught.value.msg == "printer is stoped"


async def test_a_completed_job_shows_the_completed_screen(printer, sim, clock):
    """After a job completes, job control answers "printer show completed interface"."""
    await complete(sim, clock, "Local/benchy.gcode")
    with pytest.raises(PrinterStateError) as caught:
        await printer.pause_job()
    assert caught.value.reason is StateReason.COMPLETED_SCREEN


async def test_after_a_power_loss_job_control_shows_the_powerloss_screen(printer, sim):
    """After a power loss, stop_job() answers the powerloss screen until recover_job()."""
    await printer.start_job("Local/benchy.gcode")
    sim.power_loss()
    with pytest.raises(PrinterStateError) as caught:
        await printer.stop_job()
    assert caught.value.reason is StateReason.POWERLOSS_SCREEN
    await printer.recover_job()
    await printer.stop_job()


# -- dashboard ----------------------------------------------------------------------------


async def test_job_detail_reports_milligrams(printer, sim, clock):
    """job_detail() of a finished job: times in seconds, filament in mg as documented."""
    job_id = await complete(sim, clock, "Local/webapi_store/two_colour_vase.gcode")
    (entry,) = await printer.job_list()
    detail = await printer.job_detail(entry.job_index, entry.job_id)
    assert entry.job_id == job_id
    assert detail.file_name == "Local/webapi_store/two_colour_vase.gcode"
    assert detail.real_print_time == detail.estimated_time == 3600
    assert detail.filament_used_left == pytest.approx(20_100)
    assert detail.filament_used_right == pytest.approx(8_400)
    assert (await printer.statistics()).printed_used_filament == pytest.approx(28.5)
    with pytest.raises(InvalidParameterError, match="job id not match pos"):
        await printer.job_detail(0, "not-this-one")


async def test_job_thumbnail_is_png_bytes(printer, sim, clock):
    """job_thumbnail() decodes the base64 PNG; no picture is NotFoundError; corrupt is 10004."""
    job_id = await complete(sim, clock, "Local/benchy.gcode")
    png = await printer.job_thumbnail(job_id, width=40, height=30)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (40, 30)
    assert len(await printer.job_thumbnail(job_id)) > 0  # the default 256 x 256
    with pytest.raises(NotFoundError, match="no image corresponds to the job"):
        await printer.job_thumbnail("unknown-job")
    sim.add_data_file("Local/benchy.data", corrupt=True)
    with pytest.raises(InvalidParameterError) as caught:
        await printer.job_thumbnail(job_id)
    assert (caught.value.code, caught.value.msg) == (10004, "data file error")


async def test_thumbnail_io_failure_is_a_state_error(printer, sim, clock):
    """The documented 500 "can not open IODevice" (armed as a fault) is an IO_FAILURE."""
    job_id = await complete(sim, clock, "Local/benchy.gcode")
    sim.faults.api_error(500, "can not open IODevice", path="/v1/dashboard/imagedownload")
    with pytest.raises(PrinterStateError) as caught:
        await printer.job_thumbnail(job_id)
    assert caught.value.reason is StateReason.IO_FAILURE
