"""Time ``import printer_async`` side by side with ``import httpx``, each in a fresh interpreter.

Every sample is a new ``python`` process that times its own import with
``time.perf_counter()`` (the figure that matters to a program that imports the library); the
process's whole run, interpreter start included, is timed from outside as well. The setups are
taken in turn, round after round, so that a machine whose speed drifts affects them alike; the
table gives the median and the spread of each.

By default the children use compiled bytecode for every module, as a package installed from a
wheel does: they get a fresh ``PYTHONPYCACHEPREFIX``, warmed by one unmeasured run of each
setup. With ``--checkout`` they run as in a development checkout under
``PYTHONDONTWRITEBYTECODE=1`` (how this project's machines are set up): installed packages use
the bytecode pip compiled, and printer-async's own modules are compiled from source on every run
(unless a ``__pycache__`` was left in the tree).

Usage::

    python benchmarks/import_time.py [--runs 21] [--checkout]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_MS = 150.0
SETUPS = {
    "interpreter start (`pass`)": "pass",
    "`import httpx`": "import httpx",
    "`import printer_async`": "import printer_async",
    "`import printer_async` + first answer read": (
        "import printer_async\n"
        "from printer_async._convert import structure\n"
        "structure({'printed_file_num': 1, 'printed_total_time': 2, 'printed_used_filament': 3,"
        " 'printed_used_filament_0': 3}, printer_async.Statistics, endpoint='/x')"
    ),
}
CHILD = """\
import time
_start = time.perf_counter()
{code}
print(time.perf_counter() - _start)
"""


def _sample(code: str, env: dict[str, str]) -> tuple[float, float]:
    """One fresh interpreter: (the import in ms, the whole process in ms)."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD.format(code=code)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    return float(result.stdout) * 1000, wall * 1000


def _row(name: str, samples: list[tuple[float, float]]) -> str:
    inner = sorted(s[0] for s in samples)
    outer = sorted(s[1] for s in samples)
    return (
        f"| {name} | {statistics.median(inner):.1f} | {inner[0]:.1f}-{inner[-1]:.1f} "
        f"| {statistics.median(outer):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="samples per setup (default 21)")
    parser.add_argument(
        "--checkout",
        action="store_true",
        help="compile printer-async from source on every run, as PYTHONDONTWRITEBYTECODE=1 does",
    )
    args = parser.parse_args()

    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="import-time-") as cache:
        if args.checkout:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX", None)
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
            for code in SETUPS.values():
                _sample(code, env)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in SETUPS}
        for _ in range(args.runs):
            for name, code in SETUPS.items():
                samples[name].append(_sample(code, env))

    bytecode = "checkout, not compiled" if args.checkout else "bytecode cached"
    print(f"{args.runs} runs each, {bytecode}, Python {sys.version.split()[0]}")
    print()
    print("| setup | import ms, median | min-max | whole process ms, median |")
    print("| --- | ---: | ---: | ---: |")
    for name, runs in samples.items():
        print(_row(name, runs))
    print(f"| target for `import printer_async` | < {TARGET_MS:.0f} | | |")


if __name__ == "__main__":
    main()
