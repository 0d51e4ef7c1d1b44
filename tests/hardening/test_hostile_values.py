"""Hostile values, in answers and in arguments: a typed error, never a built-in one.

In answers: JSON nested a hundred thousand levels deep, non-ASCII characters in a picture's
base64, ``NaN``, ``Infinity`` and numbers beyond 2**53 in any numeric field. In arguments: huge
integers, non-finite floats and strings with lone surrogates, refused before any request.
"""

from __future__ import annotations

import contextlib
import json
import math

import anyio
import httpx
import pytest
from printer_async import (
    AsyncPrinter,
    EventKind,
    Fleet,
    InvalidParameterError,
    PathError,
    ProtocolError,
)

from _answers import TEMPLATES
from _calls import CALLS
from _canned import LOGIN
from _raw_server import RawServer, Reply
from _setups import printer_on
from _support import HOST, PASSWORD, ok

DEEP = b'{"status":1,"data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.mark.parametrize("name", sorted(set(CALLS) - {"watch"}))
async def test_an_answer_nested_deeply_is_a_protocol_error(transport, name):
    """JSON nested 100,000 deep (200 KB) is a ProtocolError, never a RecursionError."""
    call, _ = CALLS[name]

    def script(request):
        return LOGIN if request.path == "/v1/login" and name != "login" else Reply(body=DEEP)

    async with RawServer(script) as server:
        async with printer_on(transport, server.port, seconds=2.0) as printer:
            with pytest.raises(ProtocolError, match="nested more than 32 levels"):
                await call(printer)


@pytest.mark.parametrize("name", ["job_thumbnail", "file_thumbnail"])
async def test_a_picture_with_a_non_ascii_character_is_a_protocol_error(api, printer, name):
    """An img_data string with "é" in it is a ProtocolError, not the ValueError of base64."""
    api.get(path__regex=r".*/imagedownload").mock(return_value=ok({"img_data": "iVBOR\u00e9w=="}))
    call, _ = CALLS[name]
    with pytest.raises(ProtocolError, match="not valid base64"):
        await call(printer)


RENAMED = {
    "nozzies_num": "nozzle_count",
    "storage_available": "storage_available_kb",
    "printed_used_filament_0": "printed_used_filament_left",
    "printed_used_filament_1": "printed_used_filament_right",
    "filament_used_0": "filament_used_left",
    "filament_used_1": "filament_used_right",
}
"""The models' names of renamed wire fields, which the errors use."""
TOLERANT = {("/printer/system", field) for field in ("battery", "brightness", "storage_available")}
"""Informational fields: a value that is not usable is None (see _convert's rule)."""


def _answer(data):
    """A successful answer written as Python's JSON writer does: NaN and Infinity included."""
    return httpx.Response(200, content=json.dumps({"status": 1, "data": data}).encode())


NUMBERS = {
    "/job/currentjob": ("current_job", TEMPLATES["/v1/job/currentjob"]),
    "/dashboard/statistics": ("statistics", TEMPLATES["/v1/dashboard/statistics"]),
    "/printer/basic": ("basic_info", TEMPLATES["/v1/printer/basic"]),
    "/printer/nozzle2": ("nozzle", TEMPLATES["/v1/printer/nozzle1"]),
    "/printer/system": ("system_info", TEMPLATES["/v1/printer/system"]),
    "/dashboard/job": ("job_detail", TEMPLATES["/v1/dashboard/job"]),
}
BAD_NUMBERS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "2**60": 2**60}
NUMERIC_FIELDS = [
    pytest.param(endpoint, field, value, id=f"{endpoint}-{field}-{label}")
    for endpoint, (_, template) in NUMBERS.items()
    for field, sample in template.items()
    if isinstance(sample, int | float) and not isinstance(sample, bool)
    for label, value in BAD_NUMBERS.items()
]


@pytest.mark.parametrize(("endpoint", "field", "value"), NUMERIC_FIELDS)
async def test_a_non_finite_or_huge_number_is_a_protocol_error_naming_the_field(
    api, printer, endpoint, field, value
):
    """NaN, Infinity or 2**60 in a numeric field: a ProtocolError naming it (None if tolerant)."""
    name, template = NUMBERS[endpoint]
    api.get(endpoint).mock(return_value=_answer({**template, field: value}))
    call, _ = CALLS[name]
    attribute = RENAMED.get(field, field)
    if (endpoint, field) in TOLERANT:
        assert getattr(await call(printer), attribute) is None
        return
    with pytest.raises(ProtocolError, match=r"within \+-2\*\*53") as info:
        await call(printer)
    assert str(info.value).endswith(f"@ .{attribute}")


def _job(progress):
    return _answer({**TEMPLATES["/v1/job/currentjob"], "print_progress": progress})


async def test_a_watch_with_progress_steps_survives_non_finite_progress(api, printer):
    """NaN, Infinity and -Infinity polls are failed polls: the watch goes on to the next job."""
    answers = iter(
        [_job(10.0), _job(math.nan), _job(math.inf), _job(-math.inf), _job(60.0), _job(70.0)]
    )
    api.get("/job/currentjob").mock(side_effect=lambda _request: next(answers))
    kinds = []
    watch = printer.watch(interval=0.001, backoff_cap=0.002, progress_step=5)
    with anyio.fail_after(5):
        async with contextlib.aclosing(watch):
            async for event in watch:
                kinds.append((event.kind, event.job.print_progress))
                if event.job.print_progress == 70.0:
                    break
    assert kinds == [
        (EventKind.INITIAL, 10.0),
        (EventKind.PROGRESS, 60.0),
        (EventKind.PROGRESS, 70.0),
    ]


