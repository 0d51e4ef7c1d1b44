"""Every benchmark of issue 14 in one run, each table printed beside its targets at the end.

1. Client CPU per ``current_job()`` poll, six setups (``per_poll.py``), under asyncio's default
   loop, then under uvloop when it is installed (``pip install "printer-async[fast]"``).
2. 1,000 printers at a 5 s interval: CPU and memory (``fleet.py``).
3. 3,000 printers at 5 s: p99 lateness and first events, with and without the gc freeze.
4. 10,000 printers at 30 s, the simulator in two processes: CPU, p99, memory, close time.

The whole run takes about 25 minutes; ``--quick`` runs every part smaller and shorter (about 5
minutes), to check that it all works, not for figures.

Usage::

    python benchmarks/run_all.py [--quick] [--rounds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import fleet
import per_poll

FLEETS = [
    # (title, arguments, arguments with --quick, targets)
    (
        "1,000 printers at 5 s",
        "--printers=1000 --interval=5 --seconds=30 --warmup=10",
        "--printers=200 --interval=2 --seconds=6 --warmup=4",
        "aiohttp,httpx,aiohttp_client()",
        {"cpu": "<12 / <20", "rss": "< 80"},
    ),
    (
        "3,000 printers at 5 s",
        "--printers=3000 --interval=5 --seconds=30 --warmup=10 --sim-processes=2",
        "--printers=600 --interval=2 --seconds=6 --warmup=4 --sim-processes=2",
        "aiohttp,aiohttp without freeze",
        {"p99": "< 250", "first": "< 5"},
    ),
    (
        "10,000 printers at 30 s",
        "--printers=10000 --interval=30 --seconds=60 --warmup=35 --sim-processes=2",
        "--printers=2000 --interval=5 --seconds=10 --warmup=7 --sim-processes=2",
        "aiohttp,aiohttp without freeze,httpx",
        {"cpu": "< 20", "p99": "< 250", "close": "< 1"},
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of each fleet")
    args = parser.parse_args()
    started = time.monotonic()
    polls = ["--rounds=3", "--polls=200"] if args.quick else []
    loops = ["asyncio"]
    if importlib.util.find_spec("uvloop") is not None:
        loops.append("uvloop")
    per_poll_results = {}
    for loop in loops:
        print(f"== per poll, {loop} loop", flush=True)
        per_poll_results[loop] = per_poll.main([*polls, f"--loop={loop}"])
    fleet_results = []
    for title, full, quick, setups, targets in FLEETS:
        print(f"== {title}", flush=True)
        rounds = 1 if args.quick else args.rounds
        argv = [
            *(quick if args.quick else full).split(),
            f"--setups={setups}",
            f"--rounds={rounds}",
        ]
        fleet_results.append((title, fleet.parse(argv), fleet.main(argv), targets))

    minutes = (time.monotonic() - started) / 60
    print(f"\n==== all figures ({minutes:.0f} minutes) ====\n")
    for loop, results in per_poll_results.items():
        rounds, count = (3, 200) if args.quick else (9, 400)
        per_poll.print_table(results, loop=loop, rounds=rounds, polls=count)
        print()
    for title, fleet_args, results, targets in fleet_results:
        print(f"-- {title}")
        fleet.print_table(results, fleet_args, targets)
        print()


if __name__ == "__main__":
    main()
