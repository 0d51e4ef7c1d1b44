"""Watching a simulated printer over real loopback sockets, with every fault it can inject.

Most tests drive the simulator's ``ManualClock`` from the watch's own sleep: the watch runs its
real code over real HTTP, but simulated time only moves when it would sleep, so the runs are
exact and take no wall-clock time. One test uses ``printer.watch()`` itself on a scaled clock.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import math
import random

import anyio
import pytest
import trio
from printer_async import AsyncPrinter, EventKind, JobStatus
from printer_async._orchestration.watch import watch_jobs
from printer_async.simulator import (
    ManualClock,
    ScaledClock,
    SimulatedPrinter,
    serve,
    serve_in_thread,
)

from _support import STATE_KINDS, busy_connections, transport_closed

INTERVAL = 10.0
"""Simulated seconds between polls in the scripted runs."""
CURRENTJOB = "/v1/job/currentjob"


class ScenarioOverError(Exception):
    """Raised by the driver's sleep at the scenario's end, to end the watch from inside."""


class Driver:
    """Runs a scenario on a ManualClock: the watch's sleep advances time and fires due actions."""

    def __init__(self, clock, actions, *, end):
        """Actions are ``(sim_time, callable)``; a callable may return an awaitable."""
        self.clock = clock
        self.actions = sorted(actions, key=lambda entry: entry[0])
        self.end = end

    async def sleep(self, seconds):
        """Advance simulated time by ``seconds``, firing the actions due on the way."""
        target = self.clock.now() + seconds
        if target > self.end:
            raise ScenarioOverError
        while self.actions and self.actions[0][0] <= target:
            at, action = self.actions.pop(0)
            self.clock.advance(max(0.0, at - self.clock.now()))
            result = action()
            if inspect.isawaitable(result):
                await result
        self.clock.advance(max(0.0, target - self.clock.now()))
        await anyio.lowlevel.checkpoint()

    async def run(self, client, **options):
        """Every event of a watch of ``client`` until the scenario's end."""
        options.setdefault("interval", INTERVAL)
        options.setdefault("backoff_cap", 2 * INTERVAL)
        events = []
        watch = watch_jobs(
            client.current_job,
            printer=client,
            sleep=self.sleep,
            clock=self.clock.now,
            rng=options.pop("rng", random.Random(3)),
            **options,
        )
        with contextlib.suppress(ScenarioOverError):
            async with contextlib.aclosing(watch):
                async for event in watch:
                    events.append(event)
        return events


def lifecycle(sim):
    """A day in a printer's life: jobs paused, resumed, completed, stopped, power lost, recovered.

    Every state lasts at least six poll intervals except one job stopped three seconds after it
    started, which a watch may miss.
    """
    return [
        (35, lambda: sim.start_job("Local/benchy.gcode")),  # 300 s job: completes at 395
        (100, sim.pause),
        (160, sim.resume),
        (450, lambda: sim.start_job("Local/calibration_cube.gcode")),
        (520, sim.stop),
        (600, lambda: sim.start_job("Local/benchy.gcode")),
        (660, sim.power_loss),
        (730, sim.recover),
        (800, sim.stop),
        (884, lambda: sim.start_job("Local/calibration_cube.gcode")),  # between two polls
        (887, sim.stop),  # running for 3 s: shorter than an interval
        (950, lambda: sim.start_job("Local/webapi_store/bracket.gcode")),
        (1020, sim.pause),
    ]


END = 1100.0


def truth(sim, *, end):
    """The ground-truth states ``(job_id, status, duration)`` of the simulator, oldest first."""
    states = [(None, None, 0.0)]  # no job before the first one
    times = [0.0]
    for transition in sim.transitions:
        states.append((transition.job_id, JobStatus(transition.current), 0.0))
        times.append(transition.sim_time)
    times.append(end)
    return [
        (job_id, status, times[index + 1] - times[index])
        for index, (job_id, status, _) in enumerate(states)
    ]


def assert_matches_truth(events, sim, *, end, interval=INTERVAL):
    """The state events are the ground truth, in order, minus only states shorter than two polls."""
    seen = [
        (event.job.job_id or None, event.current) for event in events if event.kind in STATE_KINDS
    ]
    states = truth(sim, end=end)
    position = 0
    for job_id, status in seen:
        while position < len(states) and states[position][:2] != (job_id, status):
            _, _, duration = states[position]
            assert duration < 2 * interval, f"missed a state that lasted {duration}s: {states}"
            position += 1
        assert position < len(states), f"spurious event {(job_id, status)}; truth {states}"
        position += 1
    assert all(duration < 2 * interval for *_, duration in states[position:-1])
    assert all(a != b for a, b in itertools.pairwise(seen)), "two events for one state"
    assert events[0].kind is EventKind.INITIAL


