"""Reads ride out a busy printer within their deadline; commands and watch polls never do.

Against the simulator's busy faults (10003, 500 "printer is busy", HTTP 429) over real sockets,
on both transports; durations are read on the event loop's clock. Most tests shrink the
back-off (``quick_backoff``) so that they wait milliseconds, not the default tenths of seconds.
"""

import math

import anyio
import pytest
from printer_async import AsyncPrinter, PollReport, PrinterBusyError
from printer_async._orchestration.watch import watch_jobs
from printer_async.simulator import SimulatedPrinter

from _support import PASSWORD, busy_connections

CURRENTJOB = "/v1/job/currentjob"
STYLES = ["10003", "500", "429"]


@pytest.fixture(name="sim")
def _sim(clock):
    """A simulated printer on the manual clock."""
    return SimulatedPrinter(password=PASSWORD, clock=clock, seed=3)


@pytest.fixture(name="quick_backoff")
def _quick_backoff(monkeypatch):
    """The ride-out's waits from 5-10 ms, doubling up to 20-40 ms."""
    monkeypatch.setattr("printer_async._busy.FIRST_DELAY", 0.01)
    monkeypatch.setattr("printer_async._busy.MAX_DELAY", 0.04)


def printer_for(endpoint, transport, **options):
    """An AsyncPrinter on the served simulator."""
    return AsyncPrinter(
        endpoint.host, port=endpoint.port, password=PASSWORD, transport=transport, **options
    )


def busy_fired(sim, path=None):
    """How many busy answers the simulator gave (to ``path``, if given)."""
    return sum(
        1
        for fired_path, fault in sim.faults.fired
        if fault.kind.name.startswith(("BUSY", "TOO_MANY")) and path in {None, fired_path}
    )


@pytest.mark.usefixtures("quick_backoff")
@pytest.mark.parametrize("style", STYLES)
async def test_a_read_rides_out_a_short_busy_spell(sim, endpoint, transport, style):
    """Three busy answers in a row, then the answer: the caller sees only the answer."""
    async with printer_for(endpoint, transport) as printer:
        await printer.login()
        sim.faults.busy(style, count=3, path=CURRENTJOB)
        job = await printer.current_job()
    assert job.has_job is False
    assert busy_fired(sim, CURRENTJOB) == 3


async def test_the_default_back_off_waits_half_to_all_of_each_ceiling(sim, endpoint, transport):
    """Two busy answers cost 0.05-0.1 s then 0.1-0.2 s of waiting, on the loop's clock."""
    async with printer_for(endpoint, transport) as printer:
        await printer.login()
        sim.faults.busy("10003", count=2, path=CURRENTJOB)
        started = anyio.current_time()
        await printer.current_job()
        elapsed = anyio.current_time() - started
    assert 0.15 <= elapsed < 0.6
    assert busy_fired(sim) == 2


@pytest.mark.usefixtures("quick_backoff")
async def test_a_printer_that_stays_busy_raises_after_busy_retry(sim, endpoint, transport):
    """Busy past busy_retry: PrinterBusyError, after several attempts, within busy_retry."""
    async with printer_for(endpoint, transport, busy_retry=0.2) as printer:
        await printer.login()
        sim.faults.busy("500", count=10_000, path=CURRENTJOB)
        started = anyio.current_time()
        with pytest.raises(PrinterBusyError) as caught:
            await printer.current_job()
        elapsed = anyio.current_time() - started
        assert busy_connections(printer) == []
    assert caught.value.msg == "printer is busy"
    assert 0.1 < elapsed < 0.25  # the last attempt may take a little longer than the one before
    assert busy_fired(sim) > 3


@pytest.mark.usefixtures("quick_backoff")
async def test_the_deadline_ends_the_ride_with_the_busy_answer(sim, endpoint, transport):
    """With busy_retry=inf the ride stops short of the timeout: a busy error, not a timeout."""
    async with printer_for(endpoint, transport, timeout=0.3, busy_retry=math.inf) as printer:
        await printer.login()
        sim.faults.busy("429", count=10_000, path=CURRENTJOB)
        started = anyio.current_time()
        with pytest.raises(PrinterBusyError):
            await printer.current_job()
    assert anyio.current_time() - started < 0.3


