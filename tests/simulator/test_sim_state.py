import re
import time

import pytest
from printer_async.simulator import ApiFailure, ManualClock, ScaledClock, SimulatedPrinter, sign

JOB_ID = re.compile(r"[0-9A-F]{12}_[0-9A-F]{12}_[0-9a-f]+")


@pytest.fixture(name="printer")
def _printer():
    return SimulatedPrinter(clock=ManualClock(), seed=1, job_duration=1000)


def test_sign_matches_the_vendor_vector():
    """The login signature of the documented example is ed416d3d02cf58efe4f65d3bbc8a4dc6."""
    assert sign("123456", 1503477369615) == "ed416d3d02cf58efe4f65d3bbc8a4dc6"


def test_scaled_clock_runs_speed_times_faster():
    """A ScaledClock at speed 720 advances 720 simulated seconds per real second."""
    clock = ScaledClock(720)
    start_sim, start_real = clock.now(), time.monotonic()
    time.sleep(0.01)
    elapsed_sim, elapsed_real = clock.now() - start_sim, time.monotonic() - start_real
    assert elapsed_sim == pytest.approx(720 * elapsed_real, rel=0.05)
    clock.advance(100)
    assert clock.now() - start_sim >= 100 + elapsed_sim


def test_clocks_refuse_to_go_backwards():
    """Advancing either clock by a negative time raises ValueError."""
    with pytest.raises(ValueError, match="negative"):
        ManualClock().advance(-1)
    with pytest.raises(ValueError, match="negative"):
        ScaledClock().advance(-1)
    with pytest.raises(ValueError, match="positive"):
        ScaledClock(0)


def test_a_job_runs_pauses_resumes_and_completes(printer):
    """A job runs, pauses without progressing, resumes and completes at its total time."""
    clock = printer.clock
    job_id = printer.start_job("Local/benchy.gcode")
    assert JOB_ID.fullmatch(job_id)
    assert (printer.job_status, printer.running_status) == ("running", "running")
    clock.advance(400)
    assert printer.progress == pytest.approx(40.0)
    printer.pause()
    clock.advance(5000)
    assert (printer.job_status, printer.running_status, printer.printed_time) == (
        "paused",
        "paused",
        400,
    )
    printer.resume()
    clock.advance(10_000)
    assert (printer.job_status, printer.running_status) == ("completed", "completed")
    assert printer.progress == 100.0
    assert [(t.previous, t.current) for t in printer.transitions] == [
        (None, "running"),
        ("running", "paused"),
        ("paused", "running"),
        ("running", "completed"),
    ]
    # Completion is logged at the simulated time it happened, not when it was noticed.
    assert printer.transitions[-1].sim_time == pytest.approx(5400 + 600)
    assert {t.job_id for t in printer.transitions} == {job_id}


def test_a_completed_job_enters_history_and_statistics(printer):
    """A completed job is listed with its id and counted in time and filament."""
    job_id = printer.start_job("Local/benchy.gcode")
    printer.clock.advance(1000)
    assert printer.job_list(12, 0)["job_list"] == [
        {"file_name": "Local/benchy.gcode", "job_id": job_id, "user_tag": "", "job_index": 0}
    ]
    stats = printer.statistics()
    assert stats["printed_file_num"] == 1
    assert stats["printed_total_time"] == 1000
    assert stats["printed_used_filament"] == pytest.approx(14.2)
    assert stats["printed_used_filament_0"] == pytest.approx(14.2)
    assert stats["printed_used_filament_1"] == 0.0
    assert printer.job_detail(0, job_id)["real_print_time"] == 1000


def test_a_new_job_may_follow_a_completed_one(printer):
    """After completion a new job starts with a new id; the log shows completed → running."""
    first = printer.start_job("Local/benchy.gcode")
    printer.clock.advance(1000)
    second = printer.start_job("Local/calibration_cube.gcode")
    assert second != first
    assert printer.transitions[-1].previous == "completed"
    assert printer.transitions[-1].job_id == second


NO_ESTIMATE = {"total_time": 3600000, "total_layer": 0, "printed_time": 0, "printed_layer": 0}


def totals(answer):
    """The fields of a currentjob answer that carry the estimate and the progress."""
    return {key: answer[key] for key in NO_ESTIMATE}


