"""The ``printer-async`` commands (click), each a thin layer over :class:`AsyncPrinter`.

Every command runs its coroutine with :func:`asyncio.run` through :func:`_run`, which is the one
place failures become exit codes (:mod:`._exit`) and one line on standard error, in the
command's words (:mod:`._messages`). Ctrl-C ends any command with 130 and one line; a closed
standard output (``| head -1``) with 141, quietly. A live display (a bar, the fleet table) is
drawn inside the command's coroutine, so that it is gone before anything is printed after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import posixpath
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn

import anyio
import attrs
import click
from rich.live import Live
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TransferSpeedColumn,
)
from rich.table import Column, Table

from printer_async._checks import check_name, check_path, url_host
from printer_async._client import DEFAULT_PORT, DEFAULT_TIMEOUT, AsyncPrinter
from printer_async._errors import PathError, PrinterError
from printer_async._models import FileEntry, JobStatus, SystemInfo
from printer_async._orchestration.fleet import Fleet
from printer_async._orchestration.watch import (
    DEFAULT_INTERVAL,
    DEFAULT_OFFLINE_AFTER,
    EventKind,
    JobEvent,
    watch_jobs,
)
from printer_async.cli import _exit
from printer_async.cli._demo import DEFAULT_SPEED, run_demo, summary
from printer_async.cli._messages import (
    PASSWORD_ENV,
    Where,
    error_line,
    explain,
    fleet_file_problem,
    host_problem,
    is_url,
    one_line,
)
from printer_async.cli._notify import make_notifier, notify_options, reporting_errors
from printer_async.cli._render import (
    FleetBoard,
    JobView,
    PollReporter,
    describe_event,
    format_duration,
    job_summary,
    key_value_table,
    make_console,
    make_job_view,
    print_json,
    redraws,
    status_word,
)
from printer_async.cli._text import cell, log_to_stderr, markup_literal, terminal_text
from printer_async.simulator._cli import simulate

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine, Sequence

    from rich.console import Console

    from printer_async.notify import Notifier

__all__ = ["PASSWORD_ENV", "cli"]

_EPILOG: Final = f"""\b
HOST is the printer's name or IP address; for a printer reached through a
reverse proxy, give its API's URL instead (https://farm.example/printer7/v1).

\b
The access password is set on the printer's touch screen: Machine > Developer >
Enable Remote Access API, then Access password. Give it with --password, in
${PASSWORD_ENV}, or type it when asked (on a terminal). It is never shown.

\b
Exit codes:
  0    ok; watch: the job completed
  1    error (an unexpected answer or failure)
  2    usage (bad option or argument, no password, bad fleet file)
  3    wrong access password (authentication)
  4    printer unreachable (no answer, timeout, API service not started)
  5    printer busy, or its state forbids the operation
  6    not found or invalid (file, directory, path, parameter, last job)
  7    watch: the job was stopped
  130  interrupted (Ctrl-C)
  141  standard output closed early (| head): quietly, like cat or git
