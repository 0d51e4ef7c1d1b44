"""Output of the printer-async command: rich on a terminal, plain lines elsewhere, JSON on demand.

Two views show a watched job. On a terminal, :class:`LiveJobView` draws one rich progress bar
that redraws in place, with each event printed above it. Anywhere else (a pipe, a file, CI, a
``TERM=dumb`` terminal that cannot move its cursor), :class:`PlainJobView` writes one plain line
per event: no ANSI codes, no redraw. The choice is :func:`redraws`, after rich's
``Console.is_terminal`` (which honours ``FORCE_COLOR`` and ``TTY_COMPATIBLE``); ``NO_COLOR``
keeps the redraw and drops the colours.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import posixpath
import sys
from typing import TYPE_CHECKING, Any, Final, Protocol, Self, TextIO

import attrs
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.progress import BarColumn, Progress, ProgressColumn, TaskID, TextColumn
from rich.table import Column, Table
from rich.text import Text

from printer_async._errors import (
    AuthenticationError,
    PrinterBusyError,
    PrinterConnectionError,
    PrinterError,
)
from printer_async._models import CurrentJob, JobStatus, RunningStatus
from printer_async._orchestration.watch import EventKind
from printer_async.cli._text import cell, markup_literal, terminal_text

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from rich.console import ConsoleOptions, RenderableType, RenderResult

    from printer_async._orchestration.watch import JobEvent, PollReport

__all__ = [
    "FleetBoard",
    "FleetTable",
    "LiveJobView",
    "PathCell",
    "PlainJobView",
    "PollReporter",
    "describe_event",
    "format_duration",
    "job_summary",
    "jsonable",
    "make_console",
    "make_job_view",
    "print_json",
    "redraws",
    "status_word",
]


_UNBOUNDED: Final = 10_000
"""The width of output that is not a terminal: wider than any table it holds."""


def redraws(console: Console) -> bool:
    """Whether ``console`` is a terminal that a live display can redraw in place."""
    return console.is_terminal and not console.is_dumb_terminal


def make_console(*, stderr: bool = False) -> Console:
    """A console on standard output (or error) that decides by itself whether it is a terminal.

    On a terminal, rich wraps long lines between words (left to the terminal, they would break
    mid-word, and a live display would lose count of its lines). In a file or a pipe a line
    stays one line, for grep, and a table is as wide as its cells (rich would make it 80
    columns, cutting file names), unless ``COLUMNS`` says how wide.
    """
    console = Console(stderr=stderr, highlight=False)
    console.soft_wrap = not console.is_terminal
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = _UNBOUNDED
    return console


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
        text = f"still no answer ({event.error}); polling less often until it answers"
    elif kind is EventKind.ONLINE:
        text = "answering again"
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


TROUBLE_WORDS: Final = ("busy", "no answer", "unexpected answer", "offline")
"""What :meth:`JobView.trouble` may show: why the printer is not answering as it should."""


class JobView(Protocol):
    """What the watch and demo commands show: events, notes, and the job's progress."""

    progress_step: float
    """The ``progress_step`` to watch with: every poll for a bar, every 10 % for lines."""

    def note(self, text: str, *, style: str = "") -> None:
        """Print a line that is not an event (the demo's narration, back-off)."""

    def event(self, event: JobEvent) -> None:
        """Show an event."""

    def trouble(self, word: str | None) -> None:
        """Show (or with ``None`` clear) one of :data:`TROUBLE_WORDS` beside the job's status."""


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

    def trouble(self, word: str | None) -> None:
        """Nothing to redraw: :class:`PollReporter`'s notes say it."""


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

_WIDE: Final = 110
"""Columns from which the bar also shows the elapsed time."""
_MEDIUM: Final = 90
"""Columns from which the bar also shows the layers."""


