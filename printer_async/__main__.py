"""``python -m printer_async``: the ``printer-async`` command."""

from printer_async.cli import main

raise SystemExit(main())