async def test_a_tiny_progress_step_does_not_overflow(api, printer):
    """A progress_step of 5e-324 (100 % / step is infinite) still reports progress."""
    answers = iter([_job(10.0), _job(20.0)])
    api.get("/job/currentjob").mock(side_effect=lambda _request: next(answers))
    watch = printer.watch(interval=0.001, progress_step=5e-324)
    async with contextlib.aclosing(watch):
        kinds = [(await anext(watch)).kind, (await anext(watch)).kind]
    assert kinds == [EventKind.INITIAL, EventKind.PROGRESS]


async def test_a_fleet_keeps_watching_a_printer_that_answers_nan(api):
    """A fleet's printer that answers NaN now and then is still watched: no error event."""
    answers = iter([_job(math.nan), _job(10.0), _job(math.nan)] * 3 + [_job(math.inf)] * 1000)
    api.get("/job/currentjob").mock(side_effect=lambda _request: next(answers))
    kinds = []
    # On httpx, which respx answers (a fleet would otherwise pick aiohttp when installed).
    async with Fleet([AsyncPrinter(HOST, password=PASSWORD)], transport="httpx") as fleet:
        async with fleet.watch(interval=0.001, backoff_cap=0.002, progress_step=1) as events:
            with anyio.move_on_after(0.5):
                async for event in events:
                    kinds.append(event.kind)
    assert kinds == [EventKind.INITIAL]  # and no ERROR: the printer was never dropped


HUGE = 10**400
ARGUMENTS = {
    "set_fan_speed": lambda p, v: p.set_fan_speed(v),
    "set_feed_rate": lambda p, v: p.set_feed_rate(v),
    "set_heatbed_temperature": lambda p, v: p.set_heatbed_temperature(v),
    "set_nozzle_temperature": lambda p, v: p.set_nozzle_temperature(1, v),
    "set_flow_rate": lambda p, v: p.set_flow_rate(1, v),
    "move_axes x": lambda p, v: p.move_axes(x=v, feed=100),
    "move_axes feed": lambda p, v: p.move_axes(x=1, feed=v),
    "extrude": lambda p, v: p.extrude(v, feed=100),
    "extrude feed": lambda p, v: p.extrude(1, feed=v),
    "job_list max_num": lambda p, v: p.job_list(max_num=v),
    "job_list start_pos": lambda p, v: p.job_list(start_pos=v),
    "job_detail": lambda p, v: p.job_detail(v, "j1"),
    "job_thumbnail width": lambda p, v: p.job_thumbnail("j1", width=v),
    "file_thumbnail height": lambda p, v: p.file_thumbnail("Local/a.data", height=v),
    "list_files start_pos": lambda p, v: p.list_files("Local/", start_pos=v),
    "list_files max_num": lambda p, v: p.list_files("Local/", max_num=v),
}
VALUES = {"huge": HUGE, "-huge": -HUGE, "nan": math.nan, "inf": math.inf, "text": "1", "true": True}


@pytest.mark.parametrize("value", sorted(VALUES))
@pytest.mark.parametrize("argument", sorted(ARGUMENTS))
async def test_a_hostile_number_argument_is_refused_before_any_request(
    api, printer, argument, value
):
    """Huge, non-finite, text or bool numbers: InvalidParameterError, and nothing is sent."""
    with pytest.raises(InvalidParameterError):
        await ARGUMENTS[argument](printer, VALUES[value])
    assert not api.calls


TEXT_ARGUMENTS = {
    "start_job": lambda p, t: p.start_job(f"Local/{t}"),
    "list_files": lambda p, t: p.list_files(f"Local/{t}"),
    "delete_file": lambda p, t: p.delete_file(f"Local/{t}"),
    "rename_file": lambda p, t: p.rename_file("Local/a.gcode", t),
    "move_file": lambda p, t: p.move_file("Local/a.gcode", f"Local/{t}"),
    "create_directory": lambda p, t: p.create_directory(f"Local/{t}"),
    "upload_file": lambda p, t: p.upload_file(b"G28", filename=t),
    "job_detail": lambda p, t: p.job_detail(0, t),
    "job_thumbnail": lambda p, t: p.job_thumbnail(t),
    "file_thumbnail": lambda p, t: p.file_thumbnail(f"Local/{t}.data"),
}


@pytest.mark.parametrize("argument", sorted(TEXT_ARGUMENTS))
async def test_a_lone_surrogate_in_a_text_argument_is_refused_before_any_request(
    api, printer, argument
):
    """A string that cannot be sent as UTF-8: PathError or InvalidParameterError, nothing sent."""
    with pytest.raises((PathError, InvalidParameterError)):
        await TEXT_ARGUMENTS[argument](printer, "a\ud800b")
    assert not api.calls


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": math.nan},
        {"timeout": -1},
        {"timeout": math.inf},
        {"timeout": "10"},
        {"password": "pw\ud800"},
        {"token": "t\udfff"},
    ],
)
def test_a_hostile_constructor_argument_is_a_value_error(options):
    """A non-finite or negative timeout, or an unsendable secret, is a ValueError at once."""
    with pytest.raises(ValueError, match=next(iter(options))):
        AsyncPrinter(HOST, **options)


@pytest.mark.parametrize("value", [math.nan, math.inf, HUGE, "5", True, 0, -1])
def test_a_hostile_watch_option_is_a_value_error(printer, value):
    """A non-finite, huge, text, zero or negative interval: a ValueError from watch() at once."""
    with pytest.raises(ValueError, match="interval"):
        printer.watch(interval=value)
