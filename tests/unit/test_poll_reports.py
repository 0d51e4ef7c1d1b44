"""The observer hooks an exporter needs: on_poll reports and Fleet.request()."""

from __future__ import annotations

import contextlib
import random

import anyio
import pytest
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    BasicInfo,
    CurrentJob,
    Fleet,
    JobStatus,
    PollReport,
    PrinterBusyError,
    PrinterConnectionError,
)
from printer_async._orchestration.watch import watch_jobs
from printer_async.simulator import ScaledClock, SimulatedPrinter, serve

PRINTER = AsyncPrinter.__new__(AsyncPrinter)  # a stand-in: the watch only stores it
PRINTER.name = "bench"
JOB = CurrentJob(
    file_name="Local/a.gcode",
    print_progress=10.0,
    printed_layer=1,
    total_layer=10,
    printed_time=60,
    total_time=600,
    job_id="J1",
    job_status=JobStatus.RUNNING,
)


def busy():
    """A 10003 busy error as the client raises it."""
    return PrinterBusyError("busy", code=10003, msg="busy", endpoint="/job/currentjob")


class FakeTime:
    """A fake clock whose sleeps jump it, and a poll that answers from a list."""

    def __init__(self, answers, *, latency=0.25):
        """Answer ``answers`` in turn, each taking ``latency`` fake seconds."""
        self.now = 0.0
        self.answers = list(answers)
        self.latency = latency
        self.sleeps: list[float] = []

    def clock(self):
        """The fake time."""
        return self.now

    async def sleep(self, seconds):
        """Jump the clock."""
        self.sleeps.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()

    async def poll(self):
        """The next answer; raises it when it is an exception."""
        self.now += self.latency
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    async def reports(self, **options):
        """The reports of a watch that runs until the answers run out."""
        reports: list[PollReport] = []
        events = watch_jobs(
            self.poll,
            printer=PRINTER,
            interval=5.0,
            sleep=self.sleep,
            clock=self.clock,
            rng=random.Random(3),
            on_poll=reports.append,
            **options,
        )
        with pytest.raises(IndexError):
            await drain(events)
        return reports


async def drain(events):
    """Read a watch to its end, and close it."""
    async with contextlib.aclosing(events):
        async for _ in events:
            pass


async def test_every_poll_good_or_failed_is_reported_once():
    """Each poll makes one report: the answer or the error, its duration and the next delay."""
    time = FakeTime([JOB, busy(), PrinterConnectionError("refused"), JOB, JOB])
    reports = await time.reports(offline_after=1000)
    assert [(r.job is not None, type(r.error).__name__) for r in reports] == [
        (True, "NoneType"),
        (False, "PrinterBusyError"),
        (False, "PrinterConnectionError"),
        (True, "NoneType"),
        (True, "NoneType"),
    ]
    assert all(r.printer is PRINTER and r.duration == pytest.approx(0.25) for r in reports)
    # A delay runs start to start: the sleep after a poll is its delay less its latency.
    assert [r.delay - 0.25 for r in reports[:4]] == pytest.approx(time.sleeps[:4])


async def test_failed_polls_report_a_backoff_and_good_ones_do_not():
    """A failed poll that stretches the schedule says so; a good one never does."""
    reports = await FakeTime([JOB, busy(), busy(), JOB]).reports()
    assert [r.backoff for r in reports] == [False, True, True, False]
    assert reports[1].delay > 5.0
    assert reports[3].delay == 5.0


async def test_a_wrong_password_is_reported_before_the_watch_ends():
    """The poll that ends the watch is reported, with no next delay, then raised."""
    wrong = AuthenticationError("wrong", code=10000, msg="sign error", endpoint="/login")
    time = FakeTime([JOB, wrong])
    reports = []
    events = watch_jobs(
        time.poll, printer=PRINTER, sleep=time.sleep, clock=time.clock, on_poll=reports.append
    )
    with pytest.raises(AuthenticationError):
        await drain(events)
    assert [type(r.error).__name__ for r in reports] == ["NoneType", "AuthenticationError"]
    assert reports[-1].delay is None
    assert reports[-1].backoff is False


async def test_a_fleet_reports_every_printers_polls_and_the_wrong_password():
    """fleet.watch(on_poll=...) reports each printer's polls; a wrong password is one of them."""
    sims = [SimulatedPrinter(clock=ScaledClock(), seed=i) for i in range(3)]
    async with serve(*sims, cameras=False) as server:
        printers = [
            AsyncPrinter(
                e.host, port=e.port, password="wrong" if i == 2 else e.password, name=f"p{i}"
            )
            for i, e in enumerate(server.endpoints)
        ]
        reports: list[PollReport] = []
        async with Fleet(printers) as fleet:
            async with fleet.watch(interval=0.05, on_poll=reports.append):
                with anyio.fail_after(10):
                    while len([r for r in reports if r.error is None]) < 6:  # noqa: ASYNC110
                        await anyio.sleep(0.01)
    failed = [r for r in reports if r.error is not None]
    assert [(r.printer.name, type(r.error)) for r in failed] == [("p2", AuthenticationError)]
    assert all(r.duration > 0 for r in reports)


async def test_fleet_request_runs_one_call_at_a_time_per_printer():
    """Fleet.request() holds the printer's own lock: two calls on one printer never overlap."""
    sim = SimulatedPrinter(clock=ScaledClock(), seed=1)
    async with serve(sim, cameras=False) as server:
        endpoint = server.endpoints[0]
        printer = AsyncPrinter(endpoint.host, port=endpoint.port, password=endpoint.password)
        spans: list[tuple[float, float]] = []

        async def slow_basic(target: AsyncPrinter) -> BasicInfo:
            start = anyio.current_time()
            answer = await target.basic_info()
            await anyio.sleep(0.05)
            spans.append((start, anyio.current_time()))
            return answer

        async with Fleet([printer]) as fleet, anyio.create_task_group() as task_group:
            for _ in range(2):
                task_group.start_soon(fleet.request, printer.name, slow_basic)
    (_, first_end), (second_start, _) = sorted(spans)
    assert second_start >= first_end


async def test_fleet_request_answers_and_names_an_unknown_printer():
    """Fleet.request() returns what the call returned; an unknown name is a KeyError."""
    sim = SimulatedPrinter(clock=ScaledClock(), seed=2)
    async with serve(sim, cameras=False) as server:
        endpoint = server.endpoints[0]
        printer = AsyncPrinter(
            endpoint.host, port=endpoint.port, password=endpoint.password, name="left-1"
        )
        async with Fleet([printer]) as fleet:
            basic = await fleet.request("left-1", AsyncPrinter.basic_info)
            nozzle = await fleet.request(printer, lambda p: p.nozzle(2))
            with pytest.raises(KeyError):
                await fleet.request("nobody", AsyncPrinter.basic_info)
    assert basic.feed_cur_rate == 100
    assert nozzle.flow_cur_rate == 100
