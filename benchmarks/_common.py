"""What the benchmarks share: simulated printers in processes of their own, loops, tables."""

from __future__ import annotations

import asyncio
import contextlib
import platform
import re
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator

PASSWORD = "123456"


@contextlib.contextmanager
def simulators(
    count: int, *, processes: int = 1, keep_alive: float = 60.0
) -> Iterator[list[tuple[str, int]]]:
    """Serve ``count`` simulated printers from ``processes`` processes; yield their addresses.

    The simulator runs apart from the benchmark, so the benchmark's CPU figures are the
    client's alone; at 10,000 printers one simulator process cannot answer 333 polls a second
    in time, hence several.
    """
    shares = [count // processes + (i < count % processes) for i in range(processes)]
    started = []
    try:
        for share in shares:
            # One at a time: if a start fails, the ones started are stopped below.
            started.append(start_simulator(share, keep_alive))  # noqa: PERF401
        yield [address for _, addresses in started for address in addresses]
    finally:
        for process, _ in started:
            process.send_signal(signal.SIGTERM)  # ends it quietly (SIGINT prints "interrupted")
        for process, _ in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def start_simulator(
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
            PASSWORD,
            "--no-camera",
            "--keep-alive",
            str(keep_alive),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    addresses = []
    deadline = time.monotonic() + 300
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


def run(main: Callable[[], Coroutine[Any, Any, Any]], loop: str) -> Any:
    """Run ``main()`` under asyncio's default loop or uvloop (``pip install uvloop``)."""
    if loop == "uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(main())
    return asyncio.run(main())


def machine() -> str:
    """One line on what the figures were taken on."""
    import aiohttp
    import httpx

    cores = len(__import__("os").sched_getaffinity(0))
    return (
        f"{platform.machine()}, {cores} cores, Python {platform.python_version()}, "
        f"httpx {httpx.__version__}, aiohttp {aiohttp.__version__}"
    )


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
