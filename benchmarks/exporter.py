"""The exporter's cost: its CPU beside a bare Fleet.watch, and /metrics rendering time.

Part one watches 1,000 simulated printers (a separate process, as in ``fleet.py``) at a 5 s
interval. Each setup runs in a fresh child process of its own, measured after a warm-up:

* ``bare Fleet.watch``: the fleet's watch, its events read and dropped: the baseline;
* ``exporter (job only)``: ``FleetExporter`` with no slow polls, so it makes exactly the
  baseline's requests; the difference is the exporter's own work (its ``on_poll`` records, its
  events, its HTTP server, scrapes);
* ``exporter (defaults)``: temperatures and rates every 30 s and statistics every 300 s too, which
  are more requests (the row says how many per second).

The exporter rows are scraped at ``/metrics`` every ``--scrape`` seconds by this process, as a
Prometheus would (its rendering is in the child's CPU, the scraper's is not).

Part two renders ``/metrics`` for 1,000 fully populated printers (job, temperatures, statistics,
counters) and, beside it, ``prometheus_client``'s own rendering of the same state through
:class:`FleetCollector`, and of the same samples kept in plain ``Gauge`` objects.

Usage::

    python benchmarks/exporter.py [--printers 1000] [--interval 5] [--seconds 30] [--warmup 10]
                                  [--scrape 15] [--setups ...] [--render-only]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from _common import start_simulator

SETUPS = ["bare Fleet.watch", "exporter (job only)", "exporter (defaults)"]
TARGETS = {"overhead": 10.0, "render_ms": 100.0}


async def _measure(setup: str, addresses: list[tuple[str, int]], args: argparse.Namespace) -> dict:
    import anyio
    import psutil
    from printer_async import AsyncPrinter, Fleet
    from printer_async.exporter import FleetExporter, bind

    printers = [
        AsyncPrinter(host, port=port, password="123456", name=f"printer-{index:04d}")
        for index, (host, port) in enumerate(addresses)
    ]
    requests = [0]
    for printer in printers:
        # Every request a printer makes goes through its transport: count them there.
        transport = printer._transport  # noqa: SLF001 - the benchmark counts requests
        send = transport.request

        async def counted(*a: Any, _send: Any = send, **k: Any) -> Any:
            requests[0] += 1
            return await _send(*a, **k)

        transport.request = counted  # type: ignore[method-assign]
    process = psutil.Process()
    async with Fleet(printers) as fleet, anyio.create_task_group() as task_group:
        if setup == "bare Fleet.watch":

            async def bare() -> None:
                async with fleet.watch(interval=args.interval) as events:
                    async for _ in events:
                        pass

            task_group.start_soon(bare)
        else:
            slow = setup == "exporter (defaults)"
            exporter = FleetExporter(
                fleet,
                interval=args.interval,
                details_interval=30.0 if slow else 0,
                statistics_interval=300.0 if slow else 0,
            )
            sock = bind("127.0.0.1", 0)
            print(f"PORT {sock.getsockname()[1]}", flush=True)
            task_group.start_soon(exporter.run, sock)
        await anyio.sleep(args.warmup)
        cpu0, wall0, requests0 = process.cpu_times(), time.monotonic(), requests[0]
        await anyio.sleep(args.seconds)
        cpu1, wall1, requests1 = process.cpu_times(), time.monotonic(), requests[0]
        rss = process.memory_info().rss
        task_group.cancel_scope.cancel()
    elapsed = wall1 - wall0
    return {
        "setup": setup,
        "cpu": (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / elapsed * 100,
        "rss": rss / 1e6,
        "requests_per_s": (requests1 - requests0) / elapsed,
    }


def _child(args: argparse.Namespace) -> None:
    addresses = [tuple(a) for a in json.loads(os.environ["BENCH_ADDRESSES"])]
    result = asyncio.run(_measure(args.child, addresses, args))  # type: ignore[arg-type]
    print(json.dumps(result), flush=True)


def _scrape_every(port: int, seconds: float, stop: threading.Event, times: list[float]) -> None:
    while not stop.wait(seconds):
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
                answer.read()
        except OSError:
            return  # the child has finished
        times.append(time.monotonic() - started)


def _run_setup(setup: str, addresses: list[tuple[str, int]], args: argparse.Namespace) -> dict:
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", setup, *sys.argv[1:]],
        env=os.environ | {"BENCH_ADDRESSES": json.dumps(addresses)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    stop = threading.Event()
    scrapes: list[float] = []
    scraper = None
    for line in child.stdout:
        if line.startswith("PORT "):
            port = int(line.split()[1])
            scraper = threading.Thread(
                target=_scrape_every, args=(port, args.scrape, stop, scrapes)
            )
            scraper.start()
            continue
        result = json.loads(line)
        break
    stop.set()
    if scraper is not None:
        scraper.join()
    child.wait()
    result["scrape_s"] = statistics.median(scrapes) if scrapes else None
    return result


# -- rendering -------------------------------------------------------------------------------------


def _populated(count: int) -> Any:
    """FleetMetrics with ``count`` printers, each with every kind of state (the tests' helper)."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "farm"))
    from printer_async import JobStatus
    from printer_async.exporter import FleetMetrics

    from _farm_support import fill

    metrics = FleetMetrics()
    for index in range(count):
        status = JobStatus.RUNNING if index % 3 else JobStatus.PAUSED
        fill(
            metrics,
            f"printer-{index:04d}",
            file_name=f"Local/part-{index}.gcode",
            job_id=f"job-{index}",
            status=status,
        )
    return metrics


def _render_figures(count: int, runs: int) -> dict:
    from printer_async.exporter import FleetCollector
    from prometheus_client import CollectorRegistry, Gauge, generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    metrics = _populated(count)
    collector = FleetCollector(metrics)
    text = metrics.render().decode()

    # The same samples as plain Gauges, the way an instrumented application keeps its metrics.
    registry = CollectorRegistry()
    gauges: dict[str, Gauge] = {}
    samples = 0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples += 1
            keys = tuple(sorted(sample.labels))
            name = f"plain_{sample.name}"
            if name not in gauges:
                gauges[name] = Gauge(name, "the same sample", keys, registry=registry)
            gauge = gauges[name]
            (gauge.labels(**sample.labels) if keys else gauge).set(sample.value)

    def timed(render: Any) -> tuple[float, float]:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            render()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), max(times)

    return {
        "samples": samples,
        "bytes": len(text),
        "rows": [
            ("printer-async /metrics", timed(metrics.render)),
            ("FleetCollector + generate_latest", timed(lambda: generate_latest(collector))),
            ("plain Gauges + generate_latest", timed(lambda: generate_latest(registry))),
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--printers", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--scrape", type=float, default=15.0)
    parser.add_argument("--runs", type=int, default=20, help="renderings timed")
    parser.add_argument("--setups", default=",".join(SETUPS))
    parser.add_argument("--render-only", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    results = []
    if not args.render_only:
        print(f"starting {args.printers} simulated printers in a separate process...", flush=True)
        simulator, addresses = start_simulator(args.printers, 60.0)
        try:
            for setup in args.setups.split(","):
                print(f"measuring {setup!r} for {args.warmup + args.seconds:.0f} s...", flush=True)
                results.append(_run_setup(setup, addresses, args))
        finally:
            simulator.send_signal(signal.SIGINT)
            simulator.wait(timeout=30)
    print(f"rendering /metrics for {args.printers} printers, {args.runs} times...", flush=True)
    render = _render_figures(args.printers, args.runs)

    if results:
        print()
        print(
            f"{args.printers} printers, {args.interval:g} s interval, {args.seconds:g} s measured "
            f"after {args.warmup:g} s warm-up, /metrics scraped every {args.scrape:g} s"
        )
        header = (
            f"{'setup':<22} {'CPU % of a core':>16} {'vs bare':>8} {'requests/s':>11} "
            f"{'RSS MB':>7} {'scrape ms':>10}"
        )
        print(header)
        print("-" * len(header))
        base = results[0]["cpu"] if results[0]["setup"] == SETUPS[0] else None
        for r in results:
            versus = f"{(r['cpu'] / base - 1) * 100:+.1f}%" if base else ""
            scrape = f"{r['scrape_s'] * 1000:.0f}" if r["scrape_s"] else ""
            print(
                f"{r['setup']:<22} {r['cpu']:>16.1f} {versus:>8} {r['requests_per_s']:>11.1f} "
                f"{r['rss']:>7.0f} {scrape:>10}"
            )
        print(f"{'target (job only)':<22} {'':>16} {'< +' + str(TARGETS['overhead']) + '%':>8}")
    print()
    print(f"/metrics for {args.printers} printers: {render['samples']} samples, "
          f"{render['bytes'] / 1e6:.1f} MB of text")  # fmt: skip
    print(f"{'rendering':<36} {'median ms':>10} {'max ms':>8}")
    for label, (median, most) in render["rows"]:
        print(f"{label:<36} {median:>10.1f} {most:>8.1f}")
    print(f"{'target':<36} {'< ' + str(TARGETS['render_ms']):>10}")


if __name__ == "__main__":
    main()
