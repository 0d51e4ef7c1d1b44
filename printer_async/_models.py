"""The values printer-async returns: frozen attrs classes and enums, in Python names and units.

Wire spellings (``Serial_number``, ``printed_used_filament_0`` ...) live only in ``_convert.py``.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime  # noqa: TC003 - attrs/cattrs read the annotation at runtime
from types import MappingProxyType
from typing import Final, Literal

import attrs

__all__ = [
    "DEFAULT_CAMERA_PORT",
    "MANUFACTURER",
    "NO_ESTIMATE_TOTAL_TIME",
    "REDACT_KEYS",
    "SENSITIVE",
    "BasicInfo",
    "CameraInfo",
    "CurrentJob",
    "FileEntry",
    "FileList",
    "JobDetail",
    "JobListEntry",
    "JobStatus",
    "NozzleInfo",
    "PrinterIdentity",
    "PrinterState",
    "RunningStatus",
    "RunningStatusInfo",
    "Statistics",
    "SystemInfo",
]

DEFAULT_CAMERA_PORT: Final = 30216
"""The camera server's port when ``/printer/camera`` does not say."""

NO_ESTIMATE_TOTAL_TIME: Final = 3_600_000
"""The ``total_time`` (seconds, 1,000 hours) a real printer reports, with ``total_layer: 0``,
while it has no estimate: when idle, and for a job that has just started until the printer has
read the file's slicing data (``api/captures/`` in the design notes)."""

MANUFACTURER: Final = "Raise3D"
"""Who makes every printer this API speaks for."""

SENSITIVE: Final = "printer_async.sensitive"
"""The attrs metadata key that marks a field :data:`REDACT_KEYS` must hold: its value is
``"secret"`` (a credential) or ``"identifying"`` (names one printer, its owner or its place on
the network)."""

Sensitivity = Literal["secret", "identifying"]


def _marked(kind: Sensitivity) -> MappingProxyType[str, Sensitivity]:
    return MappingProxyType({SENSITIVE: kind})


_SECRET: Final = _marked("secret")
_IDENTIFYING: Final = _marked("identifying")


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
    Until the printer has an estimate (idle, or a job that has just started), ``total_time`` is
    a placeholder; :attr:`estimate_known` tells, and :attr:`remaining_time` is then ``None``.
    """

    file_name: str
    """Path of the printed file, like ``Local/a.gcode``; empty when there is no job."""
    print_progress: float
    """Progress in percent, 0-100, as the printer computes it: it need not follow the time
    printed (a real Pro2 said 1.1 % when 12 % of the time and 14 % of the layers were done)."""
    printed_layer: int
    total_layer: int
    """Layers of the job; 0 while the printer has not read the file yet."""
    printed_time: int
    """Seconds printed so far."""
    total_time: int
    """Estimated total print time in seconds, as sent: see :attr:`estimate_known` before using
    it (a printer with no estimate yet sends 3,600,000 with ``total_layer`` 0)."""
    job_id: str = attrs.field(metadata=_IDENTIFYING)
    """Distinguishes jobs; empty when there is no job. Identifying: its first two parts look
    like the printer's network (MAC) addresses (``C400AD844745_48E7DAEB839B_...``)."""
    job_status: JobStatus
    """The job's status; a value this version does not know is ``JobStatus.UNKNOWN`` (and
    :attr:`raw_job_status` keeps what the printer sent). Meaningless when :attr:`has_job` is
    false: an idle Pro2 says ``running``."""
    raw_job_status: str = attrs.field(
        default=attrs.Factory(lambda job: str(job.job_status.value), takes_self=True)
    )
    """``job_status`` exactly as the printer sent it, like ``"running"``, even when
    ``job_status`` is ``UNKNOWN``; defaults to ``job_status``'s value."""

    @property
    def has_job(self) -> bool:
        """Whether a job is loaded (the idle printer reports empty ``job_id`` and ``file_name``)."""
        return bool(self.job_id or self.file_name)

    @property
    def estimate_known(self) -> bool:
        """Whether ``total_time`` is a real estimate for a loaded job.

        False when no job is loaded, when ``total_time`` is 0 or less, and while it is the
        firmware's "no estimate yet" placeholder: :data:`NO_ESTIMATE_TOTAL_TIME` (3,600,000 s)
        together with ``total_layer`` 0. The same total with layers known is taken as given.
        """
        placeholder = self.total_time == NO_ESTIMATE_TOTAL_TIME and self.total_layer == 0
        return self.has_job and self.total_time > 0 and not placeholder

    @property
    def remaining_time(self) -> int | None:
        """Estimated seconds left, or ``None`` when there is no estimate.

        ``total_time - printed_time``, never negative, when :attr:`estimate_known`; ``None``
        otherwise (no job, or no estimate yet): never a made-up number.
        """
        if not self.estimate_known:
            return None
        return max(self.total_time - self.printed_time, 0)


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
    job_id: str = attrs.field(metadata=_IDENTIFYING)
    """The job's ``job_id``, as :attr:`CurrentJob.job_id` (identifying)."""
    job_index: int
    """Position in the job history; pass it with ``job_id`` to get the job's details."""
    user_tag: str


