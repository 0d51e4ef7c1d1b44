"""A caller's cancellation, at any await point, leaves the printer usable.

Thousands of calls to a simulated printer over real loopback sockets are cancelled at random
moments (while waiting for a connection, connecting, sending, reading, logging in), by
``anyio.move_on_after``, by ``asyncio.timeout`` and by cancelling the task; then the printer
must answer at once, as many calls at a time as its pool allows.
"""

from __future__ import annotations

import asyncio
import random

import anyio
import pytest
from printer_async.simulator import ScaledClock, SimulatedPrinter, serve

from _setups import printer_on

ROUNDS = 600
"""Rounds of one to six concurrent calls, each cancelled at a random moment (~2,000 calls)."""


async def _cancelled(call, delay: float, how: str) -> None:
    if how == "move_on_after":
        with anyio.move_on_after(delay):
            await call()
    elif how == "asyncio.timeout":
        try:
            async with asyncio.timeout(delay):
                await call()
        except TimeoutError:
            pass
    else:  # the task is cancelled from outside, as a task group does to its children
        async with anyio.create_task_group() as group:
            group.start_soon(call)
            await anyio.sleep(delay)
            group.cancel_scope.cancel()


async def test_thousands_of_cancelled_calls_leave_the_printer_usable(transport):
    """After ~2,000 calls (snapshots too) cancelled at random points, the printer still answers."""
    sim = SimulatedPrinter(clock=ScaledClock(), seed=3)
    rng = random.Random(10)
    async with serve(sim) as server:
        endpoint = server.endpoints[0]
        async with printer_on(
            transport, endpoint.port, seconds=3.0, password=endpoint.password
        ) as printer:
            calls = [printer.current_job, printer.statistics, printer.system_info, printer.snapshot]
            cancelled = 0
            for index in range(ROUNDS):
                if index % 40 == 0:
                    sim.expire_tokens()  # the next calls log in: cancel logins too
                async with anyio.create_task_group() as group:
                    for _ in range(rng.randint(1, 6)):
                        how = rng.choice(["move_on_after", "asyncio.timeout", "task"])
                        delay = rng.uniform(0, 0.004)
                        group.start_soon(_cancelled, rng.choice(calls), delay, how)
                        cancelled += 1
            with anyio.fail_after(5):  # not the pool's timeout of 3 s: a leaked slot fails
                async with anyio.create_task_group() as group:
                    for _ in range(4):
                        group.start_soon(printer.current_job)
                job = await printer.current_job()
                assert await printer.snapshot()
    assert cancelled > 1500
    assert not job.has_job


@pytest.mark.parametrize("moment", [0.0, 0.0005, 0.001, 0.002, 0.004])
async def test_a_deadline_mid_login_leaves_the_next_call_logging_in(transport, moment):
    """A call cancelled while it logs in leaves no half login: the next call logs in and works."""
    sim = SimulatedPrinter(clock=ScaledClock(), seed=4)
    async with serve(sim, cameras=False) as server:
        endpoint = server.endpoints[0]
        async with printer_on(
            transport, endpoint.port, seconds=3.0, password=endpoint.password
        ) as printer:
            for _ in range(20):
                sim.expire_tokens()
                with anyio.move_on_after(moment):
                    await printer.current_job()
            with anyio.fail_after(5):
                job = await printer.current_job()
    assert job.job_status is not None
