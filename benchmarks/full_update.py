"""Client CPU per full printer update: ``read_state()`` beside five calls in a row and the peer.

A full update is what a Home Assistant coordinator or the exporter reads each interval: the
current job, the running status, the basic info and both nozzles (a dual-nozzle Pro2). One
simulated printer runs in a process of its own (``python -m printer_async.simulator``), so the
CPU measured here (``time.process_time()``) is the client's alone. Every setup keeps its
connections between updates. Rounds alternate (each round measures every setup once, in the
opposite order from the round before) and the table shows each setup's median over the rounds.

The setups:

* ``read_state() (aiohttp)``: ``AsyncPrinter(..., transport="aiohttp").read_state()``, the five
  reads concurrently under one deadline;
* ``read_state() (httpx)``: the same on the default httpx transport;
* ``five calls in a row (aiohttp)``: ``current_job()``, ``running_status_info()``,
  ``basic_info()``, ``nozzle(1)``, ``nozzle(2)``, one after another;
* ``hass-raise3d style in a row``: ``benchmarks/hass_style.py`` (one aiohttp session, URL built
  per call, ``resp.json()``), the five endpoints one after another: the peer (issue 25's
  target is ``read_state()`` at 0.7x of it or below);
* ``hass-raise3d style gathered``: the same five with ``asyncio.gather``, for comparison;
* ``raw aiohttp GETs gathered``: ``session.get(url)`` on five URLs made once, ``json.loads`` of
  each body, with ``asyncio.gather``: the floor of any client built on aiohttp's client.

Usage::

    python benchmarks/full_update.py [--rounds 7] [--updates 200] [--loop asyncio|uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import PASSWORD, machine, median, run, simulators

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

PEER = "hass-raise3d style in a row"
TARGET_NOTE = "target (issue 25): read_state() at or below 0.7x the peer's update in a row"
ENDPOINTS = (
    "/job/currentjob",
    "/printer/runningstatus",
    "/printer/basic",
    "/printer/nozzle1",
    "/printer/nozzle2",
)


@contextlib.asynccontextmanager
async def read_state(host: str, port: int, **options: Any) -> AsyncIterator[Callable[[], Any]]:
    from printer_async import AsyncPrinter

    async with AsyncPrinter(host, port=port, password=PASSWORD, **options) as printer:
        await printer.identify()  # the nozzle count, once
        yield printer.read_state


@contextlib.asynccontextmanager
async def in_a_row(host: str, port: int) -> AsyncIterator[Callable[[], Any]]:
    from printer_async import AsyncPrinter

    async with AsyncPrinter(host, port=port, password=PASSWORD, transport="aiohttp") as printer:

        async def update() -> Any:
            return (
                await printer.current_job(),
                await printer.running_status_info(),
                await printer.basic_info(),
                await printer.nozzle(1),
                await printer.nozzle(2),
            )

        yield update


@contextlib.asynccontextmanager
async def hass_style(host: str, port: int, *, gathered: bool) -> AsyncIterator[Callable[[], Any]]:
    import aiohttp

    from hass_style import HassStyleClient

    async with aiohttp.ClientSession() as session:
        client = HassStyleClient(session, host, port, PASSWORD)
        await client.login()

        async def update() -> Any:
            if gathered:
                return await asyncio.gather(*(client.request("GET", e) for e in ENDPOINTS))
            return [await client.request("GET", endpoint) for endpoint in ENDPOINTS]

        yield update


@contextlib.asynccontextmanager
async def raw_aiohttp(host: str, port: int) -> AsyncIterator[Callable[[], Any]]:
    import json

    import aiohttp
    from printer_async import AsyncPrinter

    async with AsyncPrinter(host, port=port, password=PASSWORD) as printer:
        await printer.login()
        token = printer._auth._token  # noqa: SLF001 - the raw client needs a token
    urls = [f"http://{host}:{port}/v1{endpoint}?token={token}" for endpoint in ENDPOINTS]
    async with aiohttp.ClientSession() as session:

        async def get(url: str) -> Any:
            async with session.get(url) as response:
                return json.loads(await response.read())

        async def update() -> Any:
            return await asyncio.gather(*(get(url) for url in urls))

        yield update


SETUPS: dict[str, Callable[[str, int], Any]] = {
    "read_state() (aiohttp)": lambda host, port: read_state(host, port, transport="aiohttp"),
    "read_state() (httpx)": read_state,
    "five calls in a row (aiohttp)": in_a_row,
    PEER: lambda host, port: hass_style(host, port, gathered=False),
    "hass-raise3d style gathered": lambda host, port: hass_style(host, port, gathered=True),
    "raw aiohttp GETs gathered": raw_aiohttp,
}


async def _cpu_per_update(update: Callable[[], Awaitable[Any]], updates: int) -> float:
    """Microseconds of this process's CPU per update."""
    gc.collect()
    started = time.process_time()
    for _ in range(updates):
        await update()
    return (time.process_time() - started) / updates * 1e6


async def measure(
    address: tuple[str, int], names: list[str], rounds: int, updates: int
) -> dict[str, list[float]]:
    host, port = address
    cpu: dict[str, list[float]] = {name: [] for name in names}
    async with contextlib.AsyncExitStack() as stack:
        setups = {name: await stack.enter_async_context(SETUPS[name](host, port)) for name in names}
        for update in setups.values():
            for _ in range(30):  # connections made, caches warm
                await update()
        for round_ in range(rounds):
            order = names if round_ % 2 == 0 else names[::-1]
            for name in order:
                cpu[name].append(await _cpu_per_update(setups[name], updates))
    return cpu


def print_table(results: dict[str, list[float]], *, loop: str, rounds: int, updates: int) -> None:
    peer = median(results[PEER]) if PEER in results else None
    print(f"Client CPU per full update (job, status, basic, 2 nozzles), {loop} loop:")
    print(f"median of {rounds} alternating rounds of {updates} updates each; {machine()}")
    header = f"{'setup':<32} {'µs/update':>10} {'min':>7} {'max':>7} {'vs peer':>8}"
    print(header)
    print("-" * len(header))
    for name, values in results.items():
        ratio = f"{median(values) / peer:.2f}x" if peer else ""
        print(
            f"{name:<32} {median(values):>10.0f} {min(values):>7.0f} {max(values):>7.0f} {ratio:>8}"
        )
    print(TARGET_NOTE)


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--setups", default=",".join(SETUPS))
    args = parser.parse_args(argv)
    names = args.setups.split(",")
    with simulators(1) as addresses:
        results = run(lambda: measure(addresses[0], names, args.rounds, args.updates), args.loop)
    print_table(results, loop=args.loop, rounds=args.rounds, updates=args.updates)
    return results


if __name__ == "__main__":
    main()
