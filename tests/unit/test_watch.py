"""Unit tests of the job watcher, on a fake clock with scripted polls."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import math
import random

import anyio
import pytest
import trio
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    CurrentJob,
    EventKind,
    JobEvent,
    JobStatus,
    PrinterBusyError,
    PrinterConnectionError,
    ProtocolError,
    ServiceUnavailableError,
)
from printer_async._orchestration.watch import backoff_delay, watch_jobs

from _support import PASSWORD, TOKEN, api_error, ok

R, P, C, S = JobStatus.RUNNING, JobStatus.PAUSED, JobStatus.COMPLETED, JobStatus.STOPPED
PRINTER = AsyncPrinter.__new__(AsyncPrinter)  # a stand-in: the engine only stores it
PRINTER.name = "bench"
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def job(status=R, job_id="J1", progress=0.0):
    """A current job as the printer reports it."""
    return CurrentJob(
        file_name=f"Local/{job_id}.gcode",
        print_progress=progress,
        printed_layer=0,
        total_layer=100,
        printed_time=0,
        total_time=3600,
        job_id=job_id,
        job_status=status,
    )


IDLE = CurrentJob(
    file_name="",
    print_progress=0,
    printed_layer=0,
    total_layer=0,
    printed_time=0,
    total_time=3600000,
    job_id="",
    job_status=JobStatus.RUNNING,  # what a real idle Pro2 says: meaningless without a job
)


def busy():
    """A 10003 busy error as the client raises it."""
    return PrinterBusyError("busy", code=10003, msg="busy", endpoint="/job/currentjob")


def unavailable():
    """A 503 "no server" error as the client raises it."""
    return ServiceUnavailableError("503", code=503, msg="no server", endpoint="/job/currentjob")


class ScriptEndedError(Exception):
    """Raised by a script's poll when its time is up, to end the watch from inside."""


class Script:
    """A printer whose answers follow a timeline on a fake clock.

    ``timeline`` is a list of ``(from_time, answer)``; an answer is a ``CurrentJob``, an exception
    instance to raise, or a callable of the time returning either.
    """

    def __init__(self, timeline, *, end, latency=0.0):
        """Start at time 0 with no poll made."""
        self.timeline = sorted(timeline, key=lambda entry: entry[0])
        self.end = end
        self.latency = latency
        self.now = 0.0
        self.sleeps: list[float] = []
        self.polls: list[float] = []

    def clock(self):
        """The fake monotonic time."""
        return self.now

    def wall(self):
        """The fake UTC time."""
        return START + dt.timedelta(seconds=self.now)

    async def sleep(self, seconds):
        """Record the delay and jump the clock by it."""
        self.sleeps.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()

    def answer_at(self, when):
        """The timeline's answer at ``when``."""
        answer = None
        for since, value in self.timeline:
            if since <= when:
                answer = value
        return answer(when) if callable(answer) else answer

    async def poll(self):
        """Answer from the timeline, taking ``latency`` fake seconds."""
        if self.now >= self.end:
            raise ScriptEndedError
        self.polls.append(self.now)
        answer = self.answer_at(self.now)
        self.now += self.latency
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def watch(self, **options):
        """A watch on this script's clock, with seeded jitter."""
        options.setdefault("interval", 5.0)
        return watch_jobs(
            self.poll,
            printer=PRINTER,
            sleep=self.sleep,
            clock=self.clock,
            wall_clock=self.wall,
            rng=options.pop("rng", random.Random(7)),
            **options,
        )

    async def run(self, **options) -> list[JobEvent]:
        """Every event of a watch until the script's end."""
        events = []
        with contextlib.suppress(ScriptEndedError):
            async with contextlib.aclosing(self.watch(**options)) as watch:
                async for event in watch:
                    events.append(event)
        return events


def kinds(events):
    """The kinds of ``events``."""
    return [event.kind for event in events]


