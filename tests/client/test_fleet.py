"""Fleets of simulated printers over real loopback sockets."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import random
import re
import time

import anyio
import anyio.lowlevel
import httpx
import pytest
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    CurrentJob,
    EventKind,
    Fleet,
    JobStatus,
    PrinterConnectionError,
)
from printer_async.simulator import FaultKind, ScaledClock, SimulatedPrinter, serve, serve_in_thread
from printer_async.simulator._faults import RANDOM_KINDS

from _support import STATE_KINDS, transport_closed

PASSWORD = "123456"


def _clients(server, **kwargs) -> list[AsyncPrinter]:
    return [
        AsyncPrinter(e.host, port=e.port, password=e.printer.password, name=f"p{i:03d}", **kwargs)
        for i, e in enumerate(server.endpoints)
    ]


def _mixed_clients(server) -> list[AsyncPrinter]:
    """Every other printer on httpx, the rest left to the fleet (aiohttp): both in one run."""
    return [
        AsyncPrinter(
            e.host,
            port=e.port,
            password=e.printer.password,
            name=f"p{i:03d}",
            transport="httpx" if i % 2 else None,
        )
        for i, e in enumerate(server.endpoints)
    ]


def _truth(
    sim: SimulatedPrinter, start: float, end: float
) -> list[tuple[str | None, JobStatus | None, float]]:
    """Ground-truth states ``(job_id, status, wall seconds it lasted)`` between start and end."""
    states: list[tuple[str | None, JobStatus | None]] = [(None, None)]
    times = [start]
    for transition in sim.transitions:
        states.append((transition.job_id, JobStatus(transition.current)))
        times.append(transition.wall_time)
    times.append(end)
    return [(*state, times[i + 1] - times[i]) for i, state in enumerate(states)]


def _assert_matches_truth(events, sim, *, start, end, interval):
    """State events equal the ground truth in order, skipping only states under two intervals."""
    seen = [(e.job.job_id or None, e.current) for e in events if e.kind in STATE_KINDS]
    assert len(seen) == len(set(seen)) or all(a != b for a, b in itertools.pairwise(seen))
    states = _truth(sim, start, end)
    position = 0
    for job_id, status in seen:
        while position < len(states) and states[position][:2] != (job_id, status):
            assert states[position][2] < 2 * interval, f"missed {states[position]} of {states}"
            position += 1
        assert position < len(states), f"spurious {(job_id, status)}; truth {states}"
        position += 1
    for missed in states[position:]:
        assert missed[2] < 2 * interval, f"missed {missed} of {states}"


async def _at(delay: float, action) -> None:
    await anyio.sleep(delay)
    action()


async def test_watch_merges_every_printers_events_with_its_printer():
    """fleet.watch() yields each printer's initial event, each event naming its printer."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(3)]
    sims[1].start_job("Local/benchy.gcode")
    async with serve(*sims) as server, Fleet(_clients(server)) as fleet:
        seen = {}
        async with fleet.watch(interval=0.05) as events:
            async for event in events:
                seen[event.printer.name] = event
                if len(seen) == 3:
                    break
    assert {name: e.kind for name, e in seen.items()} == dict.fromkeys(
        ["p000", "p001", "p002"], EventKind.INITIAL
    )
    assert seen["p001"].current is JobStatus.RUNNING
    assert seen["p001"].printer is not seen["p000"].printer


