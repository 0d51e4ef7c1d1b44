"""The command under what a shell does to it: Ctrl-C, a reader that goes away, plain terminals.

Ctrl-C ends every command with 130 and the one line "interrupted"; a standard output closed
early (``| head -1``) ends it quietly with 141, as it ends ``cat`` or ``git``; ``NO_COLOR``,
``TERM=dumb`` and terminals that are not UTF-8 get output they can show.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from printer_async.cli._app import cli
from printer_async.simulator import ManualClock, SimulatedPrinter, serve_in_thread

PASSWORD = "env1r0n-pw"
SCRUBBED = (
    "PRINTER_ASYNC_PASSWORD",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "NO_COLOR",
)
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-9]|38;[0-9;]+)m")


@pytest.fixture(name="sim")
def _sim():
    """A simulated printer named "café", its job just started (no estimate yet)."""
    sim = SimulatedPrinter(password=PASSWORD, clock=ManualClock(), name="café", seed=5)
    sim.start_job("Local/benchy.gcode")
    return sim


@pytest.fixture(name="port")
def _port(sim):
    """The simulated printer's port, served from a thread."""
    with serve_in_thread(sim, cameras=False) as server:
        yield server.endpoints[0].port


def child(*args, **env):
    """`python -m printer_async ARGS` in a child process with pipes, the password set."""
    environment = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    environment.update(PRINTER_ASYNC_PASSWORD=PASSWORD, **env)
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "printer_async", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def interrupt(process, started):
    """Once ``started()`` holds, send SIGINT; the exit code and standard error."""
    deadline = time.monotonic() + 20
    while not started() and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=20)
    finally:
        process.kill()
        process.wait()
    return process.returncode, err


def test_ctrl_c_ends_watch_with_130_and_one_line(port, sim):
    """SIGINT while `watch` follows a job: 130, "interrupted", no traceback."""
    process = child("watch", "127.0.0.1", "--port", port, "--interval", "0.1")
    line = process.stdout.readline()
    assert "initial   Local/benchy.gcode: running" in line
    code, err = interrupt(process, lambda: True)
    assert (code, err) == (130, "interrupted\n")


def test_ctrl_c_ends_an_upload_under_way_with_130_and_one_line(port, sim, tmp_path):
    """SIGINT while the printer takes its time over an upload: 130, "interrupted"."""
    source = tmp_path / "part.gcode"
    source.write_bytes(b"G28\n" * 1000)
    sim.faults.latency(30, path="/v1/fileops/upload")
    process = child("upload", "127.0.0.1", source, "--port", port)
    code, err = interrupt(process, lambda: bool(sim.faults.fired))
    assert (code, err) == (130, "interrupted\n")


def test_a_closed_standard_output_ends_the_command_quietly_with_141():
    """`printer-async demo | head -1`: the reader goes, the demo ends with 141 and nothing said."""
    process = child("demo", "--speed", "300")
    first = process.stdout.readline()
    process.stdout.close()  # what `head -1` does after its line
    try:
        err = process.stderr.read()
        code = process.wait(timeout=30)
    finally:
        process.kill()
        process.wait()
        process.stderr.close()
    assert "demo: a simulated Raise3D printer listens on" in first
    assert (code, err) == (141, "")


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "LANG": "C"}],
    ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"],
)
def test_a_terminal_that_is_not_utf8_gets_what_it_can_show(port, env, tmp_path):
    """Degrees, "estimating…" and a printer's "é": ASCII stand-ins or escapes, never a crash."""
    status = child("status", "127.0.0.1", "--port", port, **env)
    out, err = status.communicate(timeout=30)
    assert (status.returncode, err) == (0, ""), err
    fleet_file = tmp_path / "printers.toml"
    fleet_file.write_text(
        f'[[printer]]\nname = "café"\nhost = "127.0.0.1"\nport = {port}\n'
        'password_env = "PRINTER_ASYNC_PASSWORD"\n',
        encoding="utf-8",
    )
    fleet = child("fleet", fleet_file, "--once", **env)
    table, err = fleet.communicate(timeout=30)
    assert (fleet.returncode, err) == (0, ""), err
    if "PYTHONIOENCODING" in env:
        assert out.isascii()
        assert table.isascii()
        assert "caf\\xe9 (Raise3D Pro2)" in out
        assert " C (target " in out
        assert "estimating..." in table
    else:  # Python reads the C locale as UTF-8 (PEP 538, 540)
        assert "café (Raise3D Pro2)" in out
        assert " °C (target " in out
        assert "estimating…" in table


def test_no_color_keeps_the_live_bar_without_colours():
    """NO_COLOR on a terminal: the bar still redraws in place, in no colour."""
    env = {**dict.fromkeys(SCRUBBED), "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}
    result = CliRunner().invoke(cli, ["demo", "--speed", "2400"], env=env)
    assert result.exit_code == 0, result.output
    assert "\x1b[2K" in result.stdout  # the bar's line is cleared and redrawn
    assert not COLOUR.search(result.stdout)


def test_a_dumb_terminal_gets_plain_lines():
    """TERM=dumb cannot move its cursor: one plain line per event, no escape codes."""
    env = {**dict.fromkeys(SCRUBBED), "TTY_COMPATIBLE": "1", "TERM": "dumb"}
    result = CliRunner().invoke(cli, ["demo", "--speed", "2400"], env=env)
    assert result.exit_code == 0, result.output
    assert "running -> completed" in result.stdout
    assert "\x1b[" not in result.stdout
