"""Both transports, httpx and aiohttp, keep the same promises over real loopback sockets.

Each test runs once per transport (the ``transport`` fixture), against the simulator and its
faults, or against a raw socket server for answers no HTTP server would send.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time

import anyio
import httpx
import pytest
import trio
from printer_async import (
    AsyncPrinter,
    CurrentJob,
    Fleet,
    InvalidParameterError,
    PrinterConnectionError,
    PrinterError,
    ProtocolError,
)
from printer_async.simulator import ManualClock, SimulatedPrinter, serve, serve_in_thread

from _support import busy_connections

CURRENTJOB = "/v1/job/currentjob"
PASSWORD = "123456"


@pytest.fixture(name="sim")
def _sim():
    """A simulated printer on a manual clock."""
    return SimulatedPrinter(password=PASSWORD, clock=ManualClock(), seed=3)


@pytest.fixture(name="printer")
async def _printer(endpoint, transport):
    """A logged-in printer on the simulator, over the test's transport, with a short timeout."""
    async with AsyncPrinter(
        endpoint.host, port=endpoint.port, password=PASSWORD, timeout=0.5, transport=transport
    ) as printer:
        await printer.login()
        yield printer


@contextlib.asynccontextmanager
async def raw_server(answer: bytes, *, trickle: float | None = None):
    """A loopback server that answers every request with ``answer``, then closes.

    With ``trickle``, the answer goes out one byte every ``trickle`` seconds.
    """
    handlers = set()
    stopping = asyncio.Event()

    async def handle(reader, writer):
        handlers.add(asyncio.current_task())
        try:
            await reader.readuntil(b"\r\n\r\n")
            if trickle is None:
                writer.write(answer)
            else:
                for byte in answer:
                    if stopping.is_set():
                        break
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(trickle)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up first
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        try:
            yield server.sockets[0].getsockname()[1]
        finally:
            stopping.set()
            await asyncio.gather(*handlers)


def secrets_reachable(error: BaseException, secret: str) -> list[str]:
    """Where ``secret`` can be found from ``error``: its text, chain, and attributes."""
    found, seen, todo = [], set(), [("error", error)]
    while todo:
        path, value = todo.pop()
        if id(value) in seen or value is None:
            continue
        seen.add(id(value))
        if isinstance(value, str | bytes):
            if secret in (value if isinstance(value, str) else value.decode(errors="replace")):
                found.append(path)
            continue
        if isinstance(value, BaseException):
            todo.append((f"{path} text", repr(value) + str(value)))
            todo.append((f"{path}.__cause__", value.__cause__))
            todo.append((f"{path}.__context__", value.__context__))
            todo.extend((f"{path}.args[{i}]", arg) for i, arg in enumerate(value.args))
        if hasattr(value, "__dict__") and not isinstance(value, type):
            todo.extend((f"{path}.{k}", v) for k, v in vars(value).items())
        elif not isinstance(value, int | float | bool | type):
            todo.append((f"{path} repr", repr(value)))
    return found


async def test_a_get_the_printer_dropped_is_sent_once_more(printer, sim):
    """A GET dropped before any answer (a stale connection) is sent again, and answers."""
    sim.faults.drop(count=1, path=CURRENTJOB)
    job = await printer.current_job()
    assert job.has_job is False
    assert len(sim.faults.fired) == 1


async def test_a_get_dropped_twice_fails_after_two_attempts(printer, sim):
    """A GET is sent at most twice: dropped twice, it is a PrinterConnectionError."""
    sim.faults.drop(count=5, path=CURRENTJOB)
    with pytest.raises(PrinterConnectionError, match="the connection broke"):
        await printer.current_job()
    assert len(sim.faults.fired) == 2


async def test_a_post_is_never_sent_twice(printer, sim):
    """A POST dropped without an answer is not sent again: the printer may have acted on it."""
    sim.faults.drop(count=5, path="/v1/job/currentjob/set")
    with pytest.raises(PrinterConnectionError, match="the connection broke"):
        await printer.pause_job()
    assert len(sim.faults.fired) == 1


async def test_a_reset_mid_answer_is_a_broken_connection(printer, sim):
    """An answer cut off mid-body is a PrinterConnectionError, and the next call answers."""
    sim.faults.reset_mid_body(count=1, path=CURRENTJOB)
    with pytest.raises(PrinterConnectionError, match="the connection broke"):
        await printer.current_job()
    assert (await printer.current_job()).has_job is False


async def test_a_refused_connection_is_said_so_and_not_retried(transport):
    """A port nobody listens on is "could not connect", at once."""
    async with serve(SimulatedPrinter(clock=ManualClock()), cameras=False) as server:
        port = server.endpoints[0].port
    async with AsyncPrinter("127.0.0.1", port=port, password="pw", transport=transport) as printer:
        with pytest.raises(PrinterConnectionError, match="could not connect") as info:
            await printer.current_job()
    assert f"GET /login to 127.0.0.1:{port}: could not connect" in str(info.value)


