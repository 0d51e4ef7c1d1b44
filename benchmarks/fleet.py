"""Watch 1,000 simulated printers from one process and print CPU, memory and poll lateness.

The simulated printers run in a separate process (``python -m printer_async.simulator``), so the
figures are the client's alone. Each client setup runs in a fresh child process of its own, so
resident memory is not inherited from the previous one:

* ``printer-async``: ``Fleet`` with its defaults (one ``httpx.AsyncClient`` per printer, all
  sharing one SSL context);
* ``client per printer``: the naive alternative, a plain ``httpx.AsyncClient()`` per printer;
* ``shared client``: the other naive alternative, one ``httpx.AsyncClient()`` for all printers;
* ``aiohttp transport``: ``Fleet`` with every printer on one ``httpx.AsyncClient`` over one
  ``httpx-aiohttp`` transport and one aiohttp session (``pip install 'printer-async[aiohttp]'``).

Lateness is how much later a poll started than the watcher's start-to-start schedule asked for
(``start[k] - start[k-1] - interval``), measured after a warm-up that includes the logins.

Usage::

    python benchmarks/fleet.py [--printers 1000] [--interval 5] [--seconds 30] [--warmup 10]
                               [--keep-alive 60] [--setups printer-async,shared client,...]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import AsyncExitStack
from typing import Any

TARGETS = {"cpu": 25.0, "rss": 120.0, "p99": 250.0}
SETUPS = ["printer-async", "client per printer", "shared client", "aiohttp transport"]


def _start_simulator(
    count: int, keep_alive: float
) -> tuple[subprocess.Popen[str], list[tuple[str, int]]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "printer_async.simulator",
            "--printers",
            str(count),
            "--port",
            "0",
            "--password",
            "123456",
            "--no-camera",
            "--keep-alive",
            str(keep_alive),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    addresses = []
    deadline = time.monotonic() + 120
    while len(addresses) < count and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        match = re.search(r"http://([\d.]+):(\d+)", line)
        if match:
            addresses.append((match[1], int(match[2])))
    if len(addresses) < count:
        process.kill()
        raise SystemExit(f"the simulator started {len(addresses)} of {count} printers")
    return process, addresses


def _aiohttp_client() -> Any:
    """One httpx client over one aiohttp session for every printer: aiohttp's pool is a dict per
    host, so sharing it does not have httpcore's cost with many origins."""
    import aiohttp
    import httpx
    from httpx_aiohttp import AiohttpTransport

    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, limit_per_host=2, keepalive_timeout=60.0)
    )
    return httpx.AsyncClient(transport=AiohttpTransport(client=session), timeout=10.0)


async def _measure(setup: str, addresses: list[tuple[str, int]], args: argparse.Namespace) -> dict:
    import anyio
    import httpx
    import psutil
    from printer_async import AsyncPrinter, Fleet

    starts: dict[str, list[float]] = {}
    async with AsyncExitStack() as stack:
        shared = None
        if setup == "shared client":
            shared = await stack.enter_async_context(httpx.AsyncClient(timeout=10.0))
        printers = []
        for index, (host, port) in enumerate(addresses):
            client = shared
            if setup == "client per printer":
                client = await stack.enter_async_context(httpx.AsyncClient(timeout=10.0))
            elif setup == "aiohttp transport" and shared is None:
                shared = client = await stack.enter_async_context(_aiohttp_client())
            printer = AsyncPrinter(
                host, port=port, password="123456", client=client, name=str(index)
            )
            original = printer.current_job

            async def stamped(name=printer.name, original=original):
                starts.setdefault(name, []).append(time.monotonic())
                return await original()

            printer.current_job = stamped  # type: ignore[method-assign]
            printers.append(printer)

        process = psutil.Process()
        async with Fleet(printers) as fleet, fleet.watch(interval=args.interval) as events:

            async def drain() -> None:
                async for _ in events:
                    pass

            async with anyio.create_task_group() as tg:
                tg.start_soon(drain)
                await anyio.sleep(args.warmup)
                cpu0, wall0 = process.cpu_times(), time.monotonic()
                await anyio.sleep(args.seconds)
                cpu1, wall1 = process.cpu_times(), time.monotonic()
                rss = process.memory_info().rss
                tg.cancel_scope.cancel()

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
        "polls_per_s": polls / (wall1 - wall0),
        "cpu_ms_per_poll": cpu / 100 * (wall1 - wall0) / max(polls, 1) * 1000,
    }


def _child(args: argparse.Namespace) -> None:
    addresses = [tuple(a) for a in json.loads(os.environ["BENCH_ADDRESSES"])]
    result = asyncio.run(_measure(args.child, addresses, args))  # type: ignore[arg-type]
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--setups", default=",".join(SETUPS))
    parser.add_argument(
        "--keep-alive",
        type=float,
        default=60.0,
        help="seconds the simulated printers keep an idle connection (5: a new one per poll)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    print(f"starting {args.printers} simulated printers in a separate process...", flush=True)
    simulator, addresses = _start_simulator(args.printers, args.keep_alive)
    results = []
    try:
        for setup in args.setups.split(","):
            if setup == "aiohttp transport":
                try:
                    import httpx_aiohttp  # noqa: F401
                except ImportError:
                    print("skipping the aiohttp transport: pip install 'printer-async[aiohttp]'")
                    continue
            print(f"measuring {setup!r} for {args.warmup + args.seconds:.0f} s...", flush=True)
            out = subprocess.run(
                [sys.executable, __file__, "--child", setup, *sys.argv[1:]],
                env=os.environ | {"BENCH_ADDRESSES": json.dumps(addresses)},
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        simulator.send_signal(signal.SIGINT)
        simulator.wait(timeout=30)

    print()
    print(
        f"{args.printers} printers, {args.interval:g} s interval, {args.seconds:g} s measured "
        f"after {args.warmup:g} s warm-up; the printers keep idle connections {args.keep_alive:g} s"
    )
    header = (
        f"{'setup':<20} {'CPU % of a core':>16} {'RSS MB':>8} {'lateness p50 ms':>16} "
        f"{'p99 ms':>8} {'max ms':>8} {'polls/s':>8} {'CPU ms/poll':>12}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['setup']:<20} {r['cpu']:>16.1f} {r['rss']:>8.0f} {r['p50']:>16.1f} "
            f"{r['p99']:>8.1f} {r['max']:>8.1f} {r['polls_per_s']:>8.1f} "
            f"{r['cpu_ms_per_poll']:>12.2f}"
        )
    print(
        f"{'target':<20} {'< ' + str(TARGETS['cpu']):>16} {'< ' + str(TARGETS['rss']):>8} "
        f"{'':>16} {'< ' + str(TARGETS['p99']):>8}"
    )


if __name__ == "__main__":
    main()
