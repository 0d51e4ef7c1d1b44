"""The README's first command, `printer-async demo`, run as users run it: default speed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

DEMO_LIMIT = 30.0
"""Seconds the issue allows the demo."""


@pytest.mark.slow
def test_the_default_demo_finishes_by_itself():
    """`python -m printer_async demo` with no option shows the whole job and exits 0 by itself.

    Its length (about 18 s, under the 30 s the README promises) follows from the simulated
    print's length and speed; the subprocess timeout only guards against a hang.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"}
    }
    done = subprocess.run(
        [sys.executable, "-m", "printer_async", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=DEMO_LIMIT + 10,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "running -> paused" in done.stdout
    assert " is busy (10003 busy); polling again in " in done.stdout
    assert "running -> completed" in done.stdout
    assert done.stderr == ""