async def test_an_answer_slower_than_the_timeout_times_out(printer, sim):
    """An answer later than the timeout is a PrinterConnectionError saying it timed out."""
    sim.faults.latency(1.0, count=1, path=CURRENTJOB)
    with pytest.raises(PrinterConnectionError, match="timed out"):
        await printer.current_job()


async def test_an_answer_that_trickles_in_is_cut_by_the_timeout(transport):
    """An answer sent a byte at a time is bounded by the timeout, not by each byte's wait."""
    answer = b'HTTP/1.1 200 OK\r\nContent-Length: 39\r\n\r\n{"status": 1, "data": {"token": "abc"}}'
    async with raw_server(answer, trickle=0.03) as port:
        async with AsyncPrinter(
            "127.0.0.1", port=port, password="pw", timeout=0.3, transport=transport
        ) as printer:
            with anyio.fail_after(5), pytest.raises(PrinterConnectionError, match="timed out"):
                await printer.login()


async def test_an_answer_over_the_cap_is_refused_and_the_printer_answers_next(printer):
    """An answer larger than the cap is a ProtocolError; the connection pool stays usable."""
    token = printer._auth._token
    with pytest.raises(ProtocolError, match="larger than 20 bytes"):
        await printer._transport.request(
            "GET", "/printer/basic", params={"token": token}, max_bytes=20
        )
    assert (await printer.current_job()).has_job is False


async def test_an_answer_of_unknown_length_is_cut_at_the_cap(transport):
    """A chunked answer with no Content-Length is refused as soon as it passes the cap."""
    chunk = b"x" * 1000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(50)) + b"0\r\n\r\n"
    answer = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    async with raw_server(answer) as port:
        async with AsyncPrinter("127.0.0.1", port=port, token="t", transport=transport) as printer:
            with pytest.raises(ProtocolError, match="larger than 10000 bytes"):
                await printer._transport.request(
                    "GET", "/job/currentjob", params={"token": "t"}, max_bytes=10_000
                )


