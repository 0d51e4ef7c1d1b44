"""Output of the printer-async command: rich on a terminal, plain lines elsewhere, JSON on demand.

Two views show a watched job. On a terminal, :class:`LiveJobView` draws one rich progress bar
that redraws in place, with each event printed above it. Anywhere else (a pipe, a file, CI),
:class:`PlainJobView` writes one plain line per event: no ANSI codes, no redraw. The choice follows
``rich.console.Console.is_terminal``, which honours ``NO_COLOR``, ``FORCE_COLOR`` and
``TTY_COMPATIBLE``.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from typing import TYPE_CHECKING, Any, Final, Protocol, Self, TextIO

import attrs
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from printer_async._errors import (
    AuthenticationError,
    PrinterBusyError,
    PrinterConnectionError,
    PrinterError,
)
from printer_async._models import CurrentJob, JobStatus, RunningStatus
from printer_async._watch import EventKind
from printer_async.cli._text import cell, markup_literal, terminal_text

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import TracebackType

    from printer_async._watch import JobEvent

__all__ = [
    "LiveJobView",
    "PlainJobView",
    "PollReporter",
    "describe_event",
    "format_duration",
    "job_summary",
    "jsonable",
    "make_console",
    "make_job_view",
    "print_json",
    "status_word",
]


def make_console(*, stderr: bool = False) -> Console:
    """A console on standard output (or error) that decides by itself whether it is a terminal.

    ``soft_wrap`` keeps a long line on one line when the output goes to a file or a pipe.
    """
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


# -- JSON ------------------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Turn models into JSON values: attrs classes into dicts, enums into their strings.

    Fields kept out of ``repr`` (the camera password) are left out here too. A
    :class:`CurrentJob` also gets its ``remaining_time`` (``null`` without an estimate),
    ``estimate_known`` and ``has_job``.
    """
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if attrs.has(type(value)):
        out = {
            field.name: jsonable(getattr(value, field.name))
            for field in attrs.fields(type(value))
            if field.repr is not False
        }
        if isinstance(value, CurrentJob):
            out["remaining_time"] = value.remaining_time  # null while there is no estimate
            out["estimate_known"] = value.estimate_known
            out["has_job"] = value.has_job
        return out
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def print_json(value: Any, *, out: TextIO | None = None) -> None:
    """Write ``value`` as indented JSON and a newline, never with colour codes."""
    stream = sys.stdout if out is None else out
    stream.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")
    stream.flush()


# -- words -----------------------------------------------------------------------------------------


