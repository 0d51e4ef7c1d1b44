"""Workarounds for httpcore's connection pool, on its private state.

Fenced here, apart from the httpx transport's normal path, so that they are found, checked and
deleted in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any, TypeVar, cast

import anyio

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    import httpx

__all__ = ["in_own_task", "is_httpcore_pool", "reap_orphaned_connections"]

T = TypeVar("T")


def is_httpcore_pool(client: httpx.AsyncClient) -> bool:
    """Whether ``client`` sends through httpcore's connection pool (httpx's own transport)."""
    # httpx imports httpcore when a client builds its own transport, not on `import httpx`, so
    # it is a lookup here; at import time it would cost every program 15 ms (50 with trio).
    import httpcore  # noqa: PLC0415

    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    return isinstance(pool, httpcore.AsyncConnectionPool)



async def in_own_task(exchange: Callable[[], Awaitable[T]]) -> T:
    """Await ``exchange()`` in a task of its own, where httpcore's shields hold off cancellation.

    httpcore protects the clean-up of an answer (marking its connection idle, removing the
    request from the pool) with anyio's shielded cancel scopes. asyncio's own cancellation
    (``asyncio.timeout``, ``task.cancel()``, Home Assistant's update timeouts) ignores them: it
    is delivered at the next await, and landing inside that clean-up it leaves the connection
    busy and the request registered for ever. After ``max_connections`` of those, every call
    waits for the pool in vain. So the exchange runs in a task of its own, inside a cancel
    scope: a native cancellation of the waiting task becomes a cancellation of that scope,
    which the shields hold off until the clean-up is done, and the waiting task waits for the
    child to end before its own cancellation goes on. The child never outlives the call. Under
    trio every cancellation already is a cancel scope's.

    A task of asyncio's, where an anyio task group would do the same: the group cost about
    20 microseconds per request, this 11 (``benchmarks/per_poll.py``), and the default setup
    is to cost no more than a plain ``httpx.AsyncClient``.
    """
    scope = anyio.CancelScope()

    async def run() -> T | None:
        with scope:
            return await exchange()
        return None  # cancelled through the scope: the caller re-raises its own cancellation

    task = asyncio.get_running_loop().create_task(run())
    try:
        return cast("T", await asyncio.shield(task))
    except asyncio.CancelledError:
        scope.cancel()
        await _until_done(task)
        raise


async def _until_done(task: asyncio.Task[Any]) -> None:
    """Wait until ``task`` has ended, however often the caller is cancelled meanwhile."""
    while not task.done():
        # The caller re-raises its own cancellation; the child's failure is no news then.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.shield(task)
    if not task.cancelled():
        task.exception()  # retrieved: its failure is no news once the caller was cancelled


def reap_orphaned_connections(client: httpx.AsyncClient) -> None:
    """Drop the connections a cancelled request left half-made in httpcore's pool.

    httpcore (1.0.9, encode/httpcore#1093) assigns a new connection to a queued request before
    that request connects it. When the request is cancelled in between (a caller's
    ``asyncio.timeout``, our own deadline), the pool forgets the request but keeps the
    connection, which is neither idle, nor closed, nor ever connected: it holds its slot for
    ever, and after ``max_connections`` of them every call ends in a pool timeout although the
    printer is fine. Such a connection owns no socket yet, so dropping it from the pool frees
    the slot and leaks nothing. Nothing is done for a client whose transport is not httpcore's
    pool (``aiohttp_client()``'s, a mock), or if httpcore's internals change shape.
    """
    import httpcore  # noqa: PLC0415 - see is_httpcore_pool()

    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    connections = getattr(pool, "_connections", None)
    requests = getattr(pool, "_requests", None)
    if not isinstance(connections, list) or not isinstance(requests, list):
        return
    owned = {id(getattr(request, "connection", None)) for request in requests}
    for connection in list(connections):
        if (
            id(connection) not in owned
            and isinstance(connection, httpcore.AsyncHTTPConnection)
            and not connection.is_idle()  # idle: connected, the usual case; info() formats text
            and connection.info() == "CONNECTING"
        ):
            connections.remove(connection)

