"""Constants of the Raise3D (printer-async) integration."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

DOMAIN: Final = "printer_async"

DEFAULT_PORT: Final = 10800
"""The Remote Access API's port on every Raise3D printer."""

SCAN_INTERVAL: Final = timedelta(seconds=30)
"""How often the coordinator reads the printer's whole state (five requests, at once).

The printer's own screen and slicer share its small web server: 30 seconds is the interval
the library's docs recommend. A command pressed in Home Assistant is seen sooner (see
``PrinterCoordinator.follow_changes``).
"""
