"""A Prometheus exporter over a fleet: ``/metrics``, ``/probe?target=NAME``, ``/healthz``.

It needs the ``exporter`` extra (prometheus-client, uvicorn, and Apprise for notifications):
``pip install "printer-async[exporter]"``. ``import printer_async`` never imports this package.
The ``printer-async exporter`` command runs it; the documentation's "Print farms" page lists the
metrics and shows the Prometheus configurations.
"""

from printer_async.exporter._exporter import (
    DEFAULT_DETAILS_INTERVAL,
    DEFAULT_RELOAD_INTERVAL,
    DEFAULT_STATISTICS_INTERVAL,
    FleetExporter,
)
from printer_async.exporter._families import JOB_STATUSES
from printer_async.exporter._fleetfile import FleetFile
from printer_async.exporter._metrics import DURATION_BUCKETS, FleetCollector, FleetMetrics
from printer_async.exporter._server import DEFAULT_LISTEN, MetricsApp, bind, parse_listen, serve
from printer_async.exporter._shard import Shard

__all__ = [
    "DEFAULT_DETAILS_INTERVAL",
    "DEFAULT_LISTEN",
    "DEFAULT_RELOAD_INTERVAL",
    "DEFAULT_STATISTICS_INTERVAL",
    "DURATION_BUCKETS",
    "JOB_STATUSES",
    "FleetCollector",
    "FleetExporter",
    "FleetFile",
    "FleetMetrics",
    "MetricsApp",
    "Shard",
    "bind",
    "parse_listen",
    "serve",
]
