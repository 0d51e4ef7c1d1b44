"""Job watching: poll ``/job/currentjob`` on a schedule and turn its answers into events.

The watcher is a pull-based async generator: it polls only while the consumer asks for the next
event, and owns no task, no connection and no timer of its own. Breaking out of ``async for`` (or
cancelling the task that iterates) therefore stops it at once, under asyncio and under trio.

This module knows nothing about HTTP or :class:`~printer_async.AsyncPrinter`: it is driven by a
*poll* callable that returns a :class:`~printer_async.CurrentJob` or raises a
:class:`~printer_async.PrinterError`, and by an injectable ``sleep`` and ``clock`` so that tests
(and fleets) can drive time themselves.

What an event means (``P`` is the state at the last good poll, ``C`` the state now; a state is the
job shown, by ``job_id``, and its ``job_status``, or "no job" when the printer shows none):

======================  ==========================================================================
kind                    when
======================  ==========================================================================
``initial``             the first good poll, whatever it shows (``previous`` is ``None``)
``started``             a different job is shown, and it is running
``new_job``             a different job is shown and it is not running (it started and ended or
                        paused between two polls), or the printer stopped showing an ended job
``paused``              the same job, now paused
``resumed``             the same job, running again (after a pause, or a power-loss recovery)
``completed``           the same job, now completed
``stopped``             the same job, now stopped; or a running/paused job vanished (``current``
                        is ``None``)
``changed``             the same job, in a ``job_status`` this library does not know (``UNKNOWN``)
``progress``            opt-in: the running job's progress crossed a multiple of ``progress_step``
``offline``             the printer has been unreachable for ``offline_after`` seconds (once)
``online``              the first good poll after ``offline`` (once); the state event follows
``error``               fleets only: the watch of this printer ended with ``error`` (a wrong
                        password); the fleet's other printers go on
======================  ==========================================================================
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import random
from typing import TYPE_CHECKING, Final

import anyio
import attrs

from printer_async._busy import SINGLE_ATTEMPT
from printer_async._checks import shown
from printer_async._errors import (
    AuthenticationError,
    PrinterConnectionError,
    PrinterError,
    ProtocolError,
    ServiceUnavailableError,
)
from printer_async._models import CurrentJob, JobStatus

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable

    from printer_async._client import AsyncPrinter

__all__ = [
    "DEFAULT_BACKOFF_CAP",
    "DEFAULT_INTERVAL",
    "DEFAULT_OFFLINE_AFTER",
    "EventKind",
    "JobEvent",
    "PollReport",
    "backoff_delay",
    "watch_jobs",
]

DEFAULT_INTERVAL: Final = 5.0
"""Seconds between the starts of two polls."""

DEFAULT_BACKOFF_CAP: Final = 60.0
"""The longest delay back-off stretches the schedule to, in seconds."""

DEFAULT_OFFLINE_AFTER: Final = 30.0
"""Seconds of unreachability before the printer is reported offline."""

MISSED_TOLERANCE: Final = 1.5
"""A gap between good polls longer than this many planned delays sets ``may_have_missed``.

Latency and scheduling jitter below half a delay are normal and must not raise the flag.
"""

_CLOCK_SLACK: Final = 1e-6
"""Seconds of float rounding tolerated when comparing the clock with a deadline."""

_GATEWAY_STATUSES: Final = frozenset({502, 504})
"""HTTP statuses of a proxy's error page that mean the printer behind it did not answer."""

_ACTIVE: Final = frozenset({JobStatus.RUNNING, JobStatus.PAUSED})
_ENDED: Final = frozenset({JobStatus.COMPLETED, JobStatus.STOPPED})


class EventKind(enum.StrEnum):
    """What a :class:`JobEvent` reports; see the module documentation for the exact rules."""

    INITIAL = "initial"
    """The first observation of the watch."""
    STARTED = "started"
    """A different job is shown, and it is running."""
    NEW_JOB = "new_job"
    """A different job (or none) is shown, and it is not running."""
    PAUSED = "paused"
    """The job was paused."""
    RESUMED = "resumed"
    """The job runs again after a pause or a power-loss recovery."""
    COMPLETED = "completed"
    """The job completed."""
    STOPPED = "stopped"
    """The job was stopped (or an active job vanished from the printer)."""
    CHANGED = "changed"
    """The job's status changed to one this library does not know (:attr:`JobStatus.UNKNOWN`)."""
    PROGRESS = "progress"
    """The running job made progress (only with ``progress_step``)."""
    OFFLINE = "offline"
    """The printer stayed unreachable for the grace period."""
    ONLINE = "online"
    """The printer answered again after being reported offline."""
    ERROR = "error"
    """A fleet's watch of this printer ended with this error (a wrong password); fleets only."""


