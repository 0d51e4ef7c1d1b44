"""The printer-async command, end to end against the simulator over real loopback sockets."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner
from printer_async.cli import _app
from printer_async.cli._app import cli
from printer_async.simulator import ManualClock, SimulatedPrinter, serve_in_thread

SIM_PASSWORD = "s1m-access-pw"
ANSI = "\x1b["
SCRUBBED = ("PRINTER_ASYNC_PASSWORD", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


@pytest.fixture(name="clock")
def _clock():
    """A manual clock: the simulated job moves only when the test says."""
    return ManualClock()


@pytest.fixture(name="sim")
def _sim(clock):
    """A seeded two-nozzle simulated printer on the manual clock."""
    return SimulatedPrinter(password=SIM_PASSWORD, clock=clock, seed=11, name="bench")


@pytest.fixture(name="port")
def _port(sim):
    """The simulated printer's port, served from a background thread."""
    with serve_in_thread(sim) as server:
        yield server.endpoints[0].port


@pytest.fixture(name="run")
def _run(port):
    """Invoke the command against the simulated printer, the password in the environment."""
    runner = CliRunner()

    def run(*args, env=None, **options):
        environment = dict.fromkeys(SCRUBBED)
        environment["PRINTER_ASYNC_PASSWORD"] = SIM_PASSWORD
        environment.update(env or {})
        return runner.invoke(cli, [str(arg) for arg in args], env=environment, **options)

    return run


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(**extra):
    """The environment for a child ``python -m printer_async``: no password, no forced colour."""
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env.update(extra)
    return env


def wait_for_polls(sim, polls):
    """Block until the simulated printer has answered ``polls`` polls of the current job."""
    sim.faults.latency(0.001, count=polls + 1, path="/v1/job/currentjob")
    deadline = time.monotonic() + 10
    while len(sim.faults.fired) <= polls and time.monotonic() < deadline:
        time.sleep(0.005)


# -- the library stays light -----------------------------------------------------------------------


BLOCK_CLI_DEPENDENCIES = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"click", "rich", "uvicorn"}:
            raise ImportError(f"blocked {name}")

