"""The fleet's latest state, and the Prometheus metrics read from it.

:class:`FleetMetrics` is written by the exporter as things happen (each poll's report, each
event, each slow poll of temperatures and statistics) and read by :class:`FleetCollector`, a
``prometheus_client`` custom collector, at scrape time. A scrape never asks a printer anything:
it costs no printer I/O, and a scrape while printers are offline answers at once.

What is shown for a printer:

* ``raise3d_up`` from its last poll, and the counters, always;
* its job, temperatures and statistics while it is watched and not reported offline: the
  values of a printer that stopped answering are gone, not frozen (a dashboard must not count
  an unplugged printer as printing). A single failed poll (busy) keeps the last values.
"""

from __future__ import annotations

import bisect
import collections
import math
import platform
from importlib.metadata import version
from typing import TYPE_CHECKING, Final

import attrs
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)

from printer_async._watch import EventKind
from printer_async.notify import NOTIFY_KINDS, event_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from printer_async._errors import PrinterError
    from printer_async._models import BasicInfo, CurrentJob, NozzleInfo, Statistics, SystemInfo
    from printer_async._watch import JobEvent, PollReport

__all__ = ["DURATION_BUCKETS", "JOB_STATUSES", "FleetCollector", "FleetMetrics"]

DURATION_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds, in seconds, of the poll duration histogram's buckets (``+Inf`` is added)."""

JOB_STATUSES: Final = ("idle", "running", "paused", "completed", "stopped", "unknown")
"""The values of ``raise3d_job_status``'s ``status`` label: ``idle`` when no job is shown."""

NOZZLES: Final = {1: "left", 2: "right"}
"""The ``nozzle`` label of nozzle 1 and 2."""

_NO_ESTIMATE_TOTAL_TIME: Final = 3_600_000
"""The total a printer reports (with 0 layers) while it has no estimate."""

_ENDED: Final = frozenset({"completed", "stopped"})


def _remaining(job: CurrentJob) -> float | None:
    """Seconds left, or ``None`` while the printer has no estimate (never the placeholder)."""
    known = getattr(job, "estimate_known", None)
    if known is None:  # a CurrentJob from before estimate_known
        placeholder = job.total_time == _NO_ESTIMATE_TOTAL_TIME and job.total_layer == 0
        known = job.total_time > 0 and not placeholder
    if not known:
        return None
    remaining: int | None = job.remaining_time
    return remaining


@attrs.define(eq=False)
class _Printer:
    """What the exporter knows of one printer."""

    up: bool | None = None
    """Whether the last poll got a good answer; ``None`` before the first poll ends."""
    offline: bool = False
    """Reported offline by the watch (unreachable past its grace period), until back online."""
    ended: bool = False
    """Its watch ended with an error (a wrong password): no longer polled."""
    job: CurrentJob | None = None
    system: SystemInfo | None = None
    basic: BasicInfo | None = None
    nozzles: dict[int, NozzleInfo] = attrs.field(factory=dict)
    statistics: Statistics | None = None
    statistics_stale: bool = True
    """A job ended since the statistics were read: read them again at the next chance."""
    polls: int = 0
    backoffs: int = 0
    errors: collections.Counter[str] = attrs.field(factory=collections.Counter)
    detail_errors: collections.Counter[str] = attrs.field(factory=collections.Counter)
    events: collections.Counter[str] = attrs.field(factory=collections.Counter)

    @property
    def shown(self) -> bool:
        """Whether its state (job, temperatures, statistics) is current enough to show."""
        return not (self.offline or self.ended)


