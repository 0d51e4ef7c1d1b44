"""A terminal that never garbles: the live views at 80 and 120 columns, and in a real pty.

The bar, the notes above it and the fleet table keep to the terminal's width: one line each,
words whole, what does not fit left out or cut with an ellipsis, never wrapped mid-word by the
terminal; whatever is printed after a live display (a summary, "uploaded ...") comes below its
last state, once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pyte
import pytest
from click.testing import CliRunner
from printer_async import (
    AsyncPrinter,
    EventKind,
    JobEvent,
    JobStatus,
    PollReport,
    PrinterBusyError,
    PrinterConnectionError,
)
from printer_async.cli._app import cli
from printer_async.cli._render import FleetBoard, LiveJobView, PollReporter
from printer_async.simulator import ManualClock, SimulatedPrinter, serve_in_thread
from rich.console import Console

from _support import make_job

WIDTHS = [80, 120]
NAME = "Local/webapi_store/[bold]a_rather_long_file_name_for_a_part_v2_final[red].gcode"
PRINTER = AsyncPrinter("127.0.0.1", port=10801)
TERMINAL = {
    "PRINTER_ASYNC_PASSWORD": "t3rm-pw",
    "TTY_COMPATIBLE": "1",
    "TTY_INTERACTIVE": "0",
    "FORCE_COLOR": None,
    "NO_COLOR": None,
    "TERM": "xterm-256color",
}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def console(width):
    """A recording console of ``width`` columns that takes itself for a terminal."""
    return Console(width=width, record=True, file=io.StringIO(), force_terminal=True)


def lines(recording):
    """The non-empty lines a recording console shows."""
    return [line.rstrip() for line in recording.export_text().splitlines() if line.strip()]


def event(kind, job=None, **fields):
    """An event of the watched printer."""
    current = None if job is None else job.job_status
    return JobEvent(
        kind=kind,
        previous=JobStatus.RUNNING,
        current=current,
        job=job,
        observed_at=dt.datetime.now(dt.UTC),
        printer=PRINTER,
        **fields,
    )


def bar(view, width):
    """The bar as it is drawn now, ``width`` columns wide."""
    drawn = console(width)
    drawn.print(view._progress.get_renderable())
    return lines(drawn)


RUNNING = make_job(
    file_name=NAME, print_progress=45.5, printed_layer=40, total_layer=100, printed_time=3000
)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_watch_bar_is_one_line_with_its_percentage_at_any_width(width):
    """The bar fits one line: the name cut with an ellipsis, the percentage and status kept."""
    recording = console(width)
    view = LiveJobView(recording)
    view.event(event(EventKind.PROGRESS, RUNNING))
    [line] = bar(view, width)
    assert len(line) <= width
    assert line.startswith("[bold]a_rather")  # the name alone, shown as written
    assert "…" in line
    assert " 45.5% " in line
    assert line.endswith("running")
    assert ("layer 40/100" in line) is (width >= 90)
    assert ("elapsed 50:00" in line) is (width >= 110)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_bar_keeps_its_percentage_during_back_off_and_says_offline(width):
    """Busy: "running (busy)" and the percentage; offline: "offline", not "backing off"."""
    recording = console(width)
    view = LiveJobView(recording)
    reporter = PollReporter(view, offline_after=30)
    view.event(event(EventKind.PROGRESS, RUNNING))
    busy = PrinterBusyError("busy", code=10003, msg="busy", endpoint="/job/currentjob")
    reporter(
        PollReport(job=None, error=busy, duration=0.1, delay=2.5, backoff=True, printer=PRINTER)
    )
    [line] = bar(view, width)
    assert " 45.5% " in line
    assert line.endswith("running (busy)")
    view.event(event(EventKind.OFFLINE, error=PrinterConnectionError("no answer")))
    reporter(
        PollReport(job=None, error=busy, duration=0.1, delay=40, backoff=True, printer=PRINTER)
    )
    [line] = bar(view, width)
    assert " 45.5% " in line
    assert line.endswith(" offline")
    view.event(event(EventKind.ONLINE))
    assert bar(view, width)[0].endswith(" running")


def test_a_failed_poll_names_the_printer_the_cause_and_the_next_poll():
    """No answer: the address, the library's cause, when the next poll is, when offline comes."""
    recording = console(400)
    view = LiveJobView(recording)
    reporter = PollReporter(view, offline_after=30)
    failure = PrinterConnectionError(
        "GET /job/currentjob to 127.0.0.1:10801: could not connect (refused); check that ..."
    )
    for delay in (1.5, 3.25):
        reporter(
            PollReport(
                job=None, error=failure, duration=0.1, delay=delay, backoff=True, printer=PRINTER
            )
        )
    reporter(
        PollReport(job=RUNNING, error=None, duration=0.1, delay=5.0, backoff=False, printer=PRINTER)
    )
    first, second, back = (line.split(" ", 1)[1] for line in lines(recording))
    assert first.startswith("127.0.0.1:10801 did not answer: GET /job/currentjob to 127.0.0.1")
    assert first.endswith("; polling again in 1.5 s (offline after 30 s without an answer)")
    assert second == "still no answer from 127.0.0.1:10801 (2 polls); polling again in 3.2 s"
    assert back.startswith("127.0.0.1:10801 answered again after 2 failed polls")
    assert reporter.failed_polls == 2
    assert reporter.spells == 1


