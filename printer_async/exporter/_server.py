"""The exporter's HTTP side: ``/metrics``, ``/probe?target=NAME``, ``/healthz``, served by uvicorn.

The application is a plain ASGI callable over :class:`FleetMetrics`; every answer is made from
the latest state, never from a printer. The listening socket is bound before anything else
starts (:func:`bind`), so a port already in use is one clear error, not a half-started exporter.
"""

from __future__ import annotations

import gzip
import socket
import urllib.parse
from typing import TYPE_CHECKING, Any, Final

import anyio
from prometheus_client.exposition import gzip_accepted

if TYPE_CHECKING:
    from printer_async.exporter._metrics import FleetMetrics

__all__ = ["DEFAULT_LISTEN", "MetricsApp", "bind", "parse_listen", "serve"]

DEFAULT_LISTEN: Final = "127.0.0.1:9877"
"""Where the exporter listens by default: this machine only."""

CONTENT_TYPE: Final = b"text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text format, which :meth:`FleetMetrics.render` writes."""

_SHUTDOWN_TIMEOUT: Final = 2
"""Seconds a scrape in progress may take to finish when the exporter stops."""

_INDEX: Final = b"""<!doctype html>
<title>printer-async exporter</title>
<h1>printer-async exporter</h1>
<p><a href="/metrics">/metrics</a>: every printer.
<a href="/healthz">/healthz</a>: liveness.
<code>/probe?target=NAME</code>: one printer (the multi-target pattern).
"""


def parse_listen(address: str) -> tuple[str, int]:
    """Read ``HOST:PORT`` (``[::1]:PORT`` for IPv6; ``:PORT`` or ``PORT`` for 127.0.0.1).

    Port 0 picks a free port.

    Raises:
        ValueError: Not of that form, or a port outside 0-65535.
    """
    host, separator, port = address.rpartition(":")
    if not separator:
        host, port = "", address
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) < 65536:  # noqa: PLR2004 - TCP ports
        raise ValueError(f"listen on HOST:PORT, like {DEFAULT_LISTEN}; got {address!r}")
    return host, int(port)


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, for :func:`serve` (port 0 picks a free one).

    Raises:
        OSError: The address cannot be bound; the message names it and, when the port is
            taken, says so ("is another exporter running?").
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        # Lets a restarted exporter take its port back at once (TIME_WAIT), but never lets two
        # listen on it: on Linux SO_REUSEADDR does not allow that.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        where = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
        reason = (
            "the port is in use (is another exporter running?)"
            if exc.errno in {98, 48, 10048}  # EADDRINUSE on Linux, macOS, Windows
            else exc.strerror or type(exc).__name__
        )
        raise OSError(exc.errno, f"cannot listen on {where}: {reason}") from None
    return sock


class MetricsApp:
    """The ASGI application: ``/metrics``, ``/probe?target=NAME``, ``/healthz`` and an index.

    Metrics are in the Prometheus text format (0.0.4), which every Prometheus reads, gzipped
    when the scraper accepts it (Prometheus does).

    Args:
        metrics: The state every answer is made from.
    """

    def __init__(self, metrics: FleetMetrics) -> None:
        self._metrics = metrics

    async def __call__(self, scope: Any, _receive: Any, send: Any) -> None:
        """Answer one HTTP request (nothing else: the server runs without lifespan)."""
        if scope["type"] != "http":
            return
        if scope["method"] not in {"GET", "HEAD"}:
            await _answer(send, 405, b"only GET\n", extra=[(b"allow", b"GET, HEAD")])
            return
        headers = dict(scope["headers"])
        gzipped = gzip_accepted(headers.get(b"accept-encoding", b"").decode("latin-1"))
        path = scope["path"]
        if path == "/metrics":
            await _metrics_answer(send, self._metrics.render(), gzipped=gzipped)
        elif path == "/probe":
            query = urllib.parse.parse_qs(scope["query_string"].decode("latin-1"))
            targets = query.get("target", [])
            if len(targets) != 1:
                await _answer(send, 400, b"give one printer name: /probe?target=NAME\n")
            elif targets[0] not in self._metrics:
                await _answer(send, 404, b"no printer of that name is watched here\n")
            else:
                body = self._metrics.render(only=targets[0])
                await _metrics_answer(send, body, gzipped=gzipped)
        elif path == "/healthz":
            await _answer(send, 200, b"ok\n")
        elif path == "/":
            await _answer(send, 200, _INDEX, content_type=b"text/html; charset=utf-8")
        else:
            await _answer(send, 404, b"not found: try /metrics\n")


async def _metrics_answer(send: Any, body: bytes, *, gzipped: bool) -> None:
    extra: list[tuple[bytes, bytes]] = []
    if gzipped:
        body = gzip.compress(body, compresslevel=1)  # fast: a farm's text is repetitive
        extra.append((b"content-encoding", b"gzip"))
    await _answer(send, 200, body, content_type=CONTENT_TYPE, extra=extra)


async def _answer(
    send: Any,
    status: int,
    body: bytes,
    *,
    content_type: bytes = b"text/plain; charset=utf-8",
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def serve(app: MetricsApp, sock: socket.socket) -> None:
    """Serve ``app`` on a bound socket until cancelled (asyncio only: uvicorn).

    Raises:
        ImportError: uvicorn is not installed.
    """
    try:
        import uvicorn  # noqa: PLC0415 - an optional dependency, only when serving
    except ImportError as exc:
        raise ImportError(
            'the exporter needs uvicorn: pip install "printer-async[exporter]"'
        ) from exc
    config = uvicorn.Config(
        app,
        http="h11",
        ws="none",
        lifespan="off",
        log_config=None,  # leave the application's logging configuration alone
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=_SHUTDOWN_TIMEOUT,
    )
    server = uvicorn.Server(config)
    config.load()
    server.lifespan = config.lifespan_class(config)
    # Not server.serve(): that installs signal handlers of its own, and Ctrl-C belongs to the
    # command that runs the exporter.
    await server.startup(sockets=[sock])
    try:
        await server.main_loop()
    finally:
        with anyio.CancelScope(shield=True):
            await server.shutdown(sockets=[sock])