_STATUS_KIND: Final = {
    JobStatus.PAUSED: EventKind.PAUSED,
    JobStatus.RUNNING: EventKind.RESUMED,
    JobStatus.COMPLETED: EventKind.COMPLETED,
    JobStatus.STOPPED: EventKind.STOPPED,
    JobStatus.UNKNOWN: EventKind.CHANGED,
}


@attrs.frozen(kw_only=True)
class JobEvent:
    """One thing that happened to a printer's job, as a watch observed it.

    Attributes:
        kind: What happened.
        previous: The job's status at the previous good poll (``None`` for the first event, or
            when no job was shown).
        current: The job's status now (``None`` when the printer shows no job). For ``offline``
            and ``online`` both hold the last status known before the outage.
        job: The job as this poll saw it; ``None`` for ``offline`` and ``online``.
        observed_at: When the observation was made (UTC, wall clock).
        printer: The printer the event comes from.
        may_have_missed: The printer was not looked at for longer than the schedule said
            (busy, unreachable, a slow answer), so a state in between may have gone unseen:
            running, then completed after an outage, may hide a pause.
        error: For ``offline``, the failure that made the printer count as unreachable.
    """

    kind: EventKind
    previous: JobStatus | None
    current: JobStatus | None
    job: CurrentJob | None
    observed_at: dt.datetime
    printer: AsyncPrinter = attrs.field(repr=lambda printer: getattr(printer, "name", "?"))
    may_have_missed: bool = False
    error: PrinterError | None = None


@attrs.frozen(kw_only=True)
class PollReport:
    """One poll of a watch, as it ended: what an ``on_poll`` observer (metrics, logs) is given.

    A watch makes one report per poll, good or failed, whether or not the poll makes an event.

    Attributes:
        printer: The printer polled.
        job: The answer; ``None`` when the poll failed.
        error: Why the poll failed; ``None`` when it succeeded.
        duration: Seconds from the poll's start to its end on the watch's clock, including
            any wait for a fleet's limits.
        delay: Seconds from this poll's start to the next one's; ``None`` when the watch ends
            with this poll (a wrong password).
        backoff: Whether failures stretched ``delay`` beyond the normal interval.
    """

    job: CurrentJob | None
    error: PrinterError | None
    duration: float
    delay: float | None
    backoff: bool
    printer: AsyncPrinter = attrs.field(repr=lambda printer: getattr(printer, "name", "?"))


def backoff_delay(failures: int, *, interval: float, cap: float, rng: random.Random) -> float:
    """The delay before the next poll after ``failures`` failed polls in a row.

    Full jitter above the normal schedule: a delay drawn uniformly between ``interval`` and
    ``min(cap, interval * 2 ** failures)``. The ceiling doubles with each failure, so the number of
    polls during a busy spell grows with the logarithm of its length (until the cap), and the
    randomness keeps many clients from retrying in step. It is never shorter than ``interval``.

    Args:
        failures: Consecutive failed polls, 1 or more.
        interval: The delay the schedule would use without failures.
        cap: The longest delay.
        rng: The source of jitter.

    Returns:
        Seconds to wait from the start of the failed poll to the start of the next.
    """
    ceiling = min(cap, interval * 2.0 ** min(failures, 64))
    if ceiling <= interval:
        return interval
    return rng.uniform(interval, ceiling)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _is_unreachable(error: PrinterError) -> bool:
    """Whether a failure means the printer's API could not be reached (it did not answer).

    A busy or malformed answer is an answer: the printer is there. A gateway's 502/504 page
    says that the printer behind it is not.
    """
    if isinstance(error, ProtocolError):
        return error.status_code in _GATEWAY_STATUSES
    return isinstance(error, PrinterConnectionError | ServiceUnavailableError)


@attrs.define
class _State:
    """The job as the watch knows it: its identity (``None`` without a job) and status."""

    identity: tuple[str, str] | None
    status: JobStatus | None

    @classmethod
    def of(cls, job: CurrentJob) -> _State:
        if not job.has_job:
            # An idle printer reports a meaningless job_status ("running" on a real Pro2).
            return cls(None, None)
        return cls((job.job_id, job.file_name), job.job_status)