sys.meta_path.insert(0, Block())
"""


def test_the_library_works_without_the_cli_dependencies():
    """`import printer_async` (and its simulator) needs neither click, rich nor uvicorn."""
    code = BLOCK_CLI_DEPENDENCIES + (
        "import printer_async, printer_async.simulator\n"
        "printer_async.AsyncPrinter('127.0.0.1')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('click', 'rich', 'uvicorn'))))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert out.stdout.strip() == "[]"


def test_importing_the_library_does_not_import_the_command():
    """`import printer_async` loads neither the command's package nor uvicorn.

    (httpx itself imports click and rich for its own command when they are installed; the test
    above shows printer-async does not need them.)
    """
    code = (
        "import sys, printer_async; "
        "print(sorted(m for m in sys.modules if m.startswith(('uvicorn', 'printer_async.cli'))))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert out.stdout.strip() == "[]"


def test_the_command_says_which_extra_it_needs():
    """Without click, the command exits 1 saying to install the cli extra."""
    code = BLOCK_CLI_DEPENDENCIES + "from printer_async.cli import main\nsys.exit(main(['--help']))"
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=30
    )
    assert out.returncode == 1
    assert 'pip install "printer-async[cli]"' in out.stderr
    assert "Traceback" not in out.stderr


def test_help_lists_every_command_and_the_exit_codes():
    """`printer-async --help` names each command and documents the exit codes."""
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in (
        "demo",
        "status",
        "watch",
        "jobs",
        "stats",
        "print",
        "pause",
        "resume",
        "stop",
        "recover",
        "files",
        "upload",
        "fleet",
        "simulate",
    ):
        assert f"  {command} " in result.stdout
    assert "Exit codes:" in result.stdout
    assert "130  interrupted" in result.stdout


# -- the demo --------------------------------------------------------------------------------------


def test_demo_shows_every_transition_and_the_busy_backoff():
    """The demo watches a job through pause, resume, a busy spell and completion, and exits 0."""
    result = CliRunner().invoke(cli, ["demo", "--speed", "2400"], env=dict.fromkeys(SCRUBBED))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "initial   Local/benchy.gcode: running" in out
    assert "running -> paused" in out
    assert "paused -> running" in out
    assert "running -> completed" in out
    assert out.count(" is busy (10003 busy); polling again in ") == 4
    assert "answered again after 4 failed polls" in out
    assert "simulated printer's own log says running -> paused -> running -> completed" in out
    assert ANSI not in result.output


def test_demo_on_a_terminal_draws_a_live_bar():
    """On a terminal the demo redraws a rich progress bar and still ends with the summary."""
    result = CliRunner().invoke(
        cli, ["demo", "--speed", "2400"], env={**dict.fromkeys(SCRUBBED), "TTY_COMPATIBLE": "1"}
    )
    assert result.exit_code == 0, result.output
    assert ANSI in result.stdout
    assert "layer 240/240" in result.stdout
    assert "running -> completed" in result.stdout


def test_ctrl_c_ends_the_demo_with_130_and_no_traceback():
    """SIGINT in the middle of the demo exits 130 with one line and no traceback."""
    child = subprocess.Popen(
        [sys.executable, "-m", "printer_async", "demo", "--speed", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
    )
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if "initial" in line:
                break
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=15)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 130
    assert "Traceback" not in err
    assert err.strip() == "interrupted"


# -- errors ----------------------------------------------------------------------------------------


def test_a_wrong_password_exits_3_with_one_line_naming_the_setting(run, port):
    """A wrong access password exits 3 with one line that says where the password is set."""
    result = run("status", "127.0.0.1", "--port", port, "--password", "not-the-pw-42")
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "Access password" in lines[0]
    assert "not-the-pw-42" not in result.output
    assert "Traceback" not in result.output


def test_a_password_that_is_an_ordinary_word_is_not_revealed_by_redaction(run, port):
    """A wrong password like "wrong" leaves the message whole: no "[redacted]" marks its place."""
    result = run("status", "127.0.0.1", "--port", port, "--password", "wrong")
    assert result.exit_code == 3
    assert "[redacted]" not in result.output
    assert "refused the access password (10000 " in result.stderr


def test_an_unreachable_printer_exits_4_with_one_line():
    """A closed port exits 4 with one line saying what to check."""
    result = CliRunner().invoke(
        cli,
        ["status", "127.0.0.1", "--port", str(closed_port()), "--password", "pw", "--timeout", "2"],
        env=dict.fromkeys(SCRUBBED),
    )
    assert result.exit_code == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "could not connect" in lines[0]
    assert "check that the printer is on" in lines[0]


def test_without_a_password_or_a_terminal_it_is_a_usage_error():
    """No --password, no variable and no terminal: exit 2, saying how to give the password."""
    result = CliRunner().invoke(cli, ["status", "127.0.0.1"], env=dict.fromkeys(SCRUBBED))
    assert result.exit_code == 2
    assert "PRINTER_ASYNC_PASSWORD" in result.stderr


def test_on_a_terminal_the_password_is_asked_for_and_not_echoed(run, port, monkeypatch):
    """With neither --password nor the variable, a terminal user is asked, with no echo."""
    monkeypatch.setattr(_app, "_interactive", lambda: True)
    result = run(
        "stats",
        "127.0.0.1",
        "--port",
        port,
        "--json",
        env={"PRINTER_ASYNC_PASSWORD": None},
        input=f"{SIM_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Access password" in result.stderr
    assert SIM_PASSWORD not in result.output


def test_an_operation_the_state_forbids_exits_5(run, port):
    """Pausing with no job running exits 5 with the printer's reason."""
    result = run("pause", "127.0.0.1", "--port", port)
    assert result.exit_code == 5
    assert "printer is stoped" in result.stderr


