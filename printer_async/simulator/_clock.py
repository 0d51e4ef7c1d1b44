"""Clocks that drive the simulated printers' time.

A simulated printer never reads the wall clock directly: it asks its clock for the simulated time
in seconds. :class:`ScaledClock` runs faster than real time (a two-hour print at ``speed=720`` takes
ten real seconds); :class:`ManualClock` only moves when a test calls :meth:`ManualClock.advance`,
so tests of behaviour over time never sleep.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """What a simulated printer needs from a clock."""

    def now(self) -> float:
        """Return the simulated time in seconds."""
        ...

    def advance(self, seconds: float) -> None:
        """Move the simulated time forward by ``seconds``."""
        ...

    def wall_time_at(self, sim_time: float) -> float:
        """Return the ``time.monotonic()`` value at which ``sim_time`` was (or will be) reached."""
        ...


class ScaledClock:
    """Simulated seconds = real monotonic seconds since creation times ``speed``, plus any advances.

    Args:
        speed: How many simulated seconds pass per real second; must be positive.

    Raises:
        ValueError: If ``speed`` is not positive.
    """

    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed!r}")
        self._speed = float(speed)
        self._origin = time.monotonic()
        self._offset = 0.0
        # advance() may be called from a test thread while the server thread reads now().
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        """Simulated seconds per real second."""
        return self._speed

    def now(self) -> float:
        """Return the simulated time in seconds."""
        with self._lock:
            return (time.monotonic() - self._origin) * self._speed + self._offset

    def advance(self, seconds: float) -> None:
        """Jump the simulated time forward by ``seconds`` without waiting.

        Raises:
            ValueError: If ``seconds`` is negative (time never runs backwards).
        """
        if seconds < 0:
            raise ValueError(f"cannot advance by a negative time: {seconds!r}")
        with self._lock:
            self._offset += seconds

    def wall_time_at(self, sim_time: float) -> float:
        """Return the ``time.monotonic()`` value corresponding to ``sim_time``.

        Advances made since ``sim_time`` are assumed to have happened before it, which is exact for
        everything that did not straddle a jump.
        """
        with self._lock:
            return self._origin + (sim_time - self._offset) / self._speed

    def __repr__(self) -> str:
        return f"ScaledClock(speed={self._speed!r})"


class ManualClock:
    """A clock that only moves when :meth:`advance` is called.

    Args:
        start: The initial simulated time in seconds.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        # Real moment of the latest advance: the simulated instants it skipped "happened" then.
        self._advanced_at = time.monotonic()
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the simulated time in seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move the simulated time forward by ``seconds``.

        Raises:
            ValueError: If ``seconds`` is negative (time never runs backwards).
        """
        if seconds < 0:
            raise ValueError(f"cannot advance by a negative time: {seconds!r}")
        with self._lock:
            self._now += seconds
            self._advanced_at = time.monotonic()

    def wall_time_at(self, sim_time: float) -> float:
        """Return the real moment ``sim_time`` was reached: the latest :meth:`advance` call.

        A manual clock has no rate, so any simulated instant up to now is mapped to the moment of
        the advance that reached it (approximated by the latest one).
        """
        del sim_time  # every reached instant was reached by the latest jump, as far as we know
        with self._lock:
            return self._advanced_at

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now!r})"