@pytest.mark.parametrize(
    "answer", [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"]
)
async def test_an_answer_that_is_not_http_is_a_printer_error(transport, answer):
    """Bytes that are not an HTTP answer become a PrinterError, never the library's own."""
    async with raw_server(answer) as port:
        async with AsyncPrinter("127.0.0.1", port=port, token="t", transport=transport) as printer:
            with pytest.raises(PrinterError):
                await printer.current_job()


async def test_a_redirect_is_not_followed_and_says_where_it_points(transport):
    """A 3xx answer is a ProtocolError naming its Location (token redacted), never followed."""
    answer = (
        b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/v1/job/currentjob?token=secret7"
        b"\r\nContent-Length: 0\r\n\r\n"
    )
    async with raw_server(answer) as port:
        async with AsyncPrinter("127.0.0.1", port=port, token="t", transport=transport) as printer:
            with pytest.raises(ProtocolError, match=r"redirect to http://127\.0\.0\.1:9/") as info:
                await printer.current_job()
    assert "secret7" not in str(info.value)


@pytest.mark.parametrize(
    "fault",
    [
        lambda f: f.html_error(502, path=CURRENTJOB),
        lambda f: f.truncated_json(path=CURRENTJOB),
        lambda f: f.invalid_json(path=CURRENTJOB),
        lambda f: f.busy("429", path=CURRENTJOB),
        lambda f: f.service_unavailable(path=CURRENTJOB),
        lambda f: f.wrong_type("job_status", path=CURRENTJOB),
    ],
    ids=["html", "truncated", "invalid", "429", "503", "wrong type"],
)
async def test_bad_answers_are_the_same_error_on_both_transports(sim, endpoint, fault):
    """HTML pages, cut or invalid JSON, busy and wrong types: same class, same message."""
    errors = []
    for transport in ("httpx", "aiohttp"):
        async with AsyncPrinter(
            endpoint.host,
            port=endpoint.port,
            password=PASSWORD,
            transport=transport,
            busy_retry=0,  # the busy answer itself, not its ride-out
        ) as printer:
            await printer.login()
            fault(sim.faults)
            with pytest.raises(PrinterError) as info:
                await printer.current_job()
            errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


@pytest.mark.parametrize(
    "fault",
    [
        lambda f: f.drop(count=2, path=CURRENTJOB),
        lambda f: f.reset_mid_body(path=CURRENTJOB),
        lambda f: f.latency(1.0, count=1, path=CURRENTJOB),
        lambda f: f.html_error(502, path=CURRENTJOB),
    ],
    ids=["dropped", "reset", "timeout", "html"],
)
async def test_no_token_is_reachable_from_a_raised_error(printer, sim, fault):
    """No token in the text, chain or attributes of what a failed call raises."""
    fault(sim.faults)
    token = printer._auth._token
    with pytest.raises(PrinterError) as info:
        await printer.current_job()
    assert secrets_reachable(info.value, token) == []


async def test_a_cancelled_call_leaves_the_printer_usable(printer, sim):
    """A call cancelled while its answer is awaited frees its connection; the next answers."""
    sim.faults.latency(0.5, count=1, path=CURRENTJOB)
    with anyio.move_on_after(0.1) as scope:
        await printer.current_job()
    assert scope.cancelled_caught
    assert busy_connections(printer) == []
    with anyio.fail_after(1):
        assert (await printer.current_job()).has_job is False


async def test_an_upload_streams_and_its_own_error_comes_out_as_itself(printer, sim):
    """An upload is streamed to the printer; an error of its source is raised as itself."""

    async def chunks():
        yield b"G28\n"
        yield b"G1 X10\n"

    await printer.upload_file(chunks(), filename="streamed.gcode")
    files = await printer.list_files("Local/webapi_store")
    assert "streamed.gcode" in [entry.file_name for entry in files.files]

    async def wrong():
        yield b"G28\n"
        yield "not bytes"

    with pytest.raises(TypeError, match="yielded str"):
        await printer.upload_file(wrong(), filename="wrong.gcode")


async def test_an_upload_over_the_size_cap_is_refused_as_itself(printer, monkeypatch):
    """A stream of unknown size that passes the cap is an InvalidParameterError, not a reset."""
    monkeypatch.setattr("printer_async._upload.MAX_UPLOAD_BYTES", 1000)

    async def endless():
        while True:
            yield b"x" * 300

    with pytest.raises(InvalidParameterError, match="up to 500 MB"):
        await printer.upload_file(endless(), filename="big.gcode")
    assert (await printer.current_job()).has_job is False


def test_the_aiohttp_transport_under_trio_says_it_needs_asyncio(sim):
    """transport="aiohttp" under trio raises a RuntimeError that says to use the default."""

    async def main(port):
        async with AsyncPrinter("127.0.0.1", port=port, token="t", transport="aiohttp") as p:
            with pytest.raises(RuntimeError, match="asyncio only"):
                await p.current_job()

    with serve_in_thread(sim, cameras=False) as server:
        trio.run(main, server.endpoints[0].port)


def test_without_aiohttp_the_transport_names_the_extra(monkeypatch):
    """transport="aiohttp" without aiohttp installed names the extra to install."""
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    monkeypatch.delitem(sys.modules, "printer_async._transports.aiohttp", raising=False)
    with pytest.raises(ImportError, match=r"printer-async\[aiohttp\]"):
        AsyncPrinter("127.0.0.1", transport="aiohttp")


async def test_a_client_and_the_aiohttp_transport_do_not_go_together():
    """client= (an httpx client) with transport="aiohttp", or an unknown transport, is refused."""
    async with httpx.AsyncClient() as client:
        with pytest.raises(ValueError, match="one or the other"):
            AsyncPrinter("127.0.0.1", client=client, transport="aiohttp")
    with pytest.raises(ValueError, match="'httpx' or 'aiohttp'"):
        AsyncPrinter("127.0.0.1", transport="curl")  # type: ignore[arg-type]


def test_a_fleet_runs_on_uvloop(sim):
    """Under uvloop (the fast extra) a fleet polls over its aiohttp session as under asyncio."""
    import uvloop  # noqa: PLC0415 - only this test needs it

    async def main(port):
        printer = AsyncPrinter("127.0.0.1", port=port, password=PASSWORD)
        async with Fleet([printer]) as fleet:
            snapshot = await fleet.snapshot()
        return type(printer._transport).__name__, snapshot

    with serve_in_thread(sim, cameras=False) as server:
        kind, snapshot = uvloop.run(main(server.endpoints[0].port))
    assert kind == "AiohttpTransport"
    assert isinstance(next(iter(snapshot.values())), CurrentJob)


def test_under_uvloop_a_call_ends_at_its_deadline(sim):
    """Under uvloop, whose timers may run early, a call with no answer ends at its deadline."""
    import uvloop  # noqa: PLC0415 - only this test needs it

    async def main(port):
        async with AsyncPrinter("127.0.0.1", port=port, token="t", timeout=0.2) as printer:
            began = time.monotonic()
            with pytest.raises(PrinterConnectionError, match=r"timed out after 0\.2 s"):
                await printer.current_job()
            return time.monotonic() - began

    sim.faults.latency(1.0, path=CURRENTJOB)
    with serve_in_thread(sim, cameras=False) as server:
        elapsed = uvloop.run(main(server.endpoints[0].port))
    assert 0.2 <= elapsed < 0.6


@pytest.mark.parametrize("transport", ["httpx", "aiohttp"])
def test_a_printer_used_in_a_second_event_loop_says_so(sim, transport):
    """A second loop's call (a second asyncio.run()) is a RuntimeError naming the fix."""
    first = asyncio.new_event_loop()
    try:
        with serve_in_thread(sim) as server:
            endpoint = server.endpoints[0]
            printer = AsyncPrinter(
                endpoint.host, port=endpoint.port, password=endpoint.password, transport=transport
            )
            first.run_until_complete(printer.current_job())
            with pytest.raises(RuntimeError, match=r"used in another event loop.*asyncio\.run"):
                asyncio.run(printer.current_job())
            first.run_until_complete(printer.current_job())  # still fine in its own loop
            first.run_until_complete(printer.aclose())
    finally:
        first.close()
