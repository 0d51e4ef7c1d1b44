"""Motion of the simulated printer: axis positions, filament fed, feed and flow rates.

Validation follows the vendor's ``/printer/axiscontrol/set`` table, with absolute moves bounded by
the build volume (the vendor's message names the model's limit, ``value(0~305)`` on a Pro2). Not
thread-safe on its own: the :class:`~printer_async.simulator.SimulatedPrinter` façade calls it
under its lock, after the refusals that depend on the printer's state.
"""

from __future__ import annotations

from typing import Final

from printer_async.simulator._failure import ApiFailure

FILAMENT_LIMIT: Final = 10000
"""Largest absolute filament position (``e``) in millimetres, either way."""


class Motion:
    """Where the axes are, how much filament was fed, and the feed and flow rates.

    Args:
        limits: Upper bound in millimetres of absolute ``x``, ``y`` and ``z`` moves (the model's
            build volume).
    """

    def __init__(self, limits: dict[str, int]) -> None:
        self.limits = dict(limits)
        self.position = {"x": 0, "y": 0, "z": 0, "e": 0}
        self.feedrate = 100
        self.flowrates = [100, 100]

    def check_move(
        self, *, relative: bool, feed: int, moves: dict[str, int], nozzle: int | None, nozzles: int
    ) -> None:
        """Refuse a move the way ``/printer/axiscontrol/set`` does.

        Raises:
            ApiFailure: The documented 10002 range messages, 404 "no right nozzle".
        """
        if nozzle is not None and nozzle not in (0, 1):
            raise ApiFailure(10002, "nozzle error value(0 or 1)")
        if nozzle == 1 and nozzles == 1:
            raise ApiFailure(404, "no right nozzle")
        if any(axis in moves for axis in self.limits) and not 0 <= feed <= 8000:  # noqa: PLR2004
            raise ApiFailure(10002, "feed error xyz value(0~8000)")
        if "e" in moves and not 0 <= feed <= 2400:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "feed error e value(0~2400)")
        for axis, value in moves.items():
            if relative and not -10 <= value <= 10:  # noqa: PLR2004
                raise ApiFailure(10002, f"{axis} error relative model value(-10~10)")
            limit = self.limits.get(axis, FILAMENT_LIMIT)
            if not relative and (value > limit or (axis == "e" and value < -limit)):
                low = 0 if axis != "e" else -limit
                raise ApiFailure(10002, f"{axis} error aboslute model value({low}~{limit})")

    def move(self, *, relative: bool, moves: dict[str, int]) -> None:
        """Apply a checked move; absolute negative coordinates are clamped to zero."""
        for axis, value in moves.items():
            if relative:
                self.position[axis] += value
            else:
                self.position[axis] = value if axis == "e" else max(0, value)
