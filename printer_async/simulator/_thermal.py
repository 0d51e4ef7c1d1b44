"""Temperatures and the part-cooling fan of the simulated printer.

Each heater (the nozzles, the heatbed) and the fan moves toward its target exponentially and is
evaluated lazily at the time it is looked at, so a printer nobody asks about costs nothing. A
heater switched off (target 0) cools to the room's temperature, not to 0 °C. Not thread-safe on
its own: the :class:`~printer_async.simulator.SimulatedPrinter` façade calls it under its lock.
"""

from __future__ import annotations

import math
from typing import Final

import attrs

AMBIENT_TEMP: Final = 25.0
"""Temperature (°C) a heater settles at when its target is 0 (off)."""

NOZZLE_TIME_CONSTANT: Final = 40.0
"""Simulated seconds for a nozzle to close 63 % of the gap to its target."""

HEATBED_TIME_CONSTANT: Final = 120.0
"""Simulated seconds for the heatbed to close 63 % of the gap to its target."""

FAN_TIME_CONSTANT: Final = 2.0
"""Simulated seconds for the fan to close 63 % of the gap to its target speed."""

PRINT_NOZZLE_TEMP: Final = 210
"""Nozzle target (°C) a job sets when it starts on a cold nozzle."""

PRINT_HEATBED_TEMP: Final = 60
"""Heatbed target (°C) a job sets when it starts on a cold bed."""


@attrs.define
class Approach:
    """A value that moves toward its target exponentially, evaluated lazily."""

    value: float
    target: float
    since: float
    tau: float
    floor: float = 0.0  # a heater switched off (target 0) cools to ambient, not to 0 °C

    def at(self, now: float) -> float:
        """The value at simulated time ``now``."""
        goal = max(self.target, self.floor)
        elapsed = max(0.0, now - self.since)
        return goal + (self.value - goal) * math.exp(-elapsed / self.tau)

    def set_target(self, now: float, target: float) -> None:
        """Aim at ``target`` from simulated time ``now`` on."""
        self.value = self.at(now)
        self.since = max(now, self.since)
        self.target = target


class Thermal:
    """Two nozzle heaters (the right one unused on a one-nozzle printer), the heatbed, the fan.

    Args:
        now: Simulated time at power-on; everything starts at room temperature, off.
    """

    def __init__(self, now: float) -> None:
        self.nozzles = [
            Approach(AMBIENT_TEMP, 0, now, NOZZLE_TIME_CONSTANT, AMBIENT_TEMP) for _ in range(2)
        ]
        self.heatbed = Approach(AMBIENT_TEMP, 0, now, HEATBED_TIME_CONSTANT, AMBIENT_TEMP)
        self.fan = Approach(0, 0, now, FAN_TIME_CONSTANT)

    def heat_for_job(self, now: float) -> None:
        """Heat the left nozzle and the bed to printing temperatures, unless already set."""
        if self.nozzles[0].target == 0:
            self.nozzles[0].set_target(now, PRINT_NOZZLE_TEMP)
        if self.heatbed.target == 0:
            self.heatbed.set_target(now, PRINT_HEATBED_TEMP)

    def cool_down(self, now: float) -> None:
        """Switch every heater and the fan off, as a printer does when a job ends."""
        for part in (*self.nozzles, self.heatbed, self.fan):
            part.set_target(now, 0)
