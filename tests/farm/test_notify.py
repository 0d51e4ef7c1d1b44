"""Notifications through Apprise's json:// target to a receiver on 127.0.0.1."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

import anyio
import pytest
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    CurrentJob,
    EventKind,
    JobEvent,
    JobStatus,
)
from printer_async.notify import DEFAULT_NOTIFY_ON, Notifier, event_name
from printer_async.simulator import ManualClock, SimulatedPrinter, serve

from _farm_support import Receiver

PRINTER = AsyncPrinter.__new__(AsyncPrinter)  # a stand-in: events only carry it
PRINTER.name = "left-1"
SECRET = "s3cr3t-t0ken-in-the-path"


def job(status=JobStatus.RUNNING, progress=42.0):
    """A job on the stand-in printer."""
    return CurrentJob(
        file_name="Local/benchy.gcode",
        print_progress=progress,
        printed_layer=10,
        total_layer=100,
        printed_time=600,
        total_time=3600,
        job_id="J1",
        job_status=status,
    )


def event(kind, current=JobStatus.PAUSED, *, printer=PRINTER, job_=None, error=None):
    """An event of the stand-in printer."""
    return JobEvent(
        kind=kind,
        previous=JobStatus.RUNNING,
        current=current,
        job=job_ if job_ is not None else job(current or JobStatus.RUNNING),
        observed_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        printer=printer,
        error=error,
    )


@pytest.fixture(name="receiver")
def _receiver():
    """A webhook receiver on 127.0.0.1."""
    receiver = Receiver()
    yield receiver
    receiver.close()


async def test_one_notification_per_transition_and_none_for_faults_ridden_out(receiver):
    """Paused and completed are notified once each; busy answers and drops send nothing."""
    clock = ManualClock()
    sim = SimulatedPrinter(clock=clock, seed=5, job_duration=1000, name="bench")
    sim.start_job("Local/benchy.gcode")
    async with serve(sim, cameras=False) as server:
        endpoint = server.endpoints[0]
        printer = AsyncPrinter(
            endpoint.host, port=endpoint.port, password=endpoint.password, name="left-1"
        )
        kinds = []
        async with printer, Notifier([receiver.url()]) as notifier:
            events = printer.watch(interval=0.02, backoff_cap=0.1, until_done=True)
            async with contextlib.aclosing(events):
                async for seen in events:
                    notifier.submit(seen)
                    kinds.append(seen.kind)
                    if seen.kind is EventKind.INITIAL:
                        clock.advance(250)
                        sim.faults.busy("10003", count=3, path="/v1/job/currentjob")
                        sim.faults.drop(count=2, path="/v1/job/currentjob")
                        sim.pause()
                    elif seen.kind is EventKind.PAUSED:
                        sim.faults.busy("500", count=2, path="/v1/job/currentjob")
                        sim.resume()
                    elif seen.kind is EventKind.RESUMED:
                        clock.advance(2000)
        assert notifier.counts == {"sent": 2}
    assert len(sim.faults.fired) == 7  # every fault was met, and ridden out
    assert kinds == [EventKind.INITIAL, EventKind.PAUSED, EventKind.RESUMED, EventKind.COMPLETED]
    assert receiver.titles() == ["left-1 paused", "left-1 completed a job"]
    paused, completed = receiver.bodies
    assert paused["message"] == "Printer left-1 paused. File Local/benchy.gcode, 25% done."
    assert completed["message"].endswith("File Local/benchy.gcode, 100% done.")
    assert (paused["type"], completed["type"]) == ("warning", "success")


async def test_offline_and_online_are_notified_once_each_naming_the_last_file(receiver):
    """An outage past the grace period is one offline and one online notification."""
    sim = SimulatedPrinter(clock=ManualClock(), seed=6)
    sim.start_job("Local/benchy.gcode")
    async with serve(sim, cameras=False) as server:
        endpoint = server.endpoints[0]
        printer = AsyncPrinter(endpoint.host, port=endpoint.port, password=endpoint.password)
        async with printer, Notifier([receiver.url()]) as notifier:
            events = printer.watch(interval=0.02, offline_after=0.1, backoff_cap=0.05)
            async with contextlib.aclosing(events):
                async for seen in events:
                    notifier.submit(seen)
                    if seen.kind is EventKind.INITIAL:
                        sim.faults.service_unavailable(duration=0.4)
                    elif seen.kind is EventKind.ONLINE:
                        break
    name = printer.name
    assert receiver.titles() == [f"{name} is offline", f"{name} is back online"]
    assert "File Local/benchy.gcode, 0% done." in receiver.bodies[0]["message"]
    assert "no server" in receiver.bodies[0]["message"]


async def test_the_rate_limit_holds_each_printer_to_five_in_ten_minutes(receiver, caplog):
    """The sixth notification of a printer within 600 s is dropped and logged; others go on."""
    now = [0.0]
    other = AsyncPrinter.__new__(AsyncPrinter)
    other.name = "left-2"
    async with Notifier([receiver.url()], clock=lambda: now[0]) as notifier:
        for second in range(7):
            now[0] = second
            notifier.submit(event(EventKind.PAUSED))
        notifier.submit(event(EventKind.PAUSED, printer=other))
        now[0] = 601.0  # the first ones left the window
        notifier.submit(event(EventKind.COMPLETED, JobStatus.COMPLETED))
    assert notifier.counts == {"sent": 7, "rate_limited": 2}
    assert receiver.titles().count("left-1 paused") == 5
    assert receiver.titles()[-2:] == ["left-2 paused", "left-1 completed a job"]
    assert caplog.text.count("over its limit of 5 notifications in 600 s") == 2


async def test_a_failing_service_is_logged_without_its_url_and_the_rest_goes_on(receiver, caplog):
    """A 500 from the service is a logged failure; no log line holds the URL's secret parts."""
    caplog.set_level(logging.DEBUG)
    receiver.status = 500
    url = f"json://127.0.0.1:{receiver.port}/{SECRET}?token={SECRET}x"
    async with Notifier([url]) as notifier:
        notifier.submit(event(EventKind.PAUSED))
        notifier.submit(event(EventKind.COMPLETED, JobStatus.COMPLETED))
    assert notifier.counts == {"failed": 2}
    assert len(receiver.bodies) == 2  # both were tried, neither twice
    assert "notifying that left-1 paused failed" in caplog.text
    assert any(record.name == "apprise" for record in caplog.records)  # Apprise did log it
    assert SECRET not in caplog.text


