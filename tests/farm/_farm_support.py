"""Helpers for the farm tests: a webhook receiver on 127.0.0.1, free ports, metric parsing."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from printer_async import (
    AsyncPrinter,
    BasicInfo,
    CurrentJob,
    EventKind,
    JobEvent,
    JobStatus,
    NozzleInfo,
    PollReport,
    PrinterBusyError,
    Statistics,
    SystemInfo,
)
from prometheus_client.parser import text_string_to_metric_families

if TYPE_CHECKING:
    from printer_async.exporter import FleetMetrics

WHEN = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every JSON body posted to it.

    Apprise's ``json://127.0.0.1:PORT/PATH`` target posts ``{"title", "message", "type"}``.
    """

    def __init__(self) -> None:
        """Listen on a free port, in a thread; answer ``status`` (200 unless told)."""
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.status = 200
        self.delay = 0.0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                time.sleep(receiver.delay)
                receiver.paths.append(self.path)
                receiver.bodies.append(body)
                self.send_response(receiver.status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass  # keep the test output clean

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str = "hook") -> str:
        """The Apprise URL that posts here."""
        return f"json://127.0.0.1:{self.port}/{path}"

    def titles(self) -> list[str]:
        """The titles received, in order."""
        return [body["title"] for body in self.bodies]

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus text exposition: (name, labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(parsed: dict, name: str, **labels: str) -> float | None:
    """One sample's value from :func:`samples`, or ``None`` when there is none."""
    return parsed.get((name, frozenset(labels.items())))


def stand_in(name: str) -> AsyncPrinter:
    """An AsyncPrinter that is only a name, for events and reports made by hand."""
    printer = AsyncPrinter.__new__(AsyncPrinter)
    printer.name = name
    return printer


def fill(
    metrics: FleetMetrics,
    name: str,
    *,
    file_name: str = "Local/a.gcode",
    job_id: str = "J",
    status: JobStatus = JobStatus.RUNNING,
    model: str = "Raise3D Pro2",
) -> None:
    """Give ``metrics`` a printer with every kind of state: job, events, errors, details.

    benchmarks/exporter.py uses it too, for its thousand printers.
    """
    metrics.track([*metrics.names, name])
    printer = stand_in(name)
    job = CurrentJob(
        file_name=file_name,
        print_progress=50,
        printed_layer=5,
        total_layer=10,
        printed_time=60,
        total_time=120,
        job_id=job_id,
        job_status=status,
    )
    busy = PrinterBusyError("busy", code=10003, msg="busy", endpoint="/job/currentjob")
    for answer, error in ((None, busy), (job, None)):
        report = PollReport(
            printer=printer, job=answer, error=error, duration=0.1, delay=5.0, backoff=True
        )
        metrics.poll(report)
    metrics.event(
        JobEvent(
            kind=EventKind.COMPLETED,
            previous=JobStatus.RUNNING,
            current=JobStatus.COMPLETED,
            job=job,
            observed_at=WHEN,
            printer=printer,
        )
    )
    metrics.details(
        name,
        system=SystemInfo(
            serial_number="1",
            api_version="0.1.0.926",
            battery=0,
            brightness=100,
            date_time=WHEN,
            firmware_version="1.7.0.1008",
            language="English",
            machine_id="1",
            machine_ip="127.0.0.1",
            machine_name=name,
            model=model,
            nozzle_count=2,
            storage_available_kb=1,
            update="none",
            version="1.0",
        ),
        basic=BasicInfo(
            fan_cur_speed=50,
            fan_tar_speed=50,
            feed_cur_rate=100,
            feed_tar_rate=100,
            heatbed_cur_temp=59.5,
            heatbed_tar_temp=60,
        ),
        nozzles={
            index: NozzleInfo(
                flow_cur_rate=100, flow_tar_rate=100, nozzle_cur_temp=209, nozzle_tar_temp=210
            )
            for index in (1, 2)
        },
        statistics=Statistics(
            printed_file_num=3,
            printed_total_time=600,
            printed_used_filament=12.5,
            printed_used_filament_left=10,
            printed_used_filament_right=2.5,
        ),
    )
    metrics.detail_failed(name, busy)