async def test_two_hundred_printers_with_random_faults_match_ground_truth():
    """200 printers' events match their ground truth despite faults, half on each transport."""
    interval, speed, count = 0.5, 10.0, 200
    rng = random.Random(7)
    sims = [
        SimulatedPrinter(clock=ScaledClock(speed), seed=i, job_duration=60.0) for i in range(count)
    ]
    kinds = [*RANDOM_KINDS, FaultKind.LATENCY]  # busy, 429, 503, drop, reset, HTML, bad JSON
    for sim in sims:
        sim.faults.random(0.05, kinds=kinds, rng=random.Random(rng.random()), latency=0.1)
    events: dict[str, list] = {}
    async with serve(*sims) as server, Fleet(_mixed_clients(server)) as fleet:
        start = time.monotonic()
        async with fleet.watch(interval=interval, backoff_cap=2 * interval) as stream:
            async for event in stream:  # every printer seen idle first
                events.setdefault(event.printer.name, []).append(event)
                if len(events) == count:
                    break
            async with anyio.create_task_group() as script:
                for sim in sims:
                    offset = rng.uniform(0.0, 0.5)
                    start_job = lambda sim=sim: sim.start_job("Local/benchy.gcode")  # noqa: E731
                    script.start_soon(_at, offset, start_job)
                    script.start_soon(_at, offset + 2.5, sim.pause)
                    script.start_soon(_at, offset + 5.0, sim.resume)
                # 60 s jobs at speed 10 run 6 s; paused 2.5 s: all complete within 9 s.
                done: set[str] = set()
                with anyio.move_on_after(60.0):  # ends as soon as every job completed
                    async for event in stream:
                        events.setdefault(event.printer.name, []).append(event)
                        if event.kind is EventKind.COMPLETED:
                            done.add(event.printer.name)
                            if len(done) == count:
                                break
        end = time.monotonic()
    for index, sim in enumerate(sims):
        kinds_seen = [e.kind for e in events[f"p{index:03d}"] if e.kind in STATE_KINDS]
        assert kinds_seen == [
            EventKind.INITIAL,
            EventKind.STARTED,
            EventKind.PAUSED,
            EventKind.RESUMED,
            EventKind.COMPLETED,
        ], f"p{index:03d}: {kinds_seen}; truth {_truth(sim, start, end)}"
        _assert_matches_truth(events[f"p{index:03d}"], sim, start=start, end=end, interval=interval)


async def test_a_killed_printer_goes_offline_and_the_others_carry_on():
    """A printer whose server dies is reported offline once; the others keep their schedule."""
    healthy = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(3)]
    doomed = SimulatedPrinter(clock=ScaledClock(), seed=99)
    polls: dict[str, list[float]] = {}
    events: list = []
    async with serve(*healthy) as server, contextlib.AsyncExitStack() as stack:
        doomed_server = await stack.enter_async_context(serve(doomed))
        endpoint = doomed_server.endpoints[0]
        clients = [
            *_clients(server),
            AsyncPrinter(endpoint.host, port=endpoint.port, password=PASSWORD, name="doomed"),
        ]
        for client in clients:
            original = client.current_job

            async def stamped(client=client, original=original):
                polls.setdefault(client.name, []).append(time.monotonic())
                return await original()

            client.current_job = stamped
        async with Fleet(clients) as fleet:
            async with fleet.watch(interval=0.05, offline_after=0.3, backoff_cap=0.2) as stream:
                async for event in stream:
                    events.append(event)
                    if sum(e.kind is EventKind.INITIAL for e in events) == 4:
                        break
                await stack.aclose()  # the doomed printer's server stops: connections refused
                killed_at = time.monotonic()
                with anyio.move_on_after(1.0):
                    async for event in stream:
                        events.append(event)
    offline = [e for e in events if e.kind is EventKind.OFFLINE]
    assert [e.printer.name for e in offline] == ["doomed"]
    assert isinstance(offline[0].error, PrinterConnectionError)
    assert not [e for e in events if e.printer.name != "doomed" and e.kind is not EventKind.INITIAL]
    for name in ("p000", "p001", "p002"):
        after = [t for t in polls[name] if t > killed_at]
        assert len(after) >= 15, f"{name} polled {len(after)} times in 1 s at a 0.05 s interval"
        assert max(b - a for a, b in itertools.pairwise(after)) < 0.2