@contextlib.asynccontextmanager
async def served(transport="httpx", **options):
    """A ManualClock simulator served on loopback, and a client of ``transport`` on it."""
    sim = SimulatedPrinter(clock=ManualClock(), job_duration=300, seed=11, **options)
    async with serve(sim) as server:
        endpoint = server.endpoints[0]
        async with AsyncPrinter(
            endpoint.host,
            port=endpoint.port,
            password=endpoint.password,
            timeout=5,
            transport=transport,
        ) as client:
            yield sim, client, endpoint


async def test_a_watched_day_equals_the_ground_truth_without_faults(transport):
    """Without faults, the events are exactly the simulator's transitions, minus the 3 s state."""
    async with served(transport) as (sim, client, _):
        events = await Driver(sim.clock, lifecycle(sim), end=END).run(client)
    assert_matches_truth(events, sim, end=END)
    assert [event.kind for event in events] == [
        EventKind.INITIAL,
        EventKind.STARTED,
        EventKind.PAUSED,
        EventKind.RESUMED,
        EventKind.COMPLETED,
        EventKind.STARTED,
        EventKind.STOPPED,
        EventKind.STARTED,
        EventKind.STOPPED,  # the power loss
        EventKind.RESUMED,  # the recovery, same job
        EventKind.STOPPED,
        EventKind.NEW_JOB,  # the job stopped after 3 s, first seen stopped
        EventKind.STARTED,
        EventKind.PAUSED,
    ]
    assert not any(event.may_have_missed for event in events)