"""


@attrs.frozen
class _Settings:
    debug: bool


@attrs.frozen
class _Target:
    """Where a printer is and how to log in (``repr`` never shows the password)."""

    host: str
    port: int
    timeout: float
    password: str = attrs.field(repr=False)

    def open(self) -> AsyncPrinter:
        if is_url(self.host):  # a printer behind a proxy, given by its API's URL
            return AsyncPrinter(base_url=self.host, password=self.password, timeout=self.timeout)
        return AsyncPrinter(self.host, port=self.port, password=self.password, timeout=self.timeout)

    @property
    def address(self) -> str:
        return self.host if is_url(self.host) else f"{url_host(self.host)}:{self.port}"


class _Group(click.Group):
    """A click group whose ``main`` turns every ending into an exit code, Ctrl-C into 130."""

    def main(  # type: ignore[override] # click overloads main on standalone_mode
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> int:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = result if isinstance(result, int) else _exit.OK
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        except click.Abort:  # Ctrl-C (or end of input) at the password prompt
            click.echo("interrupted", err=True)
            code = _exit.INTERRUPTED
        if standalone_mode:
            sys.exit(code)
        return code


def _run(
    ctx: click.Context,
    main: Callable[[], Coroutine[Any, Any, int | None]],
    *,
    secrets: tuple[str | None, ...] = (),
) -> NoReturn:
    """Run a command's coroutine and exit with its code, or with the code of its failure.

    A failure is one line on standard error, worded for where it happened (the command and its
    arguments, :class:`Where`). A live display must be closed inside ``main``: the line is
    printed after ``main`` ends, so it never lands in the middle of a redrawn bar.
    """
    settings = ctx.find_object(_Settings)
    failure: BaseException | None = None
    try:
        code = asyncio.run(main()) or _exit.OK
    except KeyboardInterrupt:
        code = _exit.INTERRUPTED
    except BrokenPipeError:  # the reader of standard output went away (| head -1)
        code = _exit.CLOSED_OUTPUT
    except Exception as exc:  # noqa: BLE001 - any failure is one line; --debug shows the rest
        failure = exc
        code = _exit.exit_code_for(exc)
    if code == _exit.INTERRUPTED and failure is None:
        click.echo("interrupted", err=True)
    if failure is not None:
        if settings is not None and settings.debug:
            click.echo(_exit.debug_details(failure, secrets=secrets), err=True, nl=False)
        click.echo(error_line(failure, Where.of(ctx)), err=True)
    ctx.exit(code)


def _check_host(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    problem = host_problem(value)
    if problem is not None:
        raise click.BadParameter(problem)
    return value


def _printer_path(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Check a path on the printer (FILE, DIR, --dir) before anything is sent."""
    if value is None:
        return None
    if value == "Local":
        return "Local/"  # the top of the printer's storage, as printer-async names it
    if not value.startswith("Local/"):
        rest = value.lstrip("/")
        if rest.lower() == "local" or rest.lower().startswith("local/"):
            rest = rest[len("local/") :]
        raise click.BadParameter(
            f"{value!r} is not a path on the printer: they start with Local/ (did you mean "
            f"Local/{rest}?); see them with: {Where.of(ctx).run('files')}"
        )
    try:
        check_path(value, endpoint="")
    except PathError:
        raise click.BadParameter(
            f"{value!r} cannot be sent to the printer: a path must not hold '..', control "
            "characters or bytes that are not UTF-8"
        ) from None
    return value


def _file_name(value: str, *, option: str) -> str:
    """Check a name the file is to have on the printer (``--name``, or FILE's own)."""
    try:
        check_name(value, what="filename", endpoint="")
    except PathError:
        raise click.BadParameter(
            f"{value!r} must be a plain file name: not '.' or '..', without a slash, a "
            "backslash, control characters or bytes that are not UTF-8 (the directory goes in "
            "--dir)",
            param_hint=option,
        ) from None
    return value