async def test_a_full_lifecycle_yields_one_event_per_state():
    """Idle, start, pause, resume, complete, a second job stopped: one event each, in order."""
    script = Script(
        [
            (0, IDLE),
            (20, job(R)),
            (50, job(P)),
            (80, job(R)),
            (120, job(C)),
            (150, job(R, "J2")),
            (200, job(S, "J2")),
        ],
        end=260,
    )
    events = await script.run()
    assert kinds(events) == [
        EventKind.INITIAL,
        EventKind.STARTED,
        EventKind.PAUSED,
        EventKind.RESUMED,
        EventKind.COMPLETED,
        EventKind.STARTED,
        EventKind.STOPPED,
    ]
    assert [(e.previous, e.current) for e in events] == [
        (None, None),
        (None, R),
        (R, P),
        (P, R),
        (R, C),
        (C, R),
        (R, S),
    ]
    assert [e.job.job_id for e in events] == ["", "J1", "J1", "J1", "J1", "J2", "J2"]
    assert [e.observed_at for e in events][1:3] == [
        START + dt.timedelta(seconds=20),
        START + dt.timedelta(seconds=50),
    ]
    assert all(e.printer is PRINTER and not e.may_have_missed and e.error is None for e in events)


async def test_an_unchanged_state_yields_a_single_event():
    """Hundreds of polls of the same running job make only the initial event."""
    script = Script([(0, job(R, progress=1)), (100, job(R, progress=50))], end=1000)
    events = await script.run()
    assert kinds(events) == [EventKind.INITIAL]
    assert len(script.polls) == 200


async def test_kinds_for_jobs_seen_late_vanished_or_unknown():
    """A job seen ended is new_job, a vanished active job stopped, an unknown status changed."""
    script = Script(
        [
            (0, job(R, "J1")),
            (10, job(C, "J2")),  # J2 started and completed between two polls
            (20, IDLE),  # the printer stopped showing the ended job
            (30, job(R, "J3")),
            (40, IDLE),  # an active job vanished (a reboot)
            (50, job(P, "J4")),
            (60, job(JobStatus.UNKNOWN, "J4")),
        ],
        end=70,
    )
    events = await script.run()
    assert [(e.kind, e.previous, e.current) for e in events] == [
        (EventKind.INITIAL, None, R),
        (EventKind.NEW_JOB, R, C),
        (EventKind.NEW_JOB, C, None),
        (EventKind.STARTED, None, R),
        (EventKind.STOPPED, R, None),
        (EventKind.NEW_JOB, None, P),
        (EventKind.CHANGED, P, JobStatus.UNKNOWN),
    ]


async def test_an_idle_printers_meaningless_status_makes_no_event():
    """With no job shown, a changing job_status is ignored: the state is "no job"."""
    idle_stopped = CurrentJob(
        file_name="",
        print_progress=0,
        printed_layer=0,
        total_layer=0,
        printed_time=0,
        total_time=0,
        job_id="",
        job_status=S,
    )
    script = Script([(0, IDLE), (10, idle_stopped), (20, IDLE)], end=40)
    events = await script.run()
    assert kinds(events) == [EventKind.INITIAL]
    assert events[0].current is None


async def test_failed_polls_never_make_events():
    """Busy, unreachable, 503 and malformed answers between good ones make no event."""
    bad = [busy(), PrinterConnectionError("down"), unavailable(), ProtocolError("bad body")]
    timeline = [(0, job(R))]
    for index in range(40):
        timeline.append((10 + 10 * index, bad[index % 4]))
        timeline.append((15 + 10 * index, job(R)))
    script = Script(timeline, end=420)
    events = await script.run(interval=5.0, offline_after=1000)
    assert kinds(events) == [EventKind.INITIAL]


async def test_backoff_grows_exponentially_with_jitter_and_resets():
    """Each busy answer doubles the ceiling of a jittered delay; the first good answer resets it."""
    script = Script([(0, job(R)), (1, busy()), (2000, job(R))], end=2100)
    await script.run(interval=1.0, backoff_cap=256.0)
    delays = script.sleeps
    assert delays[0] == 1.0  # the normal schedule
    first_good = next(i for i, t in enumerate(script.polls) if t >= 2000)
    storm = delays[1:first_good]
    for failures, delay in enumerate(storm, start=1):
        assert 1.0 <= delay <= min(256.0, 2.0**failures)
    assert len(set(storm)) == len(storm)  # jittered, not a fixed ladder
    assert max(storm) > 64  # and the ceiling did grow
    after = delays[first_good:]
    assert after == pytest.approx([1.0] * len(after))


