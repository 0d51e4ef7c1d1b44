"""JSON written the way a Raise3D printer writes it.

The printer's answers (see the captures of a real Pro2 in ``tests/fixtures/captures/``) have their
keys in alphabetical order, no spaces, and whole-number floats without a decimal point:
``"heatbed_cur_temp":26``, ``"print_progress":0``, even where the vendor documents a float. Every
JSON body the simulator sends goes through :func:`dumps`, so a client that assumes a ``float`` (or
a key order) meets the same answers it will meet on a real printer.
"""

from __future__ import annotations

import json
from typing import Any


def _as_written(value: Any) -> Any:
    """``value`` with every whole-number float turned into an int, at any depth."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_written(item) for item in value]
    return value


def dumps(value: Any) -> bytes:
    """Return ``value`` as the printer's JSON: sorted keys, no spaces, ``26.0`` written ``26``."""
    return json.dumps(_as_written(value), sort_keys=True, separators=(",", ":")).encode()