async def test_a_wrong_password_is_reported_for_that_printer_only():
    """A misconfigured printer yields one error event; the others are watched normally."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(3)]
    async with serve(*sims) as server:
        clients = _clients(server)
        bad = server.endpoints[2]
        clients[2] = AsyncPrinter(bad.host, port=bad.port, password="wrong", name="bad")
        async with Fleet(clients) as fleet:
            events = []
            async with fleet.watch(interval=0.05) as stream:
                with anyio.move_on_after(0.5):
                    async for event in stream:
                        events.append(event)
    errors = [e for e in events if e.kind is EventKind.ERROR]
    assert [e.printer.name for e in errors] == ["bad"]
    assert isinstance(errors[0].error, AuthenticationError)
    assert errors[0].error.code == 10000
    assert {e.printer.name for e in events if e.kind is EventKind.INITIAL} == {"p000", "p001"}


async def test_cancelling_a_two_hundred_printer_fleet_mid_poll_is_prompt_and_clean():
    """Cancelling 200 printers mid-poll (half on each transport) is prompt, leaving nothing open."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(200)]
    for sim in sims:
        sim.faults.latency(5.0, duration=60.0)  # every poll is in flight when we cancel
    # The server runs in its own thread, so every task left in this loop would be the fleet's.
    with serve_in_thread(*sims) as server:
        before = asyncio.all_tasks()
        clients = _mixed_clients(server)
        with anyio.move_on_after(0.5) as scope:
            async with Fleet(clients) as fleet, fleet.watch(interval=0.1) as stream:
                async for _ in stream:
                    pass
        cancelled_at = time.monotonic()
        assert scope.cancelled_caught
        assert all(transport_closed(client) for client in clients)
        assert fleet._session is not None
        assert fleet._session.closed
        assert not {t for t in asyncio.all_tasks() - before if not t.done()}
        for sim in sims:
            sim.faults.clear()
    assert time.monotonic() - cancelled_at < 3.0  # including the server's own shutdown


async def test_snapshot_gathers_jobs_and_errors_concurrently():
    """snapshot() returns every printer's job or error; a dead printer only costs its timeout."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(20)]
    sims[0].start_job("Local/benchy.gcode")
    sims[5].faults.latency(3.0, duration=60.0)
    async with serve(*sims) as server:
        clients = _clients(server, timeout=0.5)
        async with Fleet(clients) as fleet:
            started = time.monotonic()
            results = await fleet.snapshot()
            took = time.monotonic() - started
    assert list(results) == [f"p{i:03d}" for i in range(20)]
    assert isinstance(results["p000"], CurrentJob)
    assert results["p000"].job_status is JobStatus.RUNNING
    assert isinstance(results["p005"], PrinterConnectionError)
    assert all(isinstance(r, CurrentJob) for n, r in results.items() if n != "p005")
    assert took < 2.0  # one timeout, not twenty
    sims[5].faults.clear()


async def test_limits_bound_requests_per_printer_and_overall():
    """At most one request per printer and max_concurrent overall are in flight at once."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(12)]
    for sim in sims:
        sim.faults.latency(0.05, duration=60.0)
    in_flight = {"all": 0, "peak": 0}
    per_printer: dict[str, int] = {}
    peaks: dict[str, int] = {}
    async with serve(*sims) as server:
        clients = _clients(server)
        for client in clients:
            original = client.current_job

            async def counted(client=client, original=original):
                name = client.name
                in_flight["all"] += 1
                per_printer[name] = per_printer.get(name, 0) + 1
                in_flight["peak"] = max(in_flight["peak"], in_flight["all"])
                peaks[name] = max(peaks.get(name, 0), per_printer[name])
                try:
                    return await original()
                finally:
                    in_flight["all"] -= 1
                    per_printer[name] -= 1

            client.current_job = counted
        async with Fleet(clients, max_concurrent=3) as fleet:
            async with anyio.create_task_group() as tg:
                for _ in range(3):
                    tg.start_soon(fleet.snapshot)
    assert in_flight["peak"] == 3
    assert max(peaks.values()) == 1
    for sim in sims:
        sim.faults.clear()