@attrs.frozen(kw_only=True)
class SystemInfo:
    """The printer's identity, versions and settings (``GET /printer/system``).

    The identity (``serial_number``, ``machine_id``) and ``nozzle_count`` must be there and
    well-formed. The other fields only describe the printer: one that is missing, of another
    type or unparsable is ``None`` (logged at DEBUG) rather than failing the whole call.
    """

    serial_number: str = attrs.field(metadata=_IDENTIFYING)
    """The serial number, as on the printer's label (the wire spells it ``Serial_number``)."""
    api_version: str | None = None
    battery: float | None = None
    """Battery voltage in volts; a real Pro2 reports 0."""
    brightness: int | None = None
    """Screen brightness."""
    date_time: datetime | None = None
    """The printer's clock, timezone-aware in UTC; ``None`` if it is not in the documented
    form ``2017-08-16 07:08:59``."""
    firmware_version: str | None = None
    language: str | None = None
    machine_id: str = attrs.field(metadata=_IDENTIFYING)
    """A numeric string that identifies the printer: the firmware's own id (20 digits on a real
    Pro2), shown nowhere on the printer; see :attr:`PrinterIdentity.unique_id`."""
    machine_ip: str | None = attrs.field(default=None, metadata=_IDENTIFYING)
    machine_name: str | None = None
    model: str | None = None
    """Like ``Raise3D Pro2``."""
    nozzle_count: int
    """Number of nozzles, 1 or 2 (the wire spells it ``nozzies_num``)."""
    storage_available_kb: int | None = None
    """Free storage in kilobytes (KB, as the vendor documents ``storage_available``; not bytes)."""
    update: str | None = None
    version: str | None = None
    """The printer's system version."""


@attrs.frozen(kw_only=True)
class CameraInfo:
    """Where the printer's camera server is and how to log in to it (``GET /printer/camera``).

    The credentials change at every printer reboot; ask again rather than keeping them.
    """

    is_camera_connected: bool
    server_uri: str | None = attrs.field(default=None, metadata=_IDENTIFYING)
    """Like ``:30216/api/v1/camera/auth_stream`` (relative, port first); the wire spells it
    ``camerserver_URI``. ``None`` when the printer leaves it out (no camera)."""
    user_name: str | None = attrs.field(default=None, metadata=_SECRET)
    """The camera server's user name."""
    password: str | None = attrs.field(default=None, repr=False, metadata=_SECRET)
    """The camera server's password; never shown in ``repr``."""

    @property
    def server_port(self) -> int:
        """The camera server's port, from :attr:`server_uri`, else :data:`DEFAULT_CAMERA_PORT`."""
        match = re.match(r"^[^:/]*:(\d{1,5})(?:/|$)", self.server_uri or "")
        port = int(match.group(1)) if match else 0
        return port if 0 < port < 65536 else DEFAULT_CAMERA_PORT  # noqa: PLR2004 - TCP ports


@attrs.frozen
class RunningStatusInfo:
    """What the printer is doing (``GET /printer/runningstatus``), with the value as sent."""

    running_status: RunningStatus
    """The status; a value this version does not know is ``RunningStatus.UNKNOWN``."""
    raw_running_status: str = attrs.field(
        default=attrs.Factory(lambda info: str(info.running_status.value), takes_self=True)
    )
    """``running_status`` exactly as the printer sent it, even when it is ``UNKNOWN``."""


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


@attrs.frozen(kw_only=True)
class PrinterIdentity:
    """Who a printer is, for a device registry: :meth:`AsyncPrinter.identify`'s answer.

    Built from :class:`SystemInfo` by :meth:`from_system_info`. In Home Assistant's terms:
    ``identifiers={(DOMAIN, identity.unique_id)}``, and the other fields fill the
    ``DeviceInfo`` of the same names (``firmware_version`` fits ``hw_version``).
    """

    unique_id: str = attrs.field(metadata=_IDENTIFYING)
    """The printer's one stable id: its serial number.

    The serial number is printed on the printer's label, so a user can tell which entry is
    which printer, and it survives what an address does not: a new IP address, a new network,
    a proxy in front. ``machine_id`` is the firmware's own id (``17446916158712584660`` on the
    real Pro2 of the captures, beside its serial ``10132021017``): shown nowhere on the
    printer, and nothing documents what keeps it (a firmware update, a reset). When a printer
    reports an empty serial number, ``machine_id`` stands in.
    """
    manufacturer: str = MANUFACTURER
    """Always ``"Raise3D"``."""
    model: str | None
    """Like ``Raise3D Pro2``; ``None`` when the printer does not say."""
    name: str
    """The printer's machine name (Machine > Settings on its screen; ``Raise3D`` from the
    factory), else the name given to :class:`AsyncPrinter`."""
    serial_number: str = attrs.field(metadata=_IDENTIFYING)
    """As :attr:`SystemInfo.serial_number`."""
    sw_version: str | None
    """The printer's system version (:attr:`SystemInfo.version`), like ``1.7.7.1026``."""
    firmware_version: str | None
    """Like ``1.7.0.1008``."""
    api_version: str | None
    """The Remote Access API's version, like ``0.1.0.926``."""

    @classmethod
    def from_system_info(cls, info: SystemInfo, *, name: str | None = None) -> PrinterIdentity:
        """The identity in a ``/printer/system`` answer.

        Args:
            info: The answer.
            name: The name to use when the printer reports no machine name (an
                :class:`AsyncPrinter` passes its own); without one, the model and the serial
                number.
        """
        serial = info.serial_number.strip()
        machine_name = (info.machine_name or "").strip()
        fallback = name or f"{info.model or MANUFACTURER} {serial or info.machine_id}"
        return cls(
            unique_id=serial or info.machine_id,
            model=info.model,
            name=machine_name or fallback,
            serial_number=info.serial_number,
            sw_version=info.version,
            firmware_version=info.firmware_version,
            api_version=info.api_version,
        )