def format_duration(seconds: float) -> str:
    """``3725`` -> ``1:02:05``; ``65`` -> ``1:05``."""
    total = max(round(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


ESTIMATING: Final = "estimating…"
"""Shown instead of the time left while the printer has no estimate (never ``1000:00:00``)."""


def remaining_text(job: CurrentJob) -> str:
    """``left 1:02:05``; ``estimating…`` while the printer has no estimate; ``""`` with no job."""
    if not job.has_job:
        return ""
    remaining = job.remaining_time
    return ESTIMATING if remaining is None else f"left {format_duration(remaining)}"


def layers_text(job: CurrentJob) -> str:
    """``12/470``, or ``12/?`` while the printer has not counted the layers yet."""
    return f"{job.printed_layer}/{job.total_layer or '?'}"


def status_word(status: JobStatus | RunningStatus, raw: str) -> str:
    """A status as a word; an unknown one with the printer's own: ``unknown (heating)``."""
    return f"{status} ({raw})" if status.name == "UNKNOWN" else str(status)


def job_summary(job: CurrentJob) -> str:
    """Progress, layers, elapsed and remaining time of a job in one phrase."""
    return (
        f"{job.print_progress:5.1f}%  layer {layers_text(job)}  "
        f"elapsed {format_duration(job.printed_time)}  {remaining_text(job)}"
    )


def _status(status: object) -> str:
    return "no job" if status is None else str(status)


def describe_event(event: JobEvent) -> str:
    """One line saying what an event means, with the transition it reports."""
    arrow = f"{_status(event.previous)} -> {_status(event.current)}"
    job = event.job
    name = job.file_name if job is not None and job.has_job else ""
    kind = event.kind
    if kind is EventKind.INITIAL:
        text = f"{name}: {_status(event.current)}" if name else "the printer shows no job"
    elif kind is EventKind.PROGRESS and job is not None:
        text = job_summary(job)
    elif kind is EventKind.OFFLINE:
        text = f"printer offline ({event.error}); still trying"
    elif kind is EventKind.ONLINE:
        text = "printer back online"
    elif kind is EventKind.ERROR:
        text = f"watch ended: {event.error}"
    elif kind in {EventKind.STARTED, EventKind.NEW_JOB}:
        text = f"{name or 'no job'} ({arrow})"
    else:
        text = arrow
        if job is not None and job.has_job:
            text += f" at {job.print_progress:.1f}% (layer {layers_text(job)})"
            if job.job_status is JobStatus.UNKNOWN:
                text += f" (the printer says {job.raw_job_status!r})"
    if event.may_have_missed:
        text += " (the printer was not seen for a while: a state in between may have been missed)"
    return f"{kind.value:<9} {text}"


# -- job views -------------------------------------------------------------------------------------


class JobView(Protocol):
    """What the watch and demo commands show: events, notes, and the job's progress."""

    progress_step: float
    """The ``progress_step`` to watch with: every poll for a bar, every 10 % for lines."""

    def note(self, text: str, *, style: str = "") -> None:
        """Print a line that is not an event (the demo's narration, back-off)."""

    def event(self, event: JobEvent) -> None:
        """Show an event."""

    def busy(self, text: str | None) -> None:
        """Show (or with ``None`` clear) a back-off in progress."""


def _clock() -> str:
    return dt.datetime.now().astimezone().strftime("%H:%M:%S")


class PlainJobView:
    """One plain line per event or note, with the local time: for pipes, files and CI logs."""

    progress_step: float = 10.0

    def __init__(self, out: TextIO | None = None) -> None:
        self._out = sys.stdout if out is None else out

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._out.flush()

    def note(self, text: str, *, style: str = "") -> None:  # noqa: ARG002 - no styles in plain text
        """Write a line."""
        self._out.write(f"{_clock()} {terminal_text(text)}\n")
        self._out.flush()

    def event(self, event: JobEvent) -> None:
        """Write the event's line."""
        self.note(describe_event(event))

    def busy(self, text: str | None) -> None:
        """Nothing to redraw: back-off is reported by :class:`PollReporter`'s notes."""


_EVENT_STYLES = {
    EventKind.PAUSED: "yellow",
    EventKind.RESUMED: "green",
    EventKind.STARTED: "green",
    EventKind.COMPLETED: "bold green",
    EventKind.STOPPED: "bold red",
    EventKind.OFFLINE: "red",
    EventKind.ONLINE: "green",
    EventKind.ERROR: "bold red",
}


class LiveJobView:
    """A rich progress bar redrawn in place, with events and notes printed above it."""

    progress_step: float = 0.0

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TextColumn("layer {task.fields[layer]}"),
            TextColumn("elapsed {task.fields[elapsed]}"),
            TextColumn("{task.fields[left]}"),
            TextColumn("{task.fields[status]}"),
            console=console,
            refresh_per_second=10,
        )
        self._task: TaskID | None = None
        self._job: CurrentJob | None = None
        self._busy: str | None = None

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def note(self, text: str, *, style: str = "") -> None:
        """Print a line above the bar."""
        # One print call: the live display redraws after each.
        self._progress.console.print(Text.assemble((_clock(), "dim"), " ", cell(text, style=style)))

    def event(self, event: JobEvent) -> None:
        """Update the bar, and print the event unless it is only progress."""
        if event.job is not None:
            self._job = event.job
        self._redraw()
        if event.kind is not EventKind.PROGRESS:
            self.note(describe_event(event), style=_EVENT_STYLES.get(event.kind, ""))

    def busy(self, text: str | None) -> None:
        """Show a back-off in the bar's status column."""
        self._busy = text
        self._redraw()

    def _redraw(self) -> None:
        job = self._job
        if job is None:
            return
        status = status_word(job.job_status, job.raw_job_status) if job.has_job else "no job"
        if self._busy:
            status = f"{status} ({self._busy})"
        # The columns are markup templates: the printer's words go in escaped.
        fields: dict[str, Any] = {
            "layer": layers_text(job),
            "elapsed": format_duration(job.printed_time),
            "left": remaining_text(job),
            "status": markup_literal(status),
        }
        name = markup_literal(job.file_name or "no job")
        if self._task is None:
            self._task = self._progress.add_task(name, total=100.0, **fields)
        self._progress.update(self._task, description=name, completed=job.print_progress, **fields)


def make_job_view(console: Console) -> LiveJobView | PlainJobView:
    """A live bar on a terminal, plain lines otherwise."""
    if console.is_terminal:
        return LiveJobView(console)
    return PlainJobView()


class PollReporter:
    """Wraps a watch's poll to show failed polls and the back-off between them, as they happen.

    The watch (:func:`printer_async._watch.watch_jobs`) decides the delays; this only observes
    them: it notes each failed poll when it fails, and when the printer answers again, how many
    polls failed and how long the watch waited before each retry.
    """

    def __init__(
        self,
        poll: Callable[[], Awaitable[CurrentJob]],
        view: JobView,
        *,
        clock: Callable[[], float],
    ) -> None:
        self._poll = poll
        self._view = view
        self._clock = clock
        self._failed_at: list[float] = []
        self._waits: list[float] = []
        self.failed_polls = 0
        """Every failed poll of the watch."""
        self.spells = 0
        """Runs of failed polls that ended with a good answer."""

    async def __call__(self) -> CurrentJob:
        """Poll once through the wrapped poll."""
        started = self._clock()
        if self._failed_at:
            self._waits.append(started - self._failed_at[-1])
        try:
            job = await self._poll()
        except AuthenticationError:
            raise  # the watch ends on it: nothing to back off from
        except PrinterBusyError as exc:
            self._failed(started, f"printer busy ({exc.code} {exc.msg}): backing off")
            raise
        except PrinterConnectionError:
            self._failed(started, "printer did not answer: backing off")
            raise
        except PrinterError as exc:
            self._failed(started, f"unexpected answer ({type(exc).__name__}): backing off")
            raise
        if self._failed_at:
            waits = ", ".join(f"{wait:.2f}" for wait in self._waits)
            count = len(self._failed_at)
            self._view.note(
                f"printer answered again after {count} failed poll{'s' * (count != 1)}; "
                f"the watch waited {waits} s before each retry; back to the normal schedule",
                style="green",
            )
            self._view.busy(None)
            self._failed_at.clear()
            self._waits.clear()
            self.spells += 1
        return job

    def _failed(self, started: float, text: str) -> None:
        self._failed_at.append(started)
        self.failed_polls += 1
        self._view.note(text, style="yellow")
        self._view.busy("busy: backing off" if "busy" in text else "backing off")


def key_value_table(rows: list[tuple[str, str]], *, title: str | None = None) -> Table:
    """A two-column table of names and values (the values shown as written, never as markup)."""
    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows:
        table.add_row(key, cell(value))
    return table


# -- fleet -----------------------------------------------------------------------------------------


@attrs.define
class _Row:
    """What the fleet table shows for one printer."""

    name: str
    address: str
    status: str = "..."
    file: str = ""
    progress: float | None = None
    remaining: int | None = None
    estimating: bool = False
    """A job is loaded but the printer has no estimate yet."""
    last_event: str = ""
    error: str | None = None


class FleetBoard:
    """The fleet table's rows, updated from snapshots and events; rendered as a table or JSON."""

    def __init__(self, printers: list[tuple[str, str]]) -> None:
        self._rows = {name: _Row(name=name, address=address) for name, address in printers}

    def job(self, name: str, job: CurrentJob) -> None:
        """Record a printer's current job."""
        row = self._rows[name]
        row.error = None
        row.file = job.file_name
        row.status = status_word(job.job_status, job.raw_job_status) if job.has_job else "idle"
        row.progress = job.print_progress if job.has_job else None
        row.remaining = job.remaining_time
        row.estimating = job.has_job and not job.estimate_known

    def failure(self, name: str, error: PrinterError, *, status: str | None = None) -> None:
        """Record that a printer failed to answer, or its watch ended."""
        row = self._rows[name]
        row.status = status or error_word(error)
        row.error = " ".join(str(error).split())

    def event(self, event: JobEvent) -> None:
        """Record an event of the fleet's watch."""
        name = event.printer.name
        row = self._rows[name]
        if event.job is not None:
            self.job(name, event.job)
        if event.kind is EventKind.OFFLINE and event.error is not None:
            self.failure(name, event.error, status="offline")
        elif event.kind is EventKind.ERROR and event.error is not None:
            self.failure(name, event.error)
        if event.kind is not EventKind.PROGRESS:
            row.last_event = f"{_clock()} {event.kind.value}"

    def table(self) -> Table:
        """The rows as a rich table; an error shows, cut to fit, as the last event."""
        table = Table(title="printer-async fleet", title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("printer", no_wrap=True, min_width=8)
        table.add_column("status", no_wrap=True, min_width=11)
        table.add_column("file", overflow="fold")
        table.add_column("progress", justify="right", no_wrap=True, min_width=8)
        table.add_column("left", justify="right", no_wrap=True, min_width=7)
        table.add_column("last event", no_wrap=True, overflow="ellipsis", max_width=30)
        styles = {"offline": "red", "unreachable": "red", "error": "bold red", "busy": "yellow"}
        for row in self._rows.values():
            table.add_row(
                cell(row.name),
                cell(row.status),
                cell(row.file),
                "" if row.progress is None else f"{row.progress:.1f}%",
                _left_cell(row),
                cell(row.last_event if row.error is None else row.error),
                style=styles.get(row.status),
            )
        return table

    def errors(self) -> list[str]:
        """One line per printer that failed: its name and the whole error."""
        return [
            terminal_text(f"{row.name}: {row.error}") for row in self._rows.values() if row.error
        ]

    def as_json(self) -> list[dict[str, Any]]:
        """The rows as JSON values."""
        return [
            {
                "name": row.name,
                "address": row.address,
                "online": row.error is None,
                "status": row.status,
                "file_name": row.file,
                "print_progress": row.progress,
                "remaining_time": row.remaining,
                "estimate_known": row.remaining is not None,
                "error": row.error,
            }
            for row in self._rows.values()
        ]


def _left_cell(row: _Row) -> str:
    if row.remaining is not None:
        return format_duration(row.remaining)
    return ESTIMATING if row.estimating else ""


def error_word(error: PrinterError) -> str:
    """A short word for a printer's failure in a table."""
    if isinstance(error, PrinterConnectionError):
        return "unreachable"
    if isinstance(error, PrinterBusyError):
        return "busy"
    if isinstance(error, AuthenticationError):
        return "wrong password"
    return "error"
