"""Every public method of ``AsyncPrinter``, called with valid arguments, and its result's type.

The hardening suites call each of them against hostile servers; iterators are read to their
end, a watch for a few polls, a camera stream to its first frame.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from printer_async import (
    AsyncPrinter,
    BasicInfo,
    CameraInfo,
    CurrentJob,
    FileList,
    JobDetail,
    JobEvent,
    JobListEntry,
    NozzleInfo,
    PrinterIdentity,
    PrinterState,
    RunningStatus,
    RunningStatusInfo,
    Statistics,
    SystemInfo,
)

WATCH_SECONDS = 0.4
"""How long a watch is followed."""


async def _collect(iterator: Any) -> list[Any]:
    async with contextlib.aclosing(iterator):
        return [item async for item in iterator]


async def _first_frame(printer: AsyncPrinter) -> bytes | None:
    async with contextlib.aclosing(printer.camera_frames()) as frames:
        return await anext(frames, None)


async def _watched(printer: AsyncPrinter) -> list[JobEvent]:
    """The events of a short watch: a few polls, each failure stretching the next delay."""
    events: list[JobEvent] = []
    watch = printer.watch(interval=0.01, backoff_cap=0.02, offline_after=0.03, progress_step=1)
    with anyio.move_on_after(WATCH_SECONDS):
        async with contextlib.aclosing(watch):
            async for event in watch:
                events.append(event)
    return events


Call = Callable[[AsyncPrinter], Awaitable[Any]]
CALLS: dict[str, tuple[Call, Any]] = {
    "login": (lambda p: p.login(), type(None)),
    "current_job": (lambda p: p.current_job(), CurrentJob),
    "start_job": (lambda p: p.start_job("Local/a.gcode"), type(None)),
    "recover_job": (lambda p: p.recover_job(), type(None)),
    "statistics": (lambda p: p.statistics(), Statistics),
    "job_list": (lambda p: p.job_list(), list),
    "iter_jobs": (lambda p: _collect(p.iter_jobs(busy_retries=1, backoff=0.001)), list),
    "system_info": (lambda p: p.system_info(), SystemInfo),
    "identify": (lambda p: p.identify(), PrinterIdentity),
    "read_state": (lambda p: p.read_state(), PrinterState),
    "running_status": (lambda p: p.running_status(), RunningStatus),
    "running_status_info": (lambda p: p.running_status_info(), RunningStatusInfo),
    "basic_info": (lambda p: p.basic_info(), BasicInfo),
    "nozzle": (lambda p: p.nozzle(2), NozzleInfo),
    "camera_info": (lambda p: p.camera_info(), CameraInfo),
    "set_nozzle_temperature": (lambda p: p.set_nozzle_temperature(1, 200), type(None)),
    "set_heatbed_temperature": (lambda p: p.set_heatbed_temperature(60), type(None)),
    "set_flow_rate": (lambda p: p.set_flow_rate(2, 100), type(None)),
    "set_feed_rate": (lambda p: p.set_feed_rate(100), type(None)),
    "set_fan_speed": (lambda p: p.set_fan_speed(50), type(None)),
    "move_axes": (lambda p: p.move_axes(x=1, z=2, feed=100), type(None)),
    "extrude": (lambda p: p.extrude(1, feed=100), type(None)),
    "pause_job": (lambda p: p.pause_job(), type(None)),
    "resume_job": (lambda p: p.resume_job(), type(None)),
    "stop_job": (lambda p: p.stop_job(), type(None)),
    "job_detail": (lambda p: p.job_detail(0, "j1"), JobDetail),
    "job_thumbnail": (lambda p: p.job_thumbnail("j1"), bytes),
    "list_files": (lambda p: p.list_files("Local/"), FileList),
    "iter_files": (lambda p: _collect(p.iter_files("Local/")), list),
    "file_thumbnail": (lambda p: p.file_thumbnail("Local/b.data"), bytes),
    "upload_file": (lambda p: p.upload_file(b"G28\n", filename="a.gcode"), type(None)),
    "delete_file": (lambda p: p.delete_file("Local/a.gcode"), type(None)),
    "rename_file": (lambda p: p.rename_file("Local/a.gcode", "b.gcode"), type(None)),
    "move_file": (lambda p: p.move_file("Local/a.gcode", "Local/d/a.gcode"), type(None)),
    "copy_file": (lambda p: p.copy_file("Local/a.gcode", "Local/d/a.gcode"), type(None)),
    "create_directory": (lambda p: p.create_directory("Local/d"), type(None)),
    "delete_directory": (lambda p: p.delete_directory("Local/d"), type(None)),
    "rename_directory": (lambda p: p.rename_directory("Local/d", "e"), type(None)),
    "snapshot": (lambda p: p.snapshot(), bytes),
    "camera_frames": (_first_frame, bytes | None),
    "watch": (_watched, list),
}
"""Every public method of AsyncPrinter, called with valid arguments, and its result's type."""

ITEM_TYPES = {"job_list": JobListEntry, "iter_jobs": JobListEntry, "iter_files": FileList}
MANY_REQUESTS = {"iter_jobs", "iter_files", "watch", "camera_frames"}
"""Calls made of several calls, each with its own deadline."""
