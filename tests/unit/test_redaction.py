import logging

import httpx
import pytest
from printer_async import AsyncPrinter, AuthenticationError, PrinterConnectionError
from printer_async._redact import redact

from _support import HOST, PASSWORD, TOKEN, api_error, load_fixture


@pytest.fixture(name="debug_logs")
def _debug_logs(caplog):
    """Every logger at DEBUG, captured."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "printer_async"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _everything_logged(caplog) -> str:
    return "\n".join(f"{r.getMessage()} {r.msg} {r.args}" for r in caplog.records)


async def test_no_token_sign_or_password_in_any_log_record(api, debug_logs):
    """With all loggers at DEBUG, httpx's request lines carry no token, sign or password."""
    api.get("/job/currentjob").mock(
        side_effect=[
            api_error(401, "token error"),
            httpx.Response(200, json=load_fixture("current_job")),
        ]
    )
    async with AsyncPrinter(HOST, password=PASSWORD) as printer:
        await printer.current_job()
    sign = api["login"].calls.last.request.url.params["sign"]
    logged = _everything_logged(debug_logs)
    assert "HTTP Request" in logged  # httpx did log its request lines
    assert TOKEN not in logged
    assert sign not in logged
    assert PASSWORD not in logged
    assert "token=[redacted]" in logged


async def test_no_secret_in_exception_text(api):
    """Errors raised after a login carry no token or password in their text or repr."""
    password = "pa55word-xyz"
    api.get("/job/currentjob").mock(side_effect=httpx.ConnectError(f"failed for ?token={TOKEN}"))
    async with AsyncPrinter(HOST, password=password) as printer:
        with pytest.raises(PrinterConnectionError) as info:
            await printer.current_job()
    for text in (str(info.value), repr(info.value)):
        assert TOKEN not in text
        assert password not in text


async def test_wrong_password_error_does_not_echo_it(api):
    """The wrong-password error names the setting, never the password tried."""
    password = "hunter2-pw"
    api["login"].mock(return_value=api_error(10000, "sign error or password error"))
    async with AsyncPrinter(HOST, password=password) as printer:
        with pytest.raises(AuthenticationError) as info:
            await printer.login()
    assert password not in str(info.value)
    assert password not in repr(info.value)


def test_redact_masks_every_secret_parameter():
    """redact() masks token, sign and password values wherever they appear in a URL."""
    url = "http://h:10800/v1/login?sign=abc123&timestamp=1&token=deadbeef&password=x"
    assert redact(url) == (
        "http://h:10800/v1/login?sign=[redacted]&timestamp=1&token=[redacted]&password=[redacted]"
    )