def test_backoff_delay_formula():
    """The delay is uniform between one interval and min(cap, interval * 2**failures)."""

    class Extremes(random.Random):
        def __init__(self, pick):
            super().__init__(0)
            self.pick = pick

        def uniform(self, a, b):
            return b if self.pick == "high" else a

    high, low = Extremes("high"), Extremes("low")
    assert [backoff_delay(n, interval=5, cap=60, rng=high) for n in range(1, 6)] == [
        10,
        20,
        40,
        60,
        60,
    ]
    assert backoff_delay(3, interval=5, cap=60, rng=low) == 5
    assert backoff_delay(10_000, interval=5, cap=60, rng=high) == 60
    assert backoff_delay(1, interval=5, cap=5, rng=high) == 5


def storm_requests(length, *, seed, cap=1e9, interval=5.0):
    """How many polls a watch makes during a busy spell of ``length`` seconds."""
    script = Script([(0, job(R)), (interval / 2, busy()), (length, job(R))], end=length)

    async def main():
        await script.run(interval=interval, backoff_cap=cap, rng=random.Random(seed))

    anyio.run(main)
    return sum(1 for t in script.polls if t >= interval / 2)


def test_requests_during_a_busy_storm_grow_logarithmically():
    """An hour-long busy storm costs about log2(3600 / interval) requests, not 720."""
    for seed in range(20):
        counts = {length: storm_requests(length, seed=seed) for length in (60, 3600, 36000)}
        for length, count in counts.items():
            assert count <= 2 * math.log2(length / 5) + 4, (seed, counts)
        # Ten times longer costs only a few more requests.
        assert counts[36000] - counts[3600] <= 8, (seed, counts)
    # With the default 60 s cap the rate settles to one poll per ~32 s: far below 720 per hour.
    assert storm_requests(3600, seed=1, cap=60) < 3600 / 25


async def test_the_schedule_runs_start_to_start():
    """A slow answer does not drift the schedule; an overrun polls again at once, no burst."""
    slow = Script([(0, job(R))], end=100, latency=2.0)
    await slow.run(interval=5.0)
    assert slow.polls == [5.0 * n for n in range(20)]
    overrun = Script([(0, job(R))], end=70, latency=7.0)
    await overrun.run(interval=5.0)
    assert overrun.polls == [7.0 * n for n in range(10)]
    assert overrun.sleeps == []


async def test_offline_once_after_the_grace_period_then_online_once():
    """Unreachable for long: one offline event at the grace period, polls at the cap, one online."""
    script = Script([(0, job(R)), (10, PrinterConnectionError("down")), (400, job(R))], end=500)
    events = await script.run(interval=5.0, offline_after=30.0, backoff_cap=60.0)
    assert kinds(events) == [EventKind.INITIAL, EventKind.OFFLINE, EventKind.ONLINE]
    offline, online = events[1], events[2]
    assert offline.observed_at == START + dt.timedelta(seconds=40)  # first failure at 10 + 30
    assert isinstance(offline.error, PrinterConnectionError)
    assert (offline.previous, offline.current, offline.job) == (R, R, None)
    assert online.job is None
    assert online.may_have_missed
    offline_polls = [t for t in script.polls if 40 < t < 400]
    gaps = [b - a for a, b in zip([40, *offline_polls], offline_polls, strict=False)]
    assert gaps
    assert all(30 <= gap <= 60 for gap in gaps)


async def test_a_503_counts_as_unreachable_but_busy_and_bad_bodies_do_not():
    """The API service down is offline; a printer that answers busy or garbage is not."""
    down = await Script([(0, job(R)), (10, unavailable())], end=300).run(offline_after=30)
    assert kinds(down) == [EventKind.INITIAL, EventKind.OFFLINE]
    for error in (busy(), ProtocolError("bad body")):
        answered = await Script([(0, job(R)), (10, error)], end=3000).run(offline_after=30)
        assert kinds(answered) == [EventKind.INITIAL]