async def test_an_unreachable_service_never_raises_into_the_watch(caplog):
    """A service that refuses connections costs a log line; submit() and the block succeed."""
    dead = Receiver()
    dead.close()
    async with Notifier([dead.url()]) as notifier:
        notifier.submit(event(EventKind.STOPPED, JobStatus.STOPPED))
    assert notifier.counts == {"failed": 1}
    assert "stopped a job failed" in caplog.text


def test_a_url_apprise_does_not_know_is_refused_without_showing_it(caplog):
    """An unknown scheme is a ValueError naming its position and scheme, never the URL."""
    with pytest.raises(ValueError, match=r"URL #2 \(nosuch://\) is not one Apprise knows") as info:
        Notifier(["json://127.0.0.1:1/x", f"nosuch://{SECRET}@host"])
    assert SECRET not in str(info.value)
    assert SECRET not in caplog.text


def test_unknown_event_names_are_refused():
    """on= takes only the names of NOTIFY_KINDS."""
    with pytest.raises(ValueError, match="unknown event names \\['finished'\\]"):
        Notifier(on={"completed", "finished"})


async def test_submit_never_blocks_and_a_full_queue_drops(receiver):
    """With the queue full, further notifications are dropped and counted, not waited for."""
    receiver.delay = 0.2
    async with Notifier([receiver.url()], queue=1) as notifier:
        for kind in (EventKind.PAUSED, EventKind.STOPPED, EventKind.ERROR):
            notifier.submit(event(kind, JobStatus.PAUSED))
        assert notifier.counts == {"dropped": 2}
    assert notifier.counts == {"dropped": 2, "sent": 1}


async def test_unwanted_kinds_are_not_sent_and_without_urls_nothing_is(receiver):
    """Only the kinds in on= are sent; a notifier without URLs accepts events and is quiet."""
    async with Notifier([receiver.url()], on={"completed"}) as notifier:
        notifier.submit(event(EventKind.PAUSED))
        notifier.submit(event(EventKind.INITIAL, JobStatus.RUNNING))
        notifier.submit(event(EventKind.COMPLETED, JobStatus.COMPLETED))
    async with Notifier() as quiet:
        quiet.submit(event(EventKind.COMPLETED, JobStatus.COMPLETED))
    assert receiver.titles() == ["left-1 completed a job"]
    assert not quiet.enabled
    assert quiet.counts == {}


async def test_an_error_notification_names_the_error_without_secrets(receiver):
    """submit_error() sends what ended the watch, in the library's own words."""
    wrong = AuthenticationError(
        "wrong access password: set it on the printer", code=10000, msg="sign error", endpoint="x"
    )
    async with Notifier([receiver.url()]) as notifier:
        notifier.submit(event(EventKind.PAUSED))
        notifier.submit_error(PRINTER, wrong)
    assert receiver.titles()[-1] == "left-1 is no longer watched"
    assert receiver.bodies[-1]["message"] == (
        "Printer left-1 is no longer watched. File Local/benchy.gcode, 42% done. "
        "wrong access password: set it on the printer"
    )
    assert receiver.bodies[-1]["type"] == "failure"


async def test_a_failure_in_the_block_still_sends_what_was_queued(receiver):
    """An exception leaving the block waits for the queue; the exception comes out as itself."""

    async def fail() -> None:
        async with Notifier([receiver.url()]) as notifier:
            notifier.submit(event(EventKind.PAUSED))
            raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        await fail()
    assert receiver.titles() == ["left-1 paused"]


async def test_a_cancelled_block_leaves_at_once(receiver):
    """Cancellation does not wait for a slow service."""
    receiver.delay = 1.0
    with anyio.move_on_after(0.2) as scope:
        async with Notifier([receiver.url()]) as notifier:
            notifier.submit(event(EventKind.PAUSED))
            await anyio.sleep_forever()
    assert scope.cancelled_caught
    assert notifier.counts == {}


def test_event_names_follow_what_happened_to_the_job():
    """A job first seen completed is a completion; the default set is the one documented."""
    assert event_name(event(EventKind.NEW_JOB, JobStatus.COMPLETED)) == "completed"
    assert event_name(event(EventKind.NEW_JOB, JobStatus.STOPPED)) == "stopped"
    assert event_name(event(EventKind.NEW_JOB, None)) == "new_job"
    assert event_name(event(EventKind.RESUMED, JobStatus.RUNNING)) == "resumed"
    assert {"completed", "paused", "stopped", "offline", "online", "error"} == DEFAULT_NOTIFY_ON
