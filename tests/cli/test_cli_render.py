"""What the command line shows for a job: no made-up times, unknown statuses in its own word."""

import datetime as dt
import io

from printer_async import AsyncPrinter, EventKind, JobEvent, JobStatus
from printer_async.cli._render import LiveJobView, PlainJobView, describe_event, make_console

from _support import make_job

NOW = dt.datetime(2024, 6, 8, 15, 18, 4, tzinfo=dt.UTC)


def _job(**changes):
    """A job that has just started: the printer has no estimate yet (placeholder totals)."""
    return make_job(
        **{
            "file_name": "Local/benchy.gcode",
            "total_layer": 0,
            "printed_time": 14,
            "total_time": 3600000,
        }
        | changes
    )


def _event(job, kind=EventKind.INITIAL, previous=None):
    return JobEvent(
        kind=kind,
        previous=previous,
        current=job.job_status if job.has_job else None,
        job=job,
        observed_at=NOW,
        printer=AsyncPrinter("127.0.0.1", name="left-1"),
    )


def test_the_live_bar_says_estimating_until_the_printer_has_an_estimate():
    """The watch bar reads "estimating…" for placeholder totals, then the time left."""
    console = make_console()
    console.file = io.StringIO()
    view = LiveJobView(console)
    view.event(_event(_job()))
    [task] = view._progress.tasks
    assert task.fields["left"] == "estimating…"
    assert task.fields["layer"] == "0/?"
    view.event(_event(_job(total_layer=43, total_time=3689, printed_time=444), EventKind.PROGRESS))
    assert task.fields["left"] == "left 54:05"
    assert task.fields["layer"] == "0/43"


def test_the_live_bar_shows_nothing_left_for_no_job():
    """With no job loaded, the time-left column is empty, not 1000:00:00."""
    console = make_console()
    console.file = io.StringIO()
    view = LiveJobView(console)
    view.event(_event(_job(file_name="", job_id="", printed_time=0)))
    [task] = view._progress.tasks
    assert task.fields["left"] == ""
    assert task.fields["status"] == "no job"


def test_a_progress_line_never_shows_the_placeholder_as_time_left():
    """A plain progress line for a job just started says "estimating…", not "left 999:59:46"."""
    out = io.StringIO()
    PlainJobView(out).event(_event(_job(), EventKind.PROGRESS, previous=JobStatus.RUNNING))
    line = out.getvalue()
    assert "estimating…" in line
    assert "999:" not in line
    assert "1000:" not in line


def test_an_unknown_status_is_shown_in_the_printers_word():
    """A change to a status this version does not know shows the word the printer sent."""
    job = _job(job_status=JobStatus.UNKNOWN, raw_job_status="warming", total_layer=43)
    text = describe_event(_event(job, EventKind.CHANGED, previous=JobStatus.RUNNING))
    assert "running -> unknown" in text
    assert "'warming'" in text