async def test_a_gateway_error_page_counts_as_unreachable():
    """A proxy's 502/504 page means the printer behind it is down: offline; another page is not."""
    for status, offline in ((502, True), (504, True), (404, False)):
        page = ProtocolError("HTML page", endpoint="/job/currentjob", status_code=status)
        events = await Script([(0, job(R)), (10, page)], end=300).run(offline_after=30)
        assert (EventKind.OFFLINE in kinds(events)) is offline, status


async def test_a_change_after_an_outage_says_it_may_have_missed_states():
    """Running, an outage, then completed: the completed event says a pause may have been missed."""
    script = Script([(0, job(R)), (10, PrinterConnectionError("down")), (100, job(C))], end=200)
    events = await script.run(interval=5.0, offline_after=30.0, backoff_cap=20.0)
    assert kinds(events) == [
        EventKind.INITIAL,
        EventKind.OFFLINE,
        EventKind.ONLINE,
        EventKind.COMPLETED,
    ]
    assert events[-1].may_have_missed
    assert events[-1].previous == R


async def test_a_change_after_a_busy_spell_is_flagged_but_a_punctual_one_is_not():
    """may_have_missed is set only when the gap between good polls exceeded the schedule."""
    script = Script([(0, job(R)), (10, busy()), (60, job(P)), (100, job(R))], end=150)
    events = await script.run(interval=5.0)
    assert kinds(events) == [EventKind.INITIAL, EventKind.PAUSED, EventKind.RESUMED]
    assert [e.may_have_missed for e in events] == [False, True, False]


async def test_unreachable_before_the_first_answer():
    """A printer offline from the start is reported offline, then online and its initial state."""
    script = Script([(0, PrinterConnectionError("down")), (100, job(P))], end=200)
    events = await script.run(interval=5.0, offline_after=10.0, backoff_cap=30.0)
    assert [(e.kind, e.current) for e in events] == [
        (EventKind.OFFLINE, None),
        (EventKind.ONLINE, None),
        (EventKind.INITIAL, P),
    ]


async def test_until_done_ends_after_the_job_ends():
    """until_done stops after completed; an ended job shown at the start does not count."""
    script = Script([(0, job(C, "J0")), (20, job(R)), (40, job(C))], end=10_000)
    events = await script.run(until_done=True)
    assert kinds(events) == [EventKind.INITIAL, EventKind.STARTED, EventKind.COMPLETED]
    assert script.polls[-1] == 40
    stopped = Script([(0, job(R)), (20, job(S))], end=10_000)
    assert kinds(await stopped.run(until_done=True))[-1] is EventKind.STOPPED
    missed = Script([(0, job(R)), (20, job(C, "J2"))], end=10_000)
    assert kinds(await missed.run(until_done=True))[-1] is EventKind.NEW_JOB


async def test_progress_events_every_step_percent():
    """progress_step=10 yields an event each time a running job crosses a multiple of 10 %."""
    script = Script(
        [(0, lambda t: job(R, progress=t / 10)), (400, job(P, progress=40))],  # 0.5 %/poll
        end=600,
    )
    events = await script.run(progress_step=10)
    progress = [e for e in events if e.kind is EventKind.PROGRESS]
    assert [math.floor(e.job.print_progress / 10) for e in progress] == [1, 2, 3]
    assert [e.job.print_progress for e in progress] == [10.0, 20.0, 30.0]
    assert kinds(events)[-1] is EventKind.PAUSED


async def test_progress_step_zero_reports_every_poll_of_a_running_job():
    """progress_step=0 yields a progress event for every poll while running, none while paused."""
    script = Script([(0, lambda t: job(R, progress=t / 10)), (50, job(P, progress=5))], end=100)
    events = await script.run(progress_step=0)
    assert kinds(events) == [EventKind.INITIAL] + [EventKind.PROGRESS] * 9 + [EventKind.PAUSED]


async def test_active_interval_polls_faster_while_a_job_runs():
    """active_interval applies while a job is running or paused, interval otherwise."""
    script = Script([(0, IDLE), (20, job(R)), (30, job(P)), (40, job(C))], end=80)
    await script.run(interval=10.0, active_interval=2.0)
    assert script.polls == [0, 10, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 50, 60, 70]


