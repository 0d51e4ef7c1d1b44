"""The ``printer-async`` command: a demo on the built-in simulator, one printer, or a fleet.

It needs the ``cli`` extra (click, rich, uvicorn): ``pip install "printer-async[cli]"``.
``import printer_async`` never imports this package, so the library stays light.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

_INTERRUPTED = 130
_CLOSED_OUTPUT = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: the process's arguments); return its exit code.

    Raises:
        SystemExit: Never for a normal ending: the code is returned. The console script and
            ``python -m printer_async`` pass it to ``sys.exit``.
    """
    try:
        try:
            from printer_async.cli._app import cli  # noqa: PLC0415 - click and rich on demand
            from printer_async.cli._text import plain_where_needed  # noqa: PLC0415 - the same
        except ImportError as exc:
            sys.stderr.write(
                f"error: the printer-async command needs its extra ({exc.name} is missing): "
                'pip install "printer-async[cli]"\n'
            )
            return 1
        plain_where_needed(sys.stdout, sys.stderr)
        code = cli.main(argv, prog_name="printer-async", standalone_mode=False)
        sys.stdout.flush()  # what is still buffered meets a closed pipe here, not at exit
    except KeyboardInterrupt:  # Ctrl-C before a command took over (while importing)
        sys.stderr.write("interrupted\n")
        return _INTERRUPTED
    except BrokenPipeError:  # standard output closed early (| head -1): end quietly
        _silence_stdout()
        return _CLOSED_OUTPUT
    if code == _CLOSED_OUTPUT:
        _silence_stdout()
    return code


def _silence_stdout() -> None:
    """Send what is left for standard output nowhere, so exiting does not flush into the pipe.

    Python flushes standard output at exit; into a closed pipe that prints "Exception ignored
    ... BrokenPipeError" (the advice of Python's ``signal`` documentation).
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no file descriptor (an in-memory stream): nothing to flush
        return
