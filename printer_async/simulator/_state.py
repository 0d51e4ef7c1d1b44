"""The simulated printer: a pure, thread-safe state model with no I/O, composed of parts.

:class:`SimulatedPrinter` keeps everything a Raise3D printer exposes through the Remote Access
API. It is a façade over one part per concern, each in its own module and none of them
thread-safe on its own (the façade holds one lock around every use):

* :mod:`~printer_async.simulator._auth`: login signatures, tokens, the camera password;
* :mod:`~printer_async.simulator._files`: the file store under ``Local/`` and its operations;
* :mod:`~printer_async.simulator._jobs`: the job machine, history, statistics, ground-truth log;
* :mod:`~printer_async.simulator._thermal`: nozzle and heatbed temperatures, the fan;
* :mod:`~printer_async.simulator._motion`: axis positions, feed and flow rates;
* :mod:`~printer_async.simulator._profiles`: what the model (Pro2, Pro3, E2 ...) says about
  itself and its build volume.

It speaks the vendor's vocabulary (``job_status`` strings, wire field names such as
``nozzies_num``), because its only purpose is to be answered over the wire by
:mod:`printer_async.simulator._routes`; refusals are :class:`ApiFailure` exceptions carrying the
vendor's error code and message verbatim.

Time comes from a clock (:mod:`printer_async.simulator._clock`) and everything that depends on it
(progress, completion, temperatures) is evaluated lazily when the state is next looked at, so an
idle simulated printer costs nothing, and a thousand of them cost little.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from typing import Any, Final

from printer_async.simulator._auth import CAMERA_USER, Credentials
from printer_async.simulator._clock import Clock, ManualClock, ScaledClock
from printer_async.simulator._failure import ApiFailure
from printer_async.simulator._faults import FaultInjector
from printer_async.simulator._files import (
    UPLOAD_LIMIT,
    FileStore,
    PrintFile,
    check_file_path,
    check_image_size,
    is_under_local,
)
from printer_async.simulator._jobs import (
    HistoryEntry,
    JobMachine,
    Transition,
    checked_exponent,
    checked_read_time,
)
from printer_async.simulator._motion import Motion
from printer_async.simulator._profiles import find_profile
from printer_async.simulator._thermal import Thermal

CAMERA_PORT: Final = 30216
"""The camera server's port on a real printer (what ``/printer/camera`` names when not served)."""
FILE_READ_TIME: Final = 10.0
"""Default simulated seconds a started job shows no estimate. How long a real printer takes is not
known (it depends on the file); 10 s is short beside any print, yet long enough that a client
polling every few seconds at real speed sees the placeholder at least once, so the "no estimate
yet" path of every client gets exercised by default."""


