"""The per-printer metric families: one table, read two ways.

Each :class:`Family` says how to read its samples from a printer's state. The table is turned
into ``prometheus_client`` metric families for :class:`FleetCollector` (registries, OpenMetrics,
``/probe``), and written straight into the text exposition format by :func:`write_text` for the
``/metrics`` of a whole farm: ``prometheus_client``'s own writer takes 4-6 µs a sample (200-300 ms
for a thousand printers, with the event loop and so every poll stopped meanwhile), the direct
one about 50 ms (benchmarks/RESULTS.md). The tests hold the two to the same samples, parsed by
``prometheus_client``.
"""

from __future__ import annotations

import collections
import math
from typing import TYPE_CHECKING, Final, Literal, TypeAlias

import attrs
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    InfoMetricFamily,
    Metric,
)

from printer_async.notify import NOTIFY_KINDS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from printer_async._models import (
        BasicInfo,
        CurrentJob,
        NozzleInfo,
        Statistics,
        SystemInfo,
    )

__all__ = ["FAMILIES", "JOB_STATUSES", "NOZZLES", "Family", "PrinterState", "write_text"]

JOB_STATUSES: Final = ("idle", "running", "paused", "completed", "stopped", "unknown")
"""The values of ``raise3d_job_status``'s ``status`` label: ``idle`` when no job is shown."""

NOZZLES: Final = {1: "left", 2: "right"}
"""The ``nozzle`` label of nozzle 1 and 2."""

Samples: TypeAlias = "Sequence[tuple[tuple[str, ...], float]]"
"""A printer's samples of one family: (label values after ``printer``, value) pairs."""


@attrs.define(eq=False)
class PrinterState:
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


@attrs.frozen
class Family:
    """One metric family: its exposition name, type, help, extra labels and how to read it.

    Attributes:
        name: The name as exposed, suffix included (``_total`` for counters, ``_info``).
        kind: ``gauge``, ``counter`` or ``info`` (a gauge of 1 whose labels are the data).
        help: What it measures.
        labels: Label names after ``printer``.
        read: The samples of one printer: (label values after ``printer``, value) pairs.
        always: Shown for a printer that is offline or no longer watched too (``up`` and the
            counters); the others only while its state is current.
    """

    name: str
    kind: Literal["gauge", "counter", "info"]
    help: str
    labels: tuple[str, ...]
    read: Callable[[PrinterState], Samples]
    always: bool = False

    def empty(self) -> Metric:
        """An empty ``prometheus_client`` family of this kind."""
        labels = ["printer", *self.labels]
        if self.kind == "counter":
            return CounterMetricFamily(self.name.removesuffix("_total"), self.help, labels=labels)
        if self.kind == "info":
            return InfoMetricFamily(self.name.removesuffix("_info"), self.help, labels=["printer"])
        return GaugeMetricFamily(self.name, self.help, labels=labels)

    def add(self, family: Metric, printer: str, state: PrinterState) -> None:
        """Add one printer's samples to a family made by :meth:`empty`."""
        for values, value in self.read(state):
            if self.kind == "info":
                family.add_metric([printer], dict(zip(self.labels, values, strict=True)))  # type: ignore[attr-defined]
            else:
                family.add_metric([printer, *values], value)  # type: ignore[attr-defined]


_NONE: Final[Samples] = ()


def _one(value: float) -> Samples:
    return (((), value),)


def _job(state: PrinterState) -> CurrentJob | None:
    job = state.job
    return job if job is not None and job.has_job else None


def _status(state: PrinterState) -> Samples:
    if state.job is None:
        return _NONE
    current = state.job.job_status.value if state.job.has_job else "idle"
    return [((status,), 1 if status == current else 0) for status in JOB_STATUSES]


def _job_info(state: PrinterState) -> Samples:
    job = _job(state)
    if job is None:
        return _NONE
    return (((job.file_name, job.job_id, job.raw_job_status), 1),)


def _progress(state: PrinterState) -> Samples:
    job = _job(state)
    if job is None or not math.isfinite(job.print_progress):
        return _NONE
    return _one(min(max(job.print_progress / 100, 0.0), 1.0))


def _remaining_seconds(state: PrinterState) -> Samples:
    # None without an estimate (the firmware's 3600000 s placeholder): no sample, no made-up ETA.
    remaining = None if state.job is None else state.job.remaining_time
    return _NONE if remaining is None else _one(remaining)