def _transition_kind(before: _State, after: _State) -> EventKind | None:
    """The kind of the event a change from ``before`` to ``after`` makes, or ``None``."""
    if before.identity != after.identity:
        if after.status is None:
            return EventKind.STOPPED if before.status in _ACTIVE else EventKind.NEW_JOB
        return EventKind.STARTED if after.status is JobStatus.RUNNING else EventKind.NEW_JOB
    if before.status == after.status or after.status is None:
        return None
    return _STATUS_KIND[after.status]


@attrs.define
class _Tracker:
    """The watch's memory between polls: turns poll results into events and picks the delays.

    Pure bookkeeping, no I/O and no clock reads: every method is told the time.
    """

    printer: AsyncPrinter
    interval: float
    active_interval: float
    progress_step: float | None
    until_done: bool
    backoff_cap: float
    offline_after: float
    rng: random.Random
    slack: float = _CLOCK_SLACK
    """How early a poll may start against what was asked for (a tick's rounding, lateness)."""

    state: _State | None = None
    """``None`` until the first good poll."""
    last_good: float | None = None
    """Clock time of the last good poll's answer."""
    planned_gap: float = 0.0
    """The delay scheduled after the last good poll."""
    failures: int = 0
    """Consecutive failed polls."""
    unreachable_since: float | None = None
    """Start of the first poll of the current run of unreachable failures."""
    offline: bool = False
    progress_bucket: int = -1
    done: bool = False

    def interval_for(self, state: _State | None) -> float:
        """The normal delay for a state: faster while a job is running or paused."""
        if state is not None and state.status in _ACTIVE:
            return self.active_interval
        return self.interval

    def _event(
        self,
        kind: EventKind,
        *,
        previous: JobStatus | None,
        current: JobStatus | None,
        job: CurrentJob | None,
        observed_at: dt.datetime,
        may_have_missed: bool,
        error: PrinterError | None = None,
    ) -> JobEvent:
        return JobEvent(
            kind=kind,
            previous=previous,
            current=current,
            job=job,
            observed_at=observed_at,
            printer=self.printer,
            may_have_missed=may_have_missed,
            error=error,
        )

    def _missed(self, now: float) -> bool:
        if self.last_good is None:
            return False
        return now - self.last_good > self.planned_gap * MISSED_TOLERANCE

    def _bucket(self, job: CurrentJob) -> int:
        if not self.progress_step:
            return -1
        # Percent, so 0-100 whatever the printer reports: the quotient stays finite (see
        # watch_jobs), and a printer's 1e15 % cannot make it overflow.
        progress = min(max(job.print_progress, 0.0), 100.0)
        return math.floor(progress / self.progress_step)

    def answered(
        self, job: CurrentJob, *, now: float, wall: dt.datetime
    ) -> tuple[list[JobEvent], float]:
        """Record a good poll.

        Returns:
            The events it makes, and the delay until the next poll.
        """
        events: list[JobEvent] = []
        missed = self._missed(now)
        known = self.state.status if self.state is not None else None
        if self.offline:
            self.offline = False
            events.append(
                self._event(
                    EventKind.ONLINE,
                    previous=known,
                    current=known,
                    job=None,
                    observed_at=wall,
                    may_have_missed=missed,
                )
            )
        self.failures = 0
        self.unreachable_since = None

        after = _State.of(job)
        kind = EventKind.INITIAL if self.state is None else _transition_kind(self.state, after)
        if kind is not None:
            events.append(
                self._event(
                    kind,
                    previous=known,
                    current=after.status,
                    job=job,
                    observed_at=wall,
                    may_have_missed=missed,
                )
            )
            self.progress_bucket = self._bucket(job)
            self.done = self.until_done and (
                kind in {EventKind.COMPLETED, EventKind.STOPPED}
                or (kind is EventKind.NEW_JOB and after.status in _ENDED)
            )
        elif self.progress_step is not None and after.status is JobStatus.RUNNING:
            bucket = self._bucket(job)
            if self.progress_step == 0 or bucket > self.progress_bucket:
                self.progress_bucket = bucket
                events.append(
                    self._event(
                        EventKind.PROGRESS,
                        previous=known,
                        current=after.status,
                        job=job,
                        observed_at=wall,
                        may_have_missed=missed,
                    )
                )
        self.state = after
        self.last_good = now
        self.planned_gap = self.interval_for(after)
        return events, self.planned_gap

    def failed(
        self, error: PrinterError, *, started: float, now: float, wall: dt.datetime
    ) -> tuple[list[JobEvent], float]:
        """Record a failed poll (busy, unreachable, a malformed answer...).

        A failure never makes a state event; it stretches the schedule, and enough
        unreachability makes one ``offline`` event.

        Returns:
            The events it makes (at most one ``offline``), and the delay from ``started`` until
            the next poll.
        """
        events: list[JobEvent] = []
        self.failures += 1
        normal = self.interval_for(self.state)
        if _is_unreachable(error):
            if self.unreachable_since is None:
                self.unreachable_since = started
            deadline = self.unreachable_since + self.offline_after
            if not self.offline and now >= deadline - self.slack:
                self.offline = True
                known = self.state.status if self.state is not None else None
                events.append(
                    self._event(
                        EventKind.OFFLINE,
                        previous=known,
                        current=known,
                        job=None,
                        observed_at=wall,
                        may_have_missed=self._missed(now),
                        error=error,
                    )
                )
        elif not self.offline:
            self.unreachable_since = None  # it answered, however unhelpfully

        if self.offline:
            # Look in now and then, jittered so that a farm that lost its network together
            # does not come back in step.
            low = min(max(normal, self.backoff_cap / 2), self.backoff_cap)
            delay = self.rng.uniform(low, max(low, self.backoff_cap))
        else:
            delay = backoff_delay(
                self.failures, interval=normal, cap=max(self.backoff_cap, normal), rng=self.rng
            )
            if self.unreachable_since is not None:
                # Poll again when the grace period ends, so "offline" is reported on time.
                until_deadline = self.unreachable_since + self.offline_after - started
                delay = max(normal, min(delay, until_deadline))
        return events, delay


