"""Client CPU per ``current_job()`` poll, for every client setup side by side in one run.

One simulated printer runs in a process of its own (``python -m printer_async.simulator``), so
the CPU measured here (``time.process_time()``) is the client's alone. Every setup keeps its
connection between polls. Rounds alternate: each round measures every setup once, in the
opposite order from the round before, and the tables show each setup's median over the rounds,
so a machine whose speed drifts (a VM, other processes) shifts every row alike.

The setups, slowest to fastest as they stood before issue 14:

* ``raw httpx GET``: ``httpx.AsyncClient().get(url)`` on a URL made once, body decoded with
  ``json.loads``: what any httpx client pays at least;
* ``printer-async (httpx)``: ``AsyncPrinter(host, password=...)``, the default of a single
  printer (and of a fleet without aiohttp);
* ``aiohttp_client()``: ``AsyncPrinter(..., client=aiohttp_client())``, httpx over aiohttp;
* ``printer-async (aiohttp)``: ``AsyncPrinter(..., transport="aiohttp")``, the transport that
  speaks aiohttp directly (a fleet's default when aiohttp is installed);
* ``hass-raise3d style``: ``benchmarks/hass_style.py``, a client written the way hass-raise3d's
  is (one session, URL built per call, ``resp.json()``);
* ``raw aiohttp GET``: ``session.get(url)`` on a URL made once, ``json.loads`` of the body.

Each printer-async setup does everything a poll does: token check, URL, request, envelope,
conversion to a ``CurrentJob``. ``garbage/poll`` is how many objects a poll leaves for the
cyclic garbage collector (found by ``gc.collect()`` after 200 polls with the collector off).

Usage::

    python benchmarks/per_poll.py [--rounds 9] [--polls 400] [--loop asyncio|uvloop]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import PASSWORD, machine, median, run, simulators

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

TARGET_NOTE = (
    "targets (issue 14): the fastest documented setup at or below hass-raise3d style; "
    "printer-async's default no worse than raw httpx"
)


async def _token(host: str, port: int) -> str:
    from printer_async import AsyncPrinter

    async with AsyncPrinter(host, port=port, password=PASSWORD) as printer:
        await printer.login()
        return printer._auth._token  # noqa: SLF001 - the raw clients need a token


@contextlib.asynccontextmanager
async def raw_httpx(host: str, port: int) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    import httpx

    url = f"http://{host}:{port}/v1/job/currentjob?token={await _token(host, port)}"
    async with httpx.AsyncClient() as client:

        async def poll() -> Any:
            response = await client.get(url)
            return json.loads(response.content)

        yield poll


@contextlib.asynccontextmanager
async def printer_async(
    host: str, port: int, **options: Any
) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    from printer_async import AsyncPrinter

    async with AsyncPrinter(host, port=port, password=PASSWORD, **options) as printer:
        yield printer.current_job


@contextlib.asynccontextmanager
async def over_aiohttp_client(host: str, port: int) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    from printer_async import aiohttp_client

    async with aiohttp_client() as client, printer_async(host, port, client=client) as poll:
        yield poll


@contextlib.asynccontextmanager
async def hass_style(host: str, port: int) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    import aiohttp

    from hass_style import HassStyleClient

    async with aiohttp.ClientSession() as session:
        client = HassStyleClient(session, host, port, PASSWORD)
        await client.login()
        yield client.get_current_job


@contextlib.asynccontextmanager
async def raw_aiohttp(host: str, port: int) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    import aiohttp

    url = f"http://{host}:{port}/v1/job/currentjob?token={await _token(host, port)}"
    async with aiohttp.ClientSession() as session:

        async def poll() -> Any:
            async with session.get(url) as response:
                return json.loads(await response.read())

        yield poll


SETUPS: dict[str, Callable[[str, int], Any]] = {
    "raw httpx GET": raw_httpx,
    "printer-async (httpx)": printer_async,
    "aiohttp_client()": over_aiohttp_client,
    "printer-async (aiohttp)": lambda host, port: printer_async(host, port, transport="aiohttp"),
    "hass-raise3d style": hass_style,
    "raw aiohttp GET": raw_aiohttp,
}


async def _cpu_per_poll(poll: Callable[[], Awaitable[Any]], polls: int) -> float:
    """Microseconds of this process's CPU per poll."""
    gc.collect()
    started = time.process_time()
    for _ in range(polls):
        await poll()
    return (time.process_time() - started) / polls * 1e6


async def _garbage_per_poll(poll: Callable[[], Awaitable[Any]], polls: int = 200) -> float:
    gc.collect()
    gc.disable()
    try:
        for _ in range(polls):
            await poll()
        return gc.collect() / polls
    finally:
        gc.enable()


async def measure(
    address: tuple[str, int], names: list[str], rounds: int, polls: int
) -> dict[str, dict[str, Any]]:
    """Every setup's CPU per poll in each round (alternating order) and its garbage per poll."""
    host, port = address
    cpu: dict[str, list[float]] = {name: [] for name in names}
    garbage: dict[str, float] = {}
    async with contextlib.AsyncExitStack() as stack:
        setups = {name: await stack.enter_async_context(SETUPS[name](host, port)) for name in names}
        for name, poll in setups.items():
            for _ in range(50):  # connections made, caches warm
                await poll()
            garbage[name] = await _garbage_per_poll(poll)
        for round_ in range(rounds):
            order = names if round_ % 2 == 0 else names[::-1]
            for name in order:
                cpu[name].append(await _cpu_per_poll(setups[name], polls))
    return {name: {"cpu": cpu[name], "garbage": garbage[name]} for name in names}


def print_table(results: dict[str, dict[str, Any]], *, loop: str, rounds: int, polls: int) -> None:
    hass = median(results["hass-raise3d style"]["cpu"]) if "hass-raise3d style" in results else None
    print(f"Client CPU per current_job() poll, {loop} loop: median of {rounds} alternating rounds")
    print(f"of {polls} polls each; {machine()}")
    header = (
        f"{'setup':<24} {'µs/poll':>8} {'min':>7} {'max':>7} {'vs hass style':>14} "
        f"{'garbage/poll':>13}"
    )
    print(header)
    print("-" * len(header))
    for name, result in results.items():
        values = result["cpu"]
        ratio = f"{median(values) / hass:.2f}x" if hass else ""
        print(
            f"{name:<24} {median(values):>8.0f} {min(values):>7.0f} {max(values):>7.0f} "
            f"{ratio:>14} {result['garbage']:>13.1f}"
        )
    print(TARGET_NOTE)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--polls", type=int, default=400)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--setups", default=",".join(SETUPS))
    args = parser.parse_args(argv)
    names = args.setups.split(",")
    with simulators(1) as addresses:
        results = run(lambda: measure(addresses[0], names, args.rounds, args.polls), args.loop)
    print_table(results, loop=args.loop, rounds=args.rounds, polls=args.polls)
    return results


if __name__ == "__main__":
    main()