async def test_first_polls_are_spread_over_the_interval():
    """A fleet's first polls are spread over the first interval, not fired all at once."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(10)]
    firsts: dict[str, float] = {}
    async with serve(*sims) as server:
        clients = _clients(server)
        for client in clients:
            original = client.current_job

            async def stamped(client=client, original=original):
                firsts.setdefault(client.name, time.monotonic())
                return await original()

            client.current_job = stamped
        async with Fleet(clients) as fleet:
            started = time.monotonic()
            async with fleet.watch(interval=1.0) as stream:
                seen = 0
                async for _ in stream:
                    seen += 1
                    if seen == 10:
                        break
    offsets = sorted(t - started for t in firsts.values())
    assert offsets[0] < 0.1
    assert 0.7 < offsets[-1] < 1.0  # spread over most of the interval, and within it
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    assert min(gaps) > 0.05


async def test_printers_can_be_added_and_removed_while_watching():
    """A printer added mid-watch is watched at once; a removed one stops and is closed."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(3)]
    async with serve(*sims) as server:
        first, second, third = _clients(server)
        async with Fleet([first, second]) as fleet, fleet.watch(interval=0.05) as stream:
            names = set()
            async for event in stream:
                names.add(event.printer.name)
                if names == {"p000", "p001"}:
                    break
            fleet.add(third)
            async for event in stream:
                if event.printer is third:
                    break
            removed = await fleet.remove("p000")
            assert removed is first
            assert first.closed
            assert "p000" not in fleet
            assert len(fleet) == 2
            sims[0].start_job("Local/benchy.gcode")
            with anyio.move_on_after(0.3):
                async for event in stream:
                    assert event.printer is not first


async def test_a_slow_consumer_with_drop_overflow_loses_counted_events_only():
    """With overflow='drop', a slow consumer gets a bounded buffer and a count of the drops."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(10)]
    for sim in sims:
        sim.start_job("Local/benchy.gcode")
    async with serve(*sims) as server, Fleet(_clients(server)) as fleet:
        async with fleet.watch(interval=0.02, progress_step=0, buffer=2, overflow="drop") as stream:
            await anyio.sleep(0.5)  # the consumer is busy elsewhere
            received = [await stream.__anext__() for _ in range(2)]
    assert len(received) == 2
    assert stream.dropped > 10


def test_from_toml_builds_named_printers(tmp_path, monkeypatch):
    """A TOML file of entries builds printers with names, ports and passwords (also from env)."""
    monkeypatch.setenv("RIGHT_PW", "from-env")
    path = tmp_path / "printers.toml"
    path.write_text(
        """
[defaults]
port = 10801
timeout = 3

[[printer]]
name = "left"
host = "127.0.0.1"
password = "plain"

