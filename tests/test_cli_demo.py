"""The README's first command, `printer-async demo`, run as users run it: default speed."""

from __future__ import annotations

import os
import subprocess
import sys
import time

DEMO_LIMIT = 30.0
"""Seconds the issue allows the demo."""


def test_the_default_demo_finishes_by_itself_in_under_30_seconds():
    """`python -m printer_async demo` with no option completes the job, exits 0, within 30 s."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"}
    }
    begin = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "printer_async", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEMO_LIMIT + 10,
        check=False,
    )
    took = time.monotonic() - begin
    assert done.returncode == 0, done.stderr
    assert took < DEMO_LIMIT
    assert "running -> paused" in done.stdout
    assert "printer busy (10003 busy): backing off" in done.stdout
    assert "running -> completed" in done.stdout
    assert done.stderr == ""