async def test_a_wrong_password_ends_the_watch():
    """An AuthenticationError from the poll ends the watch by raising it."""
    wrong = AuthenticationError("wrong", code=10000, msg="sign error", endpoint="/login")
    script = Script([(0, job(R)), (20, wrong)], end=1000)
    events = []

    async def consume():
        async for event in script.watch():
            events.append(event)

    with pytest.raises(AuthenticationError):
        await consume()
    assert kinds(events) == [EventKind.INITIAL]
    assert script.polls[-1] == 20


@pytest.mark.parametrize(
    "options",
    [
        {"interval": 0},
        {"interval": -1},
        {"interval": math.nan},
        {"active_interval": 0},
        {"backoff_cap": 0},
        {"offline_after": -1},
        {"progress_step": -5},
        {"start_delay": -1},
    ],
)
def test_bad_options_are_refused_at_once(options):
    """Out-of-range options raise ValueError when watch is called, before any poll."""
    script = Script([(0, job(R))], end=10)
    with pytest.raises(ValueError, match=next(iter(options))):
        script.watch(**options)
    assert script.polls == []


async def test_start_delay_postpones_the_first_poll():
    """start_delay waits before the first poll; the schedule then runs from there."""
    script = Script([(0, job(R))], end=20)
    await script.run(start_delay=3.0)
    assert script.polls == [3.0, 8.0, 13.0, 18.0]


async def test_tick_puts_poll_starts_on_a_grid_without_drift():
    """With tick, polls start on multiples of it; slow answers neither drift nor accumulate."""
    script = Script([(0, job(R))], end=60, latency=0.03)
    await script.run(interval=5.0, start_delay=1.23, tick=0.1)
    assert [round(t, 6) for t in script.polls] == [1.2 + 5.0 * n for n in range(12)]


async def test_tick_rounding_does_not_add_up_when_the_interval_is_off_the_grid():
    """An interval that is not a multiple of tick keeps its average: starts stay within tick/2."""
    script = Script([(0, job(R))], end=506, latency=0.002)
    await script.run(interval=5.05, tick=0.1)
    assert len(script.polls) == 101
    assert all(abs(t - 5.05 * n) <= 0.05 + 1e-9 for n, t in enumerate(script.polls))


class LateScript(Script):
    """A script whose every sleep overshoots a little, as a loaded event loop's does."""

    async def sleep(self, seconds):
        """Sleep 4 ms longer than asked."""
        await super().sleep(seconds + 0.004)


async def test_tick_does_not_delay_the_offline_report():
    """With tick and late wake-ups, offline still comes at the grace period, not an interval on."""

    def refused(_when):
        return PrinterConnectionError("refused")

    script = LateScript([(0, job(R)), (4, refused)], end=60)
    events = await script.run(interval=5.0, offline_after=30.0, tick=0.1)
    offline = [e for e in events if e.kind is EventKind.OFFLINE]
    assert len(offline) == 1
    first_failure = script.polls[1]
    went_offline = (offline[0].observed_at - START).total_seconds()
    assert 30.0 - 0.1 <= went_offline - first_failure <= 30.0 + 0.1


# -- against the client, at the transport seam --------------------------------------------


def counting_sleep():
    """A sleep that records its delays and returns at once, and the list it records in."""
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
        await anyio.lowlevel.checkpoint()

    return slept, sleep


async def test_a_401_mid_watch_logs_in_once_and_the_watch_goes_on(api, printer):
    """A refused token mid-watch costs one login and one retry; no event, no error."""
    route = api.get("/job/currentjob")
    route.side_effect = [
        ok(_wire(job(R))),
        api_error(401, "token error"),
        ok(_wire(job(P))),
    ]
    _, sleep = counting_sleep()
    events = []
    async with contextlib.aclosing(
        watch_jobs(printer.current_job, printer=printer, interval=5, sleep=sleep)
    ) as watch:
        async for event in watch:
            events.append(event)
            if len(events) == 2:
                break
    assert kinds(events) == [EventKind.INITIAL, EventKind.PAUSED]
    assert api["login"].call_count == 2  # the first login, and one re-login
    assert route.call_count == 3


