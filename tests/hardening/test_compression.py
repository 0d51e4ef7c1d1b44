"""Compressed answers: never asked for, never inflated.

A printer never compresses its answers, and the client asks for none (``Accept-Encoding:
identity``). An answer that comes compressed all the same is a ``ProtocolError`` before its body
is read: a 4 MB gzip body (under the body cap) inflates to 4 GB, and the cap counts the bytes
on the wire. A user who puts a compressing proxy in front of a printer gets an error that says
so.
"""

from __future__ import annotations

import functools
import gzip
import zlib

import psutil
import pytest
from printer_async import ProtocolError

from _canned import JOB, LOGIN
from _raw_server import RawServer, Reply
from _setups import printer_on


@functools.cache  # built once per session (about 3 s), not once per client setup
def _bomb(inflated: int) -> bytes:
    """A gzip body of ``inflated`` zero bytes (about a thousandth of that on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip format
    block = bytes(1 << 20)
    return b"".join(
        [*(compressor.compress(block) for _ in range(inflated >> 20)), compressor.flush()]
    )


async def test_the_client_asks_for_no_compression(transport):
    """Every request says Accept-Encoding: identity, the login's too."""
    seen = []

    def script(request):
        seen.append(request.headers.get("accept-encoding"))
        return LOGIN if request.path == "/v1/login" else JOB

    async with RawServer(script) as server:
        async with printer_on(transport, server.port, seconds=2.0) as printer:
            await printer.current_job()
    assert seen == ["identity", "identity"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "x-unknown"])
async def test_a_compressed_answer_is_a_protocol_error(transport, encoding):
    """Whatever the encoding, a compressed answer is refused, naming it and the endpoint."""

    def script(request):
        if request.path == "/v1/login":
            return LOGIN
        body = gzip.compress(JOB.body) if encoding == "gzip" else zlib.compress(JOB.body)
        headers = ((b"Content-Type", b"application/json"), (b"Content-Encoding", encoding.encode()))
        return Reply(body=body, headers=headers)

    async with RawServer(script) as server:
        async with printer_on(transport, server.port, seconds=2.0) as printer:
            with pytest.raises(
                ProtocolError, match=f"/job/currentjob.*compressed \\({encoding}\\)"
            ):
                await printer.current_job()
            assert server.requests[-1].path == "/v1/job/currentjob"


async def test_a_gzip_bomb_is_refused_without_inflating_it(transport):
    """1 GB of zeros in about 1 MB of gzip: refused, and the process barely grows."""
    bomb = _bomb(1 << 30)
    assert len(bomb) < 2 << 20

    def script(request):
        if request.path == "/v1/login":
            return LOGIN
        headers = ((b"Content-Type", b"application/json"), (b"Content-Encoding", b"gzip"))
        return Reply(body=bomb, headers=headers)

    process = psutil.Process()
    before = process.memory_info().rss
    async with RawServer(script) as server:
        async with printer_on(transport, server.port, seconds=5.0) as printer:
            with pytest.raises(ProtocolError, match="compressed"):
                await printer.current_job()
    assert process.memory_info().rss - before < 64 << 20
