import httpx
import pytest
from printer_async import PrinterConnectionError

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