[[printer]]
name = "right"
host = "127.0.0.1"
port = 10900
password_env = "RIGHT_PW"
"""
    )
    fleet = Fleet.from_toml(path)
    left, right = fleet
    assert (left.name, left.host, left.port) == ("left", "127.0.0.1", 10801)
    assert (right.name, right.port) == ("right", 10900)
    assert left._auth._password == "plain"
    assert right._auth._password == "from-env"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[[printer]]\nname = 'x'\n", "printer #1 ('x'): 'host' is required"),
        ("[[printer]]\nhost = 'h'\npassword_env = 'NOPE_NOT_SET'\n", "'NOPE_NOT_SET' is not set"),
        ("[[printer]]\nhost = 'h'\nport = 'x'\n", "'port' must be a TCP port number"),
        ("[[printer]]\nhost = 'h'\ncolour = 'red'\n", "unknown keys ['colour']"),
        ("[[printer]]\nhost = 'h:80'\n", "printer #1: host must be a printer's name or IP"),
        ("printer = [", "not valid TOML"),
        ("", "expected one or more [[printer]] tables"),
        (
            "[[printer]]\nname='a'\nhost='h'\n[[printer]]\nname='a'\nhost='h'\n",
            "already in the fleet",
        ),
    ],
)
def test_from_toml_names_the_bad_entry(tmp_path, text, fragment):
    """A bad fleet file raises ValueError naming the entry and the problem."""
    path = tmp_path / "printers.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(fragment)):
        Fleet.from_toml(path)


async def test_a_fleet_watch_runs_only_inside_its_block():
    """Iterating fleet.watch() outside 'async with' says how; it blocks no later watch."""
    async with Fleet() as fleet:
        events = fleet.watch()
        with pytest.raises(RuntimeError, match=r"async with fleet.watch\(\.\.\.\) as events"):
            await events.__anext__()
        async with fleet.watch() as events:
            with pytest.raises(RuntimeError, match="one watch at a time"):
                async with fleet.watch():
                    pass


async def test_an_error_in_the_watch_block_comes_out_as_itself():
    """An exception raised while consuming a fleet's events is not wrapped in an ExceptionGroup."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(3)]
    async with serve(*sims) as server, Fleet(_clients(server)) as fleet:

        async def consume():
            async with fleet.watch(interval=0.05) as events:
                async for _ in events:
                    raise KeyError("boom")

        with pytest.raises(KeyError, match="boom"):
            await consume()
        # The fleet is usable again afterwards.
        assert len(await fleet.snapshot()) == 3


async def test_a_fleet_can_be_closed_from_another_task():
    """Entering a fleet in one task and leaving it in another (a fixture's teardown) works."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    async with serve(*sims) as server:
        clients = _clients(server)
        holder = {}

        async def enter():
            holder["fleet"] = await Fleet(clients).__aenter__()

        async with anyio.create_task_group() as tg:
            tg.start_soon(enter)
        fleet = holder["fleet"]
        assert len(await fleet.snapshot()) == 2
        await fleet.__aexit__(None, None, None)
    assert all(transport_closed(client) for client in clients)


async def test_removing_a_printer_waits_for_its_request_in_flight():
    """remove() closes a printer only after the fleet's request to it has been answered."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(3)]
    sims[1].faults.latency(0.3, duration=60.0)
    moments: dict[str, float] = {}
    async with serve(*sims) as server, Fleet(_clients(server)) as fleet:
        slow = fleet["p001"]
        original_job, original_close = slow.current_job, slow.aclose

        async def job():
            moments["asked"] = time.monotonic()
            try:
                return await original_job()
            finally:
                moments["answered"] = time.monotonic()

        async def close():
            moments["closed"] = time.monotonic()
            await original_close()

        slow.current_job, slow.aclose = job, close
        async with anyio.create_task_group() as tg:
            results = {}

            async def take():
                results.update(await fleet.snapshot())

            tg.start_soon(take)
            while "asked" not in moments:
                await anyio.lowlevel.checkpoint()
            removed = await fleet.remove("p001")
        assert removed is slow
        assert removed.closed
        assert moments["answered"] <= moments["closed"]
        assert set(results) == {"p000", "p002"}
        sims[1].faults.clear()