def _seconds(
    name: str, value: float, *, allow_zero: bool = False, allow_inf: bool = False
) -> float:
    """``value`` as a float, checked: a number above 0 (or 0 too), and finite unless allowed.

    Raises:
        ValueError: It is not such a number (``True``, a string, NaN, or too large for a float).
    """
    number = math.nan
    if not isinstance(value, bool) and isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
    in_range = number >= 0 if allow_zero else number > 0  # False for NaN
    if not in_range or (number == math.inf and not allow_inf):
        bound = "0 or more" if allow_zero else "more than 0"
        raise ValueError(f"{name} must be a number of seconds {bound}, got {shown(value)}")
    return number


def watch_jobs(
    poll: Callable[[], Awaitable[CurrentJob]],
    *,
    printer: AsyncPrinter,
    interval: float = DEFAULT_INTERVAL,
    active_interval: float | None = None,
    progress_step: float | None = None,
    until_done: bool = False,
    backoff_cap: float = DEFAULT_BACKOFF_CAP,
    offline_after: float = DEFAULT_OFFLINE_AFTER,
    start_delay: float = 0.0,
    tick: float = 0.0,
    sleep: Callable[[float], Awaitable[object]] = anyio.sleep,
    clock: Callable[[], float] = anyio.current_time,
    wall_clock: Callable[[], dt.datetime] = _utcnow,
    rng: random.Random | None = None,
    on_poll: Callable[[PollReport], object] | None = None,
) -> AsyncGenerator[JobEvent, None]:
    """Watch a printer's job through ``poll`` and yield a :class:`JobEvent` for each change.

    The options are checked at once; polling starts with the first ``__anext__``. See
    :meth:`AsyncPrinter.watch <printer_async.AsyncPrinter.watch>` for the behaviour.

    Args:
        poll: Fetches the current job: one request per call.
        printer: Named in every event.
        interval: Seconds from the start of one poll to the start of the next.
        active_interval: The same while a job is running or paused; defaults to ``interval``.
        progress_step: Also yield ``progress`` events each time a running job's progress
            crosses a multiple of this many percent; 0 for every poll; ``None`` (default) for none.
        until_done: Stop after the event that reports a job completed or stopped (an ended job
            already shown by the first poll does not count).
        backoff_cap: The longest delay failures stretch the schedule to.
        offline_after: Seconds of unreachability before one ``offline`` event.
        start_delay: Seconds to wait before the first poll (fleets use it to spread polls).
        tick: Round each poll's planned start to the nearest multiple of this many seconds
            of ``clock`` (0: no rounding). A fleet's printers then wake in small groups rather
            than one at a time, which costs the event loop much less per poll. A start moves by
            at most half a tick, and the rounding does not add up: the schedule is kept on the
            unrounded times.
        sleep: Awaits a number of seconds (``anyio.sleep``; tests pass a fake).
        clock: Monotonic seconds (``anyio.current_time``; tests pass a fake).
        wall_clock: The UTC time stamped on events.
        rng: The source of back-off jitter.
        on_poll: Called with a :class:`PollReport` after every poll, good or failed, in the
            watch's own task, before the poll's events are yielded. It must be quick and must
            not raise (an exception ends the watch).

    Returns:
        An async generator of events; close it with ``contextlib.aclosing`` to end it promptly.

    Raises:
        ValueError: An option is out of range.
    """
    interval = _seconds("interval", interval)
    active = interval if active_interval is None else _seconds("active_interval", active_interval)
    # No cap, and never offline, are fair wishes; an endless interval is a mistake.
    backoff_cap = _seconds("backoff_cap", backoff_cap, allow_inf=True)
    offline_after = _seconds("offline_after", offline_after, allow_zero=True, allow_inf=True)
    start_delay = _seconds("start_delay", start_delay, allow_zero=True)
    tick = _seconds("tick", tick, allow_zero=True)
    if progress_step is not None:
        progress_step = _seconds("progress_step", progress_step, allow_zero=True)
        if progress_step and not math.isfinite(100 / progress_step):
            progress_step = 0.0  # so small that every poll crosses a step
    tracker = _Tracker(
        printer=printer,
        interval=interval,
        active_interval=active,
        progress_step=progress_step,
        until_done=until_done,
        backoff_cap=backoff_cap,
        offline_after=offline_after,
        rng=rng if rng is not None else random.Random(),
        # A start rounded to the grid may come up to half a tick early, plus lateness.
        slack=max(_CLOCK_SLACK, tick),
    )
    return _run(tracker, poll, start_delay, tick, sleep, clock, wall_clock, on_poll)


