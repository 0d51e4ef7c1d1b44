"""The simulated printer: a pure, thread-safe state model with no I/O.

:class:`SimulatedPrinter` keeps everything a Raise3D printer exposes through the Remote Access
API: tokens, the current job and its progress, the job history and statistics, temperatures, rates
and the file store under ``Local/``. It speaks the vendor's vocabulary (``job_status`` strings, wire
field names such as ``nozzies_num``), because its only purpose is to be answered over the wire by
:mod:`printer_async.simulator._app`; refusals are :class:`ApiFailure` exceptions carrying the
vendor's error code and message verbatim.

Time comes from a clock (:mod:`printer_async.simulator._clock`) and everything that depends on it
(progress, completion, temperatures) is evaluated lazily when the state is next looked at, so an
idle simulated printer costs nothing, and a thousand of them cost little.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import random
import re
import threading
import time
import zlib
from typing import Any, Final

import attrs

from printer_async.simulator._clock import Clock, ManualClock, ScaledClock
from printer_async.simulator._faults import FaultInjector
from printer_async.simulator._images import png

AMBIENT_TEMP: Final = 25.0
"""Temperature (°C) a heater settles at when its target is 0 (off)."""

NOZZLE_TIME_CONSTANT: Final = 40.0
"""Simulated seconds for a nozzle to close 63 % of the gap to its target."""

HEATBED_TIME_CONSTANT: Final = 120.0
"""Simulated seconds for the heatbed to close 63 % of the gap to its target."""

FAN_TIME_CONSTANT: Final = 2.0
"""Simulated seconds for the fan to close 63 % of the gap to its target speed."""

PRINT_NOZZLE_TEMP: Final = 210
"""Nozzle target (°C) a job sets when it starts on a cold nozzle."""

PRINT_HEATBED_TEMP: Final = 60
"""Heatbed target (°C) a job sets when it starts on a cold bed."""

AXIS_LIMITS: Final = {"x": 305, "y": 305, "z": 300}
"""Build volume in millimetres (a Pro2), the upper bound of absolute axis moves."""

STORAGE_KB: Final = 4_914_340
"""Free storage reported by an empty simulated printer, in KB (the documented example)."""

JOB_LIST_MAX: Final = 12
FILE_LIST_MAX: Final = 24
IMAGE_MAX: Final = 1024
"""Largest width or height of a thumbnail, in pixels."""
UPLOAD_LIMIT: Final = 500 * 1024 * 1024
"""The vendor's upload cap, "file too large size(0~500MB)", read as 500 MiB."""
CAMERA_PORT: Final = 30216
"""The camera server's port on a real printer (what ``/printer/camera`` names when not served)."""
CAMERA_USER: Final = "raise3d_camera"
"""The camera server's user name."""
MILLIGRAMS_PER_GRAM: Final = 1000.0
ROOT: Final = "Local"

_GCODE_TIME = re.compile(rb"(?im)^;\s*(?:TIME|Print Time)\s*:\s*(\d+)\s*$")
_GCODE_LAYERS = re.compile(rb"(?im)^;\s*(?:LAYER_COUNT|Layer Count)\s*:\s*(\d+)\s*$")


class ApiFailure(Exception):  # noqa: N818 - it is an answer, not an error of the simulator
    """A refusal the printer answers with ``{"status": 0, "error": {"code": ..., "msg": ...}}``.

    Args:
        code: The vendor's error code (401, 500, 10002 ...).
        msg: The vendor's message, verbatim.
    """

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg


@attrs.frozen
class Transition:
    """One entry of the ground-truth log: a new job or a change of its ``job_status``.

    Attributes:
        sim_time: Simulated time (seconds) at which the change happened.
        wall_time: ``time.monotonic()`` of the real moment it corresponds to; for a lazily noticed
            completion this is computed from the clock, not the moment it was noticed.
        job_id: The job concerned.
        previous: The ``job_status`` shown before (``None`` before the very first job).
        current: The ``job_status`` shown after.
        running_status: The printer's ``running_status`` after the change.
    """

    sim_time: float
    wall_time: float
    job_id: str
    previous: str | None
    current: str
    running_status: str


@attrs.frozen(kw_only=True)
class PrintFile:
    """A printable file in the simulated store.

    Attributes:
        total_time: Estimated (and simulated) print time in seconds.
        total_layer: Number of layers.
        filament: Grams of filament used by the left and the right nozzle.
        data_path: Path of the ``.data`` thumbnail file, ``""`` if none.
        size: Bytes of an uploaded file (0 for files added by :meth:`SimulatedPrinter.add_file`).
        sha256: Hex SHA-256 of an uploaded file's content (``""`` for added files); the content
            itself is not kept.
    """

    total_time: int
    total_layer: int
    filament: tuple[float, float] = (0.0, 0.0)
    data_path: str = ""
    size: int = 0
    sha256: str = ""


@attrs.frozen(kw_only=True)
class HistoryEntry:
    """A successfully completed job, as listed in the dashboard.

    Attributes:
        job_index: Position in the job list (0 is the oldest).
        job_id: The job id.
        file_name: Path of the printed file.
        user_tag: The tag added by the user (always ``""`` in the simulator).
        real_print_time: Seconds the job really printed.
        estimated_time: Seconds the file announced.
        filament: Grams used by the left and right nozzle.
    """

    job_index: int
    job_id: str
    file_name: str
    user_tag: str
    real_print_time: int
    estimated_time: int
    filament: tuple[float, float]


@attrs.define
class _Job:
    job_id: str
    file_name: str
    spec: PrintFile
    status: str = "running"
    printed_before: float = 0.0  # simulated seconds printed before the current running stretch
    running_since: float | None = None  # simulated time the current running stretch started

    def printed(self, now: float) -> float:
        if self.running_since is None:
            return self.printed_before
        return min(float(self.spec.total_time), self.printed_before + now - self.running_since)

    def finish_time(self) -> float | None:
        if self.running_since is None:
            return None
        return self.running_since + self.spec.total_time - self.printed_before


@attrs.define
class _Approach:
    """A value that moves toward its target exponentially, evaluated lazily."""

    value: float
    target: float
    since: float
    tau: float
    floor: float = 0.0  # a heater switched off (target 0) cools to ambient, not to 0 °C

    def at(self, now: float) -> float:
        goal = max(self.target, self.floor)
        elapsed = max(0.0, now - self.since)
        return goal + (self.value - goal) * math.exp(-elapsed / self.tau)

    def set_target(self, now: float, target: float) -> None:
        self.value = self.at(now)
        self.since = max(now, self.since)
        self.target = target


