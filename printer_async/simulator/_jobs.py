"""The simulated printer's job machine.

The current job, its progress and status, power loss and recovery, the history of completed jobs
and their statistics, and the ground-truth log of every change. Time is evaluated lazily:
:meth:`JobMachine.update` completes a running job whose time is up, at the simulated time it
finished, whenever the printer is next looked at. Not thread-safe on its own: the
:class:`~printer_async.simulator.SimulatedPrinter` façade calls it under its lock.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any, Final

import attrs

from printer_async.simulator._failure import ApiFailure

if TYPE_CHECKING:
    import random

    from printer_async.simulator._clock import Clock
    from printer_async.simulator._files import PrintFile
    from printer_async.simulator._thermal import Thermal

JOB_LIST_MAX: Final = 12
MILLIGRAMS_PER_GRAM: Final = 1000.0
NO_ESTIMATE: Final = 3_600_000
"""The ``total_time`` a printer reports while it has no estimate: idle, or still reading the file
of a job that has just started (with ``total_layer`` 0). Seen on two real printers."""


def checked_read_time(seconds: float) -> float:
    """Return ``seconds`` as a ``file_read_time``.

    Raises:
        ValueError: If it is negative or not finite.
    """
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"file_read_time must be 0 or more seconds, got {seconds!r}")
    return seconds


def checked_exponent(exponent: float) -> float:
    """Return ``exponent`` as a ``progress_exponent``.

    Raises:
        ValueError: If it is not a positive finite number.
    """
    if not (math.isfinite(exponent) and exponent > 0):
        raise ValueError(f"progress_exponent must be positive, got {exponent!r}")
    return exponent


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
class Job:
    """A started job and how far it printed."""

    job_id: str
    file_name: str
    spec: PrintFile
    estimate_at: float  # simulated time the printer has read the file and knows the totals
    status: str = "running"
    printed_before: float = 0.0  # simulated seconds printed before the current running stretch
    running_since: float | None = None  # simulated time the current running stretch started

    def printed(self, now: float) -> float:
        """Simulated seconds printed by ``now``."""
        if self.running_since is None:
            return self.printed_before
        return min(float(self.spec.total_time), self.printed_before + now - self.running_since)

    def finish_time(self) -> float | None:
        """Simulated time the job completes if it keeps running; ``None`` when not running."""
        if self.running_since is None:
            return None
        return self.running_since + self.spec.total_time - self.printed_before


class JobMachine:
    """What the printer is doing: its job (or last job), its busy and safe-mode flags, its history.

    Args:
        clock: The printer's clock (for the real moment of a lazily noticed completion).
        thermal: Heated when a job starts or resumes after a power loss, cooled when it ends.
        rng: Source of job ids.
        id_prefix: The printer's part of every job id.
        file_read_time: Simulated seconds a started job shows no estimate (see
            :class:`~printer_async.simulator.SimulatedPrinter`).
        progress_exponent: ``print_progress`` is ``100 * done ** progress_exponent``, ``done``
            being the share of the print time elapsed.
    """

    def __init__(
        self,
        clock: Clock,
        thermal: Thermal,
        rng: random.Random,
        id_prefix: str,
        *,
        file_read_time: float,
        progress_exponent: float,
    ) -> None:
        self.file_read_time = file_read_time
        self.progress_exponent = progress_exponent
        self._clock = clock
        self._thermal = thermal
        self._rng = rng
        self._id_prefix = id_prefix
        self.job: Job | None = None
        self.last_job: Job | None = None  # interrupted by a power loss, waiting for recover
        self.history: list[HistoryEntry] = []
        self._printed_total_time = 0
        self._used_filament = [0.0, 0.0]
        self._job_ids: set[str] = set()
        self._job_data: dict[str, str] = {}  # job id -> the .data path of the file it printed
        self.transitions: list[Transition] = []
        self.busy = False
        self.safe_mode = False

    # ------------------------------------------------------------------ time

    def update(self, now: float) -> None:
        """Complete the running job if its time is up, at the time it finished."""
        job = self.job
        if job is not None and job.status == "running":
            finish = job.finish_time()
            if finish is not None and finish <= now:
                self._complete(job, finish)

    def _complete(self, job: Job, at: float) -> None:
        job.printed_before = float(job.spec.total_time)
        job.running_since = None
        self.history.append(
            HistoryEntry(
                job_index=len(self.history),
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
        self._thermal.cool_down(at)
        self._set_status(job, "completed", at, self._clock.wall_time_at(at))

    def _set_status(self, job: Job, status: str, at: float, wall: float | None = None) -> None:
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
                running_status=self.running_status(),
            )
        )

    # ------------------------------------------------------------------ status

    def running_status(self) -> str:
        """The ``running_status`` string: idle, paused, running, busy, completed or error."""
        if self.safe_mode:
            return "error"
        if self.busy:
            return "busy"
        job = self.job
        if job is None or job.status == "stopped":
            return "idle"
        return job.status  # running, paused and completed are also running_status values

    def check_settable(self) -> None:
        """Refuse a setter the way a printer in safe mode or busy does.

        Raises:
            ApiFailure: 500 "printer is in safe mode" or "printer is busy".
        """
        if self.safe_mode:
            raise ApiFailure(500, "printer is in safe mode")
        if self.busy:
            raise ApiFailure(500, "printer is busy")

    def files_in_use(self) -> set[str]:
        """Files a running, paused or power-interrupted job is printing."""
        jobs = [self.job, self.last_job]
        return {
            job.file_name
            for job in jobs
            if job is not None and (job is self.last_job or job.status in {"running", "paused"})
        }

    def data_path_of(self, job_id: str) -> str:
        """The ``.data`` path of the file a job printed (``""`` for none or an unknown job)."""
        return self._job_data.get(job_id, "")

    # ------------------------------------------------------------------ job control

    def _new_job_id(self) -> str:
        while True:
            job_id = f"{self._id_prefix}_{self._rng.getrandbits(72):018x}"
            if job_id not in self._job_ids:
                self._job_ids.add(job_id)
                return job_id

    def _refuse_if_screen_or_busy(self) -> None:
        if self.last_job is not None:
            raise ApiFailure(500, "printer show powerloss interface")
        if self.busy:
            raise ApiFailure(500, "printer is busy")

    def check_startable(self) -> None:
        """Refuse a new job the way the printer does while another is active.

        Raises:
            ApiFailure: 500 "printer is printing" / "printer is paused" / "printer is busy" /
                "printer show powerloss interface".
        """
        self._refuse_if_screen_or_busy()
        current = self.job
        if current is not None and current.status in {"running", "paused"}:
            raise ApiFailure(
                500, f"printer is {'printing' if current.status == 'running' else 'paused'}"
            )

    def start(self, file_path: str, spec: PrintFile, now: float) -> str:
        """Start printing a file (checked with :meth:`check_startable` first); return the job id."""
        current = self.job
        job = Job(
            job_id=self._new_job_id(),
            file_name=file_path,
            spec=spec,
            estimate_at=now + self.file_read_time,
            running_since=now,
        )
        self.job = job
        self._job_data[job.job_id] = spec.data_path
        self._thermal.heat_for_job(now)
        self._log(job.job_id, None if current is None else current.status, "running", now, None)
        return job.job_id

    def _active_job(self) -> Job:
        """Return the running or paused job, or refuse the way the printer does."""
        self._refuse_if_screen_or_busy()
        job = self.job
        if job is not None and job.status == "completed":
            raise ApiFailure(500, "printer show completed interface")
        if job is None or job.status == "stopped":
            raise ApiFailure(500, "printer is stoped")
        return job

    def pause(self, now: float) -> None:
        """Do :meth:`SimulatedPrinter.pause` (its docstring lists the refusals)."""
        job = self._active_job()
        if job.status == "paused":
            raise ApiFailure(500, "printer is paused")
        job.printed_before = job.printed(now)
        job.running_since = None
        self._set_status(job, "paused", now)

    def resume(self, now: float) -> None:
        """Do :meth:`SimulatedPrinter.resume` (its docstring lists the refusals)."""
        job = self._active_job()
        if job.status == "running":
            raise ApiFailure(500, "printer is printing")
        job.running_since = now
        self._set_status(job, "running", now)

    def stop(self, now: float) -> None:
        """Do :meth:`SimulatedPrinter.stop` (its docstring lists the refusals)."""
        job = self._active_job()
        job.printed_before = job.printed(now)
        job.running_since = None
        self._thermal.cool_down(now)
        self._set_status(job, "stopped", now)

    def power_loss(self, now: float) -> None:
        """Interrupt a running or paused job: it shows "stopped" until :meth:`recover`."""
        self._thermal.cool_down(now)
        job = self.job
        if job is not None and job.status in {"running", "paused"}:
            job.printed_before = job.printed(now)
            job.running_since = None
            self.last_job = job
            self._set_status(job, "stopped", now)

    def recover(self, now: float) -> None:
        """Do :meth:`SimulatedPrinter.recover` (its docstring lists the refusals)."""
        if self.busy:
            raise ApiFailure(500, "printer is busy")
        job = self.job
        if job is not None and job.status in {"running", "paused"}:
            raise ApiFailure(
                500, f"printer is {'printing' if job.status == 'running' else 'paused'}"
            )
        last = self.last_job
        if last is None:
            raise ApiFailure(10002, "no last job found")
        self.last_job = None
        self.job = last
        last.running_since = now
        self._thermal.heat_for_job(now)
        self._set_status(last, "running", now)

    # ------------------------------------------------------------------ answers

    def current_job(self, now: float) -> dict[str, Any]:
        """Answer ``/job/currentjob`` (see :meth:`SimulatedPrinter.current_job`)."""
        job = self.job
        if job is None:
            return _no_estimate("", "", "running")
        if job.status in {"running", "paused"} and now < job.estimate_at:
            return _no_estimate(job.file_name, job.job_id, job.status)
        printed = job.printed(now)
        done = printed / job.spec.total_time
        return {
            "file_name": job.file_name,
            "job_id": job.job_id,
            "job_status": job.status,
            "print_progress": 100.0 * done**self.progress_exponent,
            "printed_layer": math.floor(job.spec.total_layer * done),
            "printed_time": math.floor(printed),
            "total_layer": job.spec.total_layer,
            "total_time": job.spec.total_time,
        }

    def progress(self, now: float) -> float:
        """Progress of the current (or last) job in percent (0-100); 0 before the first job."""
        job = self.job
        return 0.0 if job is None else 100.0 * job.printed(now) / job.spec.total_time

    def statistics(self, nozzles: int) -> dict[str, Any]:
        """Answer ``/dashboard/statistics``; ``printed_used_filament_1`` only with two nozzles."""
        data: dict[str, Any] = {
            "printed_file_num": len(self.history),
            "printed_total_time": self._printed_total_time,
            "printed_used_filament_0": self._used_filament[0],
        }
        if nozzles == 2:  # noqa: PLR2004 - the vendor omits the right nozzle's figure
            data["printed_used_filament_1"] = self._used_filament[1]
        data["printed_used_filament"] = sum(self._used_filament[:nozzles])
        return data

    def job_list(self, max_num: int, start_pos: int) -> dict[str, Any]:
        """Do :meth:`SimulatedPrinter.job_list` (its docstring lists the refusals)."""
        if not 1 <= max_num <= JOB_LIST_MAX:
            raise ApiFailure(10002, "max_num error value(1~12)")
        if not 0 <= start_pos < len(self.history):
            raise ApiFailure(10002, "start_pos error")
        return {
            "job_list": [
                {
                    "file_name": entry.file_name,
                    "job_id": entry.job_id,
                    "user_tag": entry.user_tag,
                    "job_index": entry.job_index,
                }
                for entry in self.history[start_pos : start_pos + max_num]
            ]
        }

    def job_detail(self, pos: int, job_id: str, nozzles: int) -> dict[str, Any]:
        """Do :meth:`SimulatedPrinter.job_detail` (its docstring lists the refusals)."""
        if not 0 <= pos < len(self.history):
            raise ApiFailure(10002, "pos error")
        entry = self.history[pos]
        if entry.job_id != job_id:
            raise ApiFailure(10002, "job id not match pos")
        data: dict[str, Any] = {
            "file_name": entry.file_name,
            "real_print_time": entry.real_print_time,
            "estimated_time": entry.estimated_time,
            "filament_used_0": entry.filament[0] * MILLIGRAMS_PER_GRAM,
        }
        if nozzles == 2:  # noqa: PLR2004 - as in the statistics
            data["filament_used_1"] = entry.filament[1] * MILLIGRAMS_PER_GRAM
        data["user_tag"] = entry.user_tag
        return data


def _no_estimate(file_name: str, job_id: str, job_status: str) -> dict[str, Any]:
    """A ``/job/currentjob`` answer without totals: what an idle or just-started printer says."""
    return {
        "file_name": file_name,
        "job_id": job_id,
        "job_status": job_status,
        "print_progress": 0,
        "printed_layer": 0,
        "printed_time": 0,
        "total_layer": 0,
        "total_time": NO_ESTIMATE,
    }
