"""The ``printer-async`` command: a demo on the built-in simulator, one printer, or a fleet.

It needs the ``cli`` extra (click, rich, uvicorn): ``pip install "printer-async[cli]"``.
``import printer_async`` never imports this package, so the library stays light.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default: the process's arguments); return its exit code.

    Raises:
        SystemExit: Never for a normal ending: the code is returned. The console script and
            ``python -m printer_async`` pass it to ``sys.exit``.
    """
    try:
        try:
            from printer_async.cli._app import cli  # noqa: PLC0415 - click and rich on demand
        except ImportError as exc:
            sys.stderr.write(
                f"error: the printer-async command needs its extra ({exc.name} is missing): "
                'pip install "printer-async[cli]"\n'
            )
            return 1
        return cli.main(argv, prog_name="printer-async", standalone_mode=False)
    except KeyboardInterrupt:  # Ctrl-C before a command took over (while importing)
        sys.stderr.write("interrupted\n")
        return _INTERRUPTED