def sign(password: str, timestamp: str | int) -> str:
    """Return the login signature: lower-hex md5 of the lower-hex sha1 of the signed string.

    Args:
        password: The printer's access password.
        timestamp: Milliseconds since the epoch, exactly as sent in the query string.

    Returns:
        32 lower-case hex characters.
    """
    inner = hashlib.sha1(f"password={password}&timestamp={timestamp}".encode()).hexdigest()
    return hashlib.md5(inner.encode()).hexdigest()


def _is_under_local(path: str) -> bool:
    parts = path.split("/")
    return parts[0] == ROOT and ".." not in parts and "" not in parts[1:-1]


def _is_plain_name(name: str) -> bool:
    return name not in {"", ".", ".."} and not any(
        c in "/\\" or ord(c) < 0x20  # noqa: PLR2004 - control characters
        for c in name
    )


def _rebase(path: str, old: str, new: str) -> str:
    """``path`` with the directory ``old`` (itself or as a prefix) replaced by ``new``."""
    if path == old:
        return new
    if path.startswith(old + "/"):
        return new + path[len(old) :]
    return path


def _size_kb(spec: PrintFile) -> int:
    """Storage a file takes, in KB: its real size when uploaded, a guess from its layers else."""
    return -(-spec.size // 1024) if spec.size else 8 * spec.total_layer


def _png_base64(width: int, height: int, data_path: str) -> str:
    return base64.b64encode(png(width, height, zlib.crc32(data_path.encode()))).decode()


class SimulatedPrinter:
    """A Raise3D printer's state, driven by a clock; safe to use from several threads.

    Args:
        password: The access password that login signatures are checked against.
        nozzles: 1 or 2.
        clock: Source of simulated time; a real-time :class:`ScaledClock` by default.
        token_lifetime: Simulated seconds a token stays valid.
        name: The ``machine_name`` reported by ``/printer/system``.
        seed: Seed of every random choice (ids, tokens, serial numbers, faults); ``None`` for fresh
            randomness. Tokens are not secrets here: this is a test double.
        job_duration: Print time in simulated seconds of the seeded files.
        camera_connected: Whether ``/printer/camera`` reports a connected camera (without one,
            the camera server answers 503).
        camera_fps: Frames per second of the camera server's MJPEG stream (real time).

    Raises:
        ValueError: If ``nozzles`` is not 1 or 2.
    """

    def __init__(
        self,
        *,
        password: str = "123456",  # noqa: S107 - the vendor's documented example password
        nozzles: int = 2,
        clock: ScaledClock | ManualClock | None = None,
        token_lifetime: float = 86400.0,
        name: str = "raise3d",
        seed: int | None = None,
        job_duration: float = 3600.0,
        camera_connected: bool = True,
        camera_fps: float = 5.0,
    ) -> None:
        if nozzles not in (1, 2):
            raise ValueError(f"nozzles must be 1 or 2, got {nozzles!r}")
        self.password = password
        self.nozzles = nozzles
        self.clock: Clock = clock if clock is not None else ScaledClock()
        self.token_lifetime = token_lifetime
        self.name = name
        self.job_duration = job_duration
        self.camera_connected = camera_connected
        if camera_fps <= 0:
            raise ValueError(f"camera_fps must be positive, got {camera_fps!r}")
        self.camera_fps = camera_fps
        self.camera_port = CAMERA_PORT
        """The camera server's port, as ``/printer/camera`` reports it; serving sets it."""
        self.upload_limit = UPLOAD_LIMIT
        """Largest upload in bytes; larger ones get 10003 "file too large size(0~500MB)"."""
        self._rng = random.Random(seed)
        self.faults = FaultInjector(
            rng=random.Random(None if seed is None else f"{seed}-faults"),
        )
        self._lock = threading.RLock()
        now = self.clock.now()

        self.serial_number = f"{self._rng.randrange(10**10, 10**11)}"
        self.machine_id = f"{self._rng.randrange(10**19, 10**20)}"
        self._id_prefix = "_".join(f"{self._rng.getrandbits(48):012X}" for _ in range(2))
        self._camera_password = self._new_camera_password()

        self._tokens: dict[str, float] = {}
        self._job: _Job | None = None
        self._last_job: _Job | None = None  # interrupted by a power loss, waiting for recover
        self._history: list[HistoryEntry] = []
        self._printed_total_time = 0
        self._used_filament = [0.0, 0.0]
        self._job_ids: set[str] = set()
        self._job_data: dict[str, str] = {}  # job id -> the .data path of the file it printed
        self.transitions: list[Transition] = []
        """Ground-truth log of every new job and every ``job_status`` change, oldest first."""

        self.busy = False
        """When true, ``running_status`` is ``busy`` and job control answers "printer is busy"."""
        self.safe_mode = False
        """When true, ``running_status`` is ``error``; setters answer "printer is in safe mode"."""

        self._nozzle = [
            _Approach(AMBIENT_TEMP, 0, now, NOZZLE_TIME_CONSTANT, AMBIENT_TEMP) for _ in range(2)
        ]
        self._heatbed = _Approach(AMBIENT_TEMP, 0, now, HEATBED_TIME_CONSTANT, AMBIENT_TEMP)
        self._fan = _Approach(0, 0, now, FAN_TIME_CONSTANT)
        self._feedrate = 100
        self._flowrate = [100, 100]
        self._position = {"x": 0, "y": 0, "z": 0, "e": 0}

        self._dirs: set[str] = {"Local", "Local/webapi_store"}
        self._files: dict[str, PrintFile] = {}
        self._data_files: dict[str, bool] = {}  # path of a .data file -> whether it is corrupt
        self._seed_files()

    # ------------------------------------------------------------------ files

    def _seed_files(self) -> None:
        duration = round(self.job_duration)
        self.add_file(
            "Local/benchy.gcode",
            total_time=duration,
            total_layer=240,
            filament=(14.2, 0),
            data_path="Local/benchy.data",
        )
        self.add_file(
            "Local/calibration_cube.gcode", total_time=duration, total_layer=100, filament=(5.3, 0)
        )
        self.add_file(
            "Local/webapi_store/bracket.gcode",
            total_time=duration,
            total_layer=80,
            filament=(9.8, 0),
            data_path="Local/webapi_store/bracket.data",
        )
        if self.nozzles == 2:  # noqa: PLR2004 - a two-colour print needs the right nozzle
            self.add_file(
                "Local/webapi_store/two_colour_vase.gcode",
                total_time=duration,
                total_layer=300,
                filament=(20.1, 8.4),
            )

    def add_file(
        self,
        path: str,
        *,
        total_time: float | None = None,
        total_layer: int = 100,
        filament: tuple[float, float] = (10.0, 0.0),
        data_path: str = "",
    ) -> None:
        """Put a printable file in the store, creating its directories.

        Args:
            path: ``Local/...`` path of the file.
            total_time: Print time in simulated seconds; ``job_duration`` by default.
            total_layer: Number of layers.
            filament: Grams used by the left and right nozzle.
            data_path: Thumbnail ``.data`` path reported by ``/fileops/list``; a valid ``.data``
                file is created there unless one exists.

        Raises:
            ValueError: If ``path`` (or ``data_path``) is not a file path under ``Local/``.
        """
        for checked in (path, data_path) if data_path else (path,):
            if not _is_under_local(checked) or checked.endswith("/") or "/" not in checked:
                raise ValueError(f"not a file path under Local/: {checked!r}")
        spec = PrintFile(
            total_time=max(1, round(self.job_duration if total_time is None else total_time)),
            total_layer=total_layer,
            filament=filament,
            data_path=data_path,
        )
        with self._lock:
            parent = path.rsplit("/", 1)[0]
            self._add_dir_locked(parent)
            self._files[path] = spec
            if data_path:
                self._add_dir_locked(data_path.rsplit("/", 1)[0])
                self._data_files.setdefault(data_path, False)

    def add_data_file(self, path: str, *, corrupt: bool = False) -> None:
        """Put a ``.data`` thumbnail file in the store (replacing any), creating its directories.

        Args:
            path: ``Local/...`` path of the ``.data`` file.
            corrupt: Whether it cannot be parsed: thumbnails of it answer 10004 "data file error".

        Raises:
            ValueError: If ``path`` is not a file path under ``Local/``.
        """
        if not _is_under_local(path) or path.endswith("/") or "/" not in path:
            raise ValueError(f"not a file path under Local/: {path!r}")
        with self._lock:
            self._add_dir_locked(path.rsplit("/", 1)[0])
            self._data_files[path] = corrupt

    @property
    def data_files(self) -> dict[str, bool]:
        """A copy of the ``.data`` files: path → whether it is corrupt."""
        with self._lock:
            return dict(self._data_files)

    @property
    def directories(self) -> set[str]:
        """A copy of the directories, ``Local`` included."""
        with self._lock:
            return set(self._dirs)

    def add_dir(self, path: str) -> None:
        """Create a directory (and its parents) under ``Local/``.

        Raises:
            ValueError: If ``path`` is not under ``Local/``.
        """
        path = path.rstrip("/")
        if not _is_under_local(path):
            raise ValueError(f"not a directory under Local/: {path!r}")
        with self._lock:
            self._add_dir_locked(path)

    def _add_dir_locked(self, path: str) -> None:
        parts = path.split("/")
        for end in range(1, len(parts) + 1):
            self._dirs.add("/".join(parts[:end]))

    @property
    def files(self) -> dict[str, PrintFile]:
        """A copy of the file store: path → file."""
        with self._lock:
            return dict(self._files)

    def list_files(self, directory: str, start_pos: int, max_num: int) -> dict[str, Any]:
        """Answer ``/fileops/list``: one page of the directory's entries, directories first.

        Paging runs over the directory's sub-directories (sorted) followed by its files (sorted);
        the vendor does not say how the two lists share a page, so this is the simplest reading.

        Raises:
            ApiFailure: 10005 outside ``Local/``, 10002 for a bad page, 404 for a missing directory.
        """
        directory = directory.rstrip("/")
        if not _is_under_local(directory):
            raise ApiFailure(10005, "root path error")
        if start_pos < 0:
            raise ApiFailure(10002, "start_pos error, it must be non-negative")
        if not 1 <= max_num <= FILE_LIST_MAX:
            raise ApiFailure(10002, "max_num error, range(1~24)")
        with self._lock:
            if directory not in self._dirs:
                raise ApiFailure(404, "directory not exist")
            prefix = directory + "/"
            subdirs = sorted(
                d[len(prefix) :]
                for d in self._dirs
                if d.startswith(prefix) and "/" not in d[len(prefix) :]
            )
            files = sorted(
                (p[len(prefix) :], spec)
                for p, spec in self._files.items()
                if p.startswith(prefix) and "/" not in p[len(prefix) :]
            )
        entries: list[tuple[str, PrintFile | None]] = [(d, None) for d in subdirs]
        entries += files
        page = entries[start_pos : start_pos + max_num]
        return {
            "dir_list": [name for name, spec in page if spec is None],
            "file_list": [
                {"data_path": spec.data_path, "file_name": name}
                for name, spec in page
                if spec is not None
            ],
        }

    # ------------------------------------------------------------------ file operations
    # Refusals follow the vendor's error tables; where the vendor only says "fail to ..." (500),
    # the simulator refuses what a file system would: an existing target, a missing parent, a bad
    # name, or the file of the job being printed.

    def _active_paths_locked(self) -> set[str]:
        """Files a running, paused or power-interrupted job is printing."""
        jobs = [self._job, self._last_job]
        return {
            job.file_name
            for job in jobs
            if job is not None and (job is self._last_job or job.status in {"running", "paused"})
        }

    def _touches_active_locked(self, directory: str) -> bool:
        prefix = directory + "/"
        return any(path.startswith(prefix) for path in self._active_paths_locked())

    def create_dir(self, dir_path: str) -> None:
        """Create a directory and its parents (``POST /filepos/dir/create``); existing is fine.

        Raises:
            ApiFailure: 10005 "root path error"; 500 "fail to create directory" when a file is in
                the way or a name is not one a file system takes.
        """
        path = dir_path.rstrip("/")
        if not _is_under_local(path):
            raise ApiFailure(10005, "root path error")
        parts = path.split("/")
        with self._lock:
            if not all(_is_plain_name(part) for part in parts[1:]) or any(
                "/".join(parts[:end]) in self._files for end in range(2, len(parts) + 1)
            ):
                raise ApiFailure(500, "fail to create directory")
            self._add_dir_locked(path)

    def delete_dir(self, dir_path: str) -> None:
        """Delete a directory with everything in it (``POST /filepos/dir/delete``).

        Raises:
            ApiFailure: 10005 "root path error"; 10006 "no access to delete Local directory";
                404 "directory not exist"; 500 "fail to delete directory" while a job prints a
                file in it.
        """
        path = dir_path.rstrip("/")
        if not _is_under_local(path):
            raise ApiFailure(10005, "root path error")
        if path == ROOT:
            raise ApiFailure(10006, "no access to delete Local directory")
        prefix = path + "/"
        with self._lock:
            if path not in self._dirs:
                raise ApiFailure(404, "directory not exist")
            if self._touches_active_locked(path):
                raise ApiFailure(500, "fail to delete directory")
            self._dirs = {d for d in self._dirs if d != path and not d.startswith(prefix)}
            self._files = {p: f for p, f in self._files.items() if not p.startswith(prefix)}
            self._data_files = {
                p: c for p, c in self._data_files.items() if not p.startswith(prefix)
            }

    def rename_dir(self, dir_path: str, new_name: str) -> None:
        """Rename a directory in its parent (``POST /filepos/dir/rename``).

        Raises:
            ApiFailure: 10005 "root path error"; 10006 "no access to rename Local directory";
                404 "directory not exist"; 500 "fail to rename directory" for a bad name, an
                existing target or a directory holding the file being printed.
        """
        path = dir_path.rstrip("/")
        if not _is_under_local(path):
            raise ApiFailure(10005, "root path error")
        if path == ROOT:
            raise ApiFailure(10006, "no access to rename Local directory")
        with self._lock:
            if path not in self._dirs:
                raise ApiFailure(404, "directory not exist")
            target = f"{path.rsplit('/', 1)[0]}/{new_name}"
            if target == path:
                return
            if (
                not _is_plain_name(new_name)
                or target in self._dirs
                or target in self._files
                or self._touches_active_locked(path)
            ):
                raise ApiFailure(500, "fail to rename directory")
            self._dirs = {_rebase(d, path, target) for d in self._dirs}
            self._files = {
                _rebase(p, path, target): attrs.evolve(
                    f, data_path=_rebase(f.data_path, path, target)
                )
                for p, f in self._files.items()
            }
            self._data_files = {_rebase(p, path, target): c for p, c in self._data_files.items()}

    def delete_file(self, file_path: str) -> None:
        """Delete a file (``POST /filepos/delete``).

        Raises:
            ApiFailure: 10005 "root path error"; 404 "file not exist"; 500 "fail to delete file"
                for the file being printed.
        """
        if not _is_under_local(file_path):
            raise ApiFailure(10005, "root path error")
        with self._lock:
            if file_path not in self._files:
                raise ApiFailure(404, "file not exist")
            if file_path in self._active_paths_locked():
                raise ApiFailure(500, "fail to delete file")
            del self._files[file_path]

    def rename_file(self, file_path: str, new_name: str) -> None:
        """Rename a file in its directory (``POST /filepos/rename``).

        Raises:
            ApiFailure: 10005 "root path error"; 404 "file not exist"; 500 "fail to rename file"
                for a bad name, an existing target or the file being printed.
        """
        if not _is_under_local(file_path):
            raise ApiFailure(10005, "root path error")
        with self._lock:
            if file_path not in self._files:
                raise ApiFailure(404, "file not exist")
            target = f"{file_path.rsplit('/', 1)[0]}/{new_name}"
            if (
                not _is_plain_name(new_name)
                or target in self._files
                or target in self._dirs
                or file_path in self._active_paths_locked()
            ):
                raise ApiFailure(500, "fail to rename file")
            self._files[target] = self._files.pop(file_path)

    def _check_transfer(self, file_src: str, file_dst: str, failure: str) -> PrintFile:
        """Validate a move or copy under the lock; return the source file."""
        if not _is_under_local(file_src):
            raise ApiFailure(10005, "file_src root path error")
        if not _is_under_local(file_dst) or "/" not in file_dst:
            raise ApiFailure(10005, "file_dst root path error")
        spec = self._files.get(file_src)
        if spec is None:
            raise ApiFailure(404, "source file not exist")
        parent, _, name = file_dst.rpartition("/")
        if (
            not _is_plain_name(name)
            or parent not in self._dirs
            or file_dst in self._files
            or file_dst in self._dirs
        ):
            raise ApiFailure(500, failure)
        return spec

    def move_file(self, file_src: str, file_dst: str) -> None:
        """Move a file to a new path, name included (``POST /filepos/moveto``).

        Raises:
            ApiFailure: 10005 "file_src root path error" / "file_dst root path error"; 404
                "source file not exist"; 500 "fail to move file" for an existing target, a
                missing target directory or the file being printed.
        """
        with self._lock:
            spec = self._check_transfer(file_src, file_dst, "fail to move file")
            if file_src in self._active_paths_locked():
                raise ApiFailure(500, "fail to move file")
            del self._files[file_src]
            self._files[file_dst] = spec

    def copy_file(self, file_src: str, file_dst: str) -> None:
        """Copy a file to a new path, name included (``POST /filepos/copy``).

        Raises:
            ApiFailure: 10005 "file_src root path error" / "file_dst root path error"; 404
                "source file not exist"; 500 "fail to copy file" for an existing target or a
                missing target directory.
        """
        with self._lock:
            self._files[file_dst] = self._check_transfer(file_src, file_dst, "fail to copy file")

    def store_upload(
        self, dir_path: str, filename: str, *, size: int, sha256: str, head: bytes = b""
    ) -> str:
        """Put an uploaded file in the store (the end of ``POST /fileops/upload``).

        The print time and layer count come from a slicer's header comment in the first bytes
        (``;TIME:`` / ``;Print Time:``, ``;LAYER_COUNT:`` / ``;Layer Count:``) when there is one,
        otherwise from ``job_duration``.

        Args:
            dir_path: The ``dir_path`` of the ``desc`` part.
            filename: The ``filename`` of the ``file`` part.
            size: Bytes received.
            sha256: Hex SHA-256 of the bytes received.
            head: The file's first bytes (up to 64 KB), for its slicer header.

        Returns:
            The file's path in the store.

        Raises:
            ApiFailure: 10005 "root path error"; 10003 "file too large size(0~500MB)"; 404
                "directory not exist"; 500 "IODevice can not open" for a bad name, a directory
                of that name or the file being printed; 500 "IODevice write failed" when the
                storage is full.
        """
        directory = dir_path.rstrip("/")
        if not _is_under_local(directory):
            raise ApiFailure(10005, "root path error")
        if size > self.upload_limit:
            raise ApiFailure(10003, "file too large size(0~500MB)")
        path = f"{directory}/{filename}"
        time_hint = _GCODE_TIME.search(head)
        layer_hint = _GCODE_LAYERS.search(head)
        spec = PrintFile(
            total_time=max(1, int(time_hint[1]) if time_hint else round(self.job_duration)),
            total_layer=max(1, int(layer_hint[1])) if layer_hint else 100,
            filament=(round(size / 50_000, 3), 0.0),
            size=size,
            sha256=sha256,
        )
        with self._lock:
            if directory not in self._dirs:
                raise ApiFailure(404, "directory not exist")
            if (
                not _is_plain_name(filename)
                or path in self._dirs
                or path in self._active_paths_locked()
            ):
                raise ApiFailure(500, "IODevice can not open")
            old = self._files.get(path)
            free_kb = self._storage_available_locked() + (0 if old is None else _size_kb(old))
            if _size_kb(spec) > free_kb:
                raise ApiFailure(500, "IODevice write failed")
            self._files[path] = spec
        return path

    def _storage_available_locked(self) -> int:
        return STORAGE_KB - sum(_size_kb(spec) for spec in self._files.values())

    # ------------------------------------------------------------------ thumbnails

    @staticmethod
    def _check_image_size(width: int, height: int) -> None:
        if not 1 <= width <= IMAGE_MAX:
            raise ApiFailure(10002, "width error, range(1~1024)")
        if not 1 <= height <= IMAGE_MAX:
            raise ApiFailure(10002, "height error, range(1~1024)")

    def file_thumbnail(self, data_path: str, width: int, height: int) -> dict[str, Any]:
        """Answer ``/fileops/imagedownload``: a PNG of the ``.data`` file, base64-encoded.

        Raises:
            ApiFailure: 10002 width/height range; 10005 "root path error"; 404 "data file not
                exist"; 10004 "data file error" for a corrupt ``.data`` file.
        """
        self._check_image_size(width, height)
        if not _is_under_local(data_path):
            raise ApiFailure(10005, "root path error")
        with self._lock:
            corrupt = self._data_files.get(data_path)
        if corrupt is None:
            raise ApiFailure(404, "data file not exist")
        if corrupt:
            raise ApiFailure(10004, "data file error")
        return {"img_data": _png_base64(width, height, data_path)}

    def job_thumbnail(self, job_id: str, width: int, height: int) -> dict[str, Any]:
        """Answer ``/dashboard/imagedownload``: the PNG of the job's ``.data`` file, in base64.

        Raises:
            ApiFailure: 10002 width/height range; 404 "no image corresponds to the job" for an
                unknown job or one without a ``.data`` file; 10004 "data file error" for a
                corrupt one.
        """
        self._check_image_size(width, height)
        with self._lock:
            data_path = self._job_data.get(job_id, "")
            corrupt = self._data_files.get(data_path) if data_path else None
        if corrupt is None:
            raise ApiFailure(404, "no image corresponds to the job")
        if corrupt:
            raise ApiFailure(10004, "data file error")
        return {"img_data": _png_base64(width, height, data_path)}

    # ------------------------------------------------------------------ tokens

    def login(self, sign_value: str, timestamp: str) -> str:
        """Check a login signature and issue a new token.

        Older tokens stay valid until they expire (the vendor does not say otherwise, and clients
        that log in on every poll work against real printers).

        Args:
            sign_value: The ``sign`` query parameter.
            timestamp: The ``timestamp`` query parameter, as sent.

        Returns:
            A token of 32 lower-case hex characters.

        Raises:
            ApiFailure: 10000 if the signature does not match the password.
        """
        if sign_value != sign(self.password, timestamp):
            raise ApiFailure(10000, "sign error or password error")
        with self._lock:
            now = self.clock.now()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            token = f"{self._rng.getrandbits(128):032x}"
            self._tokens[token] = now + self.token_lifetime
            return token

    def check_token(self, token: str | None) -> bool:
        """Return whether ``token`` was issued and has not expired or been invalidated."""
        if not token:
            return False
        with self._lock:
            expiry = self._tokens.get(token)
            return expiry is not None and expiry > self.clock.now()

    def expire_tokens(self) -> None:
        """Invalidate every token now (the next request gets 401 "token error")."""
        with self._lock:
            self._tokens.clear()

    def reboot(self) -> None:
        """Restart the printer's API: tokens and the camera password change, state is kept."""
        with self._lock:
            self._tokens.clear()
            self._camera_password = self._new_camera_password()

    def _new_camera_password(self) -> str:
        return f"{self._rng.getrandbits(24):06x}"

    # ------------------------------------------------------------------ time

    def _update(self) -> float:
        """Bring time-dependent state up to now; return the simulated time. Call under the lock."""
        now = self.clock.now()
        job = self._job
        if job is not None and job.status == "running":
            finish = job.finish_time()
            if finish is not None and finish <= now:
                self._complete(job, finish)
        return now

    def _complete(self, job: _Job, at: float) -> None:
        job.printed_before = float(job.spec.total_time)
        job.running_since = None
        self._history.append(
            HistoryEntry(
                job_index=len(self._history),
                job_id=job.job_id,
                file_name=job.file_name,
                user_tag="",
                real_print_time=job.spec.total_time,
                estimated_time=job.spec.total_time,
                filament=job.spec.filament,
            )
        )
        self._printed_total_time += job.spec.total_time
        self._used_filament[0] += job.spec.filament[0]
        self._used_filament[1] += job.spec.filament[1]
        self._cool_down(at)
        self._set_status(job, "completed", at, self.clock.wall_time_at(at))

    def _set_status(self, job: _Job, status: str, at: float, wall: float | None = None) -> None:
        previous = job.status
        job.status = status
        self._log(job.job_id, previous, status, at, wall)

    def _log(
        self, job_id: str, previous: str | None, current: str, at: float, wall: float | None
    ) -> None:
        self.transitions.append(
            Transition(
                sim_time=at,
                wall_time=time.monotonic() if wall is None else wall,
                job_id=job_id,
                previous=previous,
                current=current,
                running_status=self._running_status_locked(),
            )
        )

    def _cool_down(self, at: float) -> None:
        for heater in (*self._nozzle, self._heatbed, self._fan):
            heater.set_target(at, 0)

    # ------------------------------------------------------------------ status

    def _running_status_locked(self) -> str:
        if self.safe_mode:
            return "error"
        if self.busy:
            return "busy"
        job = self._job
        if job is None or job.status == "stopped":
            return "idle"
        return job.status  # running, paused and completed are also running_status values

    @property
    def running_status(self) -> str:
        """The ``running_status`` string: idle, paused, running, busy, completed or error."""
        with self._lock:
            self._update()
            return self._running_status_locked()

    @property
    def job_status(self) -> str | None:
        """The current (or last) job's ``job_status``; ``None`` before the first job."""
        with self._lock:
            self._update()
            return None if self._job is None else self._job.status

    @property
    def job_id(self) -> str | None:
        """The current (or last) job's id; ``None`` before the first job."""
        with self._lock:
            return None if self._job is None else self._job.job_id

    @property
    def printed_time(self) -> float:
        """Simulated seconds the current (or last) job has printed."""
        with self._lock:
            now = self._update()
            return 0.0 if self._job is None else self._job.printed(now)

    @property
    def progress(self) -> float:
        """Progress of the current (or last) job in percent (0-100)."""
        with self._lock:
            now = self._update()
            job = self._job
            if job is None:
                return 0.0
            return 100.0 * job.printed(now) / job.spec.total_time

    @property
    def has_last_job(self) -> bool:
        """Whether a job interrupted by a power loss is waiting for ``recover``."""
        with self._lock:
            return self._last_job is not None

    @property
    def history(self) -> list[HistoryEntry]:
        """The completed jobs, oldest first (the dashboard job list)."""
        with self._lock:
            self._update()
            return list(self._history)

    # ------------------------------------------------------------------ job control

    def _new_job_id(self) -> str:
        while True:
            job_id = f"{self._id_prefix}_{self._rng.getrandbits(72):018x}"
            if job_id not in self._job_ids:
                self._job_ids.add(job_id)
                return job_id

    def _refuse_if_screen_or_busy(self) -> None:
        if self._last_job is not None:
            raise ApiFailure(500, "printer show powerloss interface")
        if self.busy:
            raise ApiFailure(500, "printer is busy")

    def start_job(self, file_path: str) -> str:
        """Start printing a file of the store (``POST /job/newjob/set``).

        A completed or stopped job may be replaced by a new one; a running or paused one may not.

        Args:
            file_path: ``Local/...`` path of the file.

        Returns:
            The new job's id.

        Raises:
            ApiFailure: 10005 outside ``Local/``; 500 "printer is printing" / "printer is paused" /
                "printer is busy" / "printer show powerloss interface";
                500 "print file is not exist".
        """
        if not _is_under_local(file_path):
            raise ApiFailure(10005, "root path error")
        with self._lock:
            now = self._update()
            self._refuse_if_screen_or_busy()
            current = self._job
            if current is not None and current.status in {"running", "paused"}:
                raise ApiFailure(
                    500, f"printer is {'printing' if current.status == 'running' else 'paused'}"
                )
            spec = self._files.get(file_path)
            if spec is None:
                raise ApiFailure(500, "print file is not exist")
            job = _Job(job_id=self._new_job_id(), file_name=file_path, spec=spec, running_since=now)
            self._job = job
            self._job_data[job.job_id] = spec.data_path
            self._heat_for_job(now)
            self._log(job.job_id, None if current is None else current.status, "running", now, None)
            return job.job_id

    def _heat_for_job(self, now: float) -> None:
        if self._nozzle[0].target == 0:
            self._nozzle[0].set_target(now, PRINT_NOZZLE_TEMP)
        if self._heatbed.target == 0:
            self._heatbed.set_target(now, PRINT_HEATBED_TEMP)

    def _active_job(self) -> _Job:
        """Return the running or paused job, or refuse the way the printer does. Under the lock."""
        self._refuse_if_screen_or_busy()
        job = self._job
        if job is not None and job.status == "completed":
            raise ApiFailure(500, "printer show completed interface")
        if job is None or job.status == "stopped":
            raise ApiFailure(500, "printer is stoped")
        return job

    def pause(self) -> None:
        """Pause the running job.

        Raises:
            ApiFailure: 500 "printer is paused" if already paused, or a refusal of :meth:`operate`.
        """
        with self._lock:
            now = self._update()
            job = self._active_job()
            if job.status == "paused":
                raise ApiFailure(500, "printer is paused")
            job.printed_before = job.printed(now)
            job.running_since = None
            self._set_status(job, "paused", now)

    def resume(self) -> None:
        """Resume the paused job.

        Raises:
            ApiFailure: 500 "printer is printing" if it is running, or a refusal of :meth:`operate`.
        """
        with self._lock:
            now = self._update()
            job = self._active_job()
            if job.status == "running":
                raise ApiFailure(500, "printer is printing")
            job.running_since = now
            self._set_status(job, "running", now)

    def stop(self) -> None:
        """Stop the running or paused job (it does not enter the job list or statistics).

        Raises:
            ApiFailure: The refusals of :meth:`operate`.
        """
        with self._lock:
            now = self._update()
            job = self._active_job()
            job.printed_before = job.printed(now)
            job.running_since = None
            self._cool_down(now)
            self._set_status(job, "stopped", now)

    def operate(self, operate: object) -> None:
        """Apply ``POST /job/currentjob/set``'s ``operate``: pause, resume or stop.

        Raises:
            ApiFailure: 10002 "operate parament error" for anything else; 500 "printer is stoped"
                without an active job, "printer show completed interface" after a completed one,
                "printer show powerloss interface" after a power loss, "printer is busy".
        """
        actions = {"pause": self.pause, "resume": self.resume, "stop": self.stop}
        if not isinstance(operate, str) or operate not in actions:
            raise ApiFailure(10002, "operate parament error")
        actions[operate]()

    def power_loss(self) -> None:
        """Cut the power: tokens die, a running or paused job becomes the last job to recover.

        The interrupted job shows ``job_status`` "stopped" until ``recover`` brings it back to
        "running" with the same id; the printer answers job control and new jobs with 500
        "printer show powerloss interface" until then.
        """
        with self._lock:
            now = self._update()
            self._tokens.clear()
            self._camera_password = self._new_camera_password()
            self._cool_down(now)
            job = self._job
            if job is not None and job.status in {"running", "paused"}:
                job.printed_before = job.printed(now)
                job.running_since = None
                self._last_job = job
                self._set_status(job, "stopped", now)

    def recover(self) -> None:
        """Resume the job a power loss interrupted (``POST /job/recover/set``).

        Raises:
            ApiFailure: 500 "printer is printing" / "printer is paused" / "printer is busy";
                10002 "no last job found" when nothing was interrupted.
        """
        with self._lock:
            now = self._update()
            if self.busy:
                raise ApiFailure(500, "printer is busy")
            job = self._job
            if job is not None and job.status in {"running", "paused"}:
                raise ApiFailure(
                    500, f"printer is {'printing' if job.status == 'running' else 'paused'}"
                )
            last = self._last_job
            if last is None:
                raise ApiFailure(10002, "no last job found")
            self._last_job = None
            self._job = last
            last.running_since = now
            self._heat_for_job(now)
            self._set_status(last, "running", now)

    # ------------------------------------------------------------------ answers

    def system_info(self, machine_ip: str = "127.0.0.1") -> dict[str, Any]:
        """Answer ``/printer/system`` (field names as the vendor spells them)."""
        with self._lock:
            available = self._storage_available_locked()
        return {
            "Serial_number": self.serial_number,
            "api_version": "0.1.0.926",
            "battery": 3.957441568374634,
            "brightness": 6,
            "date_time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "firmware_version": "1.7.0.1008",
            "language": "English",
            "machine_id": self.machine_id,
            "machine_ip": machine_ip,
            "machine_name": self.name,
            "model": "Raise3D Pro2" if self.nozzles == 2 else "Raise3D N2Plus",  # noqa: PLR2004
            "nozzies_num": self.nozzles,
            "storage_available": available,
            "update": "",
            "version": "1.7.7.1026",
        }

    def camera_info(self) -> dict[str, Any]:
        """Answer ``/printer/camera``; the password changes at every reboot, as on a printer.

        The URI names :attr:`camera_port`, where the served camera server listens.
        """
        with self._lock:
            uri = f":{self.camera_port}/api/v1/camera/auth_stream"
            if not self.camera_connected:
                return {"camerserver_URI": uri, "is_camera_connected": False}
            return {
                "camerserver_URI": uri,
                "is_camera_connected": True,
                "password": self._camera_password,
                "user_name": CAMERA_USER,
            }

    def check_camera_credentials(self, user: str, password: str) -> bool:
        """Return whether HTTP Basic credentials open the camera server (this boot's password)."""
        with self._lock:
            expected = self._camera_password
        return hmac.compare_digest(f"{user}:{password}", f"{CAMERA_USER}:{expected}")

    def basic_info(self) -> dict[str, Any]:
        """Answer ``/printer/basic``: fan (%), feed rate (%) and heatbed (°C), as integers."""
        with self._lock:
            now = self._update()
            return {
                "fan_cur_speed": round(self._fan.at(now)),
                "fan_tar_speed": round(self._fan.target),
                "feed_cur_rate": self._feedrate,
                "feed_tar_rate": self._feedrate,
                "heatbed_cur_temp": round(self._heatbed.at(now)),
                "heatbed_tar_temp": round(self._heatbed.target),
            }

    def _nozzle_index(self, nozzle: int) -> int:
        if nozzle == 2 and self.nozzles == 1:  # noqa: PLR2004 - nozzle 2 is the right one
            raise ApiFailure(404, "no right nozzle")
        return nozzle - 1

    def nozzle_info(self, nozzle: int) -> dict[str, Any]:
        """Answer ``/printer/nozzle1`` (left) or ``/printer/nozzle2`` (right).

        Raises:
            ApiFailure: 404 "no right nozzle" for nozzle 2 on a one-nozzle printer.
        """
        index = self._nozzle_index(nozzle)
        with self._lock:
            now = self._update()
            return {
                "flow_cur_rate": self._flowrate[index],
                "flow_tar_rate": self._flowrate[index],
                "nozzle_cur_temp": round(self._nozzle[index].at(now)),
                "nozzle_tar_temp": round(self._nozzle[index].target),
            }

    def _check_settable(self) -> None:
        if self.safe_mode:
            raise ApiFailure(500, "printer is in safe mode")
        if self.busy:
            raise ApiFailure(500, "printer is busy")

    def set_nozzle_temp(self, nozzle: int, temperature: int) -> None:
        """Set a nozzle's target temperature (0-310 °C).

        Raises:
            ApiFailure: 404 "no right nozzle", 10002 "temperature error value(0~310)", 500 states.
        """
        index = self._nozzle_index(nozzle)
        if not 0 <= temperature <= 310:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "temperature error value(0~310)")
        with self._lock:
            self._check_settable()
            self._nozzle[index].set_target(self._update(), temperature)

    def set_flowrate(self, nozzle: int, flowrate: int) -> None:
        """Set a nozzle's flow rate (1-300 %).

        Raises:
            ApiFailure: 404 "no right nozzle", 10002 "flowrate error value(1~300)", 500 states.
        """
        index = self._nozzle_index(nozzle)
        if not 1 <= flowrate <= 300:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "flowrate error value(1~300)")
        with self._lock:
            self._check_settable()
            self._flowrate[index] = flowrate

    def set_heatbed_temp(self, temperature: int) -> None:
        """Set the heatbed's target temperature (0-110 °C).

        Raises:
            ApiFailure: 10002 "temperature error value(0~110)", 500 states.
        """
        if not 0 <= temperature <= 110:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "temperature error value(0~110)")
        with self._lock:
            self._check_settable()
            self._heatbed.set_target(self._update(), temperature)

    def set_feedrate(self, feedrate: int) -> None:
        """Set the feed rate (1-350 %).

        Raises:
            ApiFailure: 10002 "feedrate error value(1~350)", 500 states.
        """
        if not 1 <= feedrate <= 350:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "feedrate error value(1~350)")
        with self._lock:
            self._check_settable()
            self._feedrate = feedrate

    def set_fanspeed(self, fanspeed: int) -> None:
        """Set the fan speed (0-100 %).

        Raises:
            ApiFailure: 10002 "fanspeed error value(0~100)" (the documented example's wording), 500.
        """
        if not 0 <= fanspeed <= 100:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "fanspeed error value(0~100)")
        with self._lock:
            self._check_settable()
            self._fan.set_target(self._update(), fanspeed)

    def axis_control(
        self,
        *,
        is_relative_pos: int,
        feed: int,
        moves: dict[str, int],
        nozzle: int | None = None,
    ) -> None:
        """Move the X/Y/Z axes or feed filament (``POST /printer/axiscontrol/set``).

        Absolute negative coordinates are clamped to zero, as the vendor documents.

        Args:
            is_relative_pos: 0 for absolute coordinates, 1 for relative moves.
            feed: Feed rate in mm/min.
            moves: Any of ``x``, ``y``, ``z``, ``e`` in millimetres.
            nozzle: 0 (left) or 1 (right), the nozzle an ``e`` move feeds.

        Raises:
            ApiFailure: The documented 10002 range messages, 404 "no right nozzle", 500 states.
        """
        relative = is_relative_pos == 1
        if nozzle is not None and nozzle not in (0, 1):
            raise ApiFailure(10002, "nozzle error value(0 or 1)")
        if nozzle == 1 and self.nozzles == 1:
            raise ApiFailure(404, "no right nozzle")
        if any(axis in moves for axis in AXIS_LIMITS) and not 0 <= feed <= 8000:  # noqa: PLR2004
            raise ApiFailure(10002, "feed error xyz value(0~8000)")
        if "e" in moves and not 0 <= feed <= 2400:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "feed error e value(0~2400)")
        for axis, value in moves.items():
            if relative and not -10 <= value <= 10:  # noqa: PLR2004
                raise ApiFailure(10002, f"{axis} error relative model value(-10~10)")
            limit = AXIS_LIMITS.get(axis, 10000)
            if not relative and (value > limit or (axis == "e" and value < -limit)):
                low = 0 if axis != "e" else -limit
                raise ApiFailure(10002, f"{axis} error aboslute model value({low}~{limit})")
        with self._lock:
            self._check_settable()
            for axis, value in moves.items():
                if relative:
                    self._position[axis] += value
                else:
                    self._position[axis] = value if axis == "e" else max(0, value)

    @property
    def position(self) -> dict[str, int]:
        """Axis positions in millimetres (``x``, ``y``, ``z``) and the filament fed (``e``)."""
        with self._lock:
            return dict(self._position)

    def current_job(self) -> dict[str, Any]:
        """Answer ``/job/currentjob``.

        Before the first job the printer reports an empty ``file_name`` and ``job_id``, zero
        progress and ``job_status`` "stopped"; afterwards it keeps showing the last job (completed,
        stopped, or interrupted by a power loss) until a new one starts.
        """
        with self._lock:
            now = self._update()
            job = self._job
            if job is None:
                return {
                    "file_name": "",
                    "print_progress": 0.0,
                    "printed_layer": 0,
                    "printed_time": 0,
                    "job_id": "",
                    "total_layer": 0,
                    "total_time": 0,
                    "job_status": "stopped",
                }
            printed = job.printed(now)
            fraction = printed / job.spec.total_time
            return {
                "file_name": job.file_name,
                "print_progress": 100.0 * fraction,
                "printed_layer": math.floor(job.spec.total_layer * fraction),
                "printed_time": math.floor(printed),
                "job_id": job.job_id,
                "total_layer": job.spec.total_layer,
                "total_time": job.spec.total_time,
                "job_status": job.status,
            }

    def statistics(self) -> dict[str, Any]:
        """Answer ``/dashboard/statistics``; ``printed_used_filament_1`` only with two nozzles."""
        with self._lock:
            self._update()
            data: dict[str, Any] = {
                "printed_file_num": len(self._history),
                "printed_total_time": self._printed_total_time,
                "printed_used_filament_0": self._used_filament[0],
            }
            if self.nozzles == 2:  # noqa: PLR2004 - the vendor omits the right nozzle's figure
                data["printed_used_filament_1"] = self._used_filament[1]
            data["printed_used_filament"] = sum(self._used_filament[: self.nozzles])
            return data

    def job_list(self, max_num: int, start_pos: int) -> dict[str, Any]:
        """Answer ``/dashboard/joblist``: completed jobs from ``start_pos``, oldest first.

        As the vendor documents, ``start_pos`` must be smaller than the number of printed files, so
        a printer that has completed nothing answers every page with "start_pos error".

        Raises:
            ApiFailure: 10002 "max_num error value(1~12)" or "start_pos error".
        """
        if not 1 <= max_num <= JOB_LIST_MAX:
            raise ApiFailure(10002, "max_num error value(1~12)")
        with self._lock:
            self._update()
            if not 0 <= start_pos < len(self._history):
                raise ApiFailure(10002, "start_pos error")
            page = self._history[start_pos : start_pos + max_num]
        return {
            "job_list": [
                {
                    "file_name": entry.file_name,
                    "job_id": entry.job_id,
                    "user_tag": entry.user_tag,
                    "job_index": entry.job_index,
                }
                for entry in page
            ]
        }

    def job_detail(self, pos: int, job_id: str) -> dict[str, Any]:
        """Answer ``/dashboard/job``: one completed job, by position and id.

        Filament figures are in milligrams, as the vendor's page says (the statistics, in
        grams, say grams), although its example values look gram-sized.

        Raises:
            ApiFailure: 10002 "pos error" or "job id not match pos".
        """
        with self._lock:
            self._update()
            if not 0 <= pos < len(self._history):
                raise ApiFailure(10002, "pos error")
            entry = self._history[pos]
        if entry.job_id != job_id:
            raise ApiFailure(10002, "job id not match pos")
        data: dict[str, Any] = {
            "file_name": entry.file_name,
            "real_print_time": entry.real_print_time,
            "estimated_time": entry.estimated_time,
            "filament_used_0": entry.filament[0] * MILLIGRAMS_PER_GRAM,
        }
        if self.nozzles == 2:  # noqa: PLR2004 - as in the statistics
            data["filament_used_1"] = entry.filament[1] * MILLIGRAMS_PER_GRAM
        data["user_tag"] = entry.user_tag
        return data

    def __repr__(self) -> str:
        return f"SimulatedPrinter(name={self.name!r}, nozzles={self.nozzles})"
