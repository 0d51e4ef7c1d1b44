"""Watch a fleet of simulated printers from one process; print CPU, memory and poll lateness.

The simulated printers run in processes of their own (``python -m printer_async.simulator``,
``--sim-processes`` of them), so the figures are the client's alone. Each client setup runs in
a fresh child process, so resident memory is not inherited from the previous one; with
``--rounds N`` the setups are measured N times, alternating, and the table shows medians.

* ``aiohttp``: ``Fleet`` with its defaults, aiohttp installed: every printer on the fleet's
  one aiohttp session (``transport="aiohttp"``), long-lived objects frozen after start-up;
* ``aiohttp without freeze``: the same with ``fleet.watch(freeze_gc=False)``;
* ``httpx``: ``Fleet(transport="httpx")``, one ``httpx.AsyncClient`` per printer sharing one SSL
  context: the default without aiohttp, and every printer's default outside a fleet;
* ``aiohttp_client()``: every printer on one ``httpx.AsyncClient`` over one aiohttp session;
* ``client per printer``: the naive alternative, a plain ``httpx.AsyncClient()`` per printer;
* ``shared client``: the other naive alternative, one ``httpx.AsyncClient()`` for all printers.

Lateness is how much later a poll started than the watcher's start-to-start schedule asked for
(``start[k] - start[k-1] - interval``), measured after a warm-up that includes the logins and
the first round of polls. ``first events`` is when the last printer's first event arrived,
from the moment the watch was entered (all of them within one interval is the target);
``close s`` is how long ``Fleet.aclose()`` took; ``GC max ms`` the longest garbage collection
during the measured window.

Usage::

    python benchmarks/fleet.py [--printers 1000] [--interval 5] [--seconds 30] [--warmup 10]
        [--sim-processes 1] [--rounds 1] [--keep-alive 60] [--loop asyncio|uvloop]
        [--setups aiohttp,httpx,...]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import PASSWORD, machine, median, run, simulators

SETUPS = [
    "aiohttp",
    "aiohttp without freeze",
    "httpx",
    "aiohttp_client()",
    "client per printer",
    "shared client",
]
COLUMNS = {  # key: (heading, format)
    "cpu": ("CPU % of a core", "{:.1f}"),
    "rss": ("RSS MB", "{:.0f}"),
    "p50": ("late p50 ms", "{:.1f}"),
    "p99": ("p99 ms", "{:.1f}"),
    "max": ("max ms", "{:.0f}"),
    "gc_max": ("GC max ms", "{:.0f}"),
    "first": ("first events s", "{:.1f}"),
    "close": ("close s", "{:.2f}"),
    "cpu_ms_per_poll": ("CPU ms/poll", "{:.2f}"),
}


class _GcPauses:
    """The longest garbage collection since :meth:`reset`, from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.longest = max(self.longest, time.perf_counter() - self._started)

    def reset(self) -> None:
        self.longest = 0.0


def _printers(setup: str, addresses: list[tuple[str, int]], shared: Any) -> list[Any]:
    import httpx
    from printer_async import AsyncPrinter

    printers = []
    for index, (host, port) in enumerate(addresses):
        client = shared
        if setup == "client per printer":
            client = httpx.AsyncClient(timeout=10.0)
        printers.append(
            AsyncPrinter(host, port=port, password=PASSWORD, client=client, name=str(index))
        )
    return printers