async def test_exactly_one_request_per_poll(api, printer):
    """Each poll sends one GET /job/currentjob and nothing else."""
    route = api.get("/job/currentjob").mock(return_value=ok(_wire(job(R))))
    slept, sleep = counting_sleep()
    watch = watch_jobs(
        printer.current_job, printer=printer, interval=5, progress_step=0, sleep=sleep
    )
    async with contextlib.aclosing(watch):
        for _ in range(25):
            await anext(watch)  # one event per poll with progress_step=0
    assert route.call_count == 25
    assert len(slept) == 24
    assert api["login"].call_count == 1
    assert [call.request.url.path for call in api.calls] == ["/v1/login"] + [
        "/v1/job/currentjob"
    ] * 25


async def test_a_wrong_password_ends_a_real_watch(api):
    """A printer that refuses the password (10000) ends printer.watch() with AuthenticationError."""
    api["login"].mock(return_value=api_error(10000, "sign error or password error"))
    async with AsyncPrinter("127.0.0.1", password="wrong") as printer:
        with pytest.raises(AuthenticationError) as caught:
            async for _ in printer.watch(interval=0.01):
                pass
    assert caught.value.code == 10000


async def test_events_carry_no_secrets(api, printer):
    """An event's repr names the printer but never its token or password."""
    api.get("/job/currentjob").mock(return_value=ok(_wire(job(R))))
    watch = printer.watch(interval=5)
    async with contextlib.aclosing(watch):
        event = await anext(watch)
    text = repr(event)
    assert printer.name in text
    assert TOKEN not in text
    assert PASSWORD not in text


def test_watch_on_a_closed_printer_is_refused():
    """printer.watch() on a closed printer raises at once."""

    async def main():
        printer = AsyncPrinter("127.0.0.1", password=PASSWORD)
        await printer.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            printer.watch()

    anyio.run(main)


def _wire(current):
    return {
        "file_name": current.file_name,
        "print_progress": current.print_progress,
        "printed_layer": current.printed_layer,
        "printed_time": current.printed_time,
        "job_id": current.job_id,
        "total_layer": current.total_layer,
        "total_time": current.total_time,
        "job_status": current.job_status.value,
    }


# -- cancellation --------------------------------------------------------------------------


class RealPolls:
    """A poll that counts its calls and yields to the event loop like a request would."""

    def __init__(self):
        """No call made yet."""
        self.calls = 0

    async def __call__(self):
        """One poll: a running job."""
        self.calls += 1
        await anyio.lowlevel.checkpoint()
        return job(R)


async def test_cancelling_the_task_stops_polling_at_once_under_asyncio():
    """Cancelling a task that iterates a watch ends it during the sleep; nothing is left running."""
    poll = RealPolls()
    first = asyncio.Event()

    async def consume():
        async for _ in watch_jobs(poll, printer=PRINTER, interval=3600):
            first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert poll.calls == 1
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_breaking_out_closes_the_watch_under_asyncio():
    """Breaking out of the loop inside aclosing leaves a closed generator and no task."""
    poll = RealPolls()
    watch = watch_jobs(poll, printer=PRINTER, interval=0.001)
    async with contextlib.aclosing(watch):
        async for _ in watch:
            break
    assert watch.ag_frame is None  # finished: nothing can run again
    await asyncio.sleep(0.01)
    assert poll.calls == 1
    assert asyncio.all_tasks() == {asyncio.current_task()}


def test_cancellation_and_break_under_trio():
    """Under trio, a cancel scope ends a sleeping watch at once, and break closes it."""
    poll = RealPolls()
    outcome = {}

    async def main():
        with trio.move_on_after(0.05) as scope:
            async with contextlib.aclosing(watch_jobs(poll, printer=PRINTER, interval=3600)) as w:
                async for event in w:
                    outcome["first"] = event.kind
        outcome["cancelled"] = scope.cancelled_caught
        watch = watch_jobs(poll, printer=PRINTER, interval=0.001, progress_step=0)
        async with contextlib.aclosing(watch):
            async for _ in watch:
                if poll.calls == 3:
                    break
        outcome["closed"] = watch.ag_frame is None
        outcome["children"] = len(trio.lowlevel.current_task().child_nurseries)

    trio.run(main)
    assert outcome == {
        "first": EventKind.INITIAL,
        "cancelled": True,
        "closed": True,
        "children": 0,
    }
    assert poll.calls == 3  # one in the cancelled watch, two in the broken one
