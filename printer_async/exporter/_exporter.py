"""The exporter: watch a fleet, keep its latest state, serve it to Prometheus.

One process, four kinds of work in one task group:

* the fleet's watch (one poll of ``/job/currentjob`` per printer per interval), whose reports
  and events update :class:`FleetMetrics`, and whose events go to the notifier;
* the slow polls of temperatures and rates (``details_interval``) and statistics
  (``statistics_interval``, and soon after a job ends), each request made through
  :meth:`Fleet.request`, so a printer still gets one request at a time;
* re-reading the fleet file when it changes (when the exporter was given one);
* the HTTP server, which reads :class:`FleetMetrics` and never a printer.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
from typing import TYPE_CHECKING, Final, Literal

import anyio

from printer_async._client import AsyncPrinter
from printer_async._errors import PrinterError
from printer_async._orchestration.watch import DEFAULT_INTERVAL, DEFAULT_OFFLINE_AFTER
from printer_async.exporter._metrics import FleetMetrics
from printer_async.exporter._server import MetricsApp, serve

if TYPE_CHECKING:
    import socket

    from anyio.abc import TaskGroup, TaskStatus

    from printer_async._models import NozzleInfo
    from printer_async._orchestration.fleet import Fleet
    from printer_async.exporter._fleetfile import FleetFile
    from printer_async.notify import Notifier

__all__ = [
    "DEFAULT_DETAILS_INTERVAL",
    "DEFAULT_RELOAD_INTERVAL",
    "DEFAULT_STATISTICS_INTERVAL",
    "FleetExporter",
]

_log = logging.getLogger("printer_async.exporter")

DEFAULT_DETAILS_INTERVAL: Final = 30.0
"""Seconds between two reads of a printer's temperatures, fan, feed and flow rates."""

DEFAULT_STATISTICS_INTERVAL: Final = 300.0
"""Seconds between two reads of a printer's lifetime statistics.

They change only when a job ends, and the exporter reads them again at its next slow poll
after a ``completed`` or ``stopped`` event anyway: a long interval costs no freshness.
"""

DEFAULT_RELOAD_INTERVAL: Final = 5.0
"""Seconds between two looks at the fleet file's modification time."""

_MAX_SCHEDULER_TICK: Final = 1.0
"""The slow polls' scheduler looks for due printers at least this often (seconds)."""


