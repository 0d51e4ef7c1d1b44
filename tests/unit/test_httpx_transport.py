import gc
import warnings

import httpx
import pytest
import trio
from printer_async import AsyncPrinter, PrinterConnectionError, ProtocolError, aiohttp_client
from printer_async._transports.httpx import Transport
from printer_async.simulator import ManualClock, SimulatedPrinter, serve, serve_in_thread

from _support import load_fixture, ok


async def test_a_get_on_a_connection_the_printer_closed_is_sent_once_more(api, printer):
    """A GET that fails before any answer (a stale keep-alive connection) is retried once."""
    route = api.get("/job/currentjob").mock(
        side_effect=[
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            httpx.Response(200, json=load_fixture("current_job")),
        ]
    )
    job = await printer.current_job()
    assert job.printed_layer == 1
    assert route.call_count == 2


async def test_the_retry_happens_only_once(api, printer):
    """Two broken connections in a row raise PrinterConnectionError after two attempts."""
    route = api.get("/job/currentjob").mock(side_effect=httpx.ReadError("reset"))
    with pytest.raises(PrinterConnectionError):
        await printer.current_job()
    assert route.call_count == 2


async def test_a_post_is_never_sent_twice(api, printer):
    """A POST that fails on a broken connection is not repeated: it might have been acted on."""
    route = api.post("/job/currentjob/set").mock(
        side_effect=[httpx.RemoteProtocolError("Server disconnected"), ok()]
    )
    with pytest.raises(PrinterConnectionError):
        await printer.pause_job()
    assert route.call_count == 1


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("timed out")])
async def test_refused_connections_and_timeouts_are_not_retried(api, printer, exc):
    """Only a stale connection is retried; a refused connection or a timeout fails at once."""
    route = api.get("/job/currentjob").mock(side_effect=exc)
    with pytest.raises(PrinterConnectionError):
        await printer.current_job()
    assert route.call_count == 1


def test_under_trio_a_too_large_answer_leaves_no_generator_behind():
    """Under trio, an answer refused as too large is closed at once: no ResourceWarning."""
    sim = SimulatedPrinter(clock=ManualClock())

    async def main(port):
        transport = Transport(f"http://127.0.0.1:{port}/v1", timeout=5.0, client=None)
        try:
            with pytest.raises(ProtocolError, match="larger than 5 bytes"):
                await transport.request("GET", "/printer/basic", params={"token": "x"}, max_bytes=5)
            gc.collect()  # anything left unclosed is finalized (and warned about) now
            answer = await transport.request("GET", "/printer/basic", params={"token": "x"})
        finally:
            await transport.aclose()
        return answer.status_code

    with serve_in_thread(sim, cameras=False) as server, warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        status = trio.run(main, server.endpoints[0].port)
    assert status == 200
    assert [str(warning.message)[:80] for warning in w] == []


async def test_aiohttp_failures_are_described_by_what_happened_not_as_timeouts():
    """Over aiohttp_client(), a refused connection and a dropped one are not called timeouts."""
    sim = SimulatedPrinter(password="pw1234", clock=ManualClock())
    async with serve(sim, cameras=False) as server:
        port = server.endpoints[0].port
        async with aiohttp_client(timeout=2.0) as client:
            printer = AsyncPrinter("127.0.0.1", port=port, password="pw1234", client=client)
            sim.faults.drop(count=3)  # aiohttp itself sends a GET again on a fresh connection
            with pytest.raises(PrinterConnectionError, match="the connection broke") as dropped:
                await printer.current_job()
            async with serve(SimulatedPrinter(clock=ManualClock()), cameras=False) as closed:
                closed_port = closed.endpoints[0].port
            nobody = AsyncPrinter("127.0.0.1", port=closed_port, password="pw1234", client=client)
            with pytest.raises(PrinterConnectionError, match="could not connect") as refused:
                await nobody.current_job()
    assert "timed out" not in str(dropped.value)
    assert "timed out" not in str(refused.value)
    assert isinstance(refused.value.__cause__, httpx.ConnectTimeout)  # httpx-aiohttp's mapping