def _job_field(
    read: Callable[[CurrentJob], float], *, positive: bool = False
) -> Callable[[PrinterState], Samples]:
    def samples(state: PrinterState) -> Samples:
        job = _job(state)
        if job is None:
            return _NONE
        value = read(job)
        return _NONE if positive and value <= 0 else _one(value)

    return samples


def _basic(read: Callable[[BasicInfo], float]) -> Callable[[PrinterState], Samples]:
    def samples(state: PrinterState) -> Samples:
        return _NONE if state.basic is None else _one(read(state.basic))

    return samples


def _nozzle(read: Callable[[NozzleInfo], float]) -> Callable[[PrinterState], Samples]:
    def samples(state: PrinterState) -> Samples:
        return [((NOZZLES[index],), read(nozzle)) for index, nozzle in state.nozzles.items()]

    return samples


def _statistics(read: Callable[[Statistics], float]) -> Callable[[PrinterState], Samples]:
    def samples(state: PrinterState) -> Samples:
        return _NONE if state.statistics is None else _one(read(state.statistics))

    return samples


def _filament(state: PrinterState) -> Samples:
    totals = state.statistics
    if totals is None:
        return _NONE
    left = ((NOZZLES[1],), totals.printed_used_filament_left)
    if totals.printed_used_filament_right is None:
        return (left,)
    return (left, ((NOZZLES[2],), totals.printed_used_filament_right))


def _printer_info(state: PrinterState) -> Samples:
    system = state.system
    if system is None:
        return _NONE
    # A field the printer did not send well is None: an empty label, which Prometheus drops.
    values = (system.model, system.firmware_version, system.api_version)
    return ((tuple(value or "" for value in values), 1),)


def _per_error(
    counts: Callable[[PrinterState], collections.Counter[str]],
) -> Callable[[PrinterState], Samples]:
    def samples(state: PrinterState) -> Samples:
        return [((error,), count) for error, count in counts(state).items()]

    return samples


def _events(state: PrinterState) -> Samples:
    # Every kind from 0, so that increase() sees a printer's first completed job too.
    events = state.events
    return [((kind,), events.get(kind, 0)) for kind in NOTIFY_KINDS]


_NOZZLE: Final = ("nozzle",)