async def test_a_cancelled_remove_still_closes_the_printer():
    """A remove() cancelled while it waits still closes the printer it took out of the fleet."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    sims[0].faults.latency(0.3, duration=60.0)
    async with serve(*sims) as server, Fleet(_clients(server)) as fleet:
        slow = fleet["p000"]
        async with anyio.create_task_group() as tg:
            tg.start_soon(fleet.snapshot)
            await anyio.sleep(0.05)  # the snapshot's request to p000 is in flight
            with anyio.move_on_after(0.01):
                await fleet.remove("p000")
        assert "p000" not in fleet
        assert slow.closed
        sims[0].faults.clear()


def test_a_fleet_runs_under_trio():
    """A fleet watches and snapshots under trio as under asyncio, and cancels cleanly."""
    import trio  # noqa: PLC0415 - only this test needs it

    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(5)]
    sims[2].start_job("Local/benchy.gcode")

    async def main(server):
        async with Fleet(_clients(server)) as fleet:
            snapshot = await fleet.snapshot()
            kinds = {}
            with trio.move_on_after(5):
                async with fleet.watch(interval=0.05) as events:
                    async for event in events:
                        kinds[event.printer.name] = event.kind
                        if len(kinds) == 5:
                            break
        return snapshot, kinds

    with serve_in_thread(*sims) as server:
        snapshot, kinds = trio.run(main, server)
    assert snapshot["p002"].job_status is JobStatus.RUNNING
    assert set(kinds.values()) == {EventKind.INITIAL}
    assert len(kinds) == 5


async def test_printers_left_to_the_fleet_share_its_aiohttp_session():
    """Under asyncio a fleet puts the printers given no transport on one aiohttp session."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(5)]
    async with serve(*sims) as server:
        left, chosen, used, later, given = _clients(server)
        chosen = AsyncPrinter(chosen.host, port=chosen.port, password=PASSWORD, transport="httpx")
        await used.login()  # used before joining: it keeps the client it used
        async with httpx.AsyncClient() as client:
            given = AsyncPrinter(given.host, port=given.port, password=PASSWORD, client=client)
            async with Fleet([left, chosen, used, given]) as fleet:
                fleet.add(later)
                snapshot = await fleet.snapshot()
            assert not client.is_closed  # a given client stays open
    kinds = {p.name: type(p._transport).__name__ for p in (left, chosen, used, later, given)}
    assert kinds == {
        "p000": "AiohttpTransport",
        chosen.name: "Transport",
        "p002": "Transport",
        "p003": "AiohttpTransport",
        given.name: "Transport",
    }
    assert left._transport._session is later._transport._session is fleet._session
    assert fleet._session.closed
    assert all(isinstance(job, CurrentJob) for job in snapshot.values())


async def test_a_fleet_asked_for_httpx_keeps_every_printer_on_httpx():
    """Fleet(transport="httpx") leaves each printer its own httpx client."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    async with serve(*sims) as server:
        clients = _clients(server)
        async with Fleet(clients, transport="httpx") as fleet:
            assert len(await fleet.snapshot()) == 2
    assert fleet._session is None
    assert all(type(client._transport).__name__ == "Transport" for client in clients)
    assert all(transport_closed(client) for client in clients)


def test_under_trio_a_fleet_stays_on_httpx_unless_told_otherwise():
    """Under trio the fleet's default is httpx; transport="aiohttp" is refused, saying why."""
    import trio  # noqa: PLC0415 - only this test needs it

    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]

    async def main(server):
        clients = _clients(server)
        async with Fleet(clients) as fleet:
            await fleet.snapshot()
        with pytest.raises(RuntimeError, match="asyncio only"):
            async with Fleet(_clients(server), transport="aiohttp"):
                pass
        return [type(client._transport).__name__ for client in clients]

    with serve_in_thread(*sims) as server:
        assert trio.run(main, server) == ["Transport", "Transport"]


async def test_closing_a_fleet_closes_every_printer_even_if_one_fails(monkeypatch):
    """aclose() closes every printer concurrently; a printer that fails to close is reported."""
    printers = [AsyncPrinter("127.0.0.1", token="t", name=f"p{i:03d}") for i in range(200)]
    closing = {"now": 0, "peak": 0}

    async def close(printer):
        closing["now"] += 1
        closing["peak"] = max(closing["peak"], closing["now"])
        await anyio.sleep(0.01)
        closing["now"] -= 1
        if printer.name == "p007":
            raise OSError("boom")
        await original(printer)

    original = AsyncPrinter.aclose
    monkeypatch.setattr(AsyncPrinter, "aclose", close)
    fleet = Fleet(printers)
    with pytest.raises(ExceptionGroup) as info:
        await fleet.aclose()
    assert [str(exc) for exc in info.value.exceptions] == ["boom"]
    assert [p.name for p in printers if not p.closed] == ["p007"]
    assert closing["peak"] > 1  # not one after another