FAULTS = {
    "busy 10003": lambda f: f.busy("10003", probability=0.3, path=CURRENTJOB),
    "busy 500": lambda f: f.busy("500", probability=0.3, path=CURRENTJOB),
    "429": lambda f: f.busy("429", probability=0.3, path=CURRENTJOB),
    "drop": lambda f: f.drop(probability=0.3, path=CURRENTJOB),
    "reset mid body": lambda f: f.reset_mid_body(probability=0.3, path=CURRENTJOB),
    "html error": lambda f: f.html_error(502, probability=0.3, path=CURRENTJOB),
    "truncated json": lambda f: f.truncated_json(probability=0.3, path=CURRENTJOB),
    "invalid json": lambda f: f.invalid_json(probability=0.3, path=CURRENTJOB),
    "wrong type": lambda f: f.wrong_type("job_status", probability=0.3, path=CURRENTJOB),
    "missing field": lambda f: f.missing_field("job_id", probability=0.3, path=CURRENTJOB),
    "503": lambda f: f.service_unavailable(probability=0.3, path=CURRENTJOB),
    "latency": lambda f: f.latency(0.005, probability=0.3, path=CURRENTJOB),
    "progress NaN": lambda f: f.bad_value("print_progress", math.nan, probability=0.3),
    "progress Infinity": lambda f: f.bad_value("print_progress", math.inf, probability=0.3),
    "layer 10**400": lambda f: f.bad_value("printed_layer", 10**400, probability=0.3),
    "time -Infinity": lambda f: f.bad_value("printed_time", -math.inf, probability=0.3),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_each_fault_alone_leaves_the_events_equal_to_the_ground_truth(fault, transport):
    """With one fault kind on 30 % of polls (NaN progress too), no state is missed or invented."""
    async with served(transport) as (sim, client, _):
        FAULTS[fault](sim.faults)
        events = await Driver(sim.clock, lifecycle(sim), end=END).run(
            client, offline_after=1e6, progress_step=10
        )
        fired = len(sim.faults.fired)
    assert fired > 10  # the faults did happen
    assert_matches_truth(events, sim, end=END)


@pytest.mark.parametrize("seed", range(6))
async def test_mixed_random_faults_with_token_expiry_and_reboot(seed, transport):
    """Random faults on every request (login too), NaN values, expired tokens, a reboot mid-job."""
    async with served(transport) as (sim, client, _):
        # About one poll in four fails (a login too, sometimes): a state seen by two or three
        # polls is then missed only when all of them fail, which these seeds do not draw.
        sim.faults.random(0.15, rng=random.Random(seed))
        sim.faults.wrong_type("print_progress", probability=0.05, path=CURRENTJOB)
        sim.faults.missing_field("job_status", probability=0.05, path=CURRENTJOB)
        sim.faults.bad_value("print_progress", math.nan, probability=0.03, path=CURRENTJOB)
        sim.faults.bad_value("total_time", math.inf, probability=0.03, path=CURRENTJOB)
        sim.faults.latency(0.002, probability=0.1)
        actions = [*lifecycle(sim), (130, sim.expire_tokens), (300, sim.reboot), (980, sim.reboot)]
        driver = Driver(sim.clock, actions, end=END)
        events = await driver.run(
            client,
            offline_after=60,
            backoff_cap=1.5 * INTERVAL,
            progress_step=10,
            rng=random.Random(seed),
        )
        logins = client._auth.login_count
    assert_matches_truth(events, sim, end=END)
    assert logins >= 4  # first login, the expiry, a power loss and two reboots forced new ones


async def test_token_expiry_and_reboot_mid_job_log_in_again_without_an_event(transport):
    """Expired tokens and a rebooted API cost one login each and no event."""
    async with served(transport) as (sim, client, _):
        actions = [
            (5, lambda: sim.start_job("Local/benchy.gcode")),
            (52, sim.expire_tokens),
            (103, sim.reboot),
            (155, sim.expire_tokens),
        ]
        events = await Driver(sim.clock, actions, end=250).run(client)
        logins = client._auth.login_count
    assert [event.kind for event in events] == [EventKind.INITIAL, EventKind.STARTED]
    assert logins == 4
    assert not any(event.may_have_missed for event in events)


async def test_a_printer_killed_and_revived_is_offline_once_then_online_once():
    """The server going away is reported offline after the grace period, and online when back."""
    sim = SimulatedPrinter(clock=ManualClock(), job_duration=300, seed=5)
    async with contextlib.AsyncExitStack() as cleanup:
        server_stack = contextlib.AsyncExitStack()
        cleanup.push_async_callback(server_stack.aclose)
        server = await server_stack.enter_async_context(serve(sim))
        port = server.endpoints[0].port
        client = await cleanup.enter_async_context(
            AsyncPrinter("127.0.0.1", port=port, password=sim.password, timeout=2)
        )

        async def revive():
            await server_stack.enter_async_context(serve(sim, ports=[port]))

        actions = [
            (10, lambda: sim.start_job("Local/benchy.gcode")),
            (60, server_stack.aclose),
            (200, sim.pause),  # happens while nobody can look
            (300, revive),
        ]
        events = await Driver(sim.clock, actions, end=400).run(
            client, offline_after=40, backoff_cap=30
        )
    kinds = [event.kind for event in events]
    assert kinds == [
        EventKind.INITIAL,
        EventKind.STARTED,
        EventKind.OFFLINE,
        EventKind.ONLINE,
        EventKind.PAUSED,
    ]
    offline = events[2]
    assert offline.job is None
    assert offline.error is not None
    assert events[-1].may_have_missed


async def test_printer_watch_follows_a_job_in_real_time_on_a_scaled_clock():
    """printer.watch() on a fast simulator sees start, pause, resume and completion, then ends."""
    sim = SimulatedPrinter(clock=ScaledClock(speed=2000), job_duration=1200, seed=2)
    sim.faults.random(0.2, rng=random.Random(1), path=CURRENTJOB)
    kinds = []
    async with serve(sim) as server:
        endpoint = server.endpoints[0]
        async with AsyncPrinter(endpoint.host, port=endpoint.port, password=sim.password) as p:
            sim.start_job("Local/benchy.gcode")
            with anyio.fail_after(10):
                async for event in p.watch(
                    interval=0.02, backoff_cap=0.08, until_done=True, progress_step=25
                ):
                    kinds.append(event.kind)
                    if event.kind is EventKind.INITIAL:
                        sim.pause()
                    elif event.kind is EventKind.PAUSED:
                        sim.resume()
    states = [kind for kind in kinds if kind is not EventKind.PROGRESS]
    assert states == [
        EventKind.INITIAL,
        EventKind.PAUSED,
        EventKind.RESUMED,
        EventKind.COMPLETED,
    ]
    assert EventKind.PROGRESS in kinds


async def test_cancelling_mid_poll_returns_at_once_and_leaves_nothing_open(transport):
    """A cancel while a request is in flight ends the watch at once; the client closes cleanly."""
    async with served(transport) as (sim, client, _):
        sim.faults.latency(0.6, path=CURRENTJOB)
        began = anyio.current_time()
        with anyio.move_on_after(0.1) as scope:
            async for _ in client.watch(interval=1):
                pytest.fail("the only poll never answers in time")
        elapsed = anyio.current_time() - began
        assert scope.cancelled_caught
        assert [path for path, _ in sim.faults.fired] == [CURRENTJOB]
        assert busy_connections(client) == []  # the cancelled request's connection was dropped
    assert elapsed < 0.5
    assert transport_closed(client)


def test_printer_watch_under_trio_over_real_sockets():
    """Under trio, printer.watch() polls a real server, and a cancel scope ends it promptly."""
    sim = SimulatedPrinter(clock=ManualClock(), seed=4)
    seen = []

    async def main():
        async with AsyncPrinter("127.0.0.1", port=port, password=sim.password) as printer:
            with trio.move_on_after(0.3) as scope:
                async for event in printer.watch(interval=0.01):
                    seen.append(event.kind)
                    if event.kind is EventKind.INITIAL:
                        sim.start_job("Local/benchy.gcode")
            return scope.cancelled_caught

    with serve_in_thread(sim) as server:
        port = server.endpoints[0].port
        cancelled = trio.run(main)
    assert cancelled
    assert seen == [EventKind.INITIAL, EventKind.STARTED]