def _printer_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """HOST, --port, --password and --timeout, for every command that talks to one printer."""
    options = [
        click.argument("host", callback=_check_host),
        click.option(
            "--port",
            type=click.IntRange(1, 65535),
            default=DEFAULT_PORT,
            show_default=True,
            help="The printer's API port.",
        ),
        click.option(
            "--password",
            envvar=PASSWORD_ENV,
            show_envvar=True,
            metavar="TEXT",
            help="The printer's access password; asked for on a terminal when not given.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_TIMEOUT,
            show_default=True,
            help="Seconds to wait for each answer.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _interactive() -> bool:
    """Whether a person can be asked for the password (standard input is a terminal)."""
    return sys.stdin.isatty()


def _target(host: str, port: int, password: str | None, timeout: float) -> _Target:
    if is_url(host) and port != DEFAULT_PORT:
        raise click.UsageError("--port goes with a host name or address; put it in the URL")
    if password is not None and not _is_text(password):
        raise click.BadParameter(
            "the password holds bytes that are not UTF-8 text; give it in a UTF-8 terminal or "
            f"in ${PASSWORD_ENV}",
            param_hint="'--password'",
        )
    if password is None:
        if not _interactive():
            raise click.UsageError(
                f"no access password: pass --password, set ${PASSWORD_ENV}, or run in a terminal "
                "to be asked for it"
            )
        password = click.prompt("Access password", hide_input=True, err=True)
    return _Target(host=host, port=port, timeout=timeout, password=str(password))


def _is_text(text: str) -> bool:
    """Whether ``text`` is text (an argument of bytes that are not UTF-8 holds surrogates)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _json_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print machine-readable JSON instead."
    )(func)


@click.group(cls=_Group, epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs (never secrets).")
@click.version_option(package_name="printer-async", prog_name="printer-async")
@click.pass_context
def cli(ctx: click.Context, *, debug: bool) -> None:
    """Watch and control Raise3D printers through their Remote Access API.

    Start with `printer-async demo`: it needs no printer.
    """
    ctx.obj = _Settings(debug=debug)
    if debug:
        log_to_stderr(logging.DEBUG, "%(name)s: %(message)s")


# -- demo and simulator ----------------------------------------------------------------------------


@cli.command()
@click.option("--speed", type=click.FloatRange(min=1), default=DEFAULT_SPEED, hidden=True)
@click.pass_context
def demo(ctx: click.Context, speed: float) -> None:
    """Watch a print on a simulated printer, live; no printer needed (under 30 s)."""
    view = make_job_view(make_console())

    async def main() -> int:
        with view:
            result = await run_demo(view, speed=speed)
        view.note(summary(result), style="bold")  # below the bar's last state
        return _exit.OK if result.completed else _exit.ERROR

    _run(ctx, main)


cli.add_command(simulate)


# -- one printer: reading --------------------------------------------------------------------------


@cli.command()
@_printer_options
@_json_option
@click.pass_context
def status(
    ctx: click.Context, *, host: str, port: int, password: str | None, timeout: float, as_json: bool
) -> None:
    """Show the printer's status, current job and temperatures."""
    target = _target(host, port, password, timeout)
    console = make_console()

    async def main() -> None:
        async with target.open() as printer:
            system = await printer.system_info()
            running = await printer.running_status_info()
            job = await printer.current_job()
            basic = await printer.basic_info()
            indexes: tuple[Literal[1, 2], ...] = (1, 2) if system.nozzle_count >= 2 else (1,)  # noqa: PLR2004
            nozzles = [await printer.nozzle(index) for index in indexes]
        if as_json:
            print_json(
                {
                    "address": target.address,
                    "system": system,
                    "running_status": running.running_status,
                    "raw_running_status": running.raw_running_status,
                    "job": job,
                    "basic": basic,
                    "nozzles": nozzles,
                }
            )
            return
        rows = [
            ("printer", f"{_printer_text(system)} at {target.address}"),
            ("status", status_word(running.running_status, running.raw_running_status)),
            (
                "job",
                f"{job.file_name} {status_word(job.job_status, job.raw_job_status)}  "
                f"{job_summary(job)}"
                if job.has_job
                else "no job",
            ),
            ("heatbed", f"{basic.heatbed_cur_temp:.1f} °C (target {basic.heatbed_tar_temp:g})"),
        ]
        rows += [
            (
                f"nozzle {index}",
                (
                    f"{nozzle.nozzle_cur_temp:.1f} °C (target {nozzle.nozzle_tar_temp:g}), "
                    f"flow {nozzle.flow_cur_rate:g}%"
                ),
            )
            for index, nozzle in zip(indexes, nozzles, strict=True)
        ]
        console.print(key_value_table(rows))

    _run(ctx, main, secrets=(target.password,))


def _printer_text(system: SystemInfo) -> str:
    # Both are informational: a printer may leave either out (None).
    name = system.machine_name or "printer"
    return f"{name} ({system.model})" if system.model else name


@cli.command()
@_printer_options
@_json_option
@click.pass_context
def jobs(
    ctx: click.Context, *, host: str, port: int, password: str | None, timeout: float, as_json: bool
) -> None:
    """List the printer's job history."""
    target = _target(host, port, password, timeout)
    console = make_console()

    async def main() -> None:
        async with target.open() as printer:
            entries = [entry async for entry in printer.iter_jobs()]
        if as_json:
            print_json(entries)
            return
        table = Table(title=cell(f"jobs on {target.address}"), title_justify="left")
        for column in ("#", "file", "job id", "tag"):
            table.add_column(column)
        for entry in entries:
            names = (entry.file_name, entry.job_id, entry.user_tag)
            table.add_row(str(entry.job_index), *map(cell, names))
        console.print(table if entries else "no jobs yet")

    _run(ctx, main, secrets=(target.password,))


@cli.command()
@_printer_options
@_json_option
@click.pass_context
def stats(
    ctx: click.Context, *, host: str, port: int, password: str | None, timeout: float, as_json: bool
) -> None:
    """Show totals over every successful print."""
    target = _target(host, port, password, timeout)
    console = make_console()

    async def main() -> None:
        async with target.open() as printer:
            totals = await printer.statistics()
        if as_json:
            print_json(totals)
            return
        rows = [
            ("files printed", str(totals.printed_file_num)),
            ("print time", format_duration(totals.printed_total_time)),
            ("filament", f"{totals.printed_used_filament:g} g"),
            ("left nozzle", f"{totals.printed_used_filament_left:g} g"),
        ]
        if totals.printed_used_filament_right is not None:
            rows.append(("right nozzle", f"{totals.printed_used_filament_right:g} g"))
        console.print(key_value_table(rows))

    _run(ctx, main, secrets=(target.password,))


@cli.command()
@_printer_options
@click.argument("directory", default="Local/", metavar="[DIR]", callback=_printer_path)
@_json_option
@click.pass_context
def files(
    ctx: click.Context,
    *,
    host: str,
    port: int,
    password: str | None,
    timeout: float,
    directory: str,
    as_json: bool,
) -> None:
    """List a directory on the printer (default: Local/, the top of its storage)."""
    target = _target(host, port, password, timeout)
    console = make_console()

    async def main() -> None:
        directories: list[str] = []
        entries: list[FileEntry] = []
        async with target.open() as printer:
            async for page in printer.iter_files(directory):
                directories.extend(page.directories)
                entries.extend(page.files)
        if as_json:
            print_json({"dir": directory, "directories": directories, "files": entries})
            return
        table = Table(title=cell(f"{directory} on {target.address}"), title_justify="left")
        table.add_column("name")
        table.add_column("kind")
        for name in directories:
            table.add_row(cell(f"{name}/"), "directory")
        for entry in entries:
            table.add_row(cell(entry.file_name), "file")
        console.print(table if directories or entries else cell(f"{directory} is empty"))

    _run(ctx, main, secrets=(target.password,))


# -- one printer: watching -------------------------------------------------------------------------

_ENDED_CODES: Final = {JobStatus.COMPLETED: _exit.OK, JobStatus.STOPPED: _exit.JOB_STOPPED}


def _ending(event: JobEvent) -> int | None:
    """The exit code of the event that ends a watch, if it is one."""
    if event.kind is EventKind.COMPLETED:
        return _exit.OK
    if event.kind is EventKind.STOPPED:
        return _exit.JOB_STOPPED
    if event.kind is EventKind.NEW_JOB and event.current is not None:
        return _ENDED_CODES.get(event.current)
    return None


@cli.command()
@_printer_options
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="Seconds between polls.",
)
@click.option(
    "--offline-after",
    type=click.FloatRange(min=0),
    default=DEFAULT_OFFLINE_AFTER,
    show_default=True,
    help="Seconds without an answer before the printer counts as offline.",
)
@notify_options
@click.pass_context
def watch(
    ctx: click.Context,
    *,
    host: str,
    port: int,
    password: str | None,
    timeout: float,
    interval: float,
    offline_after: float,
    notify_urls: tuple[str, ...],
    notify_on: frozenset[str],
) -> None:
    """Follow the current job live until it ends (exit 0 completed, 7 stopped).

    With no job running, waits for the next one to start.
    """
    target = _target(host, port, password, timeout)
    notifier = make_notifier(notify_urls, notify_on)
    view = make_job_view(make_console())

    async def main() -> int:
        async with target.open() as printer, notifier, reporting_errors(notifier, printer):
            with view:
                return await _watch(printer, view, notifier, interval, offline_after)

    _run(ctx, main, secrets=(target.password,))


async def _watch(
    printer: AsyncPrinter,
    view: JobView,
    notifier: Notifier,
    interval: float,
    offline_after: float,
) -> int:
    """Show the printer's job until it ends; return the exit code its ending means."""
    events = watch_jobs(
        printer.current_job,
        on_poll=PollReporter(view, offline_after=offline_after),
        offline_after=offline_after,
        printer=printer,
        interval=interval,
        progress_step=view.progress_step,
        until_done=True,
    )
    code = _exit.ERROR
    async with contextlib.aclosing(events):
        async for event in events:
            notifier.submit(event)
            view.event(event)
            if event.kind is EventKind.INITIAL and event.current not in {
                JobStatus.RUNNING,
                JobStatus.PAUSED,
            }:
                view.note("no job is running: waiting for the next one to start")
            ending = _ending(event)
            code = code if ending is None else ending
    return code


# -- one printer: doing ----------------------------------------------------------------------------


def _action(
    ctx: click.Context,
    target: _Target,
    call: Callable[[AsyncPrinter], Awaitable[object]],
    done: str,
) -> None:
    async def main() -> None:
        async with target.open() as printer:
            await call(printer)
        click.echo(f"{done} on {target.address}")

    _run(ctx, main, secrets=(target.password,))


@cli.command(name="print")
@_printer_options
@click.argument("file_path", metavar="FILE", callback=_printer_path)
@click.pass_context
def print_(
    ctx: click.Context,
    *,
    host: str,
    port: int,
    password: str | None,
    timeout: float,
    file_path: str,
) -> None:
    """Print FILE, a file already on the printer (like Local/benchy.gcode)."""
    target = _target(host, port, password, timeout)
    _action(ctx, target, lambda printer: printer.start_job(file_path), f"started {file_path}")


def _job_control(
    name: str, call: Callable[[AsyncPrinter], Awaitable[object]], done: str, summary: str
) -> None:
    """Register a command that makes one job-control call: pause, resume, stop, recover."""

    @cli.command(name=name, help=summary)
    @_printer_options
    @click.pass_context
    def command(
        ctx: click.Context, *, host: str, port: int, password: str | None, timeout: float
    ) -> None:
        _action(ctx, _target(host, port, password, timeout), call, done)


_job_control("pause", AsyncPrinter.pause_job, "paused the job", "Pause the current job.")
_job_control("resume", AsyncPrinter.resume_job, "resumed the job", "Resume the paused job.")
_job_control("stop", AsyncPrinter.stop_job, "stopped the job", "Stop the current job.")
_job_control(
    "recover",
    AsyncPrinter.recover_job,
    "recovered the last job",
    "Resume the job a power loss interrupted.",
)


@cli.command()
@_printer_options
@click.argument(
    "source", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--dir",
    "dir_path",
    default="Local/webapi_store",
    show_default=True,
    callback=_printer_path,
    help="The printer directory to put it in.",
)
@click.option("--name", default=None, help="The name on the printer (default: FILE's name).")
@click.pass_context
def upload(
    ctx: click.Context,
    *,
    host: str,
    port: int,
    password: str | None,
    timeout: float,
    source: Path,
    dir_path: str,
    name: str | None,
) -> None:
    """Upload FILE from this computer to the printer, with a progress bar."""
    target = _target(host, port, password, timeout)
    filename = _file_name(name or source.name, option="'--name'")
    console = make_console()
    width = console.width
    bar = Progress(
        TextColumn(
            "[bold]{task.description}",
            table_column=Column(no_wrap=True, overflow="ellipsis", max_width=width // 3),
        ),
        BarColumn(bar_width=max(10, min(40, width - 60))),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        disable=not redraws(console),
    )
    size = source.stat().st_size
    task = bar.add_task(markup_literal(filename), total=size)

    def progress(sent: int, total: int | None) -> None:
        bar.update(task, completed=sent, total=total)

    async def main() -> int:
        try:
            with bar:
                async with target.open() as printer:
                    await printer.upload_file(
                        source, dir_path, filename=filename, progress=progress
                    )
        except ValueError:
            now = (await anyio.Path(source).stat()).st_size
            if now == size:
                raise
            click.echo(
                f"error: {source} changed size while it was uploaded ({size} bytes, then {now}); "
                "run the upload again once the file is written",
                err=True,
            )
            return _exit.ERROR
        # After the bar: it stays at its last state, the line below it.
        stored = posixpath.join(dir_path, filename)
        console.print(cell(f"uploaded {source} ({size} bytes) to {stored} on {target.address}"))
        return _exit.OK

    _run(ctx, main, secrets=(target.password,))


# -- many printers ---------------------------------------------------------------------------------


_FLEET_HELP: Final = """Watch many printers in one live table (a TOML file of [[printer]] entries).

\b
[[printer]]
name = "left-1"
host = "192.168.0.57"
password_env = "LEFT_1_PASSWORD"   # or password = "..."

--json implies --once.
"""


@cli.command(help=_FLEET_HELP)
@click.argument("config", metavar="PRINTERS_TOML", type=click.Path(exists=True, dir_okay=False))
@click.option("--once", is_flag=True, help="Print one snapshot and exit.")
@_json_option
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="Seconds between polls of each printer.",
)
@notify_options
@click.pass_context
def fleet(
    ctx: click.Context,
    *,
    config: str,
    once: bool,
    as_json: bool,
    interval: float,
    notify_urls: tuple[str, ...],
    notify_on: frozenset[str],
) -> None:
    """Watch many printers in one live table (a TOML file of [[printer]] entries)."""
    notifier = make_notifier(notify_urls, notify_on)
    try:
        printers = Fleet.from_toml(config)
    except (ValueError, OSError) as exc:
        click.echo(f"error: {one_line(fleet_file_problem(config, exc))}", err=True)
        ctx.exit(_exit.USAGE)

    def explain_failure(name: str, error: PrinterError) -> str:
        return explain(error, Where(command="fleet", fleet_file=config, name=name))

    board = FleetBoard(
        [(printer.name, _address(printer)) for printer in printers], explain=explain_failure
    )
    console = make_console()
    if once or as_json:
        _run(ctx, lambda: _fleet_once(printers, board, console, as_json=as_json))
    _run(ctx, lambda: _fleet_live(printers, board, console, interval=interval, notifier=notifier))


def _address(printer: AsyncPrinter) -> str:
    """``host:port``, or the whole URL of a printer reached through a proxy (``base_url``)."""
    address = f"{url_host(printer.host)}:{printer.port}"
    return address if printer.base_url == f"http://{address}/v1" else printer.base_url


async def _fleet_once(
    printers: Fleet, board: FleetBoard, console: Console, *, as_json: bool
) -> None:
    async with printers:
        snapshot = await printers.snapshot()
    for name, result in snapshot.items():
        if isinstance(result, PrinterError):
            board.failure(name, result)
        else:
            board.job(name, result)
    if as_json:
        print_json({"printers": board.as_json()})
    else:
        console.print(board.table())
        for line in board.errors():
            console.print(line, markup=False, highlight=False)


async def _fleet_live(
    printers: Fleet, board: FleetBoard, console: Console, *, interval: float, notifier: Notifier
) -> None:
    live = redraws(console)
    async with printers, notifier:
        for name, result in (await printers.snapshot()).items():
            if isinstance(result, PrinterError):
                board.failure(name, result)
            else:
                board.job(name, result)
        # A table redrawn in place on a terminal; elsewhere one line per event.
        watching = printers.watch(interval=interval, progress_step=0 if live else 10)
        if not live:
            for row in board.as_json():
                line = f"{row['name']} {row['status']} {row['file_name']}".rstrip()
                click.echo(terminal_text(line))
            async with watching as events:
                async for event in events:
                    notifier.submit(event)
                    board.event(event)
                    click.echo(_fleet_line(event))
            return
        with Live(board.table(), console=console, refresh_per_second=4) as screen:
            async with watching as events:
                async for event in events:
                    notifier.submit(event)
                    board.event(event)
                    screen.update(board.table())


def _fleet_line(event: JobEvent) -> str:
    return terminal_text(f"{event.printer.name} {describe_event(event)}")


# The exporter command lives in its own module; importing it registers it on `cli`.
from printer_async.cli import _exporter  # noqa: E402, F401