class SimulatedPrinter:
    """A Raise3D printer's state, driven by a clock; safe to use from several threads.

    Args:
        password: The access password that login signatures are checked against.
        model: The Raise3D model to behave as, by name (case, spaces and dashes do not matter):
            ``Pro2``, ``Pro2 Plus``, ``Pro3``, ``Pro3 Plus``, ``E2``, ``N2`` or ``N2 Plus``.
            It sets the nozzle count, the ``/printer/system`` fields that describe the machine
            (``model`` like ``Raise3D Pro2``, the versions, ``battery``: 0 on a Pro2, as a real
            one reports) and the build volume that bounds absolute axis moves
            (:attr:`profile`). Only the Pro2's and the N2 Plus's answers are known from
            printers; :class:`~printer_async.simulator.PrinterProfile` says what stands in for
            the others. ``None``: a Pro2, or an N2 Plus when ``nozzles`` is 1.
        nozzles: 1 or 2, overriding the model's count; ``None``: the model's.
        clock: Source of simulated time; a real-time :class:`ScaledClock` by default.
        token_lifetime: Simulated seconds a token stays valid.
        name: The ``machine_name`` reported by ``/printer/system``.
        seed: Seed of every random choice (ids, tokens, serial numbers, faults); ``None`` for fresh
            randomness. Tokens are not secrets here: this is a test double.
        job_duration: Print time in simulated seconds of the seeded files.
        camera_connected: Whether ``/printer/camera`` reports a connected camera (without one,
            the camera server answers 503).
        camera_fps: Frames per second of the camera server's MJPEG stream (real time).
        file_read_time: Simulated seconds a started job answers ``/job/currentjob`` without an
            estimate (``total_time`` 3600000, ``total_layer`` 0, nothing printed yet) while the
            printer "reads the file", as real printers do; then the real totals and progress.
            The job prints from its start either way: this changes answers, not timings.
        progress_exponent: ``print_progress`` is ``100 * done ** progress_exponent``, ``done``
            being the share of the print time elapsed. 1 (the default) follows time; a real
            Pro2 lags well behind it (1.1 % when 12 % of the time had passed, which 2.1 mimics).

    Raises:
        ValueError: If the model is unknown (the message lists the known ones), ``nozzles`` is
            not 1 or 2, or an option is out of its range.
    """

    def __init__(
        self,
        *,
        password: str = "123456",  # noqa: S107 - the vendor's documented example password
        model: str | None = None,
        nozzles: int | None = None,
        clock: ScaledClock | ManualClock | None = None,
        token_lifetime: float = 86400.0,
        name: str = "raise3d",
        seed: int | None = None,
        job_duration: float = 3600.0,
        camera_connected: bool = True,
        camera_fps: float = 5.0,
        file_read_time: float = FILE_READ_TIME,
        progress_exponent: float = 1.0,
    ) -> None:
        self.profile = find_profile(model, nozzles)
        """The model this printer behaves as, with ``nozzles`` applied."""
        self.password = password
        self.nozzles = self.profile.nozzles
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
        rng = random.Random(seed)
        self.faults = FaultInjector(
            rng=random.Random(None if seed is None else f"{seed}-faults"),
        )
        self._lock = threading.RLock()
        now = self.clock.now()

        self.serial_number = f"{rng.randrange(10**10, 10**11)}"
        self.machine_id = f"{rng.randrange(10**19, 10**20)}"
        id_prefix = "_".join(f"{rng.getrandbits(48):012X}" for _ in range(2))
        self._auth = Credentials(rng)
        self._thermal = Thermal(now)
        self._motion = Motion(self.profile.axis_limits)
        self._jobs = JobMachine(
            self.clock,
            self._thermal,
            rng,
            id_prefix,
            file_read_time=checked_read_time(file_read_time),
            progress_exponent=checked_exponent(progress_exponent),
        )
        self._files = FileStore(in_use=self._jobs.files_in_use)
        self._seed_files()

    @property
    def transitions(self) -> list[Transition]:
        """Ground-truth log of every new job and every ``job_status`` change, oldest first.

        The live list, not a copy: it grows as the printer changes.
        """
        return self._jobs.transitions

    @property
    def file_read_time(self) -> float:
        """Simulated seconds a started job shows no estimate; a change applies to the next job."""
        return self._jobs.file_read_time

    @file_read_time.setter
    def file_read_time(self, value: float) -> None:
        with self._lock:
            self._jobs.file_read_time = checked_read_time(value)

    @property
    def progress_exponent(self) -> float:
        """How far ``print_progress`` lags the time elapsed (1: not at all)."""
        return self._jobs.progress_exponent

    @progress_exponent.setter
    def progress_exponent(self, value: float) -> None:
        with self._lock:
            self._jobs.progress_exponent = checked_exponent(value)

    @property
    def busy(self) -> bool:
        """When true, ``running_status`` is ``busy`` and job control answers "printer is busy"."""
        return self._jobs.busy

    @busy.setter
    def busy(self, value: bool) -> None:
        with self._lock:
            self._jobs.busy = value

    @property
    def safe_mode(self) -> bool:
        """When true, ``running_status`` is ``error``; setters answer "printer is in safe mode"."""
        return self._jobs.safe_mode

    @safe_mode.setter
    def safe_mode(self, value: bool) -> None:
        with self._lock:
            self._jobs.safe_mode = value

    def _update(self) -> float:
        """Bring time-dependent state up to now; return the simulated time. Call under the lock."""
        now = self.clock.now()
        self._jobs.update(now)
        return now

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
            check_file_path(checked)
        spec = PrintFile(
            total_time=max(1, round(self.job_duration if total_time is None else total_time)),
            total_layer=total_layer,
            filament=filament,
            data_path=data_path,
        )
        with self._lock:
            self._files.add_file(path, spec)

    def add_data_file(self, path: str, *, corrupt: bool = False) -> None:
        """Put a ``.data`` thumbnail file in the store (replacing any), creating its directories.

        Args:
            path: ``Local/...`` path of the ``.data`` file.
            corrupt: Whether it cannot be parsed: thumbnails of it answer 10004 "data file error".

        Raises:
            ValueError: If ``path`` is not a file path under ``Local/``.
        """
        check_file_path(path)
        with self._lock:
            self._files.add_data_file(path, corrupt=corrupt)

    @property
    def data_files(self) -> dict[str, bool]:
        """A copy of the ``.data`` files: path → whether it is corrupt."""
        with self._lock:
            return dict(self._files.data_files)

    @property
    def directories(self) -> set[str]:
        """A copy of the directories, ``Local`` included."""
        with self._lock:
            return set(self._files.dirs)

    def add_dir(self, path: str) -> None:
        """Create a directory (and its parents) under ``Local/``.

        Raises:
            ValueError: If ``path`` is not under ``Local/``.
        """
        path = path.rstrip("/")
        if not is_under_local(path):
            raise ValueError(f"not a directory under Local/: {path!r}")
        with self._lock:
            self._files.add_dir(path)

    @property
    def files(self) -> dict[str, PrintFile]:
        """A copy of the file store: path → file."""
        with self._lock:
            return dict(self._files.files)

    def list_files(self, directory: str, start_pos: int, max_num: int) -> dict[str, Any]:
        """Answer ``/fileops/list``: one page of the directory's entries, directories first.

        Paging runs over the directory's sub-directories (sorted) followed by its files (sorted);
        the vendor does not say how the two lists share a page, so this is the simplest reading.

        Raises:
            ApiFailure: 10005 outside ``Local/``, 10002 for a bad page, 404 for a missing directory.
        """
        with self._lock:
            return self._files.list_files(directory, start_pos, max_num)

    # ------------------------------------------------------------------ file operations
    # Refusals follow the vendor's error tables; where the vendor only says "fail to ..." (500),
    # the simulator refuses what a file system would: an existing target, a missing parent, a bad
    # name, or the file of the job being printed.

    def create_dir(self, dir_path: str) -> None:
        """Create a directory and its parents (``POST /filepos/dir/create``); existing is fine.

        Raises:
            ApiFailure: 10005 "root path error"; 500 "fail to create directory" when a file is in
                the way or a name is not one a file system takes.
        """
        with self._lock:
            self._files.create_dir(dir_path)

    def delete_dir(self, dir_path: str) -> None:
        """Delete a directory with everything in it (``POST /filepos/dir/delete``).

        Raises:
            ApiFailure: 10005 "root path error"; 10006 "no access to delete Local directory";
                404 "directory not exist"; 500 "fail to delete directory" while a job prints a
                file in it.
        """
        with self._lock:
            self._files.delete_dir(dir_path)

    def rename_dir(self, dir_path: str, new_name: str) -> None:
        """Rename a directory in its parent (``POST /filepos/dir/rename``).

        Raises:
            ApiFailure: 10005 "root path error"; 10006 "no access to rename Local directory";
                404 "directory not exist"; 500 "fail to rename directory" for a bad name, an
                existing target or a directory holding the file being printed.
        """
        with self._lock:
            self._files.rename_dir(dir_path, new_name)

    def delete_file(self, file_path: str) -> None:
        """Delete a file (``POST /filepos/delete``).

        Raises:
            ApiFailure: 10005 "root path error"; 404 "file not exist"; 500 "fail to delete file"
                for the file being printed.
        """
        with self._lock:
            self._files.delete_file(file_path)

    def rename_file(self, file_path: str, new_name: str) -> None:
        """Rename a file in its directory (``POST /filepos/rename``).

        Raises:
            ApiFailure: 10005 "root path error"; 404 "file not exist"; 500 "fail to rename file"
                for a bad name, an existing target or the file being printed.
        """
        with self._lock:
            self._files.rename_file(file_path, new_name)

    def move_file(self, file_src: str, file_dst: str) -> None:
        """Move a file to a new path, name included (``POST /filepos/moveto``).

        Raises:
            ApiFailure: 10005 "file_src root path error" / "file_dst root path error"; 404
                "source file not exist"; 500 "fail to move file" for an existing target, a
                missing target directory or the file being printed.
        """
        with self._lock:
            self._files.move_file(file_src, file_dst)

    def copy_file(self, file_src: str, file_dst: str) -> None:
        """Copy a file to a new path, name included (``POST /filepos/copy``).

        Raises:
            ApiFailure: 10005 "file_src root path error" / "file_dst root path error"; 404
                "source file not exist"; 500 "fail to copy file" for an existing target or a
                missing target directory.
        """
        with self._lock:
            self._files.copy_file(file_src, file_dst)

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
        with self._lock:
            return self._files.store_upload(
                dir_path,
                filename,
                size=size,
                sha256=sha256,
                head=head,
                limit=self.upload_limit,
                default_time=self.job_duration,
            )

    # ------------------------------------------------------------------ thumbnails

    def file_thumbnail(self, data_path: str, width: int, height: int) -> dict[str, Any]:
        """Answer ``/fileops/imagedownload``: a PNG of the ``.data`` file, base64-encoded.

        Raises:
            ApiFailure: 10002 width/height range; 10005 "root path error"; 404 "data file not
                exist"; 10004 "data file error" for a corrupt ``.data`` file.
        """
        check_image_size(width, height)
        if not is_under_local(data_path):
            raise ApiFailure(10005, "root path error")
        with self._lock:
            return self._files.thumbnail(data_path, width, height, missing="data file not exist")

    def job_thumbnail(self, job_id: str, width: int, height: int) -> dict[str, Any]:
        """Answer ``/dashboard/imagedownload``: the PNG of the job's ``.data`` file, in base64.

        Raises:
            ApiFailure: 10002 width/height range; 404 "no image corresponds to the job" for an
                unknown job or one without a ``.data`` file; 10004 "data file error" for a
                corrupt one.
        """
        check_image_size(width, height)
        with self._lock:
            return self._files.thumbnail(
                self._jobs.data_path_of(job_id),
                width,
                height,
                missing="no image corresponds to the job",
            )

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
        with self._lock:
            return self._auth.login(
                self.password, sign_value, timestamp, self.clock.now(), self.token_lifetime
            )

    def check_token(self, token: str | None) -> bool:
        """Return whether ``token`` was issued and has not expired or been invalidated."""
        with self._lock:
            return self._auth.check_token(token, self.clock.now())

    def expire_tokens(self) -> None:
        """Invalidate every token now (the next request gets 401 "token error")."""
        with self._lock:
            self._auth.expire_tokens()

    def reboot(self) -> None:
        """Restart the printer's API: tokens and the camera password change, state is kept."""
        with self._lock:
            self._auth.reboot()

    # ------------------------------------------------------------------ status

    @property
    def running_status(self) -> str:
        """The ``running_status`` string: idle, paused, running, busy, completed or error."""
        with self._lock:
            self._update()
            return self._jobs.running_status()

    @property
    def job_status(self) -> str | None:
        """The current (or last) job's ``job_status``; ``None`` before the first job."""
        with self._lock:
            self._update()
            return None if self._jobs.job is None else self._jobs.job.status

    @property
    def job_id(self) -> str | None:
        """The current (or last) job's id; ``None`` before the first job."""
        with self._lock:
            return None if self._jobs.job is None else self._jobs.job.job_id

    @property
    def printed_time(self) -> float:
        """Simulated seconds the current (or last) job has printed."""
        with self._lock:
            now = self._update()
            return 0.0 if self._jobs.job is None else self._jobs.job.printed(now)

    @property
    def progress(self) -> float:
        """Progress of the current (or last) job in percent (0-100)."""
        with self._lock:
            return self._jobs.progress(self._update())

    @property
    def has_last_job(self) -> bool:
        """Whether a job interrupted by a power loss is waiting for ``recover``."""
        with self._lock:
            return self._jobs.last_job is not None

    @property
    def history(self) -> list[HistoryEntry]:
        """The completed jobs, oldest first (the dashboard job list)."""
        with self._lock:
            self._update()
            return list(self._jobs.history)

    # ------------------------------------------------------------------ job control

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
        if not is_under_local(file_path):
            raise ApiFailure(10005, "root path error")
        with self._lock:
            now = self._update()
            self._jobs.check_startable()
            spec = self._files.files.get(file_path)
            if spec is None:
                raise ApiFailure(500, "print file is not exist")
            return self._jobs.start(file_path, spec, now)

    def pause(self) -> None:
        """Pause the running job.

        Raises:
            ApiFailure: 500 "printer is paused" if already paused, or a refusal of :meth:`operate`.
        """
        with self._lock:
            self._jobs.pause(self._update())

    def resume(self) -> None:
        """Resume the paused job.

        Raises:
            ApiFailure: 500 "printer is printing" if it is running, or a refusal of :meth:`operate`.
        """
        with self._lock:
            self._jobs.resume(self._update())

    def stop(self) -> None:
        """Stop the running or paused job (it does not enter the job list or statistics).

        Raises:
            ApiFailure: The refusals of :meth:`operate`.
        """
        with self._lock:
            self._jobs.stop(self._update())

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
            self._auth.reboot()
            self._jobs.power_loss(now)

    def recover(self) -> None:
        """Resume the job a power loss interrupted (``POST /job/recover/set``).

        Raises:
            ApiFailure: 500 "printer is printing" / "printer is paused" / "printer is busy";
                10002 "no last job found" when nothing was interrupted.
        """
        with self._lock:
            self._jobs.recover(self._update())

    # ------------------------------------------------------------------ answers

    def system_info(self, machine_ip: str = "127.0.0.1") -> dict[str, Any]:
        """Answer ``/printer/system``: the vendor's field names, the model's values."""
        with self._lock:
            available = self._files.storage_available()
        profile = self.profile
        return {
            "Serial_number": self.serial_number,
            "api_version": profile.api_version,
            "battery": profile.battery,
            "brightness": profile.brightness,
            "date_time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "firmware_version": profile.firmware_version,
            "language": "English",
            "machine_id": self.machine_id,
            "machine_ip": machine_ip,
            "machine_name": self.name,
            "model": profile.model,
            "nozzies_num": self.nozzles,
            "storage_available": available,
            "update": "",
            "version": profile.version,
        }

    def camera_info(self) -> dict[str, Any]:
        """Answer ``/printer/camera``; the password changes at every reboot, as on a printer.

        The URI names :attr:`camera_port`, where the served camera server listens. Without a
        camera the answer is ``{"is_camera_connected": false}`` and nothing else, as a real Pro2
        answers (no URI, no credentials).
        """
        if not self.camera_connected:
            return {"is_camera_connected": False}
        with self._lock:
            return {
                "camerserver_URI": f":{self.camera_port}/api/v1/camera/auth_stream",
                "is_camera_connected": True,
                "password": self._auth.camera_password,
                "user_name": CAMERA_USER,
            }

    def check_camera_credentials(self, user: str, password: str) -> bool:
        """Return whether HTTP Basic credentials open the camera server (this boot's password)."""
        with self._lock:
            return self._auth.check_camera(user, password)

    def basic_info(self) -> dict[str, Any]:
        """Answer ``/printer/basic``: fan (%), feed rate (%) and heatbed (°C), as integers."""
        with self._lock:
            now = self._update()
            thermal = self._thermal
            return {
                "fan_cur_speed": round(thermal.fan.at(now)),
                "fan_tar_speed": round(thermal.fan.target),
                "feed_cur_rate": self._motion.feedrate,
                "feed_tar_rate": self._motion.feedrate,
                "heatbed_cur_temp": round(thermal.heatbed.at(now)),
                "heatbed_tar_temp": round(thermal.heatbed.target),
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
            heater = self._thermal.nozzles[index]
            return {
                "flow_cur_rate": self._motion.flowrates[index],
                "flow_tar_rate": self._motion.flowrates[index],
                "nozzle_cur_temp": round(heater.at(now)),
                "nozzle_tar_temp": round(heater.target),
            }

    def set_nozzle_temp(self, nozzle: int, temperature: int) -> None:
        """Set a nozzle's target temperature (0-310 °C).

        Raises:
            ApiFailure: 404 "no right nozzle", 10002 "temperature error value(0~310)", 500 states.
        """
        index = self._nozzle_index(nozzle)
        if not 0 <= temperature <= 310:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "temperature error value(0~310)")
        with self._lock:
            self._jobs.check_settable()
            self._thermal.nozzles[index].set_target(self._update(), temperature)

    def set_flowrate(self, nozzle: int, flowrate: int) -> None:
        """Set a nozzle's flow rate (1-300 %).

        Raises:
            ApiFailure: 404 "no right nozzle", 10002 "flowrate error value(1~300)", 500 states.
        """
        index = self._nozzle_index(nozzle)
        if not 1 <= flowrate <= 300:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "flowrate error value(1~300)")
        with self._lock:
            self._jobs.check_settable()
            self._motion.flowrates[index] = flowrate

    def set_heatbed_temp(self, temperature: int) -> None:
        """Set the heatbed's target temperature (0-110 °C).

        Raises:
            ApiFailure: 10002 "temperature error value(0~110)", 500 states.
        """
        if not 0 <= temperature <= 110:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "temperature error value(0~110)")
        with self._lock:
            self._jobs.check_settable()
            self._thermal.heatbed.set_target(self._update(), temperature)

    def set_feedrate(self, feedrate: int) -> None:
        """Set the feed rate (1-350 %).

        Raises:
            ApiFailure: 10002 "feedrate error value(1~350)", 500 states.
        """
        if not 1 <= feedrate <= 350:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "feedrate error value(1~350)")
        with self._lock:
            self._jobs.check_settable()
            self._motion.feedrate = feedrate

    def set_fanspeed(self, fanspeed: int) -> None:
        """Set the fan speed (0-100 %).

        Raises:
            ApiFailure: 10002 "fanspeed error value(0~100)" (the documented example's wording), 500.
        """
        if not 0 <= fanspeed <= 100:  # noqa: PLR2004 - the documented range
            raise ApiFailure(10002, "fanspeed error value(0~100)")
        with self._lock:
            self._jobs.check_settable()
            self._thermal.fan.set_target(self._update(), fanspeed)

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
        with self._lock:
            self._motion.check_move(
                relative=relative, feed=feed, moves=moves, nozzle=nozzle, nozzles=self.nozzles
            )
            self._jobs.check_settable()
            self._motion.move(relative=relative, moves=moves)

    @property
    def position(self) -> dict[str, int]:
        """Axis positions in millimetres (``x``, ``y``, ``z``) and the filament fed (``e``)."""
        with self._lock:
            return dict(self._motion.position)

    def current_job(self) -> dict[str, Any]:
        """Answer ``/job/currentjob``.

        Before the first job the printer answers exactly what a real idle Pro2 does: empty
        ``file_name`` and ``job_id``, ``job_status`` "running", zeros, and the "no estimate"
        totals (``total_time`` 3600000, ``total_layer`` 0). A started job shows those totals for
        its first ``file_read_time`` seconds, then the real ones. Afterwards the printer keeps
        showing the last job (completed, stopped, or interrupted by a power loss) until a new one
        starts.
        """
        with self._lock:
            return self._jobs.current_job(self._update())

    def statistics(self) -> dict[str, Any]:
        """Answer ``/dashboard/statistics``; ``printed_used_filament_1`` only with two nozzles."""
        with self._lock:
            self._update()
            return self._jobs.statistics(self.nozzles)

    def job_list(self, max_num: int, start_pos: int) -> dict[str, Any]:
        """Answer ``/dashboard/joblist``: completed jobs from ``start_pos``, oldest first.

        As the vendor documents, ``start_pos`` must be smaller than the number of printed files, so
        a printer that has completed nothing answers every page with "start_pos error".

        Raises:
            ApiFailure: 10002 "max_num error value(1~12)" or "start_pos error".
        """
        with self._lock:
            self._update()
            return self._jobs.job_list(max_num, start_pos)

    def job_detail(self, pos: int, job_id: str) -> dict[str, Any]:
        """Answer ``/dashboard/job``: one completed job, by position and id.

        Filament figures are in milligrams, as the vendor's page says (the statistics, in
        grams, say grams), although its example values look gram-sized.

        Raises:
            ApiFailure: 10002 "pos error" or "job id not match pos".
        """
        with self._lock:
            self._update()
            return self._jobs.job_detail(pos, job_id, self.nozzles)

    def __repr__(self) -> str:
        return (
            f"SimulatedPrinter(name={self.name!r}, model={self.profile.name!r}, "
            f"nozzles={self.nozzles})"
        )
