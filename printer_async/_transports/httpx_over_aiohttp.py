"""``aiohttp_client()``: an ``httpx.AsyncClient`` over one aiohttp session (httpx-aiohttp).

The httpx transport (:mod:`.httpx`) sends over it like over any injected client; aiohttp's
exceptions behind httpx's are described by :func:`~printer_async._transports.base.aiohttp_kind`.
"""

from __future__ import annotations

import httpx

from printer_async._transports.base import shared_ssl_context

__all__ = ["aiohttp_client"]


def aiohttp_client(
    *, timeout: float | httpx.Timeout = 10.0, keepalive: float = 60.0
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` over one aiohttp session, to share between many printers.

    Pass it as ``client=`` to every :class:`~printer_async.AsyncPrinter` of a fleet. aiohttp
    keeps a dictionary of connection pools, one per printer, so unlike a plain shared
    ``httpx.AsyncClient`` (whose single pool costs more with every printer added) one session
    serves thousands of printers; it also parses HTTP in C, which makes a poll cost about a
    quarter less CPU (``benchmarks/fleet.py``). asyncio only; needs ``pip install
    "printer-async[aiohttp]"``. Close it yourself (``async with``) after the printers.

    Args:
        timeout: Seconds, or an ``httpx.Timeout``, for each request.
        keepalive: Seconds an idle connection is kept for the next poll.

    Raises:
        ImportError: ``httpx-aiohttp`` is not installed.
    """
    try:
        import aiohttp  # noqa: PLC0415 - an optional dependency
        from httpx_aiohttp import AiohttpTransport  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError(
            'the aiohttp transport needs httpx-aiohttp: pip install "printer-async[aiohttp]"'
        ) from exc

    class Response(aiohttp.ClientResponse):
        async def start(self, connection: aiohttp.connector.Connection) -> Response:
            await super().start(connection)
            # aiohttp keeps a reason phrase that is not UTF-8 as surrogates; httpx-aiohttp then
            # fails to encode it after the answer has begun, and its connection is left for the
            # garbage collector. A reason is only words: the undecodable bytes become "?".
            if self.reason is not None and not self.reason.isascii():
                self.reason = self.reason.encode("utf-8", "replace").decode()
            return self

    def session() -> aiohttp.ClientSession:
        # Made on first use, inside the running event loop, as aiohttp requires.
        connector = aiohttp.TCPConnector(
            limit=0, limit_per_host=2, keepalive_timeout=keepalive, ssl=shared_ssl_context()
        )
        # httpx asks for no compression (IDENTITY) and inflates nothing it refuses.
        return aiohttp.ClientSession(
            connector=connector, response_class=Response, auto_decompress=False
        )

    return httpx.AsyncClient(
        transport=AiohttpTransport(client=session, verify=shared_ssl_context()),
        timeout=timeout,
        trust_env=False,
    )