def test_nothing_to_recover_exits_6(run, port):
    """`recover` with no interrupted job exits 6 (not found)."""
    result = run("recover", "127.0.0.1", "--port", port)
    assert result.exit_code == 6
    assert "no last job found" in result.stderr


def test_debug_logs_and_tracebacks_never_show_secrets(sim, port):
    """With --debug the logs and the traceback show neither the password nor any token."""
    env = subprocess_env(PRINTER_ASYNC_PASSWORD=SIM_PASSWORD)
    base = [sys.executable, "-m", "printer_async", "--debug"]
    good = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*base, "status", "127.0.0.1", "--port", str(port)],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    bad = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*base, "jobs", "127.0.0.1", "--port", str(port), "--password", "wr0ng-pw-77"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert "/job/currentjob" in good.stderr  # the debug log is there
    assert bad.returncode == 3
    assert "Traceback" in bad.stderr
    tokens = list(sim._auth.tokens)
    assert tokens
    for text in (good.stdout, good.stderr, bad.stdout, bad.stderr):
        assert SIM_PASSWORD not in text
        assert "wr0ng-pw-77" not in text
        for token in tokens:
            assert token not in text


# -- reading, as JSON and as text ------------------------------------------------------------------


def test_status_json(run, port, sim, clock):
    """`status --json` gives the running status, the job, both nozzles and the heatbed."""
    sim.start_job("Local/benchy.gcode")
    clock.advance(900)
    result = run("status", "127.0.0.1", "--port", port, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["running_status"] == "running"
    assert data["job"]["job_status"] == "running"
    assert data["job"]["file_name"] == "Local/benchy.gcode"
    assert data["job"]["print_progress"] == pytest.approx(25.0)
    assert data["job"]["remaining_time"] == 2700
    assert data["system"]["machine_name"] == "bench"
    assert len(data["nozzles"]) == 2
    assert "heatbed_cur_temp" in data["basic"]


def test_status_as_text_has_no_ansi_codes(run, port, sim, clock):
    """`status` into a pipe is plain text: the job and temperatures, no escape codes."""
    sim.start_job("Local/benchy.gcode")
    clock.advance(360)
    result = run("status", "127.0.0.1", "--port", port)
    assert result.exit_code == 0, result.output
    assert "Local/benchy.gcode running" in result.stdout
    assert "nozzle 2" in result.stdout
    assert ANSI not in result.output


def test_jobs_and_stats_json_after_a_print(run, port, sim, clock):
    """`jobs --json` and `stats --json` show a finished print."""
    sim.start_job("Local/benchy.gcode")
    clock.advance(3601)
    jobs = run("jobs", "127.0.0.1", "--port", port, "--json")
    stats = run("stats", "127.0.0.1", "--port", port, "--json")
    assert jobs.exit_code == 0, jobs.output
    assert stats.exit_code == 0, stats.output
    entries = json.loads(jobs.stdout)
    assert [entry["file_name"] for entry in entries] == ["Local/benchy.gcode"]
    totals = json.loads(stats.stdout)
    assert totals["printed_file_num"] == 1
    assert totals["printed_total_time"] == 3600


def test_jobs_as_a_table(run, port, sim, clock):
    """`jobs` prints the history as a table."""
    sim.start_job("Local/calibration_cube.gcode")
    clock.advance(3601)
    result = run("jobs", "127.0.0.1", "--port", port)
    assert result.exit_code == 0, result.output
    assert "Local/calibration_cube.gcode" in result.stdout
    assert ANSI not in result.output


def test_files_json(run, port):
    """`files Local --json` lists the directory's sub-directories and files."""
    result = run("files", "127.0.0.1", "Local", "--port", port, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "webapi_store" in data["directories"]
    assert "benchy.gcode" in [entry["file_name"] for entry in data["files"]]


# -- doing -----------------------------------------------------------------------------------------


def test_print_pause_resume_stop(run, port, sim):
    """`print`, `pause`, `resume` and `stop` drive the job and say what they did."""
    assert run("print", "127.0.0.1", "Local/benchy.gcode", "--port", port).exit_code == 0
    assert sim.job_status == "running"
    assert run("pause", "127.0.0.1", "--port", port).exit_code == 0
    assert sim.job_status == "paused"
    assert run("resume", "127.0.0.1", "--port", port).exit_code == 0
    assert sim.job_status == "running"
    result = run("stop", "127.0.0.1", "--port", port)
    assert result.exit_code == 0
    assert sim.job_status == "stopped"
    assert result.stdout.strip() == f"stopped the job on 127.0.0.1:{port}"


def test_print_of_a_missing_file_exits_6(run, port):
    """Printing a file the printer does not have exits 6."""
    result = run("print", "127.0.0.1", "Local/nope.gcode", "--port", port)
    assert result.exit_code == 6
    assert "print file is not exist" in result.stderr


def test_upload_then_print(tmp_path, run, port, sim):
    """`upload FILE --dir` stores the file on the printer, whole; `print` then starts it."""
    source = tmp_path / "part.gcode"
    source.write_bytes(b"G28\n" * 5000)
    result = run("upload", "127.0.0.1", source, "--dir", "Local/webapi_store", "--port", port)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"uploaded {source} (20000 bytes) to Local/webapi_store/part.gcode on 127.0.0.1:{port}"
    )
    stored = sim.files["Local/webapi_store/part.gcode"]
    assert stored.size == 20000
    assert stored.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    result = run("print", "127.0.0.1", "Local/webapi_store/part.gcode", "--port", port)
    assert result.exit_code == 0, result.output
    assert sim.job_status == "running"


# -- watching --------------------------------------------------------------------------------------


def watch_in_background(sim, clock, action):
    """After two polls of a running job, apply ``action`` to the simulated printer."""

    def drive():
        wait_for_polls(sim, 2)
        action(sim, clock)

    thread = threading.Thread(target=drive, daemon=True)
    thread.start()
    return thread


def test_watch_exits_0_when_the_job_completes(run, port, sim, clock):
    """`watch` follows the job to completion and exits 0, one plain line per event."""
    sim.start_job("Local/benchy.gcode")
    thread = watch_in_background(sim, clock, lambda _sim, c: c.advance(3601))
    result = run("watch", "127.0.0.1", "--port", port, "--interval", "0.1")
    thread.join()
    assert result.exit_code == 0, result.output
    assert "initial   Local/benchy.gcode: running" in result.stdout
    assert "completed running -> completed" in result.stdout
    assert ANSI not in result.output


def test_watch_exits_7_when_the_job_is_stopped(run, port, sim, clock):
    """`watch` exits 7 when the job is stopped."""
    sim.start_job("Local/benchy.gcode")
    thread = watch_in_background(sim, clock, lambda s, _clock: s.stop())
    result = run("watch", "127.0.0.1", "--port", port, "--interval", "0.1")
    thread.join()
    assert result.exit_code == 7, result.output
    assert "stopped   running -> stopped" in result.stdout


# -- fleets ----------------------------------------------------------------------------------------


@pytest.fixture(name="fleet_file")
def _fleet_file(tmp_path):
    """Two simulated printers and one dead address in a fleet file."""
    first = SimulatedPrinter(password=SIM_PASSWORD, clock=ManualClock(), seed=1)
    second = SimulatedPrinter(password="other-pw", clock=ManualClock(), seed=2)
    first.start_job("Local/benchy.gcode")
    first.clock.advance(1800)
    with serve_in_thread(first, second) as server:
        one, two = server.endpoints
        path = tmp_path / "printers.toml"
        path.write_text(
            f"""
[defaults]
password_env = "PRINTER_ASYNC_PASSWORD"
timeout = 2

[[printer]]
name = "left-1"
host = "127.0.0.1"
port = {one.port}

[[printer]]
name = "left-2"
host = "127.0.0.1"
port = {two.port}
password = "other-pw"

[[printer]]
name = "dead"
host = "127.0.0.1"
port = {closed_port()}
""",
            encoding="utf-8",
        )
        yield path


def test_fleet_once_json_shows_the_dead_printer_offline_and_the_others_fine(fleet_file):
    """`fleet --once --json` reports each printer; a dead one is unreachable, not fatal."""
    env = {**dict.fromkeys(SCRUBBED), "PRINTER_ASYNC_PASSWORD": SIM_PASSWORD}
    result = CliRunner().invoke(cli, ["fleet", str(fleet_file), "--once", "--json"], env=env)
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)["printers"]}
    assert rows["left-1"]["online"] is True
    assert rows["left-1"]["status"] == "running"
    assert rows["left-1"]["print_progress"] == pytest.approx(50.0)
    assert rows["left-2"]["online"] is True
    assert rows["left-2"]["status"] == "idle"
    assert rows["dead"]["online"] is False
    assert rows["dead"]["status"] == "unreachable"
    assert "could not connect" in rows["dead"]["error"]


