"""Watch N simulated printers for M minutes through faults and outages: do memory and sockets grow?

The simulated printers run in a separate process (this script, ``--serve``), which keeps them
busy: jobs start, pause, resume, complete and stop on a scaled clock, printers reboot (their
tokens die), and faults come at random: busy answers, latency, dropped and reset connections,
truncated and invalid JSON, NaN and Infinity in the progress, and outages of 20-60 s in which a
printer drops every request or answers 503. The client, here, is one ``Fleet`` watching every
printer. It prints its resident memory and its open sockets (psutil) as it goes, then the
growth from the end of the warm-up to the end beside the target: under 10 %.

Usage::

    python benchmarks/soak.py [--printers 300] [--minutes 5] [--interval 5] [--warmup 60]
                              [--sample 15] [--transport httpx|aiohttp]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import math
import random
import signal
import subprocess
import sys
import time
from typing import Any

TARGET_GROWTH = 10.0
"""Percent: RSS and open sockets at the end against the end of the warm-up."""


# -- the simulated printers (a child process) --------------------------------------------------


async def _serve(args: argparse.Namespace) -> None:
    from printer_async.simulator import ScaledClock, SimulatedPrinter, serve

    rng = random.Random(args.seed)
    printers = [
        SimulatedPrinter(
            password="123456", clock=ScaledClock(speed=60), job_duration=600, seed=index
        )
        for index in range(args.printers)
    ]
    for printer in printers:
        printer.faults.random(args.fault_rate, rng=random.Random(rng.random()))
        printer.faults.bad_value("print_progress", math.nan, probability=args.fault_rate / 4)
        printer.faults.bad_value("print_progress", math.inf, probability=args.fault_rate / 4)
    async with serve(*printers, cameras=False) as server:
        endpoints = [[e.host, e.port] for e in server.endpoints]
        print(json.dumps(endpoints), flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGINT, stop.set)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        while not stop.is_set():
            for printer in rng.sample(printers, k=max(1, len(printers) // 20)):
                _chaos(printer, rng)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)


def _chaos(printer: Any, rng: random.Random) -> None:
    """One random thing happening to a printer: a job moves on, a reboot, or an outage."""
    from printer_async.simulator import ApiFailure

    roll = rng.random()
    try:
        if roll < 0.40:
            printer.start_job("Local/benchy.gcode")
        elif roll < 0.50:
            printer.pause()
        elif roll < 0.60:
            printer.resume()
        elif roll < 0.65:
            printer.stop()
        elif roll < 0.70:
            printer.reboot()
        elif roll < 0.73:
            printer.faults.drop(duration=rng.uniform(20, 60))  # unreachable: offline, online
        elif roll < 0.75:
            printer.faults.service_unavailable(duration=rng.uniform(20, 60))
    except ApiFailure:
        pass  # the printer's state forbids it now: as a person at the printer would find


def _start_simulator() -> tuple[subprocess.Popen[str], list[list[Any]]]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", *sys.argv[1:]],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit("the simulator did not start")
    return process, json.loads(line)


# -- the client (this process) ---------------------------------------------------------------------


def _client(transport: str) -> Any:
    if transport == "aiohttp":
        from printer_async import aiohttp_client

        return aiohttp_client()
    return None


async def _watch(endpoints: list[list[Any]], args: argparse.Namespace) -> list[dict[str, float]]:
    import anyio
    import psutil
    from printer_async import AsyncPrinter, Fleet

    process = psutil.Process()
    samples: list[dict[str, float]] = []
    kinds: collections.Counter[str] = collections.Counter()
    async with contextlib.AsyncExitStack() as stack:
        client = _client(args.transport)
        if client is not None:
            await stack.enter_async_context(client)
        printers = [
            AsyncPrinter(host, port=port, password="123456", client=client, name=str(index))
            for index, (host, port) in enumerate(endpoints)
        ]
        fleet = await stack.enter_async_context(Fleet(printers))
        events = await stack.enter_async_context(
            fleet.watch(interval=args.interval, offline_after=15, progress_step=10)
        )

        async def count() -> None:
            async for event in events:
                kinds[event.kind.value] += 1

        started = time.monotonic()
        end = started + args.minutes * 60
        print(f"{'s':>6} {'RSS MB':>8} {'sockets':>8} {'fds':>6}  events so far", flush=True)
        async with anyio.create_task_group() as group:
            group.start_soon(count)
            while time.monotonic() < end:
                await anyio.sleep(min(args.sample, max(0.0, end - time.monotonic())))
                sample = {
                    "t": time.monotonic() - started,
                    "rss": process.memory_info().rss / 1e6,
                    "sockets": len(process.net_connections(kind="inet")),
                    "fds": process.num_fds(),
                }
                samples.append(sample)
                shown = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
                print(
                    f"{sample['t']:>6.0f} {sample['rss']:>8.1f} {sample['sockets']:>8.0f} "
                    f"{sample['fds']:>6.0f}  {shown}",
                    flush=True,
                )
            group.cancel_scope.cancel()
    return samples


def _report(samples: list[dict[str, float]], args: argparse.Namespace) -> None:
    warm = next((s for s in samples if s["t"] >= args.warmup), samples[0])
    last = samples[-1]
    print()
    print(
        f"{args.printers} printers, {args.interval:g} s interval, {args.minutes:g} min, "
        f"transport {args.transport}, faults on {args.fault_rate:.0%} of requests plus outages"
    )
    header = f"{'':<14} {'after warm-up':>14} {'at the end':>12} {'growth':>8} {'target':>8}"
    print(header)
    print("-" * len(header))
    for key, label in (("rss", "RSS MB"), ("sockets", "open sockets"), ("fds", "open fds")):
        growth = (last[key] - warm[key]) / warm[key] * 100 if warm[key] else math.nan
        print(
            f"{label:<14} {warm[key]:>14.1f} {last[key]:>12.1f} {growth:>7.1f}% "
            f"{'< ' + str(TARGET_GROWTH) + '%':>8}"
        )
    print(f"(warm-up ends at the sample at {warm['t']:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before the baseline")
    parser.add_argument("--sample", type=float, default=15.0, help="seconds between samples")
    parser.add_argument("--transport", choices=["httpx", "aiohttp"], default="httpx")
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args))
        return
    print(f"starting {args.printers} simulated printers in a separate process...", flush=True)
    simulator, endpoints = _start_simulator()
    try:
        samples = asyncio.run(_watch(endpoints, args))
    finally:
        simulator.send_signal(signal.SIGINT)
        simulator.wait(timeout=60)
    _report(samples, args)


if __name__ == "__main__":
    main()