_ACTIVE_JOB: Final = frozenset({JobStatus.RUNNING, JobStatus.PAUSED})
_ENDED_JOB: Final = frozenset({JobStatus.COMPLETED, JobStatus.STOPPED})


@attrs.frozen(kw_only=True)
class PrinterState:
    """A printer's whole state, read at once: :meth:`AsyncPrinter.read_state`'s answer.

    The printer's job and running status can disagree: an idle printer reports
    ``job_status: "running"`` (a real Pro2 does, with an empty job). **The running status
    decides.** A printer whose running status is ``idle`` is idle, whatever the job says:
    :attr:`job_status` is then no running or paused job (``None``, or the last job's
    ``completed`` or ``stopped``), and :attr:`progress` and :attr:`remaining_time` follow it.
    Without a job loaded (:attr:`CurrentJob.has_job` false) there is no job status at all.
    """

    job: CurrentJob
    """``/job/currentjob`` as the printer sent it."""
    running_status: RunningStatusInfo
    """``/printer/runningstatus``."""
    basic: BasicInfo
    """``/printer/basic``: fan, feed rate, heatbed."""
    nozzles: tuple[NozzleInfo, ...]
    """Every nozzle, left first (``/printer/nozzle1``, then ``/printer/nozzle2`` on a printer
    with two)."""

    @property
    def status(self) -> RunningStatus:
        """What the printer is doing: :attr:`RunningStatusInfo.running_status`."""
        return self.running_status.running_status

    @property
    def is_idle(self) -> bool:
        """Whether the printer is idle: its running status says ``idle``, whatever the job says."""
        return self.running_status.running_status is RunningStatus.IDLE

    @property
    def job_status(self) -> JobStatus | None:
        """The job's status once the running status has had its say.

        ``None`` without a job loaded, and for an idle printer whose job claims to run or to
        be paused; otherwise :attr:`CurrentJob.job_status` (an idle printer keeps its last
        job's ``completed`` or ``stopped``).
        """
        job = self.job
        if not job.has_job or (self.is_idle and job.job_status in _ACTIVE_JOB):
            return None
        return job.job_status

    @property
    def is_printing(self) -> bool:
        """Whether a job is running: the job says so and the printer is not idle."""
        return self.job_status is JobStatus.RUNNING

    @property
    def is_paused(self) -> bool:
        """Whether a job is paused: the job says so and the printer is not idle."""
        return self.job_status is JobStatus.PAUSED

    @property
    def progress(self) -> float | None:
        """The job's progress in percent (0-100), or ``None`` when there is no job status."""
        return None if self.job_status is None else self.job.print_progress

    @property
    def remaining_time(self) -> int | None:
        """Seconds left: ``None`` without a job status or an estimate, 0 once the job ended."""
        status = self.job_status
        if status is None:
            return None
        if status in _ENDED_JOB:
            return 0
        return self.job.remaining_time


_ALWAYS_REDACTED: Final = frozenset({"password", "token", "sign"})
"""Secrets no model holds but whatever an integration dumps beside them may: its configuration's
password, a token, a login's signature."""

REDACT_KEYS: Final = _ALWAYS_REDACTED | frozenset(
    field.name
    for cls in (
        CurrentJob,
        Statistics,
        JobListEntry,
        SystemInfo,
        CameraInfo,
        RunningStatusInfo,
        BasicInfo,
        NozzleInfo,
        JobDetail,
        FileEntry,
        FileList,
        PrinterIdentity,
        PrinterState,
    )
    for field in attrs.fields(cls)
    if SENSITIVE in field.metadata
)
"""Field names to hand Home Assistant's ``async_redact_data`` (or any redaction by key), so
that diagnostics made with ``attrs.asdict(...)`` of what printer-async returns hold no secret
and no identifying value.

Secrets: ``password``, ``user_name`` (the camera's credentials), ``token``, ``sign``.
Identifying: ``serial_number``, ``unique_id`` (the serial number), ``machine_id``,
``machine_ip``, ``server_uri``, ``job_id``. Every such field is marked with :data:`SENSITIVE`
in its attrs metadata, and a test holds the models to it. Add your configuration's own keys
(an address, say: ``REDACT_KEYS | {CONF_HOST}``).
"""