class FleetMetrics:
    """The latest state of every printer an exporter watches, as metrics read it.

    Every method is synchronous and cheap: they are called from the watch's own task (as
    ``on_poll``), from the loop that reads events, and from scrapes, all in one event loop.

    Attributes:
        notifications: Counts of the notifier's outcomes (``sent``, ``failed``...), if any.
        config_ok: Whether the fleet file was last read without error; ``None`` without a file.
    """

    def __init__(self) -> None:
        self._printers: dict[str, _Printer] = {}
        self._buckets = [0] * (len(DURATION_BUCKETS) + 1)
        self._duration_sum = 0.0
        self.notifications: Mapping[str, int] | None = None
        self.config_ok: bool | None = None
        self._build = {"version": version("printer-async"), "python": platform.python_version()}

    # -- writing --------------------------------------------------------------------------------

    def track(self, names: Iterable[str]) -> None:
        """Know exactly these printers: new ones start empty, the others are forgotten."""
        wanted = list(names)
        for name in set(self._printers) - set(wanted):
            del self._printers[name]
        for name in wanted:
            self._printers.setdefault(name, _Printer())

    def reset(self, name: str) -> None:
        """Start a printer afresh (its fleet file entry changed): counters from 0, no state."""
        if name in self._printers:
            self._printers[name] = _Printer()

    def __contains__(self, name: object) -> bool:
        return name in self._printers

    def _get(self, name: str) -> _Printer | None:
        return self._printers.get(name)

    def poll(self, report: PollReport) -> None:
        """Record one poll of the current job (the fleet watch's ``on_poll``)."""
        printer = self._get(report.printer.name)
        if printer is None:
            return  # removed from the fleet while its poll was in flight
        printer.polls += 1
        index = bisect.bisect_left(DURATION_BUCKETS, report.duration)
        self._buckets[index] += 1
        self._duration_sum += report.duration
        if report.error is None:
            printer.up = True
            printer.job = report.job
            return
        printer.up = False
        printer.errors[type(report.error).__name__] += 1
        if report.backoff:
            printer.backoffs += 1

    def event(self, event: JobEvent) -> None:
        """Record one event of the fleet watch."""
        printer = self._get(event.printer.name)
        if printer is None:
            return
        name = event_name(event)
        printer.events[name] += 1  # initial and progress too, but only NOTIFY_KINDS are shown
        if event.kind is EventKind.OFFLINE:
            printer.offline = True
        elif event.kind is EventKind.ONLINE:
            printer.offline = False
        elif event.kind is EventKind.ERROR:
            printer.ended = True
            printer.up = False
        if name in _ENDED:
            printer.statistics_stale = True

    def details(
        self,
        name: str,
        *,
        system: SystemInfo | None = None,
        basic: BasicInfo | None = None,
        nozzles: Mapping[int, NozzleInfo] | None = None,
        statistics: Statistics | None = None,
    ) -> None:
        """Record what a slow poll read: identity, temperatures and rates, statistics."""
        printer = self._get(name)
        if printer is None:
            return
        if system is not None:
            printer.system = system
        if basic is not None:
            printer.basic = basic
        if nozzles is not None:
            printer.nozzles = dict(nozzles)
        if statistics is not None:
            printer.statistics = statistics
            printer.statistics_stale = False

    def detail_failed(self, name: str, error: PrinterError) -> None:
        """Record a slow poll that failed."""
        printer = self._get(name)
        if printer is not None:
            printer.detail_errors[type(error).__name__] += 1

    # -- reading, for the exporter --------------------------------------------------------------

    def is_up(self, name: str) -> bool:
        """Whether the printer answered its last poll and is still watched."""
        printer = self._get(name)
        return printer is not None and bool(printer.up) and printer.shown

    def system_known(self, name: str) -> bool:
        """Whether the printer's identity (model, nozzle count) has been read."""
        printer = self._get(name)
        return printer is not None and printer.system is not None

    def nozzle_count(self, name: str) -> int:
        """How many nozzles the printer has (1 until its identity is read)."""
        printer = self._get(name)
        if printer is None or printer.system is None:
            return 1
        return 2 if printer.system.nozzle_count >= 2 else 1  # noqa: PLR2004 - left and right

    def statistics_stale(self, name: str) -> bool:
        """Whether the printer's statistics are unread, or a job ended since they were read."""
        printer = self._get(name)
        return printer is not None and printer.statistics_stale

    @property
    def names(self) -> list[str]:
        """The printers known, in the order they were tracked."""
        return list(self._printers)

    # -- metrics --------------------------------------------------------------------------------

    def collect(self, only: str | None = None) -> Iterator[Metric]:
        """Every metric family: the whole fleet's, or only one printer's (``only``).

        Raises:
            KeyError: ``only`` names no printer.
        """
        families = _Families()
        if only is not None:
            families.add(only, self._printers[only])
            yield from families.all()
            return
        for name, printer in self._printers.items():
            families.add(name, printer)
        yield from families.all()
        yield from self._own_metrics()

    def _own_metrics(self) -> Iterator[Metric]:
        build = InfoMetricFamily(
            "raise3d_exporter_build", "The exporter's printer-async and Python versions."
        )
        build.add_metric([], self._build)
        yield build
        yield GaugeMetricFamily(
            "raise3d_exporter_printers",
            "Printers this exporter watches (its shard of the fleet file).",
            value=len(self._printers),
        )
        cumulative = 0
        buckets: list[tuple[str, float]] = []
        for bound, count in zip((*DURATION_BUCKETS, math.inf), self._buckets, strict=True):
            cumulative += count
            buckets.append(("+Inf" if bound == math.inf else repr(bound), cumulative))
        yield HistogramMetricFamily(
            "raise3d_exporter_poll_duration_seconds",
            "Seconds a poll of a printer's current job took, waits for the fleet's limits "
            "included.",
            buckets=buckets,
            sum_value=self._duration_sum,
        )
        if self.config_ok is not None:
            yield GaugeMetricFamily(
                "raise3d_exporter_config_last_reload_successful",
                "1 when the fleet file was last read without error, 0 when it was not (the "
                "exporter keeps the printers it had).",
                value=1 if self.config_ok else 0,
            )
        if self.notifications is not None:
            sent = CounterMetricFamily(
                "raise3d_exporter_notifications",
                "Notifications by outcome: sent, failed, rate_limited, dropped.",
                labels=["outcome"],
            )
            for outcome in ("sent", "failed", "rate_limited", "dropped"):
                sent.add_metric([outcome], self.notifications.get(outcome, 0))
            yield sent


