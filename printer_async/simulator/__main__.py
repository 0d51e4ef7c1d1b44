"""``python -m printer_async.simulator``: see :mod:`printer_async.simulator._cli`."""

import sys

from printer_async.simulator._cli import main

if __name__ == "__main__":
    sys.exit(main())