async def _run(  # noqa: PLR0917 - private, called once with every argument
    tracker: _Tracker,
    poll: Callable[[], Awaitable[CurrentJob]],
    start_delay: float,
    tick: float,
    sleep: Callable[[float], Awaitable[object]],
    clock: Callable[[], float],
    wall_clock: Callable[[], dt.datetime],
    on_poll: Callable[[PollReport], object] | None = None,
) -> AsyncGenerator[JobEvent, None]:
    def planned(moment: float) -> float:
        return round(moment / tick) * tick if tick else moment

    # ``ideal`` is the schedule before rounding to the grid. The next start is computed from it,
    # not from the rounded or actual start, so neither the rounding nor a little lateness adds
    # up from poll to poll; a start far behind it (a poll that overran, a stalled loop) restarts
    # the schedule from that start instead, so there is no burst of catching up.
    ideal = clock() + start_delay
    while True:
        target = planned(ideal)
        wait = target - clock()
        if wait > 0:
            await sleep(wait)
        started = clock()
        anchor = ideal if started - target <= tracker.slack else started
        job: CurrentJob | None = None
        error: PrinterError | None = None
        single = SINGLE_ATTEMPT.set(True)  # one request a poll: the watch's back-off is its own
        try:
            job = await poll()
        except AuthenticationError as exc:
            _observe(on_poll, tracker, None, exc, clock() - started, None)
            raise  # a wrong password (or a refused token with no password) cannot heal itself
        except PrinterError as exc:
            error = exc
            events, delay = tracker.failed(exc, started=started, now=clock(), wall=wall_clock())
        else:
            events, delay = tracker.answered(job, now=clock(), wall=wall_clock())
        finally:
            SINGLE_ATTEMPT.reset(single)
        _observe(on_poll, tracker, job, error, clock() - started, delay)
        ideal = anchor + delay
        for event in events:
            yield event
        if tracker.done:
            return


def _observe(  # noqa: PLR0917 - private, called twice with every argument
    on_poll: Callable[[PollReport], object] | None,
    tracker: _Tracker,
    job: CurrentJob | None,
    error: PrinterError | None,
    duration: float,
    delay: float | None,
) -> None:
    """Tell ``on_poll``, if any, how a poll ended."""
    if on_poll is None:
        return
    normal = tracker.interval_for(tracker.state)
    on_poll(
        PollReport(
            printer=tracker.printer,
            job=job,
            error=error,
            duration=duration,
            delay=delay,
            backoff=error is not None and delay is not None and delay > normal,
        )
    )
