"""Riding out a busy printer: when a read asks again after a busy answer, and when it gives up.

A printer answers "busy" (10003, 500 "printer is busy", HTTP 429) while someone operates its
screen or while it pauses, resumes or stops: spells of a second or two. A read
(:class:`~printer_async.AsyncPrinter`'s GET calls) that meets one waits a short, jittered
moment and asks again, within its own deadline, for at most ``busy_retry`` seconds; a
:class:`~printer_async.PrinterBusyError` reaches the caller only when the printer stays busy
that long. Commands (setters, job control, uploads, file operations) are never sent twice.

A watch's polls make one attempt each (:data:`SINGLE_ATTEMPT`): the watch has a back-off of its
own, stretched over its schedule, and a poll costs one request.
"""

from __future__ import annotations

import contextvars
import math
import random
from typing import Final

__all__ = [
    "DEFAULT_BUSY_RETRY",
    "FIRST_DELAY",
    "MAX_DELAY",
    "SINGLE_ATTEMPT",
    "BusyRide",
    "check_busy_retry",
]

DEFAULT_BUSY_RETRY: Final = 3.0
"""Seconds a read rides out a busy printer by default, from the start of the call."""

FIRST_DELAY: Final = 0.1
"""The ceiling of the first wait after a busy answer, in seconds; it doubles after each one."""

MAX_DELAY: Final = 1.0
"""The highest ceiling a wait reaches, in seconds."""

SINGLE_ATTEMPT: Final = contextvars.ContextVar("printer_async_single_attempt", default=False)
"""True while a watch polls: the read it makes is not ridden out, whatever ``busy_retry`` says.

A context variable rather than an argument, so that every poll function a watch is given (a
printer's ``current_job``, a fleet's locked one, a caller's own) makes one attempt."""


def check_busy_retry(seconds: object) -> float:
    """``busy_retry`` as a float: 0 (off), a positive number of seconds, or ``math.inf``.

    ``inf`` rides a busy printer out until the call's deadline.

    Raises:
        ValueError: It is not such a number (``True``, a string, NaN, a negative number).
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
        raise ValueError(
            f"busy_retry must be a number of seconds, 0 or more (0: off), got {seconds!r}"
        )
    return float(seconds)


class BusyRide:
    """The ride-out of one call: the wait before each new attempt, or ``None`` to give up.

    Each wait is drawn uniformly between half and all of a ceiling that starts at
    :data:`FIRST_DELAY` and doubles after every busy answer up to :data:`MAX_DELAY` (0.1, 0.2,
    0.4, 0.8, 1, 1 ... seconds): the jitter keeps many clients from asking in step, the lower
    half-bound keeps one from asking at once again. A new attempt is made only when it can be
    sent and answered before the end of the ride, at the pace the busy answer took: the ride
    gives up with the printer's busy answer rather than run into the call's deadline, which
    would turn it into a timeout.

    Args:
        started: When the call began (the loop's clock).
        limit: The call's ``busy_retry``: seconds from ``started`` it may ride for.
        deadline: The call's deadline (the loop's clock, ``inf`` for none).
        rng: The source of jitter.
    """

    __slots__ = ("_ceiling", "_rng", "_until")

    def __init__(
        self, started: float, limit: float, deadline: float, *, rng: random.Random | None = None
    ) -> None:
        self._until = min(started + limit, deadline)
        self._ceiling = FIRST_DELAY
        self._rng = rng if rng is not None else _RNG

    def next_delay(self, now: float, attempt: float) -> float | None:
        """The wait before the next attempt, or ``None`` when the ride is over.

        Args:
            now: The time of the busy answer (the loop's clock).
            attempt: Seconds the attempt that got it took.
        """
        ceiling = self._ceiling
        delay = self._rng.uniform(ceiling / 2, ceiling)
        self._ceiling = min(ceiling * 2, MAX_DELAY)
        if math.isinf(self._until):
            return delay
        return delay if now + delay + attempt <= self._until else None


_RNG: Final = random.Random()
