"""The values printer-async returns: frozen attrs classes and enums, in Python names and units.

Wire spellings (``Serial_number``, ``printed_used_filament_0`` ...) live only in ``_convert.py``.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime  # noqa: TC003 - attrs/cattrs read the annotation at runtime
from typing import Final

import attrs

__all__ = [
    "DEFAULT_CAMERA_PORT",
    "BasicInfo",
    "CameraInfo",
    "CurrentJob",
    "FileEntry",
    "FileList",
    "JobDetail",
    "JobListEntry",
    "JobStatus",
    "NozzleInfo",
    "RunningStatus",
    "Statistics",
    "SystemInfo",
]

DEFAULT_CAMERA_PORT: Final = 30216
"""The camera server's port when ``/printer/camera`` does not say."""


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


@attrs.frozen(kw_only=True)
class SystemInfo:
    """The printer's identity, versions and settings (``GET /printer/system``)."""

    serial_number: str
    """The serial number (the wire spells it ``Serial_number``)."""
    api_version: str
    battery: float
    """Battery voltage in volts; some printers report 0."""
    brightness: int
    """Screen brightness."""
    date_time: datetime
    """The printer's clock, timezone-aware in UTC."""
    firmware_version: str
    language: str
    machine_id: str
    """A numeric string that identifies the printer."""
    machine_ip: str
    machine_name: str
    model: str
    """Like ``Raise3D Pro2``."""
    nozzle_count: int
    """Number of nozzles, 1 or 2 (the wire spells it ``nozzies_num``)."""
    storage_available_kb: int
    """Free storage in kilobytes (KB, as the vendor documents ``storage_available``; not bytes)."""
    update: str
    version: str
    """The printer's system version."""


@attrs.frozen(kw_only=True)
class CameraInfo:
    """Where the printer's camera server is and how to log in to it (``GET /printer/camera``).

    The credentials change at every printer reboot; ask again rather than keeping them.
    """

    is_camera_connected: bool
    server_uri: str | None = None
    """Like ``:30216/api/v1/camera/auth_stream`` (relative, port first); the wire spells it
    ``camerserver_URI``. ``None`` when the printer leaves it out (no camera)."""
    user_name: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    """The camera server's password; never shown in ``repr``."""

    @property
    def server_port(self) -> int:
        """The camera server's port, from :attr:`server_uri`, else :data:`DEFAULT_CAMERA_PORT`."""
        match = re.match(r"^[^:/]*:(\d{1,5})(?:/|$)", self.server_uri or "")
        port = int(match.group(1)) if match else 0
        return port if 0 < port < 65536 else DEFAULT_CAMERA_PORT  # noqa: PLR2004 - TCP ports


@attrs.frozen(kw_only=True)
class BasicInfo:
    """Fan, feed rate and heatbed, which do not depend on a nozzle (``GET /printer/basic``)."""

    fan_cur_speed: float
    """Fan speed now, in percent (0-100)."""
    fan_tar_speed: float
    """Fan speed asked for, in percent (0-100)."""
    feed_cur_rate: float
    """Feed rate (speed of the nozzles' moves) now, in percent of normal."""
    feed_tar_rate: float
    """Feed rate asked for, in percent of normal."""
    heatbed_cur_temp: float
    """Heatbed temperature now, in degrees Celsius."""
    heatbed_tar_temp: float
    """Heatbed temperature asked for, in degrees Celsius."""


@attrs.frozen(kw_only=True)
class NozzleInfo:
    """One nozzle's temperatures and flow (``GET /printer/nozzle1`` or ``/printer/nozzle2``)."""

    flow_cur_rate: float
    """Flow (extrusion) rate now, in percent."""
    flow_tar_rate: float
    """Flow (extrusion) rate asked for, in percent."""
    nozzle_cur_temp: float
    """Temperature now, in degrees Celsius."""
    nozzle_tar_temp: float
    """Temperature asked for, in degrees Celsius."""


@attrs.frozen(kw_only=True)
class JobDetail:
    """One job of the history in detail (``GET /dashboard/job``).

    The vendor documents the filament figures in milligrams (while ``/dashboard/statistics``
    says grams); they are passed on unchanged.
    """

    file_name: str
    real_print_time: int
    """Seconds the job really took."""
    estimated_time: int
    """Seconds the job was estimated to take."""
    filament_used_left: float
    """Filament used by the left nozzle, in milligrams as documented (wire ``filament_used_0``)."""
    filament_used_right: float | None = None
    """Filament used by the right nozzle, in milligrams as documented (wire
    ``filament_used_1``); ``None`` when the printer leaves it out."""
    user_tag: str = ""


@attrs.frozen(kw_only=True)
class FileEntry:
    """A print file in a directory listing."""

    file_name: str
    """The file's name, like ``a.gcode``."""
    data_path: str | None = None
    """Path of the file's ``.data`` companion (thumbnail and metadata), like
    ``Local/webapi_store/b.data``; ``None`` when there is none (the wire sends ``""``)."""


@attrs.frozen(kw_only=True)
class FileList:
    """One page of a directory listing (``GET /fileops/list``)."""

    directories: tuple[str, ...]
    """Names of the sub-directories on this page (wire ``dir_list``)."""
    files: tuple[FileEntry, ...]
    """The print files on this page (wire ``file_list``)."""