class _Families:
    """The per-printer metric families of one scrape, filled one printer at a time."""

    def __init__(self) -> None:
        printer = ["printer"]
        nozzle = ["printer", "nozzle"]
        self.up = GaugeMetricFamily(
            "raise3d_up", "1 when the printer answered its last poll, else 0.", labels=printer
        )
        self.offline = GaugeMetricFamily(
            "raise3d_offline",
            "1 while the printer is reported offline (unreachable past the grace period).",
            labels=printer,
        )
        self.printer_info = InfoMetricFamily(
            "raise3d_printer", "The printer's model and versions.", labels=printer
        )
        self.status = GaugeMetricFamily(
            "raise3d_job_status",
            "1 for the status of the printer's job, 0 for the others; idle: no job shown.",
            labels=["printer", "status"],
        )
        self.job_info = InfoMetricFamily(
            "raise3d_job",
            "The job shown: its file, id and status exactly as the printer sent it.",
            labels=printer,
        )
        self.progress = GaugeMetricFamily(
            "raise3d_job_progress_ratio", "The job's progress, 0 to 1.", labels=printer
        )
        self.printed = GaugeMetricFamily(
            "raise3d_job_printed_seconds", "Seconds the job has printed.", labels=printer
        )
        self.remaining = GaugeMetricFamily(
            "raise3d_job_remaining_seconds",
            "Estimated seconds left; no sample while the printer has no estimate.",
            labels=printer,
        )
        self.layer = GaugeMetricFamily(
            "raise3d_job_printed_layers", "Layers of the job printed.", labels=printer
        )
        self.layers = GaugeMetricFamily(
            "raise3d_job_layers", "Layers of the job; no sample until known.", labels=printer
        )
        self.events = CounterMetricFamily(
            "raise3d_job_events",
            "Events seen by the watch, by kind (started, paused, completed, offline...).",
            labels=["printer", "kind"],
        )
        self.nozzle_temp = GaugeMetricFamily(
            "raise3d_nozzle_temperature_celsius", "Nozzle temperature.", labels=nozzle
        )
        self.nozzle_target = GaugeMetricFamily(
            "raise3d_nozzle_target_temperature_celsius",
            "Nozzle temperature asked for.",
            labels=nozzle,
        )
        self.flow = GaugeMetricFamily(
            "raise3d_flow_rate_ratio", "Flow (extrusion) rate, 1 is normal.", labels=nozzle
        )
        self.flow_target = GaugeMetricFamily(
            "raise3d_flow_target_rate_ratio", "Flow rate asked for, 1 is normal.", labels=nozzle
        )
        self.bed = GaugeMetricFamily(
            "raise3d_heatbed_temperature_celsius", "Heatbed temperature.", labels=printer
        )
        self.bed_target = GaugeMetricFamily(
            "raise3d_heatbed_target_temperature_celsius",
            "Heatbed temperature asked for.",
            labels=printer,
        )
        self.fan = GaugeMetricFamily(
            "raise3d_fan_speed_ratio", "Fan speed, 0 to 1.", labels=printer
        )
        self.fan_target = GaugeMetricFamily(
            "raise3d_fan_target_speed_ratio", "Fan speed asked for, 0 to 1.", labels=printer
        )
        self.feed = GaugeMetricFamily(
            "raise3d_feed_rate_ratio", "Feed rate (speed of moves), 1 is normal.", labels=printer
        )
        self.feed_target = GaugeMetricFamily(
            "raise3d_feed_target_rate_ratio", "Feed rate asked for, 1 is normal.", labels=printer
        )
        self.files = CounterMetricFamily(
            "raise3d_printed_files",
            "Files printed successfully over the printer's life (its statistics).",
            labels=printer,
        )
        self.print_seconds = CounterMetricFamily(
            "raise3d_print_seconds",
            "Seconds spent printing successful files over the printer's life.",
            labels=printer,
        )
        self.filament = CounterMetricFamily(
            "raise3d_filament_used_grams",
            "Grams of filament used by successful prints over the printer's life, per nozzle.",
            labels=nozzle,
        )
        self.polls = CounterMetricFamily(
            "raise3d_exporter_polls", "Polls of the printer's current job.", labels=printer
        )
        self.errors = CounterMetricFamily(
            "raise3d_exporter_poll_errors",
            "Failed polls of the current job, by error class.",
            labels=["printer", "error"],
        )
        self.backoffs = CounterMetricFamily(
            "raise3d_exporter_backoffs",
            "Failed polls after which the next poll was put off beyond the interval.",
            labels=printer,
        )
        self.detail_errors = CounterMetricFamily(
            "raise3d_exporter_detail_errors",
            "Failed slow polls (temperatures, rates, statistics), by error class.",
            labels=["printer", "error"],
        )

    def all(self) -> Iterator[Metric]:
        return iter(vars(self).values())

    def add(self, name: str, printer: _Printer) -> None:
        self._counters(name, printer)
        if printer.shown:
            self._state(name, printer)

    def _counters(self, name: str, printer: _Printer) -> None:
        labels = [name]
        if printer.up is not None:
            self.up.add_metric(labels, 1 if printer.up and printer.shown else 0)
        self.offline.add_metric(labels, 1 if printer.offline else 0)
        self.polls.add_metric(labels, printer.polls)
        self.backoffs.add_metric(labels, printer.backoffs)
        for error, count in printer.errors.items():
            self.errors.add_metric([name, error], count)
        for error, count in printer.detail_errors.items():
            self.detail_errors.add_metric([name, error], count)
        # Every kind from 0, so that increase() sees a printer's first completed job too.
        for kind in NOTIFY_KINDS:
            self.events.add_metric([name, kind], printer.events.get(kind, 0))

    def _state(self, name: str, printer: _Printer) -> None:
        labels = [name]
        if printer.system is not None:
            system = printer.system
            self.printer_info.add_metric(
                labels,
                {
                    "model": system.model,
                    "firmware_version": system.firmware_version,
                    "api_version": system.api_version,
                },
            )
        if printer.job is not None:
            self._job(name, printer.job)
        if printer.basic is not None:
            self._basic(labels, printer.basic)
        for index, nozzle in printer.nozzles.items():
            self._nozzle([name, NOZZLES[index]], nozzle)
        if printer.statistics is not None:
            self._statistics(name, printer.statistics)

    def _job(self, name: str, job: CurrentJob) -> None:
        labels = [name]
        current = job.job_status.value if job.has_job else "idle"
        for status in JOB_STATUSES:
            self.status.add_metric([name, status], 1 if status == current else 0)
        if not job.has_job:
            return
        raw = getattr(job, "raw_job_status", None) or job.job_status.value
        self.job_info.add_metric(
            labels, {"file_name": job.file_name, "job_id": job.job_id, "status": raw}
        )
        if math.isfinite(job.print_progress):
            self.progress.add_metric(labels, min(max(job.print_progress / 100, 0.0), 1.0))
        self.printed.add_metric(labels, job.printed_time)
        remaining = _remaining(job)
        if remaining is not None:
            self.remaining.add_metric(labels, remaining)
        self.layer.add_metric(labels, job.printed_layer)
        if job.total_layer > 0:
            self.layers.add_metric(labels, job.total_layer)

    def _basic(self, labels: list[str], basic: BasicInfo) -> None:
        self.bed.add_metric(labels, basic.heatbed_cur_temp)
        self.bed_target.add_metric(labels, basic.heatbed_tar_temp)
        self.fan.add_metric(labels, basic.fan_cur_speed / 100)
        self.fan_target.add_metric(labels, basic.fan_tar_speed / 100)
        self.feed.add_metric(labels, basic.feed_cur_rate / 100)
        self.feed_target.add_metric(labels, basic.feed_tar_rate / 100)

    def _nozzle(self, labels: list[str], nozzle: NozzleInfo) -> None:
        self.nozzle_temp.add_metric(labels, nozzle.nozzle_cur_temp)
        self.nozzle_target.add_metric(labels, nozzle.nozzle_tar_temp)
        self.flow.add_metric(labels, nozzle.flow_cur_rate / 100)
        self.flow_target.add_metric(labels, nozzle.flow_tar_rate / 100)

    def _statistics(self, name: str, statistics: Statistics) -> None:
        self.files.add_metric([name], statistics.printed_file_num)
        self.print_seconds.add_metric([name], statistics.printed_total_time)
        self.filament.add_metric([name, NOZZLES[1]], statistics.printed_used_filament_left)
        if statistics.printed_used_filament_right is not None:
            self.filament.add_metric([name, NOZZLES[2]], statistics.printed_used_filament_right)


class FleetCollector:
    """A ``prometheus_client`` collector over :class:`FleetMetrics`: the fleet, or one printer.

    Register it in a ``CollectorRegistry`` (or pass it to ``generate_latest``); every
    ``collect()`` reads the latest state, never a printer.

    Args:
        metrics: The state to read.
        printer: Only this printer's metrics (the ``/probe`` of the multi-target pattern).
    """

    def __init__(self, metrics: FleetMetrics, *, printer: str | None = None) -> None:
        self._metrics = metrics
        self._printer = printer

    def collect(self) -> Iterator[Metric]:
        """The metric families, read from the latest state."""
        return self._metrics.collect(self._printer)

    def describe(self) -> list[Metric]:
        """Nothing: the families depend on the state, so a registry must not cache them."""
        return []