def _bar_columns(width: int) -> tuple[ProgressColumn, ...]:
    """The bar's columns for a terminal ``width`` wide: one line, whole words, the percentage kept.

    What does not fit is left out (elapsed time, then layers) rather than wrapped; the file's
    name and the status are cut with an ellipsis if they must be.
    """
    columns: list[ProgressColumn] = [
        TextColumn(
            "[bold]{task.description}",
            table_column=Column(no_wrap=True, overflow="ellipsis", max_width=width // 4),
        ),
        BarColumn(bar_width=max(10, min(40, width - 80))),
        TextColumn("{task.percentage:>5.1f}%", table_column=Column(no_wrap=True)),
    ]
    if width >= _MEDIUM:
        columns.append(TextColumn("layer {task.fields[layer]}", table_column=Column(no_wrap=True)))
    if width >= _WIDE:
        columns.append(
            TextColumn("elapsed {task.fields[elapsed]}", table_column=Column(no_wrap=True))
        )
    columns += [
        TextColumn("{task.fields[left]}", table_column=Column(no_wrap=True)),
        TextColumn("{task.fields[status]}", table_column=Column(no_wrap=True, overflow="ellipsis")),
    ]
    return tuple(columns)


class LiveJobView:
    """A rich progress bar redrawn in place, with events and notes printed above it.

    A context manager: the bar is drawn from entering until leaving, and whatever is printed
    after (a summary, an error) comes below its last state.
    """

    progress_step: float = 0.0

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress = Progress(
            *_bar_columns(console.width), console=console, refresh_per_second=10
        )
        self._task: TaskID | None = None
        self._job: CurrentJob | None = None
        self._trouble: str | None = None

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
        self._console.print(Text.assemble((_clock(), "dim"), " ", cell(text, style=style)))

    def event(self, event: JobEvent) -> None:
        """Update the bar, and print the event unless it is only progress."""
        if event.job is not None:
            self._job = event.job
        if event.kind is EventKind.OFFLINE:
            self._trouble = "offline"
        elif event.kind is EventKind.ONLINE:
            self._trouble = None
        self._redraw()
        if event.kind is not EventKind.PROGRESS:
            self.note(describe_event(event), style=_EVENT_STYLES.get(event.kind, ""))

    def trouble(self, word: str | None) -> None:
        """Show a back-off (busy, no answer) in the bar's status column; offline stays."""
        if self._trouble != "offline" or word is None:
            self._trouble = word
        self._redraw()

    def _redraw(self) -> None:
        job = self._job
        if job is None:
            return
        status = status_word(job.job_status, job.raw_job_status) if job.has_job else "no job"
        if self._trouble == "offline":
            status = "offline"
        elif self._trouble:
            status = f"{status} ({self._trouble})"
        # The columns are markup templates: the printer's words go in escaped.
        fields: dict[str, Any] = {
            "layer": layers_text(job),
            "elapsed": format_duration(job.printed_time),
            "left": remaining_text(job),
            "status": markup_literal(status),
        }
        # The name alone: the event lines above give the whole path.
        name = markup_literal(posixpath.basename(job.file_name) or "no job")
        # Chosen at each redraw, so that a terminal made narrower still gets one line.
        self._progress.columns = _bar_columns(self._console.width)
        if self._task is None:
            self._task = self._progress.add_task(name, total=100.0, **fields)
        self._progress.update(self._task, description=name, completed=job.print_progress, **fields)


def make_job_view(console: Console) -> LiveJobView | PlainJobView:
    """A live bar on a terminal, plain lines otherwise."""
    if redraws(console):
        return LiveJobView(console)
    return PlainJobView()


class PollReporter:
    """Shows a watch's failed polls and its back-off as they happen: an ``on_poll`` observer.

    The watch (:func:`printer_async._orchestration.watch.watch_jobs`) decides the delays; this
    only reports them: each failed poll when it fails, with the printer's address, the cause
    and when the next poll is; and when the printer answers again, how many polls failed and
    how long the watch waited before each retry.
    """

    def __init__(self, view: JobView, *, offline_after: float | None = None) -> None:
        """Report on ``view``; ``offline_after`` is the watch's, to say when offline comes."""
        self._view = view
        self._offline_after = offline_after
        self._waits: list[float] = []
        self.failed_polls = 0
        """Every failed poll of the watch."""
        self.spells = 0
        """Runs of failed polls that ended with a good answer."""

    def __call__(self, report: PollReport) -> None:
        """Note one poll of the watch."""
        name, error = report.printer.name, report.error
        if error is None:
            if self._waits:
                self._answered_again(name, report.delay)
            return
        if report.delay is None:
            return  # the watch ends on it (a wrong password): nothing is backed off
        self.failed_polls += 1
        first = not self._waits
        self._waits.append(report.delay)
        again = f"polling again in {report.delay:.1f} s"
        if isinstance(error, PrinterBusyError):
            self._view.note(f"{name} is busy ({error.code} {error.msg}); {again}", style="yellow")
            self._view.trouble("busy")
        elif isinstance(error, PrinterConnectionError):
            if first:
                offline = (
                    f" (offline after {self._offline_after:g} s without an answer)"
                    if self._offline_after is not None
                    else ""
                )
                text = f"{name} did not answer: {error}; {again}{offline}"
            else:
                text = f"still no answer from {name} ({len(self._waits)} polls); {again}"
            self._view.note(text, style="yellow")
            self._view.trouble("no answer")
        else:
            self._view.note(f"{name} gave an unexpected answer: {error}; {again}", style="yellow")
            self._view.trouble("unexpected answer")

    def _answered_again(self, name: str, delay: float | None) -> None:
        waits = ", ".join(f"{wait:.2f}" for wait in self._waits)
        count = len(self._waits)
        schedule = f" (a poll every {delay:.2f} s)" if delay is not None else ""
        self._view.note(
            f"{name} answered again after {count} failed poll{'s' * (count != 1)}; the watch "
            f"waited {waits} s before each retry; back to the normal schedule{schedule}",
            style="green",
        )
        self._view.trouble(None)
        self._waits.clear()
        self.spells += 1


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

    def __init__(
        self,
        printers: list[tuple[str, str]],
        *,
        explain: Callable[[str, PrinterError], str] | None = None,
    ) -> None:
        """Rows for ``printers`` (name, address); ``explain(name, error)`` words a failure.

        Its words must name the printer: they are shown alone under the table.
        """
        self._rows = {name: _Row(name=name, address=address) for name, address in printers}
        self._explain = explain or (lambda name, error: f"{name}: {error}")

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
        row.error = " ".join(self._explain(name, error).split())

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
            row.last_event = f"{event.kind.value} {_clock()}"

    def table(self) -> FleetTable:
        """The rows as a table as wide as where it is drawn; see :class:`FleetTable`."""
        return FleetTable(list(self._rows.values()))

    def errors(self) -> list[str]:
        """One line per printer that failed: the whole error, which names the printer."""
        return [terminal_text(row.error) for row in self._rows.values() if row.error]

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


class PathCell:
    """A file's path in a table cell: when too long, it loses its start, never its end.

    ``…ebapi_store/benchy_v2.gcode``: the end names the file. Folded or cut at the end, a
    path would show its directories and hide the name.
    """

    def __init__(self, path: str) -> None:
        """Show ``path``, the printer's text, as written (see :func:`terminal_text`)."""
        self._text = terminal_text(path)  # idempotent: safe on text already made safe

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        """As wide as the path; narrow enough for an ellipsis and a few characters."""
        width = cell_len(self._text)
        return Measurement(min(width, 8), width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The path, or its end after an ellipsis."""
        text, width = self._text, options.max_width
        if cell_len(text) > width:
            ellipsis = "..." if options.ascii_only else "…"
            room = max(width - cell_len(ellipsis), 0)
            tail = text
            while cell_len(tail) > room:
                tail = tail[1:]
            text = ellipsis + tail
        yield Text(text, no_wrap=True, overflow="crop")


_HEADERS: Final = ("printer", "status", "file", "progress", "left", "last event")
_NAME_WIDTH: Final = 20
_SHARED_MIN: Final = 10
_STYLES: Final = {"offline": "red", "unreachable": "red", "error": "bold red", "busy": "yellow"}


class FleetTable:
    """The fleet table, laid out for the width it is drawn in: one line per printer.

    Each column is as wide as its widest cell when they all fit. When they do not, the short
    columns (status, progress, time left) keep their width, and the printer's name (up to 20
    columns), the file and the last event (or the error) share what is left, each cut rather
    than folded: a file's path loses its start (:class:`PathCell`), an error its end; too
    narrow for all, the last event goes. Laid out when drawn, so a live table follows a
    terminal that is resized.
    """

    def __init__(self, rows: list[_Row]) -> None:
        """Show ``rows``."""
        self._rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """The table, for ``options.max_width`` columns."""
        yield self.at(options.max_width)

    def at(self, width: int) -> Table:
        """The table laid out for ``width`` columns."""
        rows = self._rows
        texts = [
            (
                terminal_text(row.name),
                terminal_text(row.status),
                terminal_text(row.file),
                "" if row.progress is None else f"{row.progress:.1f}%",
                _left_cell(row),
                terminal_text(row.last_event if row.error is None else row.error),
            )
            for row in rows
        ]
        name, status, file, progress, left, event = (
            max([cell_len(header), *(cell_len(value) for value in column)])
            for header, column in zip(
                _HEADERS, zip(*texts, strict=True) if texts else [()] * len(_HEADERS), strict=True
            )
        )
        # Each column has a space of padding each side, and a (blank) border before it.
        free = width - (status + progress + left) - 3 * len(_HEADERS) - 1
        shown_event = True
        if name + file + event > free:  # what is left is shared: name, file, last event
            name = max(min(name, _NAME_WIDTH, free - 2 * _SHARED_MIN), min(name, 8))
            shown_event = free - name >= 2 * _SHARED_MIN
            shared = free - name if shown_event else free - name + 3
            event = max(shared * 2 // 5, _SHARED_MIN) if shown_event else 0
            file = max(shared - event, _SHARED_MIN)
        table = Table(title="printer-async fleet", title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("printer", width=name, no_wrap=True, overflow="ellipsis")
        table.add_column("status", width=status, no_wrap=True)
        table.add_column("file", width=file, no_wrap=True)
        table.add_column("progress", width=progress, justify="right", no_wrap=True)
        table.add_column("left", width=left, justify="right", no_wrap=True)
        if shown_event:  # else too narrow: the status says enough, and --once lists errors
            table.add_column("last event", width=event, no_wrap=True, overflow="ellipsis")
        for row, (name_, status_, file_, progress_, left_, event_) in zip(rows, texts, strict=True):
            values: list[RenderableType] = [
                Text(name_),
                Text(status_),
                PathCell(file_),
                progress_,
                left_,
                Text(event_),
            ]
            table.add_row(*values[: len(table.columns)], style=_STYLES.get(row.status))
        return table


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
