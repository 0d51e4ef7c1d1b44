"""A call's deadline under asyncio (Deadlines): it cancels its own block, and nothing else.

The scope stands in for ``asyncio.timeout`` on every call, so it must keep that one's manners:
a caller's own cancellation or timeout goes through untouched, the task's count of
cancellations asked for is true after the block, and a moved deadline is kept.
"""

import asyncio

import pytest
from printer_async._deadline import Deadlines, OtherLoopError


async def test_a_block_past_its_deadline_is_cancelled_and_the_scope_swallows_it():
    """The block stops at the deadline; the scope reports it, the task is not left cancelled."""
    deadlines = Deadlines()
    _, scope = deadlines.scope(0.01)
    with scope:
        await asyncio.sleep(10)
    assert scope.cancelled_caught
    assert asyncio.current_task().cancelling() == 0
    await asyncio.sleep(0)  # no cancellation left pending


async def test_a_block_that_ends_in_time_is_left_alone():
    """Many quick calls on one printer: none is cancelled, the timer outlives none of them."""
    deadlines = Deadlines()
    for _ in range(100):
        _, scope = deadlines.scope(5)
        with scope:
            await asyncio.sleep(0)
        assert not scope.cancelled_caught
    await asyncio.sleep(0.01)


async def test_no_deadline_never_cancels():
    """``None`` is for ever: the scope's deadline is infinite."""
    _, scope = Deadlines().scope(None)
    with scope:
        await asyncio.sleep(0.01)
    assert scope.deadline == float("inf")
    assert not scope.cancelled_caught


async def test_a_callers_own_timeout_goes_through():
    """asyncio.timeout around a call whose deadline is later raises TimeoutError, as usual."""
    _, scope = Deadlines().scope(10)

    async def call():
        async with asyncio.timeout(0.01):
            with scope:
                await asyncio.sleep(10)

    with pytest.raises(TimeoutError):
        await call()
    assert not scope.cancelled_caught
    assert asyncio.current_task().cancelling() == 0


async def test_a_caller_cancelling_at_the_same_moment_is_not_swallowed():
    """Our deadline and task.cancel() at once: the task is still cancelled."""
    deadlines = Deadlines()
    _, scope = deadlines.scope(0.01)

    async def call():
        with scope:
            await asyncio.sleep(10)
        return "returned"

    task = asyncio.create_task(call())
    # Both run in the same turn of the loop, before the task wakes.
    asyncio.get_running_loop().call_at(scope.deadline, task.cancel)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not scope.cancelled_caught


async def test_a_block_that_turns_the_cancellation_into_an_error_leaves_the_task_clean():
    """The block raises its own error on the way out: ours is taken back all the same."""
    _, scope = Deadlines().scope(0.01)

    async def call():
        with scope:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                raise ConnectionError("closed while cancelled") from None

    with pytest.raises(ConnectionError):
        await call()
    assert not scope.cancelled_caught
    assert asyncio.current_task().cancelling() == 0
    async with asyncio.timeout(1):  # the caller's own scope still works
        await asyncio.sleep(0)


async def test_a_moved_deadline_is_kept_both_ways():
    """An upload moves its deadline on with every chunk sent, and back if it must."""
    deadlines = Deadlines()
    loop = asyncio.get_running_loop()
    now, scope = deadlines.scope(0.05)
    with scope:
        scope.deadline = now + 10
        await asyncio.sleep(0.1)  # past the first deadline
        scope.deadline = loop.time() + 0.01
        await asyncio.sleep(10)
    assert scope.cancelled_caught
    assert loop.time() - now < 5


async def test_calls_of_one_printer_each_end_at_their_own_deadline():
    """Several calls under way at once, one timer: each is cancelled at its time, in order."""
    deadlines = Deadlines()
    ended: list[float] = []

    async def call(seconds):
        _, scope = deadlines.scope(seconds)
        with scope:
            await asyncio.sleep(10)
        assert scope.cancelled_caught
        ended.append(seconds)

    async with asyncio.TaskGroup() as group:
        for seconds in (0.06, 0.02, 0.04):
            group.create_task(call(seconds))
    assert ended == [0.02, 0.04, 0.06]


def test_deadlines_used_in_a_second_event_loop_refuse():
    """One printer, one event loop: a call in a second loop is refused before it starts."""
    deadlines = Deadlines()

    async def call():
        _, scope = deadlines.scope(1)
        with scope:
            await asyncio.sleep(0)

    asyncio.run(call())
    with pytest.raises(OtherLoopError):
        asyncio.run(call())
