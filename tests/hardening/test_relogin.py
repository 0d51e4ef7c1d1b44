"""A failed re-login is shared by every call that waited for it: N waiters, one login, one timeout.

Twenty calls meet a refused token at once; the one login they wait for is refused, dropped, or
hangs. Each call gets that login's error, the printer sees one login, and the last call ends
after one timeout, not twenty.
"""

from __future__ import annotations

import time

import anyio
import pytest
from printer_async import AuthenticationError, PrinterConnectionError

from _canned import JOB, LOGIN, OTHER_LOGIN, STALL, TOKEN, TOKEN_ERROR
from _raw_server import RawServer, Reply
from _setups import printer_on

SECONDS = 0.3
SLACK = 0.5
WAITERS = 20

FAILED_LOGINS = {
    "refused": (Reply(body=b'{"status":0,"error":{"code":10000,"msg":"sign error"}}'), 10000),
    "dropped": (Reply(body=LOGIN.body, behaviour="reset_mid_body"), None),
    "hung": (STALL, None),
}


def _relogin_script(*logins):
    """A script whose first login succeeds and whose next ones answer ``logins`` in turn.

    Polls are refused with the first login's token and answered with any other.
    """
    answers = [LOGIN, *logins]
    seen = []

    def script(request):
        if request.path == "/v1/login":
            seen.append(request)
            return answers[min(len(seen), len(answers)) - 1]
        return TOKEN_ERROR if f"token={TOKEN}" in request.target else JOB

    return script, seen


@pytest.mark.parametrize("failure", sorted(FAILED_LOGINS))
async def test_waiting_calls_share_one_failed_login(transport, failure):
    """20 calls waiting on a refused, dropped or hung login: 1 login, 20 errors, one timeout."""
    login, code = FAILED_LOGINS[failure]
    expected = PrinterConnectionError if code is None else AuthenticationError
    script, logins = _relogin_script(login)
    errors = []

    async def poll(printer):
        try:
            await printer.current_job()
        except (AuthenticationError, PrinterConnectionError) as exc:
            errors.append(exc)

    async with RawServer(script) as server:
        async with printer_on(transport, server.port, seconds=SECONDS) as printer:
            await printer.login()
            started = time.monotonic()
            with anyio.fail_after(WAITERS * SECONDS):
                async with anyio.create_task_group() as group:
                    for _ in range(WAITERS):
                        group.start_soon(poll, printer)
            elapsed = time.monotonic() - started
    assert len(logins) == 2  # the first login, then one for all twenty
    assert len(errors) == WAITERS
    assert all(isinstance(error, expected) for error in errors)
    if code is not None:
        assert all(error.code == code for error in errors)
    assert elapsed <= SECONDS + SLACK


async def test_calls_arriving_while_a_login_hangs_share_its_failure(transport):
    """Calls that join a hung login later still end with it, at the leader's deadline."""
    script, logins = _relogin_script(STALL)
    ended = []

    async def poll(printer, delay):
        await anyio.sleep(delay)
        with pytest.raises(PrinterConnectionError):
            await printer.current_job()
        ended.append(time.monotonic())

    async with RawServer(script) as server:
        async with printer_on(transport, server.port, seconds=SECONDS) as printer:
            await printer.login()
            started = time.monotonic()
            async with anyio.create_task_group() as group:
                for index in range(10):
                    group.start_soon(poll, printer, index * SECONDS / 20)
    assert len(logins) == 2
    assert max(ended) - started <= SECONDS + SLACK


async def test_a_login_abandoned_by_its_callers_cancellation_is_made_again(transport):
    """A leader cancelled by its own caller is no failure: a waiting call logs in and succeeds."""
    script, logins = _relogin_script(STALL, OTHER_LOGIN)

    async def leader(printer):
        with anyio.move_on_after(SECONDS / 3):
            await printer.current_job()

    async with RawServer(script) as server:
        async with printer_on(transport, server.port, seconds=SECONDS * 3) as printer:
            await printer.login()
            async with anyio.create_task_group() as group:
                group.start_soon(leader, printer)
                await anyio.sleep(SECONDS / 10)
                job = await printer.current_job()
    assert job.job_id == "j"
    assert len(logins) == 3