@pytest.mark.parametrize("width", WIDTHS)
def test_notes_wrap_between_words(width):
    """A note longer than the terminal wraps at spaces: the words are the note's, whole."""
    recording = console(width)
    view = LiveJobView(recording)
    text = (
        "127.0.0.1:10801 answered again after 4 failed polls; the watch waited 0.07, 0.17, "
        "0.11, 0.24 s before each retry; back to the normal schedule (a poll every 5.00 s)"
    )
    view.note(text)
    shown = lines(recording)
    assert len(shown) > 1
    assert all(len(line) <= width for line in shown)
    assert " ".join(" ".join(shown).split()[1:]) == text


def fleet_board():
    """A fleet with a long file name, a long printer name, a dead and an idle printer."""
    board = FleetBoard(
        [(name, "127.0.0.1:1") for name in ("left-1", "a-much-longer-printer-name-7", "dead")]
    )
    board.job("left-1", make_job(file_name=NAME, print_progress=45.5, printed_time=3000))
    board.job(
        "a-much-longer-printer-name-7",
        make_job(file_name="Local/benchy.gcode", total_time=3600000, total_layer=0),
    )
    failure = PrinterConnectionError("GET /job/currentjob to 127.0.0.1:1: could not connect")
    board.failure("dead", failure)
    return board


@pytest.mark.parametrize("width", WIDTHS)
def test_the_fleet_table_keeps_one_line_per_printer_and_the_end_of_file_names(width):
    """Rows never wrap; a long path loses its start (the file's name stays), an error its end."""
    recording = console(width)
    recording.print(fleet_board().table())
    shown = lines(recording)
    assert len(shown) == 3 + 3  # the title, the header and its rule, a line per printer
    assert all(len(line) <= width for line in shown)
    rows = {line.split()[0]: line for line in shown if line.split()[0] in {"left-1", "dead"}}
    assert re.search(r" …\S*\.gcode ", rows["left-1"])  # the path's end, after an ellipsis
    assert ("v2_final[red].gcode " in rows["left-1"]) is (width == 120)
    assert "45.5%" in rows["left-1"]
    assert "estimating…" in " ".join(shown)
    assert "unreachable" in rows["dead"]


def test_fleet_help_shows_its_toml_example_as_lines():
    """`fleet --help`: the example keeps its lines, and no marker shows."""
    text = CliRunner().invoke(cli, ["fleet", "--help"]).stdout
    assert '  [[printer]]\n  name = "left-1"\n  host = "192.168.0.57"\n' in text
    assert "\\b" not in text
    assert "\b" not in text


# -- what is printed after a live display --------------------------------------------------


@pytest.fixture(name="port")
def _port():
    """A simulated printer's port, served from a thread."""
    sim = SimulatedPrinter(password=TERMINAL["PRINTER_ASYNC_PASSWORD"], clock=ManualClock())
    with serve_in_thread(sim, cameras=False) as server:
        yield server.endpoints[0].port


def test_upload_prints_its_line_below_the_last_bar_once(port, tmp_path):
    """On a terminal: the bar, then "uploaded ..." on a line of its own; no bar after it."""
    source = tmp_path / "part.gcode"
    source.write_bytes(b"G1 X1\n" * 100_000)
    result = CliRunner().invoke(
        cli, ["upload", "127.0.0.1", str(source), "--port", str(port)], env=TERMINAL
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    done = out.index("uploaded ")
    assert out.rindex("━") < done
    assert out[done - 1] == "\n"
    assert "━" not in out[done:]
    assert " ".join(out[done:].split()).endswith(
        f"to Local/webapi_store/part.gcode on 127.0.0.1:{port}"
    )


def test_the_demo_prints_its_summary_after_its_last_bar():
    """On a terminal the demo's summary is the last thing: no bar is drawn after it."""
    result = CliRunner().invoke(cli, ["demo", "--speed", "2400"], env=TERMINAL)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.rindex("━") < out.index("demo: done in")


def run_in_pty(args, *, width, timeout=60.0):
    """Run ``python -m printer_async ARGS`` in a pseudo-terminal; its exit code and bytes."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, width, 0, 0))
    env = {key: value for key, value in os.environ.items() if key not in TERMINAL}
    env.update(TERM="xterm-256color", COLUMNS=str(width), LINES="50")
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "printer_async", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                data += chunk
            elif child.poll() is not None:
                break
    finally:
        child.kill()
        child.wait()
        os.close(leader)
    return child.returncode, data


def test_the_demo_in_a_real_80_column_terminal():
    """In a pty: no line wider than the screen, the summary last, below the finished bar.

    A line wider than the screen is one the terminal itself would break, mid-word.
    """
    code, data = run_in_pty(["demo", "--speed", "1200"], width=80)
    text = data.decode()
    assert code == 0, text
    for line in re.split(r"\r\n|\n|\r", ANSI.sub("", text)):
        assert len(line) <= 80, line
    screen = pyte.Screen(80, 50)
    pyte.ByteStream(screen).feed(data)
    shown = [line.rstrip() for line in screen.display if line.strip()]
    summary = next(i for i, line in enumerate(shown) if "demo: done in" in line)
    assert shown[summary - 1].startswith("benchy.gcode ━━━")
    assert "100.0%" in shown[summary - 1]
    assert shown[-1].endswith("polls were ridden out with back-off.")
    assert "━" not in "".join(shown[summary:])