FAMILIES: Final = (
    Family(
        "raise3d_up",
        "gauge",
        "1 when the printer answered its last poll, else 0.",
        (),
        lambda s: _NONE if s.up is None else _one(1 if s.up and s.shown else 0),
        always=True,
    ),
    Family(
        "raise3d_offline",
        "gauge",
        "1 while the printer is reported offline (unreachable past the grace period).",
        (),
        lambda s: _one(1 if s.offline else 0),
        always=True,
    ),
    Family(
        "raise3d_printer_info",
        "info",
        "The printer's model and versions.",
        ("model", "firmware_version", "api_version"),
        _printer_info,
    ),
    Family(
        "raise3d_job_status",
        "gauge",
        "1 for the status of the printer's job, 0 for the others; idle: no job shown.",
        ("status",),
        _status,
    ),
    Family(
        "raise3d_job_info",
        "info",
        "The job shown: its file, id and status exactly as the printer sent it.",
        ("file_name", "job_id", "status"),
        _job_info,
    ),
    Family("raise3d_job_progress_ratio", "gauge", "The job's progress, 0 to 1.", (), _progress),
    Family(
        "raise3d_job_printed_seconds",
        "gauge",
        "Seconds the job has printed.",
        (),
        _job_field(lambda job: job.printed_time),
    ),
    Family(
        "raise3d_job_remaining_seconds",
        "gauge",
        "Estimated seconds left; no sample while the printer has no estimate.",
        (),
        _remaining_seconds,
    ),
    Family(
        "raise3d_job_printed_layers",
        "gauge",
        "Layers of the job printed.",
        (),
        _job_field(lambda job: job.printed_layer),
    ),
    Family(
        "raise3d_job_layers",
        "gauge",
        "Layers of the job; no sample until known.",
        (),
        _job_field(lambda job: job.total_layer, positive=True),
    ),
    Family(
        "raise3d_job_events_total",
        "counter",
        "Events seen by the watch, by kind (started, paused, completed, offline...).",
        ("kind",),
        _events,
        always=True,
    ),
    Family(
        "raise3d_nozzle_temperature_celsius",
        "gauge",
        "Nozzle temperature.",
        _NOZZLE,
        _nozzle(lambda nozzle: nozzle.nozzle_cur_temp),
    ),
    Family(
        "raise3d_nozzle_target_temperature_celsius",
        "gauge",
        "Nozzle temperature asked for.",
        _NOZZLE,
        _nozzle(lambda nozzle: nozzle.nozzle_tar_temp),
    ),
    Family(
        "raise3d_flow_rate_ratio",
        "gauge",
        "Flow (extrusion) rate, 1 is normal.",
        _NOZZLE,
        _nozzle(lambda nozzle: nozzle.flow_cur_rate / 100),
    ),
    Family(
        "raise3d_flow_target_rate_ratio",
        "gauge",
        "Flow rate asked for, 1 is normal.",
        _NOZZLE,
        _nozzle(lambda nozzle: nozzle.flow_tar_rate / 100),
    ),
    Family(
        "raise3d_heatbed_temperature_celsius",
        "gauge",
        "Heatbed temperature.",
        (),
        _basic(lambda basic: basic.heatbed_cur_temp),
    ),
    Family(
        "raise3d_heatbed_target_temperature_celsius",
        "gauge",
        "Heatbed temperature asked for.",
        (),
        _basic(lambda basic: basic.heatbed_tar_temp),
    ),
    Family(
        "raise3d_fan_speed_ratio",
        "gauge",
        "Fan speed, 0 to 1.",
        (),
        _basic(lambda basic: basic.fan_cur_speed / 100),
    ),
    Family(
        "raise3d_fan_target_speed_ratio",
        "gauge",
        "Fan speed asked for, 0 to 1.",
        (),
        _basic(lambda basic: basic.fan_tar_speed / 100),
    ),
    Family(
        "raise3d_feed_rate_ratio",
        "gauge",
        "Feed rate (speed of moves), 1 is normal.",
        (),
        _basic(lambda basic: basic.feed_cur_rate / 100),
    ),
    Family(
        "raise3d_feed_target_rate_ratio",
        "gauge",
        "Feed rate asked for, 1 is normal.",
        (),
        _basic(lambda basic: basic.feed_tar_rate / 100),
    ),
    Family(
        "raise3d_printed_files_total",
        "counter",
        "Files printed successfully over the printer's life (its statistics).",
        (),
        _statistics(lambda totals: totals.printed_file_num),
    ),
    Family(
        "raise3d_print_seconds_total",
        "counter",
        "Seconds spent printing successful files over the printer's life.",
        (),
        _statistics(lambda totals: totals.printed_total_time),
    ),
    Family(
        "raise3d_filament_used_grams_total",
        "counter",
        "Grams of filament used by successful prints over the printer's life, per nozzle.",
        _NOZZLE,
        _filament,
    ),
    Family(
        "raise3d_exporter_polls_total",
        "counter",
        "Polls of the printer's current job.",
        (),
        lambda s: _one(s.polls),
        always=True,
    ),
    Family(
        "raise3d_exporter_poll_errors_total",
        "counter",
        "Failed polls of the current job, by error class.",
        ("error",),
        _per_error(lambda s: s.errors),
        always=True,
    ),
    Family(
        "raise3d_exporter_backoffs_total",
        "counter",
        "Failed polls after which the next poll was put off beyond the interval.",
        (),
        lambda s: _one(s.backoffs),
        always=True,
    ),
    Family(
        "raise3d_exporter_detail_errors_total",
        "counter",
        "Failed slow polls (temperatures, rates, statistics), by error class.",
        ("error",),
        _per_error(lambda s: s.detail_errors),
        always=True,
    ),
)
"""Every per-printer family, in the order they are exposed."""


def _escape(value: str) -> str:
    """A label value as the text format writes it (between double quotes)."""
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", r"\\").replace('"', r"\"").replace("\n", r"\n")
    return value


def _number(value: float) -> str:
    """A sample value as the text format writes it."""
    if isinstance(value, int):
        return str(value)
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return "NaN"
    return "+Inf" if value > 0 else "-Inf"


def write_text(printers: Iterable[tuple[str, PrinterState]]) -> str:
    """The per-printer families in the Prometheus text format (0.0.4), written directly."""
    prefixes = [(f'{{printer="{_escape(name)}"', state) for name, state in printers]
    out: list[str] = []
    append = out.append
    for family in FAMILIES:
        name = family.name
        append(f"# HELP {name} {family.help}\n# TYPE {name} ")
        append("gauge\n" if family.kind == "info" else f"{family.kind}\n")
        keys = family.labels
        read = family.read
        always = family.always
        for prefix, state in prefixes:
            if not (always or state.shown):
                continue
            for values, value in read(state):
                labels = "".join(
                    f',{key}="{_escape(text)}"' for key, text in zip(keys, values, strict=True)
                )
                append(f"{name}{prefix}{labels}}} {_number(value)}\n")
    return "".join(out)
