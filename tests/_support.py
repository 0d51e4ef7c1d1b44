"""Helpers the tests import: recorded payloads and envelope builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    CurrentJob,
    EventKind,
    JobStatus,
    ServiceUnavailableError,
)
from printer_async._transports.httpx import Transport

FIXTURES = Path(__file__).parent / "fixtures"
HOST = "127.0.0.1"
BASE = f"http://{HOST}:10800/v1"
PASSWORD = "123456"
TOKEN = "e4e4ab1407dfec7c5beb566173d81340"


def load_fixture(name: str) -> Any:
    """The decoded JSON of ``tests/fixtures/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


CAPTURES = FIXTURES / "captures"
"""Byte-exact answers of a real Pro2 (its README says what they show)."""
CAPTURE_ENDPOINTS = {
    "A1_system.json": "/printer/system",
    "A2_camera.json": "/printer/camera",
    "A3_runningstatus.json": "/printer/runningstatus",
    "A4_basic.json": "/printer/basic",
    "A5_nozzle1.json": "/printer/nozzle1",
    "A6_nozzle2.json": "/printer/nozzle2",
    "A7_currentjob_idle.json": "/job/currentjob",
}
"""Each capture and the endpoint that answered it (the captures' README says so too)."""


def capture(name: str) -> bytes:
    """A capture's bytes, exactly as the printer sent them."""
    return (CAPTURES / name).read_bytes()


def make_job(**changes: Any) -> CurrentJob:
    """A running job with a real estimate (the vendor's example, at its start), with ``changes``."""
    fields: dict[str, Any] = {
        "file_name": "Local/a.gcode",
        "print_progress": 0.0,
        "printed_layer": 0,
        "total_layer": 470,
        "printed_time": 0,
        "total_time": 11333,
        "job_id": "4C530E1EB1D4_D0E782BF5B17_7e10712090a1b3600f",
        "job_status": JobStatus.RUNNING,
    }
    return CurrentJob(**(fields | changes))


def ok(data: Any = None) -> httpx.Response:
    """A successful envelope, with ``data`` when given."""
    body: dict[str, Any] = {"status": 1}
    if data is not None:
        body["data"] = data
    return httpx.Response(200, json=body)


def api_error(code: int, msg: str) -> httpx.Response:
    """An error envelope with HTTP 200, as the vendor documents it."""
    return httpx.Response(200, json={"error": {"code": code, "msg": msg}, "status": 0})


STATE_KINDS = frozenset(
    {
        EventKind.INITIAL,
        EventKind.STARTED,
        EventKind.NEW_JOB,
        EventKind.PAUSED,
        EventKind.RESUMED,
        EventKind.COMPLETED,
        EventKind.STOPPED,
        EventKind.CHANGED,
    }
)
"""The event kinds that report a job's state (not progress, offline, online or error)."""


def busy_connections(printer: AsyncPrinter) -> list[object]:
    """The printer's connections that are in use (neither idle in the pool nor closed).

    Read from the HTTP library's own pool state, whichever transport the printer has.
    """
    transport = printer._transport
    if isinstance(transport, Transport):  # httpx: the printer's own pool, if it made one
        client = transport._given_client or transport._own_client
        if client is None:
            return []
        pool = client._transport._pool
        return [c for c in pool.connections if not (c.is_idle() or c.is_closed())]
    session = transport._session._session  # aiohttp: the session's pools, one per printer
    if session is None or session.closed:
        return []
    url = httpx.URL(transport.base_url)
    return [
        connection
        for key, connections in session.connector._acquired_per_host.items()
        if (key.host, key.port) == (url.host, url.port)
        for connection in connections
    ]


def transport_closed(printer: AsyncPrinter) -> bool:
    """Whether what the printer's transport owns is closed (the HTTP library's own state).

    A shared aiohttp session stays open while other printers are on it.
    """
    transport = printer._transport
    if isinstance(transport, Transport):  # a client never made holds nothing open
        client = transport._given_client or transport._own_client
        return client is None or client.is_closed
    session = transport._session
    last_out = session._users == 0
    return transport.closed and (
        not last_out or session._session is None or session._session.closed
    )


COMMON_ERRORS = [
    (401, "token error", AuthenticationError, None),
    (503, "no server", ServiceUnavailableError, None),
]
"""The errors every authenticated endpoint documents: (code, msg, class, reason)."""


def error_cases(calls: dict[str, Any], documented: dict[str, list[Any]]) -> list[Any]:
    """One pytest.param (name, code, msg, cls, reason) per documented error of each call."""
    return [
        pytest.param(name, code, msg, cls, reason, id=f"{name}-{code}-{msg}")
        for name in calls
        for code, msg, cls, reason in [*COMMON_ERRORS, *documented.get(name, [])]
    ]


async def assert_documented_error(api, printer, call, code, msg, cls, reason):
    """The call, answered with (code, msg), raises ``cls`` carrying the context; returns it."""
    method, endpoint, invoke = call
    api.route(method=method, path=endpoint).mock(return_value=api_error(code, msg))
    with pytest.raises(cls) as info:
        await invoke(printer)
    assert (info.value.code, info.value.msg, info.value.endpoint) == (code, msg, endpoint)
    if reason is not None:
        assert info.value.reason is reason
    return info.value