async def test_busy_retry_zero_raises_the_first_busy_answer(sim, endpoint, transport):
    """busy_retry=0 turns the ride-out off: one request, its busy answer raised."""
    async with printer_for(endpoint, transport, busy_retry=0) as printer:
        await printer.login()
        sim.faults.busy("10003", count=3, path=CURRENTJOB)
        for _ in range(3):
            with pytest.raises(PrinterBusyError):
                await printer.current_job()
            assert busy_fired(sim) == _ + 1
        await printer.current_job()


@pytest.mark.usefixtures("quick_backoff")
async def test_a_busy_login_is_ridden_out_by_the_read_that_needs_it(sim, endpoint, transport):
    """The login a read makes on its way rides out busy answers too."""
    async with printer_for(endpoint, transport) as printer:
        sim.faults.busy("10003", count=2, path="/v1/login")
        await printer.system_info()
    assert busy_fired(sim, "/v1/login") == 2


COMMANDS = {
    "setter": ("/v1/printer/fanspeed/set", lambda printer: printer.set_fan_speed(50)),
    "job control": ("/v1/job/currentjob/set", lambda printer: printer.pause_job()),
    "new job": ("/v1/job/newjob/set", lambda printer: printer.start_job("Local/benchy.gcode")),
    "upload": (
        "/v1/fileops/upload",
        lambda printer: printer.upload_file(b"G28\n", filename="a.gcode"),
    ),
    "file operation": (
        "/v1/filepos/delete",
        lambda printer: printer.delete_file("Local/webapi_store/x.gcode"),
    ),
}


@pytest.mark.usefixtures("quick_backoff")
@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
async def test_commands_are_never_sent_twice(sim, endpoint, transport, command):
    """A command answered busy raises PrinterBusyError at once, and was sent once."""
    path, call = command
    async with printer_for(endpoint, transport) as printer:
        await printer.login()
        sim.faults.busy("500", count=5, path=path)
        with pytest.raises(PrinterBusyError):
            await call(printer)
    assert busy_fired(sim, path) == 1


@pytest.mark.usefixtures("quick_backoff")
async def test_a_watch_poll_makes_one_attempt_and_reads_beside_it_still_ride(
    sim, endpoint, transport
):
    """A busy poll is the watch's own failed poll (it backs off); a read beside it rides."""
    reports: list[PollReport] = []
    async with printer_for(endpoint, transport) as printer:
        await printer.login()
        sim.faults.busy("10003", count=1, path=CURRENTJOB)
        events = watch_jobs(
            printer.current_job, printer=printer, interval=0.05, on_poll=reports.append
        )
        with anyio.fail_after(5):
            first = await anext(events)
            await events.aclose()
        sim.faults.busy("10003", count=1, path=CURRENTJOB)
        await printer.current_job()
    assert isinstance(reports[0].error, PrinterBusyError)
    assert reports[0].backoff
    assert reports[1].job == first.job
    assert busy_fired(sim, CURRENTJOB) == 2


@pytest.mark.usefixtures("quick_backoff")
async def test_a_printers_own_watch_does_not_ride_out_a_busy_poll(sim, endpoint, transport):
    """AsyncPrinter.watch(): a busy answer costs the watch a poll, not a hidden retry."""
    async with printer_for(endpoint, transport) as printer:
        await printer.login()
        sim.faults.busy("10003", count=1, path=CURRENTJOB)
        events = printer.watch(interval=0.05)
        with anyio.fail_after(5):
            started = anyio.current_time()
            await anext(events)
            await events.aclose()
    # The watch's own back-off: the next poll starts an interval or more after the first.
    assert anyio.current_time() - started >= 0.05
    assert busy_fired(sim, CURRENTJOB) == 1


@pytest.mark.usefixtures("quick_backoff")
async def test_read_state_rides_out_busy_answers_of_its_reads(sim, endpoint, transport):
    """Busy answers on any of read_state()'s concurrent reads are ridden out."""
    async with printer_for(endpoint, transport) as printer:
        await printer.identify()
        sim.faults.busy("10003", count=4)
        state = await printer.read_state()
    assert state.is_idle
    assert busy_fired(sim) == 4