async def test_a_watched_fleet_freezes_its_objects_until_the_watch_ends(monkeypatch):
    """After its first interval a fleet watch freezes the objects alive, until its block ends."""
    monkeypatch.setattr("printer_async._orchestration.fleet.FREEZE_DELAY", 0.0)
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    async with serve(*sims) as server, Fleet(_clients(server)) as fleet:
        before = gc.get_freeze_count()
        async with fleet.watch(interval=0.05):
            await anyio.sleep(0.2)  # the first interval, in real time
            during = gc.get_freeze_count()
        after = gc.get_freeze_count()
        async with fleet.watch(interval=0.05, freeze_gc=False):
            await anyio.sleep(0.2)
            unfrozen = gc.get_freeze_count()
    assert during > before
    assert after == unfrozen == before


async def test_leaving_a_watch_before_its_gc_freeze_does_not_wait_for_it():
    """Breaking out at the first event leaves at once, not one interval later."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    async with serve(*sims) as server, Fleet(_clients(server)) as fleet:
        with anyio.fail_after(5):  # the freeze is due 60 s in
            async with fleet.watch(interval=60) as events:
                async for _ in events:
                    break
        assert gc.get_freeze_count() == 0


async def test_an_applications_own_gc_freeze_is_left_alone(monkeypatch):
    """An application that froze objects itself keeps them frozen: the watch does not freeze."""
    monkeypatch.setattr("printer_async._orchestration.fleet.FREEZE_DELAY", 0.0)
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    gc.freeze()
    try:
        own = gc.get_freeze_count()
        async with serve(*sims) as server, Fleet(_clients(server)) as fleet:
            async with fleet.watch(interval=0.05):
                await anyio.sleep(0.2)  # past the first interval, in real time
                during = gc.get_freeze_count()
        after = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert during <= own  # nothing frozen by the watch (some of ours may have died since)
    assert after > own // 2  # and ours not unfrozen (which would make it 0)


async def test_printers_behind_one_address_keep_their_own_httpx_clients():
    """Printers behind one host and port stay on httpx (not one small aiohttp pool for all)."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    async with serve(*sims) as server:
        behind, alone = server.endpoints
        printers = [
            AsyncPrinter(behind.host, port=behind.port, password=PASSWORD, name=f"proxied-{i}")
            for i in range(3)
        ]
        lone = AsyncPrinter(alone.host, port=alone.port, password=PASSWORD, name="alone")
        async with Fleet([printers[0], printers[1], lone]) as fleet:
            fleet.add(printers[2])  # a third at that address, added later: httpx too
            snapshot = await fleet.snapshot()
    kinds = {p.name: type(p._transport).__name__ for p in (*printers, lone)}
    assert kinds == {
        "proxied-0": "Transport",
        "proxied-1": "Transport",
        "proxied-2": "Transport",
        "alone": "AiohttpTransport",
    }
    assert all(isinstance(job, CurrentJob) for job in snapshot.values())


async def test_a_fleet_never_closed_leaves_no_session_open_once_its_printers_are():
    """Fleet(...).snapshot() without async with, then each printer closed: nothing left open."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(2)]
    async with serve(*sims) as server:
        printers = _clients(server)
        fleet = Fleet(printers)
        assert all(isinstance(job, CurrentJob) for job in (await fleet.snapshot()).values())
        shared = fleet._session._session
        assert shared is not None
        assert not shared.closed
        for printer in printers:
            await printer.aclose()
        assert shared.closed
