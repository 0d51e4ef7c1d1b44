"""A call's deadline: a cancel scope that costs as little as the event loop allows.

Every call of :class:`~printer_async.AsyncPrinter` runs under a deadline, every poll too, so its
cost counts: ``anyio.fail_after`` takes about 8 microseconds to enter and leave under asyncio
(an ``anyio.CancelScope`` 6, ``asyncio.timeout`` 3, mostly the timer each of them schedules
and cancels). Under asyncio, :class:`Deadlines` gives a printer's calls their deadlines from
one timer, which it moves only when it must: a printer polled every few seconds with a timeout
of ten schedules about one timer every other poll and cancels none, and a call costs under
one microsecond. Under trio, anyio's own scope is used.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Protocol, Self

import anyio

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["DeadlineScope", "Deadlines", "OtherLoopError"]


class OtherLoopError(RuntimeError):
    """The calls of these deadlines were made in another event loop before this one."""


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


class Deadlines:
    """The deadlines of one printer's calls, under asyncio on one timer at a time.

    The timer is set for the earliest deadline of the calls under way, or earlier: when it
    fires, it cancels the calls whose deadline has passed and is set again for the earliest of
    the others. A call that ends leaves the timer as it is, so the next call, whose deadline is
    later, usually finds it set already.

    A printer is used in one event loop (as its connections are): a call in another loop
    raises :class:`OtherLoopError` before anything else.
    """

    __slots__ = ("_active", "_at", "_handle", "_loop")

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._at = math.inf
        self._active: set[_Scope] = set()

    def scope(self, seconds: float | None) -> tuple[float, DeadlineScope]:
        """The time now, and a scope that cancels its block ``seconds`` from now.

        Args:
            seconds: How long the block may run; ``None`` for ever.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # trio
            now = anyio.current_time()
            return now, anyio.CancelScope(deadline=_after(now, seconds))
        if loop is not self._loop:
            if self._loop is not None:
                raise OtherLoopError
            self._loop = loop  # the first call
        now = loop.time()
        return now, _Scope(self, _after(now, seconds))

    def _arm(self, scope: _Scope, deadline: float) -> None:
        self._active.add(scope)
        if deadline < self._at:
            self._set(deadline)

    def _moved(self, scope: _Scope) -> None:
        if scope in self._active and scope.deadline < self._at:
            self._set(scope.deadline)

    def _set(self, when: float) -> None:
        assert self._loop is not None  # noqa: S101 - a scope was made in this loop
        if self._handle is not None:
            self._handle.cancel()
        self._at = when
        self._handle = None if math.isinf(when) else self._loop.call_at(when, self._fire)

    def _fire(self) -> None:
        assert self._loop is not None  # noqa: S101 - it was set in this loop
        self._handle, self._at = None, math.inf
        # A loop may run a timer a little before its time (by its clock's resolution): a call
        # is cancelled at its deadline, not before, or its login would not count as hung.
        now = self._loop.time()
        earliest = math.inf
        for scope in list(self._active):
            if scope.deadline <= now:
                self._active.discard(scope)
                scope.expire()
            else:
                earliest = min(earliest, scope.deadline)
        self._set(earliest)


class _Scope:
    """One call's deadline under :class:`Deadlines`: cancels the task that enters it, once.

    As ``asyncio.timeout`` does: when the block then ends with that cancellation (and no other
    was asked for meanwhile, by a caller's scope or ``task.cancel()``), the scope swallows it
    and sets :attr:`cancelled_caught`. Another cancellation goes on as usual.
    """

    __slots__ = ("_cancelling", "_deadline", "_deadlines", "_expired", "_task", "cancelled_caught")

    def __init__(self, deadlines: Deadlines, deadline: float) -> None:
        self._deadlines = deadlines
        self._deadline = deadline
        self._expired = False
        self.cancelled_caught = False

    def __enter__(self) -> Self:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("a deadline runs in a task")
        self._task = task
        self._cancelling = task.cancelling()
        if self._deadline != math.inf:
            self._deadlines._arm(self, self._deadline)  # noqa: SLF001 - its own scheduler
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        # The timer stays as it is: the next call's deadline is later, it usually serves it.
        self._deadlines._active.discard(self)  # noqa: SLF001
        # Our cancellation is taken back however the block ended (as asyncio.timeout does),
        # so the task's count of cancellations asked for stays true for the caller's scopes.
        if (
            self._expired
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
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
        self._deadlines._moved(self)  # noqa: SLF001

    def expire(self) -> None:
        """Cancel the block now (the scheduler calls this at the deadline)."""
        self._expired = True
        self._task.cancel()


def _after(now: float, seconds: float | None) -> float:
    return math.inf if seconds is None else now + seconds
