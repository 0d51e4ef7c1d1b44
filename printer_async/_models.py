"""The values printer-async returns: frozen attrs classes and enums, in Python names and units.

Wire spellings (``Serial_number``, ``printed_used_filament_0`` ...) live only in ``_convert.py``.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["CurrentJob", "JobListEntry", "JobStatus", "RunningStatus", "Statistics"]


class _TolerantEnum(enum.StrEnum):
    """A string enum whose unknown values become ``UNKNOWN``, so new firmware breaks nothing."""

    @classmethod
    def _missing_(cls, value: object) -> _TolerantEnum:  # noqa: ARG003 - any value maps
        return cls["UNKNOWN"]


class JobStatus(_TolerantEnum):
    """The state of the current job, as ``/job/currentjob`` reports it."""

    PAUSED = "paused"
    RUNNING = "running"
    COMPLETED = "completed"
    STOPPED = "stopped"
    UNKNOWN = "unknown"


class RunningStatus(_TolerantEnum):
    """The state of the printer, as ``/printer/runningstatus`` reports it."""

    IDLE = "idle"
    PAUSED = "paused"
    RUNNING = "running"
    BUSY = "busy"
    """Someone is operating the printer, or it is pausing, resuming, recovering or stopping."""
    COMPLETED = "completed"
    """The printer is showing the completed view."""
    ERROR = "error"
    """The serial port is disconnected or the printer is in safe mode."""
    UNKNOWN = "unknown"


@attrs.frozen(kw_only=True)
class CurrentJob:
    """The job the printer is printing or printed last (``GET /job/currentjob``).

    An idle printer answers with an empty ``file_name`` and ``job_id``; :attr:`has_job` tells.
    """

    file_name: str
    """Path of the printed file, like ``Local/a.gcode``; empty when there is no job."""
    print_progress: float
    """Progress in percent, 0-100."""
    printed_layer: int
    total_layer: int
    printed_time: int
    """Seconds printed so far."""
    total_time: int
    """Estimated total print time in seconds."""
    job_id: str
    """Distinguishes jobs; empty when there is no job."""
    job_status: JobStatus

    @property
    def remaining_time(self) -> int:
        """Estimated seconds left: ``total_time - printed_time``, never negative."""
        return max(self.total_time - self.printed_time, 0)

    @property
    def has_job(self) -> bool:
        """Whether a job is loaded (the idle printer reports empty ``job_id`` and ``file_name``)."""
        return bool(self.job_id or self.file_name)


@attrs.frozen(kw_only=True)
class Statistics:
    """Totals over every successfully printed file (``GET /dashboard/statistics``)."""

    printed_file_num: int
    """Number of successfully printed files."""
    printed_total_time: int
    """Seconds spent on successfully printed files."""
    printed_used_filament: float
    """Grams of filament used, both nozzles together."""
    printed_used_filament_left: float
    """Grams of filament used by the left nozzle."""
    printed_used_filament_right: float | None = None
    """Grams of filament used by the right nozzle; ``None`` on a single-nozzle printer."""


@attrs.frozen(kw_only=True)
class JobListEntry:
    """One job of the dashboard's job history (``GET /dashboard/joblist``)."""

    file_name: str
    job_id: str
    job_index: int
    """Position in the job history; pass it with ``job_id`` to get the job's details."""
    user_tag: str