def test_a_started_job_shows_no_estimate_while_the_printer_reads_its_file(printer):
    """For file_read_time seconds the totals are 3600000 s and 0 layers, then the real ones."""
    job_id = printer.start_job("Local/benchy.gcode")
    printer.clock.advance(printer.file_read_time - 1)
    answer = printer.current_job()
    assert (answer["job_id"], answer["job_status"]) == (job_id, "running")
    assert (totals(answer), answer["print_progress"]) == (NO_ESTIMATE, 0)
    printer.pause()
    assert printer.current_job()["total_time"] == 3600000  # paused, still reading
    printer.resume()
    printer.clock.advance(1)
    assert totals(printer.current_job()) == {
        "total_time": 1000,
        "total_layer": 240,
        "printed_time": printer.file_read_time,
        "printed_layer": 2,
    }


def test_reading_the_file_does_not_delay_the_job(printer):
    """A job completes total_time after its start, whatever file_read_time is."""
    slow = SimulatedPrinter(clock=ManualClock(), job_duration=1000, file_read_time=600)
    for sim in (printer, slow):
        sim.start_job("Local/benchy.gcode")
        sim.clock.advance(1000)
        assert sim.current_job()["job_status"] == "completed"
        assert totals(sim.current_job())["total_time"] == 1000


def test_without_a_read_time_the_totals_show_at_once():
    """file_read_time=0: the real totals are in the first answer of a job."""
    printer = SimulatedPrinter(clock=ManualClock(), job_duration=1000, file_read_time=0)
    printer.start_job("Local/benchy.gcode")
    assert printer.current_job()["total_time"] == 1000


def test_print_progress_can_lag_the_time_elapsed():
    """progress_exponent=2: half the time gives print_progress 25 %, layers still follow time."""
    printer = SimulatedPrinter(
        clock=ManualClock(), job_duration=1000, file_read_time=0, progress_exponent=2
    )
    printer.start_job("Local/benchy.gcode")
    printer.clock.advance(500)
    answer = printer.current_job()
    assert (answer["print_progress"], answer["printed_layer"]) == (pytest.approx(25.0), 120)
    printer.clock.advance(500)
    assert printer.current_job()["print_progress"] == 100.0


@pytest.mark.parametrize(
    "options",
    [
        {"file_read_time": -1},
        {"file_read_time": float("inf")},
        {"progress_exponent": 0},
        {"progress_exponent": float("nan")},
    ],
)
def test_read_time_and_progress_exponent_are_checked(options):
    """A negative or infinite read time, a non-positive exponent: ValueError, set or passed."""
    ((name, value),) = options.items()
    with pytest.raises(ValueError, match=name):
        SimulatedPrinter(**options)
    printer = SimulatedPrinter()
    with pytest.raises(ValueError, match=name):
        setattr(printer, name, value)


def test_stop_makes_the_printer_idle_without_history(printer):
    """A stopped job shows job_status stopped, running_status idle, and is not counted."""
    printer.start_job("Local/benchy.gcode")
    printer.clock.advance(10)
    printer.stop()
    assert (printer.job_status, printer.running_status) == ("stopped", "idle")
    assert printer.statistics()["printed_file_num"] == 0
    with pytest.raises(ApiFailure, match="printer is stoped"):
        printer.pause()


@pytest.mark.parametrize(
    ("setup", "action", "code", "msg"),
    [
        ([], "pause", 500, "printer is stoped"),
        (["start"], "resume", 500, "printer is printing"),
        (["start", "pause"], "pause", 500, "printer is paused"),
        (["start"], "start", 500, "printer is printing"),
        (["start", "pause"], "start", 500, "printer is paused"),
        (["start", "complete"], "stop", 500, "printer show completed interface"),
        (["start", "power_loss"], "start", 500, "printer show powerloss interface"),
        (["start", "power_loss"], "resume", 500, "printer show powerloss interface"),
        ([], "recover", 10002, "no last job found"),
        (["start"], "recover", 500, "printer is printing"),
    ],
)
def test_job_control_refusals(printer, setup, action, code, msg):
    """Each job-control action in a state that forbids it gives the vendor's code and message."""
    steps = {
        "start": lambda: printer.start_job("Local/benchy.gcode"),
        "pause": printer.pause,
        "resume": printer.resume,
        "stop": printer.stop,
        "recover": printer.recover,
        "power_loss": printer.power_loss,
        "complete": lambda: printer.clock.advance(1000),
    }
    for step in setup:
        steps[step]()
    with pytest.raises(ApiFailure) as caught:
        steps[action]()
    assert (caught.value.code, caught.value.msg) == (code, msg)