class FleetExporter:
    """Watches a fleet and keeps the latest state of every printer, for Prometheus.

    ::

        async with Fleet.from_toml("printers.toml") as fleet:
            exporter = FleetExporter(fleet)
            await exporter.run(bind("127.0.0.1", 9877))  # until cancelled

    Args:
        fleet: The printers. The exporter watches it (so nothing else may, at the same time).
        interval: Seconds between two polls of a printer's current job.
        details_interval: Seconds between two reads of a printer's temperatures and rates;
            0 for none.
        statistics_interval: Seconds between two reads of its statistics (also read soon
            after a job ends); 0 for none.
        offline_after: Seconds of unreachability before a printer is reported offline.
        notifier: Sends the notifications asked for; entered and left by :meth:`run`.
        fleet_file: The file the fleet's printers were read from (``await fleet_file.read()``):
            re-read when it changes, adding, replacing and removing printers to match.
        reload_interval: Seconds between two looks at the file.

    Attributes:
        metrics: The latest state, which every scrape reads.

    Raises:
        ValueError: An interval out of range.
    """

    def __init__(
        self,
        fleet: Fleet,
        *,
        interval: float = DEFAULT_INTERVAL,
        details_interval: float = DEFAULT_DETAILS_INTERVAL,
        statistics_interval: float = DEFAULT_STATISTICS_INTERVAL,
        offline_after: float = DEFAULT_OFFLINE_AFTER,
        notifier: Notifier | None = None,
        fleet_file: FleetFile | None = None,
        reload_interval: float = DEFAULT_RELOAD_INTERVAL,
    ) -> None:
        if not details_interval >= 0 or not statistics_interval >= 0 or not reload_interval > 0:
            raise ValueError("the slow intervals must be 0 or more seconds, reloads more than 0")
        self._fleet = fleet
        self._interval = interval
        self._offline_after = offline_after
        self._details_interval = float(details_interval)
        self._statistics_interval = float(statistics_interval)
        self._notifier = notifier
        self._fleet_file = fleet_file
        self._reload_interval = float(reload_interval)
        self._statistics_due: dict[str, float] = {}
        self._rng = random.Random()
        self.metrics = FleetMetrics()
        self.metrics.track(printer.name for printer in fleet)
        if notifier is not None:
            self.metrics.notifications = notifier.counts
        # Checked now rather than when the watch starts in a task.
        fleet.watch(interval=interval, offline_after=offline_after)

    def render(self, target: str | None = None) -> bytes:
        """The text a scrape of ``/metrics`` (or ``/probe?target=...``) would get now.

        Raises:
            KeyError: ``target`` names no printer.
        """
        return self.metrics.render(only=target)

    async def run(
        self,
        sock: socket.socket | None = None,
        *,
        task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        """Watch, poll, re-read, and serve on ``sock`` (if given), until cancelled.

        Serving needs asyncio (uvicorn); without ``sock`` it runs under trio too. It returns
        when the fleet is closed.

        Args:
            sock: A bound socket (:func:`bind`) to serve ``/metrics`` on; closed at the end.
            task_status: Reports when the watch is running (``await task_group.start(...)``).
        """
        async with contextlib.AsyncExitStack() as stack:
            if sock is not None:
                stack.callback(sock.close)  # once the server in the task group has stopped
            if self._notifier is not None:
                await stack.enter_async_context(self._notifier)
            task_group = await stack.enter_async_context(anyio.create_task_group())
            if sock is not None:
                task_group.start_soon(serve, MetricsApp(self.metrics), sock)
            if self._details_interval or self._statistics_interval:
                task_group.start_soon(self._slow_polls, task_group)
            if self._fleet_file is not None:
                task_group.start_soon(self._reload_loop)
            watch = self._fleet.watch(
                interval=self._interval,
                offline_after=self._offline_after,
                on_poll=self.metrics.poll,
            )
            async with watch as events:
                task_status.started()
                async for event in events:
                    self.metrics.event(event)
                    if self._notifier is not None:
                        self._notifier.submit(event)
            task_group.cancel_scope.cancel()  # the fleet was closed: nothing left to watch

    # -- slow polls -----------------------------------------------------------------------------

    async def _slow_polls(self, task_group: TaskGroup) -> None:
        """Start each printer's slow poll when it is due, spread over the interval."""
        period = self._details_interval or self._statistics_interval
        tick = min(_MAX_SCHEDULER_TICK, period / 50)
        due: dict[str, float] = {}
        busy: set[str] = set()
        while True:
            now = anyio.current_time()
            names = self.metrics.names
            for name in set(due) - set(names):
                del due[name]
            for name in names:
                if name not in due:
                    due[name] = now + self._rng.uniform(0, period)
                elif now >= due[name] and name not in busy:
                    due[name] = now + period
                    busy.add(name)
                    task_group.start_soon(self._slow_poll, name, busy)
            await anyio.sleep(tick)

    async def _slow_poll(self, name: str, busy: set[str]) -> None:
        """Read one printer's temperatures and rates, and its statistics when due."""
        try:
            if not self.metrics.is_up(name):
                return  # offline, failing or no longer watched: no timeouts to wait for
            request = self._fleet.request
            if not self.metrics.system_known(name):
                self.metrics.details(name, system=await request(name, AsyncPrinter.system_info))
            if self._details_interval:
                basic = await request(name, AsyncPrinter.basic_info)
                nozzles: dict[int, NozzleInfo] = {}
                for index in NOZZLE_INDEXES[: self.metrics.nozzle_count(name)]:
                    nozzles[index] = await request(name, functools.partial(_nozzle, index))
                self.metrics.details(name, basic=basic, nozzles=nozzles)
            if self._statistics_interval and self._statistics_due_now(name):
                statistics = await request(name, AsyncPrinter.statistics)
                self.metrics.details(name, statistics=statistics)
                self._statistics_due[name] = anyio.current_time() + self._statistics_interval
        except PrinterError as exc:
            self.metrics.detail_failed(name, exc)
        except (KeyError, RuntimeError):
            if name in self._fleet and not self._fleet[name].closed:
                raise
            # Removed from the fleet, or the fleet closed, meanwhile: nothing to record.
        finally:
            busy.discard(name)

    def _statistics_due_now(self, name: str) -> bool:
        due = self._statistics_due.get(name)
        return due is None or anyio.current_time() >= due or self.metrics.statistics_stale(name)

    # -- the fleet file -------------------------------------------------------------------------

    async def _reload_loop(self) -> None:
        """Re-read the fleet file once a change has settled (the same for two looks)."""
        assert self._fleet_file is not None  # noqa: S101 - only started with one
        loaded = self._fleet_file.stat()
        seen = loaded
        while True:
            await anyio.sleep(self._reload_interval)
            now = self._fleet_file.stat()
            if now is None or now == loaded:
                seen = now
                continue
            if now != seen:
                seen = now  # still being written, perhaps: look again next time
                continue
            loaded = now
            await self.reload()

    async def reload(self) -> bool:
        """Re-read the fleet file now and make the fleet match it.

        A file that cannot be read or is not valid (half written, a typo) changes nothing:
        the exporter logs it, keeps its printers and reports
        ``raise3d_exporter_config_last_reload_successful 0``.

        Returns:
            Whether the file was read.
        """
        if self._fleet_file is None:
            return False
        before = self._fleet_file.fingerprints
        try:
            entries = await self._fleet_file.read()
        except (OSError, ValueError) as exc:
            self.metrics.config_ok = False
            _log.warning("keeping the printers watched: the fleet file was not read: %s", exc)
            return False
        fleet = self._fleet
        for name in [printer.name for printer in fleet if printer.name not in entries]:
            await fleet.remove(name)
            self._statistics_due.pop(name, None)
        # Known before their first poll can report, so that none is lost.
        self.metrics.track(entries)
        added, replaced = [], []
        after = self._fleet_file.fingerprints
        for name, printer in entries.items():
            if name in fleet and before.get(name) == after[name]:
                await printer.aclose()  # unchanged: keep the running one
                continue
            if name in fleet:
                await fleet.remove(name)
                self._statistics_due.pop(name, None)
                self.metrics.reset(name)  # new settings, a new printer: counted afresh
                replaced.append(name)
            else:
                added.append(name)
            fleet.add(printer)
        self.metrics.config_ok = True
        if added or replaced:
            _log.info("fleet file re-read: %d added, %d changed", len(added), len(replaced))
        return True


NOZZLE_INDEXES: Final[tuple[Literal[1, 2], ...]] = (1, 2)


async def _nozzle(index: Literal[1, 2], printer: AsyncPrinter) -> NozzleInfo:
    return await printer.nozzle(index)
