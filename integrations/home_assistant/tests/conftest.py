"""Fixtures: Home Assistant's harness with its production checks on, and a simulated printer.

The harness (pytest-homeassistant-custom-component) already fails a test that leaves a task or
a timer on the loop (``verify_cleanup``); nothing here relaxes that. It leaves most of Home
Assistant's blocking-call detection off (``block_async_io`` skips the ``skip_for_tests`` calls:
open, listdir, import_module, SSL certificate loading ...): ``production_blocking_checks``
switches all of it on, as ``bootstrap`` does in a real Home Assistant, and fails the test on
any report.
"""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING, Any

import pytest
from homeassistant import block_async_io
from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT
from homeassistant.util import loop as loop_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.printer_async.const import DOMAIN

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from homeassistant.core import HomeAssistant
    from printer_async.simulator import Endpoint


class _Reports(logging.Handler):
    """Keeps the blocking-call reports of ``homeassistant.util.loop`` that involve us.

    A report involves us when the integration (``custom integration 'printer_async'``) or the
    library (``printer_async/`` in the offender's stack) made the call. The harness's own
    calls in the loop's thread (``mock.patch`` resolving its targets with ``import_module``)
    would be reported too: they are not Home Assistant's production code, nor ours.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reports: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "printer_async" in message:
            self.reports.append(message.split("\n", 1)[0])


@pytest.fixture(autouse=True, name="production_blocking_checks")
def _production_blocking_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Detect blocking calls in the loop as a real Home Assistant does, and fail on any.

    Set up before ``hass`` (which the next fixture asks for), so that Home Assistant's start,
    the entries' setup and unload and its stop all run under the checks.
    """
    monkeypatch.setattr(block_async_io, "_IN_TESTS", False)
    # A call reported once is logged at DEBUG afterwards: every test must see its own.
    monkeypatch.setattr(loop_util, "_PREVIOUSLY_REPORTED", set())
    reports = _Reports()
    logger = logging.getLogger(loop_util.__name__)
    logger.addHandler(reports)
    block_async_io.enable()
    try:
        yield
    finally:
        calls = block_async_io._BLOCKED_CALLS.calls
        for call in calls:
            setattr(call.object, call.function, call.original_func)
        calls.clear()
        logger.removeHandler(reports)
    if reports.reports:
        pytest.fail("blocking calls in the event loop:\n" + "\n".join(reports.reports))


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    production_blocking_checks: None,
    enable_custom_integrations: None,
) -> None:
    """Load custom_components/printer_async, under the blocking-call checks."""


@pytest.fixture(name="printer")
def _printer(socket_enabled: None, simulated_printer: Endpoint) -> Endpoint:
    """The library's simulated printer on 127.0.0.1 (pytest-socket blocks sockets otherwise)."""
    return simulated_printer


@pytest.fixture(name="config_entry")
def _config_entry(hass: HomeAssistant, printer: Endpoint) -> MockConfigEntry:
    """An entry for the simulated printer, added to Home Assistant but not set up."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=printer.printer.name,
        unique_id=printer.printer.serial_number,
        data={CONF_HOST: printer.host, CONF_PORT: printer.port, CONF_PASSWORD: printer.password},
    )
    entry.add_to_hass(hass)
    return entry


@pytest.fixture(name="setup_entry")
def _setup_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> Callable[[], Awaitable[MockConfigEntry]]:
    """Set up the entry, as Home Assistant does at start."""

    async def setup() -> MockConfigEntry:
        await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
        return config_entry

    return setup


def secrets_of(printer: Endpoint) -> dict[str, Any]:
    """Every secret of the simulated printer: password, tokens issued, camera password."""
    simulated = printer.printer
    return {
        "password": printer.password,
        "camera password": simulated._auth.camera_password,
        **{f"token {n}": token for n, token in enumerate(simulated._auth.tokens)},
    }


def entity_id(hass: HomeAssistant, platform: str, key: str, printer: Endpoint) -> str:
    """The entity id of the printer's entity ``key`` (by its unique id, serial_key)."""
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415 - a test helper

    found = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{printer.printer.serial_number}_{key}"
    )
    assert found is not None, f"no {platform} {key!r}"
    return found


async def until(condition: Callable[[], bool], *, within: float = 5.0) -> None:
    """Wait until ``condition()`` holds: for answers that come over a real socket.

    Raises:
        AssertionError: It did not hold within ``within`` seconds.
    """
    import asyncio  # noqa: PLC0415 - a test helper

    loop = asyncio.get_running_loop()
    give_up = loop.time() + within
    while not condition():
        assert loop.time() < give_up, f"not within {within} s"
        await asyncio.sleep(0.01)


def closed_port() -> int:
    """A loopback port where nothing listens (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
