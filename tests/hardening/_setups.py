"""Client setups the hardening suites attack, each over real loopback sockets.

``TRANSPORTS`` lists every way a user may set up an :class:`AsyncPrinter`'s HTTP: each entry is
a function of the timeout that opens what the printer needs and returns the keyword arguments
to build it with. A new setup is one more line here, and every suite below runs against it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from printer_async import AsyncPrinter, aiohttp_client

PASSWORD = "pw-0123456789"

Setup = Callable[[float], AbstractAsyncContextManager[dict[str, Any]]]


@contextlib.asynccontextmanager
async def _own_httpx_client(seconds: float) -> AsyncIterator[dict[str, Any]]:
    yield {}  # the default: the printer makes its own httpx client


@contextlib.asynccontextmanager
async def _shared_aiohttp_client(seconds: float) -> AsyncIterator[dict[str, Any]]:
    async with aiohttp_client(timeout=seconds) as client:
        yield {"client": client}


@contextlib.asynccontextmanager
async def _aiohttp_transport(seconds: float) -> AsyncIterator[dict[str, Any]]:
    yield {"transport": "aiohttp"}  # aiohttp spoken directly, the printer's own session


TRANSPORTS: dict[str, Setup] = {
    "httpx": _own_httpx_client,
    "aiohttp_client": _shared_aiohttp_client,
    "aiohttp": _aiohttp_transport,
}


@contextlib.asynccontextmanager
async def printer_on(
    transport: Setup, port: int, *, seconds: float, **options: Any
) -> AsyncIterator[AsyncPrinter]:
    """An ``AsyncPrinter`` on ``127.0.0.1:port`` over ``transport``, timeout ``seconds``."""
    options.setdefault("password", PASSWORD)
    async with transport(seconds) as extra:
        async with AsyncPrinter(
            "127.0.0.1", port=port, timeout=seconds, **extra, **options
        ) as printer:
            yield printer
