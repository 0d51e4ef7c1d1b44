"""Every public call against generated answers: a typed result or a PrinterError, in time.

A raw HTTP server on 127.0.0.1 answers each request with an answer hypothesis draws for its
path (see ``_answers``): the login, the endpoint, and the camera server. The property, for each
of ``AsyncPrinter``'s public methods over each client setup, is that the call returns a value of
its documented type or raises a :class:`PrinterError` (nothing else: no httpx, aiohttp, json,
cattrs, ``RecursionError``, ``ValueError``, ``OverflowError``...), and that it does so within
its timeout plus a little slack, however slowly or never the server answers.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

import anyio
import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from printer_async import AsyncPrinter, JobEvent, PrinterError

from _answers import camera_replies, replies
from _calls import CALLS, ITEM_TYPES, MANY_REQUESTS, WATCH_SECONDS
from _canned import LOGIN
from _raw_server import RawServer, Reply, Request
from _setups import printer_on

if TYPE_CHECKING:
    from collections.abc import Callable

SECONDS = 0.25
"""The printers' timeout in these tests."""
SLACK = 1.0
"""How much later than its deadline a call may end: closing, and a loaded CI machine."""


def _numbers(value: Any) -> list[float]:
    """Every number a result holds: in its models, lists and events."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, list | tuple):
        return [n for item in value for n in _numbers(item)]
    if attrs.has(type(value)):
        return [
            n for field in attrs.fields(type(value)) for n in _numbers(getattr(value, field.name))
        ]
    return []


def _sane(number: float) -> bool:
    """What a number in a result must be: finite and within the +-2**53 JSON carries exactly."""
    return math.isfinite(number) and abs(number) <= 2**53


def test_every_public_method_is_attacked():
    """The table covers every public method of AsyncPrinter (a new one must be added)."""
    public = {
        name
        for name in dir(AsyncPrinter)
        if not name.startswith("_") and callable(getattr(AsyncPrinter, name))
    }
    assert public - {"aclose"} == set(CALLS)


def _script(data: st.DataObject, server: list[RawServer]) -> Callable[[Request], Reply]:
    """Answers each request with a reply drawn for its path, for as long as the call runs."""
    good_login = data.draw(st.integers(0, 9), label="login kind") > 0

    def answer(request: Request) -> Reply:
        path = request.path
        if path == "/v1/login" and good_login and data.draw(st.integers(0, 4), label="login"):
            return LOGIN
        if path.startswith("/api/v1/camera/"):
            return data.draw(camera_replies(seconds=SECONDS), label=path)
        reply = data.draw(replies(path, seconds=SECONDS), label=path)
        port = str(server[0].port).encode()
        return attrs.evolve(reply, body=reply.body.replace(b"@PORT@", port))

    return answer


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=max(8, settings().max_examples // 10))  # each method, each setup
@given(data=st.data())
def test_a_call_returns_its_type_or_raises_a_printer_error_in_time(transport, name, data):
    """Whatever the server answers, the call returns its type or a PrinterError, in time."""
    call, expected = CALLS[name]

    async def scenario() -> tuple[Any, BaseException | None, float, int]:
        holder: list[RawServer] = []
        async with RawServer(_script(data, holder)) as server:
            holder.append(server)
            async with printer_on(transport, server.port, seconds=SECONDS) as printer:
                started = time.monotonic()
                result, error = None, None
                try:
                    result = await call(printer)
                except Exception as exc:  # noqa: BLE001 - what escapes is what is checked
                    error = exc
                return result, error, time.monotonic() - started, len(server.requests)

    result, error, elapsed, requests = anyio.run(scenario)
    if error is not None:
        assert isinstance(error, PrinterError), f"{type(error).__name__} escaped: {error!r}"
    else:
        assert isinstance(result, expected)
        if name in ITEM_TYPES:
            assert all(isinstance(item, ITEM_TYPES[name]) for item in result)
        if name == "watch":
            assert all(isinstance(event, JobEvent) for event in result)
        assert all(_sane(number) for number in _numbers(result))
    calls = max(requests, 1) if name in MANY_REQUESTS else 1
    assert elapsed <= calls * SECONDS + SLACK + (WATCH_SECONDS if name == "watch" else 0)
