"""``printer-async exporter``: serve Prometheus metrics of a fleet file's printers.

The exporter's dependencies (prometheus-client, Apprise) are imported when the command runs, so
the rest of the command line works without the ``exporter`` extra.
"""

from __future__ import annotations

import logging
import signal
from typing import TYPE_CHECKING

import anyio
import click

from printer_async._orchestration.fleet import Fleet
from printer_async._orchestration.watch import DEFAULT_INTERVAL, DEFAULT_OFFLINE_AFTER
from printer_async.cli import _exit
from printer_async.cli._app import _run, _Settings, cli
from printer_async.cli._messages import fleet_file_problem, one_line
from printer_async.cli._notify import make_notifier, notify_options
from printer_async.cli._text import log_to_stderr

if TYPE_CHECKING:
    from types import ModuleType

    from printer_async.exporter import FleetExporter

__all__ = ["exporter"]

_LISTEN_DEFAULT = "127.0.0.1:9877"  # printer_async.exporter.DEFAULT_LISTEN, without importing it


def _farm() -> ModuleType:
    try:
        from printer_async import exporter as farm  # noqa: PLC0415 - its extra, on demand
    except ImportError as exc:
        raise click.ClickException(
            f"the exporter needs its extra ({exc.name} is missing): "
            'pip install "printer-async[exporter]"'
        ) from None
    return farm


@cli.command()
@click.argument("config", metavar="PRINTERS_TOML", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--listen",
    default=_LISTEN_DEFAULT,
    show_default=True,
    metavar="HOST:PORT",
    help="Where to serve /metrics; 0.0.0.0:9877 for every interface.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="Seconds between polls of each printer's job.",
)
@click.option(
    "--details-interval",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds between reads of temperatures, fan, feed and flow rates; 0 for none.",
)
@click.option(
    "--statistics-interval",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Seconds between reads of lifetime statistics (also soon after a job ends); 0: none.",
)
@click.option(
    "--offline-after",
    type=click.FloatRange(min=0),
    default=DEFAULT_OFFLINE_AFTER,
    show_default=True,
    help="Seconds of no answer before a printer counts as offline.",
)
@click.option(
    "--shard",
    metavar="I/N",
    help="Watch only shard I of N (1 to N), a stable slice of the file by printer name.",
)
@notify_options
@click.pass_context
def exporter(
    ctx: click.Context,
    *,
    config: str,
    listen: str,
    interval: float,
    details_interval: float,
    statistics_interval: float,
    offline_after: float,
    shard: str | None,
    notify_urls: tuple[str, ...],
    notify_on: frozenset[str],
) -> None:
    """Serve Prometheus metrics of the printers of a fleet file, until Ctrl-C.

    /metrics has every printer; /probe?target=NAME one (the multi-target pattern); /healthz
    says it runs. A scrape reads the latest state and never waits for a printer. The file is
    read again when it changes; an invalid version is logged and the printers kept.
    """
    farm = _farm()
    try:
        part = farm.Shard.parse(shard) if shard is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--shard'") from None
    try:
        host, port = farm.parse_listen(listen)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--listen'") from None
    notifier = make_notifier(notify_urls, notify_on)
    settings = ctx.find_object(_Settings)
    if settings is None or not settings.debug:
        log_to_stderr(logging.WARNING, "%(asctime)s %(levelname)s %(message)s")
        logging.getLogger("printer_async").setLevel(logging.INFO)
    try:
        sock = farm.bind(host, port)
    except OSError as exc:
        click.echo(
            f"error: {exc.strerror or exc}; choose another with --listen HOST:PORT", err=True
        )
        ctx.exit(_exit.USAGE)
    fleet_file = farm.FleetFile(config, shard=part)

    async def main() -> int:
        try:
            printers = await fleet_file.read()
        except (ValueError, OSError) as exc:
            sock.close()
            click.echo(f"error: {one_line(fleet_file_problem(config, exc))}", err=True)
            return _exit.USAGE
        fleet = Fleet(printers.values())
        running: FleetExporter = farm.FleetExporter(
            fleet,
            interval=interval,
            details_interval=details_interval,
            statistics_interval=statistics_interval,
            offline_after=offline_after,
            notifier=notifier,
            fleet_file=fleet_file,
        )
        where = sock.getsockname()
        of = f" (shard {part})" if part is not None else ""
        click.echo(
            f"watching {len(fleet)} printers{of}; metrics at http://{_netloc(where)}/metrics",
            err=True,
        )
        async with fleet, anyio.create_task_group() as task_group:
            task_group.start_soon(_stop_on_sigterm, task_group.cancel_scope)
            await running.run(sock)
            task_group.cancel_scope.cancel()
        return _exit.OK

    _run(ctx, main)


def _netloc(address: tuple[str, int] | tuple[str, int, int, int]) -> str:
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def _stop_on_sigterm(scope: anyio.CancelScope) -> None:
    """End the exporter cleanly on SIGTERM (a service manager stopping it), like Ctrl-C."""
    with anyio.open_signal_receiver(signal.SIGTERM) as signals:
        async for _ in signals:
            scope.cancel()
            return
