"""``printer-async demo``: a simulated printer, a real client over HTTP, a job watched to its end.

Everything runs in one asyncio loop: the simulator (:func:`printer_async.simulator.serve`, uvicorn
on a free port of 127.0.0.1), an :class:`~printer_async.AsyncPrinter` talking to it over a real
socket, the watch, and a small director that plays the part of the people and the printer: it
pauses the job as if on the touch screen, resumes it through the API, and makes the printer answer
"busy" for a few requests. Nothing is faked on the client's side: every line the watch prints
comes from an HTTP answer, and the back-off is the watch's own.

The simulated printer runs ``speed`` times faster than real time, and the poll interval, the pause
and the back-off cap are scaled with it, so the same story plays at any speed: by default a
one-hour print takes 15 seconds and the whole demo under 20.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING, Final

import anyio
import attrs

from printer_async._client import AsyncPrinter
from printer_async._orchestration.watch import EventKind, watch_jobs
from printer_async.cli._render import PollReporter, format_duration
from printer_async.simulator import ScaledClock, SimulatedPrinter, serve

if TYPE_CHECKING:
    from collections.abc import Callable

    from printer_async.cli._render import JobView

__all__ = ["DEFAULT_SPEED", "DemoResult", "run_demo", "summary"]

DEFAULT_SPEED: Final = 240.0
"""Simulated seconds per real second: the one-hour print takes 15 s."""
JOB_SECONDS: Final = 3600
"""The demo print's length, in simulated seconds."""
FILE: Final = "Local/benchy.gcode"
POLL_SECONDS: Final = 60.0
"""Simulated seconds between polls (a real printer would be polled every few seconds)."""
MIN_INTERVAL: Final = 0.05
"""The shortest real poll interval, however fast the simulation runs."""
PAUSE_AT: Final = 30.0
"""Percent at which the job is paused."""
PAUSE_SECONDS: Final = 480.0
"""Simulated seconds the job stays paused."""
BUSY_AT: Final = 50.0
"""Percent at which the printer starts answering busy."""
BUSY_ANSWERS: Final = 4
"""How many requests the printer answers with 10003 busy."""
BACKOFF_CAP_POLLS: Final = 8
"""The back-off cap, in poll intervals: the busy spell costs at most a few seconds."""
_NOT_STATES: Final = frozenset({EventKind.PROGRESS, EventKind.OFFLINE, EventKind.ONLINE})


@attrs.frozen
class DemoResult:
    """What the demo saw, and what really happened.

    Attributes:
        seen: The job statuses the watch reported, in order.
        truth: The job statuses the simulated printer went through (its ground-truth log).
        failed_polls: Polls that got a busy (or other failed) answer and were backed off.
        seconds: Real seconds the demo took.
    """

    seen: list[str]
    truth: list[str]
    failed_polls: int
    seconds: float

    @property
    def completed(self) -> bool:
        """Whether the watch saw the job complete."""
        return bool(self.seen) and self.seen[-1] == "completed"


async def _until(condition: Callable[[], bool], period: float) -> None:
    while not condition():  # noqa: ASYNC110 - the simulator's state is a plain object, no event
        await anyio.sleep(period)


async def _direct(
    simulated: SimulatedPrinter,
    printer: AsyncPrinter,
    view: JobView,
    *,
    interval: float,
    hold: float,
) -> None:
    """Play the people and the printer: pause, resume, and a busy spell."""
    await _until(lambda: simulated.progress >= PAUSE_AT, interval / 2)
    view.note("demo: someone presses pause on the printer's touch screen", style="cyan")
    simulated.pause()
    await anyio.sleep(hold)
    view.note(
        'demo: resuming through the API: POST /job/currentjob/set {"operate": "resume"}',
        style="cyan",
    )
    await printer.resume_job()
    await _until(lambda: simulated.progress >= BUSY_AT, interval / 2)
    view.note(
        f"demo: the printer now answers the next {BUSY_ANSWERS} requests with 10003 busy",
        style="cyan",
    )
    simulated.faults.busy("10003", count=BUSY_ANSWERS)


async def run_demo(view: JobView, *, speed: float = DEFAULT_SPEED) -> DemoResult:
    """Run the demo, showing it on ``view``; :func:`summary` says how it went.

    Args:
        view: Where events and narration go.
        speed: Simulated seconds per real second.

    Returns:
        What the watch saw and what the simulated printer did.

    Raises:
        PrinterError: The client failed in a way the watch does not ride out (a bug).
        OSError: No loopback port could be bound.
    """
    begin = anyio.current_time()
    interval = max(POLL_SECONDS / speed, MIN_INTERVAL)
    hold = max(PAUSE_SECONDS / speed, 4 * interval)  # long enough for two polls to see it
    # A fresh password each run, never shown: the client logs in with it like with a printer.
    password = secrets.token_urlsafe(12)
    simulated = SimulatedPrinter(
        password=password, clock=ScaledClock(speed), job_duration=JOB_SECONDS, name="demo"
    )
    async with serve(simulated) as server:
        endpoint = server.endpoints[0]
        view.note(
            f"demo: a simulated Raise3D printer listens on {endpoint.base_url}; at {speed:g}x "
            f"speed its {format_duration(JOB_SECONDS)} print takes about "
            f"{JOB_SECONDS / speed:.0f} s",
            style="cyan",
        )
        async with AsyncPrinter(endpoint.host, port=endpoint.port, password=password) as printer:
            await printer.login()
            view.note(
                f"demo: AsyncPrinter logged in over HTTP; starting {FILE} and watching it "
                f"(a poll every {interval:.2f} s)",
                style="cyan",
            )
            await printer.start_job(FILE)
            reporter = PollReporter(view)
            events = watch_jobs(
                printer.current_job,
                on_poll=reporter,
                printer=printer,
                interval=interval,
                progress_step=view.progress_step,
                until_done=True,
                backoff_cap=BACKOFF_CAP_POLLS * interval,
            )
            seen: list[str] = []
            async with anyio.create_task_group() as task_group:
                task_group.start_soon(
                    lambda: _direct(simulated, printer, view, interval=interval, hold=hold)
                )
                async with contextlib.aclosing(events):
                    async for event in events:
                        view.event(event)
                        if event.kind not in _NOT_STATES:
                            seen.append(str(event.current))
                task_group.cancel_scope.cancel()
    truth = [transition.current for transition in simulated.transitions]
    return DemoResult(
        seen=seen,
        truth=truth,
        failed_polls=reporter.failed_polls,
        seconds=anyio.current_time() - begin,
    )


def summary(result: DemoResult) -> str:
    """The demo's last line: what the watch saw beside what the simulated printer did."""
    return (
        f"demo: done in {result.seconds:.1f} s. The watch reported {' -> '.join(result.seen)}; "
        f"the simulated printer's own log says {' -> '.join(result.truth)}; "
        f"{result.failed_polls} busy polls were ridden out with back-off."
    )