def test_fleet_once_prints_a_table(fleet_file):
    """`fleet --once` prints one table with every printer, without escape codes in a pipe."""
    env = {**dict.fromkeys(SCRUBBED), "PRINTER_ASYNC_PASSWORD": SIM_PASSWORD}
    result = CliRunner().invoke(cli, ["fleet", str(fleet_file), "--once"], env=env)
    assert result.exit_code == 0, result.output
    for text in ("left-1", "left-2", "dead", "unreachable", "50.0%"):
        assert text in result.stdout
    assert ANSI not in result.output


def test_a_bad_fleet_file_is_a_usage_error(tmp_path):
    """A fleet file without printers exits 2 with one line naming the file."""
    path = tmp_path / "empty.toml"
    path.write_text("[defaults]\nport = 10800\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["fleet", str(path), "--once"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {path}: expected one or more [[printer]] tables"
    ]


def test_fleet_live_in_a_pipe_prints_one_line_per_event(fleet_file):
    """The live fleet into a pipe prints plain lines per event, survives the dead printer."""
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "printer_async", "fleet", str(fleet_file), "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(PRINTER_ASYNC_PASSWORD=SIM_PASSWORD),
    )
    lines = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line)
            if sum(" initial " in seen for seen in lines) == 2:
                break
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=15)
    finally:
        child.kill()
        child.wait()
    text = "".join(lines)
    assert "dead unreachable" in text
    assert "left-1 initial   Local/benchy.gcode: running" in text
    assert "left-2 initial   the printer shows no job" in text
    assert ANSI not in text
    assert child.returncode == 130
    assert "Traceback" not in err


# -- the simulator command -------------------------------------------------------------------------


def test_simulate_is_a_command_like_the_others():
    """`simulate --help` is click's, under this command's name; a bad option exits 2."""
    result = CliRunner().invoke(cli, ["simulate", "--help"], prog_name="printer-async")
    assert result.exit_code == 0
    assert "Usage: printer-async simulate [OPTIONS]" in result.stdout
    assert "--fault" in result.stdout
    bad = CliRunner().invoke(cli, ["simulate", "--no-such-option"], prog_name="printer-async")
    assert bad.exit_code == 2
    assert "Try 'printer-async simulate --help' for help." in bad.stderr


def test_a_host_with_a_port_in_it_is_a_usage_error():
    """'status printer:80' exits 2 and says to give the port with --port."""
    result = CliRunner().invoke(cli, ["status", "printer:80", "--password", "pw"])
    assert result.exit_code == 2
    assert "give it with --port, as in printer --port 80" in result.stderr
    assert "port=" not in result.output
