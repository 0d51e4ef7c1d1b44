import asyncio
import logging
import time

import anyio
import httpx
import pytest
import trio
from printer_async.simulator import (
    Router,
    ScaledClock,
    SimulatedPrinter,
    _server,
    serve,
    serve_in_thread,
    sign,
)


def login_params(password):
    """Query parameters of a login with a fixed timestamp."""
    return {"sign": sign(password, "1"), "timestamp": "1"}


def test_serve_in_thread_works_from_sync_code():
    """serve_in_thread serves from a background thread to a synchronous client."""
    printer = SimulatedPrinter(seed=1)
    with serve_in_thread(printer) as server:
        endpoint = server.endpoints[0]
        assert endpoint.base_url == f"http://127.0.0.1:{endpoint.port}"
        assert endpoint.password == printer.password
        with httpx.Client(base_url=endpoint.base_url) as client:
            assert client.get("/v1/login", params=login_params("123456")).json()["status"] == 1
    with pytest.raises(httpx.ConnectError), httpx.Client() as client:
        client.get(f"{endpoint.base_url}/v1/login")


def test_serve_in_thread_works_under_trio():
    """A trio program can talk to a simulator served from a thread."""
    printer = SimulatedPrinter(seed=2)

    async def main(base_url):
        async with httpx.AsyncClient(base_url=base_url) as client:
            response = await client.get("/v1/login", params=login_params("123456"))
            return response.json()["status"]

    with serve_in_thread(printer) as server:
        assert trio.run(main, server.endpoints[0].base_url) == 1


def test_serve_in_thread_reports_a_busy_port():
    """A port already in use raises OSError from serve_in_thread."""
    with serve_in_thread(SimulatedPrinter()) as server:
        port = server.endpoints[0].port
        with (
            pytest.raises(OSError, match="in use"),
            serve_in_thread(SimulatedPrinter(), ports=[port]),
        ):
            pass


async def test_a_fixed_port_can_be_reused_at_once():
    """Serving twice in a row on the same fixed port works (SO_REUSEADDR)."""
    async with serve(SimulatedPrinter()) as server:
        port = server.endpoints[0].port
        async with httpx.AsyncClient() as client:
            await client.get(f"{server.endpoints[0].base_url}/v1/printer/basic")
    async with serve(SimulatedPrinter(), ports=[port]) as again:
        assert again.endpoints[0].port == port


async def test_shutdown_is_prompt_with_idle_keep_alive_connections():
    """Leaving serve() closes idle keep-alive connections at once."""
    client = httpx.AsyncClient()
    try:
        async with serve(SimulatedPrinter()) as server:
            await client.get(f"{server.endpoints[0].base_url}/v1/printer/basic")
            start = time.monotonic()
        assert time.monotonic() - start < 0.5
    finally:
        await client.aclose()


async def test_shutdown_waits_for_an_answer_in_flight():
    """A request in flight at shutdown still gets its answer."""
    printer = SimulatedPrinter()
    printer.faults.latency(0.2)
    async with httpx.AsyncClient() as client:
        async with serve(printer) as server:
            request = asyncio.ensure_future(
                client.get(f"{server.endpoints[0].base_url}/v1/printer/basic")
            )
            await asyncio.sleep(0.05)
        response = await request
    assert response.json()["error"]["code"] == 401


async def test_a_stop_that_cuts_a_request_off_logs_nothing_at_error(monkeypatch, caplog):
    """A request still unanswered when the shutdown's grace ends is cut off without an ERROR."""
    monkeypatch.setattr(_server, "SHUTDOWN_TIMEOUT", 0.05)  # the grace period, not the subject
    entered = anyio.Event()

    async def endless(printer, request):
        entered.set()
        await anyio.sleep_forever()

    router = Router()
    router.add("GET", "/endless", endless, auth=False)
    async with httpx.AsyncClient() as client:
        async with serve(SimulatedPrinter()) as server:
            server.app.router = router
            request = asyncio.ensure_future(
                client.get(f"{server.endpoints[0].base_url}/v1/endless")
            )
            await entered.wait()
        with pytest.raises(httpx.RemoteProtocolError):
            await request
    assert [(r.name, r.getMessage()) for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_log_gives_real_times_for_lazy_completions():
    """With a scaled clock, a completion noticed late is logged at the real moment it happened."""
    printer = SimulatedPrinter(clock=ScaledClock(1000), job_duration=50)
    started = time.monotonic()
    printer.start_job("Local/benchy.gcode")
    time.sleep(0.2)  # 200 simulated seconds: the 50-second job ended 0.05 s after its start
    assert printer.job_status == "completed"
    done = printer.transitions[-1]
    assert done.current == "completed"
    assert done.wall_time - started == pytest.approx(0.05, abs=0.02)
    assert done.sim_time - printer.transitions[0].sim_time == pytest.approx(50)


async def test_many_printers_start_and_stop_quickly():
    """Two hundred printers in one server start and stop in well under a few seconds."""
    printers = [SimulatedPrinter(seed=i) for i in range(200)]
    start = time.monotonic()
    async with serve(*printers) as server:
        assert len({endpoint.port for endpoint in server.endpoints}) == 200
        async with httpx.AsyncClient() as client:
            last = server.endpoints[-1]
            response = await client.get(f"{last.base_url}/v1/login", params=login_params("123456"))
            assert response.json()["status"] == 1
    assert time.monotonic() - start < 5
