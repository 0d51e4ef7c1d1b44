"""``timeout`` is a deadline for a whole call, login and the token-refusal retry included.

A server that trickles its answer a byte at a time resets every per-read timeout, so only a
deadline over the whole call ends it. These tests answer from a raw server, over each client
setup, and check the call ends after its timeout, with a PrinterConnectionError saying so.
"""

from __future__ import annotations

import time

import anyio
import pytest
from printer_async import AsyncPrinter, Fleet, PrinterConnectionError

from _canned import JOB, LOGIN, STALL, TOKEN_ERROR, TRICKLE
from _raw_server import RawServer, Reply
from _setups import printer_on

SECONDS = 0.25
SLACK = 0.5
STALL_MID_BODY = Reply(body=JOB.body, behaviour="stall_mid_body")


def _scripted(login, *answers):
    """Answers the login with ``login``, the other requests with ``answers`` in turn."""
    queue = list(answers)

    def script(request):
        if request.path == "/v1/login":
            return login
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return script


async def _timed(call):
    started = time.monotonic()
    with pytest.raises(PrinterConnectionError) as info:
        with anyio.fail_after(10 * SECONDS):  # the test's own guard, far beyond the deadline
            await call()
    return time.monotonic() - started, info.value


SCENARIOS = {
    "answer trickled": (LOGIN, TRICKLE),
    "headers never sent": (LOGIN, STALL),
    "body stalls half-way": (LOGIN, STALL_MID_BODY),
    "login trickled": (TRICKLE, JOB),
    "login never answered": (STALL, JOB),
    "token refused, then the retry trickled": (LOGIN, TOKEN_ERROR, TRICKLE),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_a_call_ends_at_its_deadline_whatever_the_server_does(transport, scenario):
    """Trickled, stalled, at login or on the retry: the call ends after timeout seconds."""
    async with RawServer(_scripted(*SCENARIOS[scenario])) as server:
        async with printer_on(transport, server.port, seconds=SECONDS) as printer:
            elapsed, error = await _timed(printer.current_job)
    assert SECONDS * 0.9 <= elapsed <= SECONDS + SLACK
    assert f"timed out after {SECONDS:g} s" in str(error)


async def test_the_explicit_login_has_the_same_deadline(transport):
    """login() against a login that trickles ends after timeout seconds."""
    async with RawServer(_scripted(TRICKLE, JOB)) as server:
        async with printer_on(transport, server.port, seconds=SECONDS) as printer:
            elapsed, _ = await _timed(printer.login)
    assert elapsed <= SECONDS + SLACK


async def test_the_printer_answers_normally_after_a_deadline(transport):
    """A call cut at its deadline leaves the printer usable: the next call is answered."""
    async with RawServer(_scripted(LOGIN, TRICKLE, JOB)) as server:
        async with printer_on(transport, server.port, seconds=SECONDS) as printer:
            await _timed(printer.current_job)
            job = await printer.current_job()
    assert job.job_id == "j"


async def test_fleet_snapshot_returns_while_a_printer_trickles(transport):
    """snapshot() returns after about one timeout: the trickling printer's entry is its error."""

    def good(request):
        return LOGIN if request.path == "/v1/login" else JOB

    async with RawServer(_scripted(LOGIN, TRICKLE)) as slow, RawServer(good) as fine:
        async with transport(SECONDS) as options:
            printers = [
                AsyncPrinter(
                    "127.0.0.1", port=s.port, password="pw", timeout=SECONDS, name=n, **options
                )
                for n, s in (("slow", slow), ("fine", fine))
            ]
            async with Fleet(printers) as fleet:
                started = time.monotonic()
                with anyio.fail_after(10 * SECONDS):
                    results = await fleet.snapshot()
                elapsed = time.monotonic() - started
    assert isinstance(results["slow"], PrinterConnectionError)
    assert results["fine"].job_id == "j"
    assert elapsed <= SECONDS + SLACK


async def test_an_upload_slower_than_the_timeout_completes_while_it_makes_progress(transport):
    """The deadline moves on with each chunk sent: a slow but steady upload is not cut."""
    received = []

    def script(request):
        if request.path == "/v1/login":
            return LOGIN
        received.append(len(request.body))
        return Reply(body=b'{"status":1}')

    async def slow_source():
        for _ in range(6):
            await anyio.sleep(SECONDS / 3)  # twice the timeout in all
            yield b"G1 X1\n" * 100

    async with RawServer(script) as server:
        async with printer_on(transport, server.port, seconds=SECONDS) as printer:
            await printer.upload_file(slow_source(), filename="slow.gcode")
    assert received
    assert received[0] > 3600


async def test_an_upload_whose_answer_never_comes_ends_a_timeout_after_its_last_chunk(transport):
    """Once the body is sent, an answer that never comes ends the upload after timeout."""
    async with RawServer(_scripted(LOGIN, STALL)) as server:
        async with printer_on(transport, server.port, seconds=SECONDS) as printer:
            elapsed, _ = await _timed(lambda: printer.upload_file(b"G28\n", filename="a.gcode"))
    assert elapsed <= SECONDS + SLACK
