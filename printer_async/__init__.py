"""printer-async: an asyncio client for Raise3D printers' Remote Access API."""

from __future__ import annotations

from typing import Any

from printer_async._auth import sign
from printer_async._client import AsyncPrinter
from printer_async._errors import (
    ApiError,
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PathError,
    PrinterBusyError,
    PrinterConnectionError,
    PrinterError,
    PrinterStateError,
    ProtocolError,
    ServiceUnavailableError,
    StateReason,
)
from printer_async._models import (
    REDACT_KEYS,
    BasicInfo,
    CameraInfo,
    CurrentJob,
    FileEntry,
    FileList,
    JobDetail,
    JobListEntry,
    JobStatus,
    NozzleInfo,
    PrinterIdentity,
    PrinterState,
    RunningStatus,
    RunningStatusInfo,
    Statistics,
    SystemInfo,
)
from printer_async._orchestration.fleet import Fleet, FleetWatch
from printer_async._orchestration.watch import EventKind, JobEvent, PollReport
from printer_async._transports.httpx_over_aiohttp import aiohttp_client

__all__ = [
    "REDACT_KEYS",
    "ApiError",
    "AsyncPrinter",
    "AuthenticationError",
    "BasicInfo",
    "CameraInfo",
    "CurrentJob",
    "EventKind",
    "FileEntry",
    "FileList",
    "Fleet",
    "FleetWatch",
    "InvalidParameterError",
    "JobDetail",
    "JobEvent",
    "JobListEntry",
    "JobStatus",
    "NotFoundError",
    "NozzleInfo",
    "PathError",
    "PollReport",
    "PrinterBusyError",
    "PrinterConnectionError",
    "PrinterError",
    "PrinterIdentity",
    "PrinterState",
    "PrinterStateError",
    "ProtocolError",
    "RunningStatus",
    "RunningStatusInfo",
    "ServiceUnavailableError",
    "StateReason",
    "Statistics",
    "SystemInfo",
    "aiohttp_client",
    "sign",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 - only when asked

        return version("printer-async")
    raise AttributeError(f"module 'printer_async' has no attribute {name!r}")