async def _measure(setup: str, addresses: list[tuple[str, int]], args: argparse.Namespace) -> dict:
    import anyio
    import httpx
    import psutil
    from printer_async import Fleet, aiohttp_client

    pauses = _GcPauses()
    starts: dict[str, list[float]] = {}
    first_event: dict[str, float] = {}
    async with AsyncExitStack() as stack:
        shared = None
        if setup == "shared client":
            shared = await stack.enter_async_context(httpx.AsyncClient(timeout=10.0))
        elif setup == "aiohttp_client()":
            shared = await stack.enter_async_context(aiohttp_client())
        printers = _printers(setup, addresses, shared)
        for printer in printers:
            original = printer.current_job

            async def stamped(name=printer.name, original=original):
                starts.setdefault(name, []).append(time.monotonic())
                return await original()

            printer.current_job = stamped  # type: ignore[method-assign]
        if setup == "client per printer":
            for printer in printers:
                stack.push_async_callback(printer._transport._client.aclose)  # noqa: SLF001

        process = psutil.Process()
        fleet = Fleet(printers, transport="httpx" if setup == "httpx" else None)
        watch = fleet.watch(interval=args.interval, freeze_gc=setup != "aiohttp without freeze")
        async with fleet, watch as events:
            entered = time.monotonic()

            async def drain() -> None:
                async for event in events:
                    first_event.setdefault(event.printer.name, time.monotonic() - entered)

            async with anyio.create_task_group() as tg:
                tg.start_soon(drain)
                await anyio.sleep(args.warmup)
                pauses.reset()
                cpu0, wall0 = process.cpu_times(), time.monotonic()
                await anyio.sleep(args.seconds)
                cpu1, wall1 = process.cpu_times(), time.monotonic()
                rss = process.memory_info().rss
                gc_max = pauses.longest
                tg.cancel_scope.cancel()
            transport = type(printers[0]._transport).__name__  # noqa: SLF001
            closing = time.monotonic()
            await fleet.aclose()
            close = time.monotonic() - closing

    native = setup in {"aiohttp", "aiohttp without freeze"}
    assert (transport == "AiohttpTransport") == native, (setup, transport)
    cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / (wall1 - wall0) * 100
    lateness = sorted(
        (b - a - args.interval) * 1000
        for times in starts.values()
        for a, b in itertools.pairwise(times)
        if a >= wall0
    )
    polls = sum(1 for times in starts.values() for t in times if wall0 <= t < wall1)

    def pick(q: float) -> float:
        return lateness[min(len(lateness) - 1, int(q * len(lateness)))] if lateness else math.nan

    return {
        "setup": setup,
        "cpu": cpu,
        "rss": rss / 1e6,
        "p50": pick(0.50),
        "p99": pick(0.99),
        "max": lateness[-1] if lateness else math.nan,
        "gc_max": gc_max * 1000,
        "first": max(first_event.values()) if len(first_event) == len(addresses) else math.inf,
        "close": close,
        "polls_per_s": polls / (wall1 - wall0),
        "cpu_ms_per_poll": cpu / 100 * (wall1 - wall0) / max(polls, 1) * 1000,
    }


def _child(args: argparse.Namespace) -> None:
    addresses = [tuple(a) for a in json.loads(Path(os.environ["BENCH_ADDRESSES"]).read_text())]
    result = run(lambda: _measure(args.child, addresses, args), args.loop)
    print(json.dumps(result))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--sim-processes", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--setups", default=",".join(SETUPS[:4]))
    parser.add_argument(
        "--keep-alive",
        type=float,
        default=60.0,
        help="seconds the simulated printers keep an idle connection (5: a new one per poll)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def measure(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Every setup's medians over ``args.rounds`` alternating rounds, each in a fresh child."""
    setups = args.setups.split(",")
    runs: dict[str, list[dict]] = {setup: [] for setup in setups}
    print(
        f"starting {args.printers} simulated printers in {args.sim_processes} process(es)...",
        flush=True,
    )
    with (
        simulators(
            args.printers, processes=args.sim_processes, keep_alive=args.keep_alive
        ) as addresses,
        tempfile.NamedTemporaryFile("w", suffix=".json") as listed,
    ):
        json.dump(addresses, listed)  # too long for the environment at 10,000 printers
        listed.flush()
        for round_ in range(args.rounds):
            for setup in setups if round_ % 2 == 0 else setups[::-1]:
                print(f"measuring {setup!r} for {args.warmup + args.seconds:.0f} s...", flush=True)
                out = subprocess.run(
                    [sys.executable, __file__, "--child", setup, *_child_argv(args)],
                    env=os.environ | {"BENCH_ADDRESSES": listed.name},
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if out.returncode:
                    raise SystemExit(f"{setup!r} failed:\n{out.stderr}")
                runs[setup].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        setup: {key: median([r[key] for r in results]) for key in results[0] if key != "setup"}
        for setup, results in runs.items()
    }


def _child_argv(args: argparse.Namespace) -> list[str]:
    return [
        f"--interval={args.interval}",
        f"--seconds={args.seconds}",
        f"--warmup={args.warmup}",
        f"--loop={args.loop}",
    ]


def print_table(
    results: dict[str, dict[str, float]], args: argparse.Namespace, targets: dict[str, str]
) -> None:
    print(
        f"{args.printers} printers, {args.interval:g} s interval, {args.seconds:g} s measured "
        f"after {args.warmup:g} s warm-up, {args.loop} loop, median of {args.rounds} round(s); "
        f"simulator in {args.sim_processes} process(es), idle connections kept "
        f"{args.keep_alive:g} s; {machine()}"
    )
    header = f"{'setup':<24}" + "".join(
        f" {heading:>{len(heading)}}" for heading, _ in COLUMNS.values()
    )
    print(header)
    print("-" * len(header))
    for setup, result in results.items():
        cells = "".join(
            f" {fmt.format(result[key]):>{len(heading)}}" for key, (heading, fmt) in COLUMNS.items()
        )
        print(f"{setup:<24}{cells}")
    if targets:
        cells = "".join(
            f" {targets.get(key, ''):>{len(heading)}}" for key, (heading, _) in COLUMNS.items()
        )
        print(f"{'target':<24}{cells}")


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    args = parse(argv)
    if args.child:
        _child(args)
        return {}
    results = measure(args)
    print()
    print_table(results, args, {})
    return results


if __name__ == "__main__":
    main()
