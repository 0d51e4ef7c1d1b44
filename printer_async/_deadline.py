"""A call's deadline: a cancel scope that costs as little as the event loop allows.

Every call of :class:`~printer_async.AsyncPrinter` runs under a deadline, every poll too, so its
cost counts: an ``anyio.CancelScope`` takes about 6 microseconds to enter and leave under
asyncio (``anyio.fail_after`` 8), which at 10,000 printers is a noticeable share of a poll.
Under asyncio, :class:`AsyncioDeadline` does the same job for one task in about 2, the way
``asyncio.timeout`` does it; under trio, anyio's own scope is used.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Protocol, Self

import anyio

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["AsyncioDeadline", "DeadlineScope", "deadline_scope"]


class DeadlineScope(Protocol):
    """What a call asks of its deadline: when it falls (it may be moved), and whether it hit."""

    deadline: float
    """In the event loop's clock (``anyio.current_time()``); ``inf`` for none."""

    @property
    def cancelled_caught(self) -> bool:
        """Whether the deadline cancelled the block (and the scope swallowed that)."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None: ...


def deadline_scope(seconds: float | None) -> tuple[float, DeadlineScope]:
    """The time now, and a scope that cancels its block ``seconds`` from now.

    Ours under asyncio, anyio's otherwise (trio).

    Args:
        seconds: How long the block may run; ``None`` for ever.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # trio
        now = anyio.current_time()
        return now, anyio.CancelScope(deadline=_after(now, seconds))
    now = loop.time()
    return now, AsyncioDeadline(_after(now, seconds))


def _after(now: float, seconds: float | None) -> float:
    return math.inf if seconds is None else now + seconds


class AsyncioDeadline:
    """Cancels the task that enters it when ``deadline`` passes, as ``asyncio.timeout`` does.

    At the deadline the task is cancelled once; when the block then ends with that cancellation
    (and no other was asked for meanwhile, by a caller's scope or ``task.cancel()``), the scope
    swallows it and sets :attr:`cancelled_caught`. Another cancellation goes on as usual.

    Args:
        deadline: When to cancel, in the loop's clock; ``inf`` for never.
    """

    __slots__ = (
        "_cancelling",
        "_deadline",
        "_expired",
        "_handle",
        "_loop",
        "_task",
        "cancelled_caught",
    )

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._expired = False
        self.cancelled_caught = False

    def __enter__(self) -> Self:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a deadline runs in a task")
        self._task = task
        self._loop = asyncio.get_running_loop()
        self._cancelling = task.cancelling()
        self._schedule()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if (
            self._expired
            and exc_type is asyncio.CancelledError
            and self._task.uncancel() <= self._cancelling
        ):
            self.cancelled_caught = True
            return True
        return False

    @property
    def deadline(self) -> float:
        """When the block is cancelled; setting it moves the deadline (an upload's does)."""
        return self._deadline

    @deadline.setter
    def deadline(self, value: float) -> None:
        self._deadline = value
        if self._handle is not None:  # entered, not yet expired
            self._handle.cancel()
            self._schedule()

    def _schedule(self) -> None:
        if math.isinf(self._deadline):
            self._handle = None
        elif self._deadline <= self._loop.time():
            self._handle = self._loop.call_soon(self._expire)
        else:
            self._handle = self._loop.call_at(self._deadline, self._expire)

    def _expire(self) -> None:
        self._handle = None
        self._expired = True
        self._task.cancel()
