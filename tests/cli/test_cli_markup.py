"""Names as markup, on the paths tests/hardening/test_cli_text.py does not take.

There: status, files, jobs, watch, pause and `fleet --once`. Here: an upload's name in its bar
and its last line, the printer's words in a watch's back-off notes, and the log lines of the
exporter (and of --debug).
"""

from __future__ import annotations

import io
import logging

from click.testing import CliRunner
from printer_async import AsyncPrinter, PollReport, PrinterBusyError
from printer_async.cli._app import cli
from printer_async.cli._render import LiveJobView, PollReporter
from printer_async.cli._text import _TerminalFormatter
from printer_async.simulator import ManualClock, SimulatedPrinter, serve_in_thread
from rich.console import Console

MARKUP = "[bold]b[/bold][/x]"
TERMINAL = {
    "PRINTER_ASYNC_PASSWORD": "m4rkup-pw",
    "TTY_COMPATIBLE": "1",
    "TTY_INTERACTIVE": "0",
    "FORCE_COLOR": None,
    "NO_COLOR": None,
    "COLUMNS": "200",
}


def test_an_upload_shows_its_name_as_written_in_the_bar_and_the_last_line(tmp_path):
    """`upload --name '[bold]b[red]x[link=y].gcode'` on a terminal: shown as written, stored so."""
    sim = SimulatedPrinter(password=TERMINAL["PRINTER_ASYNC_PASSWORD"], clock=ManualClock())
    source = tmp_path / "part.gcode"
    source.write_bytes(b"G28\n" * 1000)
    name = "[bold]b[red]x[link=y].gcode"  # a name has no slash: no closing tag
    with serve_in_thread(sim, cameras=False) as server:
        port = server.endpoints[0].port
        result = CliRunner().invoke(
            cli,
            ["upload", "127.0.0.1", str(source), "--name", name, "--dir", "Local", "--port", port],
            env=TERMINAL,
        )
    assert result.exit_code == 0, result.output
    assert f"{name} " in result.stdout  # the bar's description
    assert f"to Local/{name} on 127.0.0.1:{port}" in result.stdout
    assert f"Local/{name}" in sim.files


def test_the_printers_busy_words_are_shown_as_written_in_a_note():
    """A busy answer whose message is markup and an escape: the note shows it written out."""
    console = Console(width=200, record=True, file=io.StringIO(), force_terminal=True)
    printer = AsyncPrinter("127.0.0.1", port=10801)
    busy = PrinterBusyError("busy", code=10003, msg=f"{MARKUP}\x1b[2J", endpoint="/job/currentjob")
    report = PollReport(
        job=None, error=busy, duration=0.1, delay=1.0, backoff=True, printer=printer
    )
    PollReporter(LiveJobView(console))(report)
    text = console.export_text()
    assert f"is busy (10003 {MARKUP}\\x1b[2J); polling again in 1.0 s" in text


def test_log_lines_show_printer_text_written_out_line_by_line():
    """The command's log lines: escapes written out, a traceback's lines kept."""
    formatter = _TerminalFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord(
        "printer_async",
        logging.WARNING,
        __file__,
        1,
        "printer %s offline",
        (f"{MARKUP}\x1b[2J",),
        None,
    )
    assert formatter.format(record) == f"WARNING printer {MARKUP}\\x1b[2J offline"
    try:
        raise ValueError("boom")  # noqa: TRY301 - a traceback to format
    except ValueError:
        import sys  # noqa: PLC0415

        record.exc_info = sys.exc_info()
    lines = formatter.format(record).split("\n")
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: boom"