def test_power_loss_then_recover_resumes_the_same_job(printer):
    """A power loss kills tokens and interrupts the job; recover resumes it with its id."""
    token = printer.login(sign(printer.password, "1"), "1")
    job_id = printer.start_job("Local/benchy.gcode")
    printer.clock.advance(300)
    printer.power_loss()
    assert not printer.check_token(token)
    assert (printer.job_status, printer.running_status, printer.has_last_job) == (
        "stopped",
        "idle",
        True,
    )
    printer.clock.advance(50)
    printer.recover()
    assert (printer.job_id, printer.job_status, printer.printed_time) == (job_id, "running", 300)
    printer.clock.advance(700)
    assert printer.job_status == "completed"
    assert [(t.previous, t.current) for t in printer.transitions][-3:] == [
        ("running", "stopped"),
        ("stopped", "running"),
        ("running", "completed"),
    ]


def test_reboot_and_expire_tokens_keep_the_job(printer):
    """A reboot or expire_tokens invalidates tokens but keeps the running job."""
    printer.start_job("Local/benchy.gcode")
    for invalidate in (printer.reboot, printer.expire_tokens):
        token = printer.login(sign(printer.password, "5"), "5")
        invalidate()
        assert not printer.check_token(token)
        assert printer.job_status == "running"


def test_tokens_expire_after_their_lifetime():
    """A token is valid until token_lifetime simulated seconds have passed."""
    printer = SimulatedPrinter(clock=ManualClock(), token_lifetime=100)
    token = printer.login(sign("123456", "9"), "9")
    assert re.fullmatch(r"[0-9a-f]{32}", token)
    printer.clock.advance(99)
    assert printer.check_token(token)
    printer.clock.advance(1)
    assert not printer.check_token(token)


def test_a_wrong_signature_is_refused(printer):
    """A signature made with another password gives 10000."""
    with pytest.raises(ApiFailure) as caught:
        printer.login(sign("wrong", "1"), "1")
    assert (caught.value.code, caught.value.msg) == (10000, "sign error or password error")


def test_temperatures_approach_their_targets(printer):
    """A nozzle heats toward its target and cools back to ambient when switched off."""
    printer.set_nozzle_temp(1, 200)
    printer.clock.advance(40)
    warm = printer.nozzle_info(1)["nozzle_cur_temp"]
    assert 100 < warm < 200
    printer.clock.advance(1000)
    assert printer.nozzle_info(1)["nozzle_cur_temp"] == 200
    printer.set_nozzle_temp(1, 0)
    printer.clock.advance(2000)
    assert printer.nozzle_info(1)["nozzle_cur_temp"] == 25


def test_a_one_nozzle_printer_has_no_right_nozzle():
    """Nozzle 2 gives 404 and the statistics omit printed_used_filament_1 on one nozzle."""
    printer = SimulatedPrinter(nozzles=1, clock=ManualClock())
    with pytest.raises(ApiFailure, match="no right nozzle"):
        printer.nozzle_info(2)
    assert "printed_used_filament_1" not in printer.statistics()
    assert printer.system_info()["nozzies_num"] == 1
    with pytest.raises(ValueError, match="nozzles"):
        SimulatedPrinter(nozzles=3)


def test_files_are_added_and_listed_directories_first(printer):
    """add_file creates directories; listing pages over directories then files."""
    printer.add_file("Local/parts/a/gear.gcode", total_time=50)
    listing = printer.list_files("Local", 0, 24)
    assert listing["dir_list"] == ["parts", "webapi_store"]
    assert [f["file_name"] for f in listing["file_list"]] == [
        "benchy.gcode",
        "calibration_cube.gcode",
    ]
    page = printer.list_files("Local/", 1, 2)
    assert page == {
        "dir_list": ["webapi_store"],
        "file_list": [{"data_path": "Local/benchy.data", "file_name": "benchy.gcode"}],
    }
    with pytest.raises(ValueError, match="Local"):
        printer.add_file("Other/x.gcode")
