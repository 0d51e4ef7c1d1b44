"""``printer-async simulate``, also ``python -m printer_async.simulator``: printers until Ctrl-C.

One click command, :func:`simulate`, serves both: the same options, help and errors. It needs
click but not rich: click comes with uvicorn, which serving needs anyway, and the ``simulator``
extra names it too, so ``pip install "printer-async[simulator]"`` is enough for
``python -m printer_async.simulator``.

Once the printers listen, standard output gets one line per printer, ``printer N: URL`` (for
scripts), and standard error the command to try. Ctrl-C ends it with 130, like every command;
SIGTERM (a service manager, ``kill``) with 0.

Faults are given as ``--fault KIND[:ARG][:KEY=VALUE...]``, repeatable, applied to every printer:

* ``busy[:10003|500|429]``, ``latency:SECONDS``, ``drop``, ``reset``, ``html[:STATUS]``,
  ``truncated``, ``invalid``, ``unavailable``, ``wrong_type:FIELD``, ``missing_field:FIELD``,
  ``random:PROBABILITY``;
* keys ``count``, ``duration`` (real seconds), ``probability`` and ``path`` select the requests,
  as in :class:`~printer_async.simulator.FaultInjector`. Unlike the Python API, a fault given
  without any of ``count``/``duration``/``probability`` applies to every request.

``--model Pro3`` (or ``E2``, ``N2 Plus`` ...) makes every printer behave as that Raise3D model:
its nozzles, ``/printer/system`` answer and build volume (see
:class:`~printer_async.simulator.PrinterProfile`).

``--state safe_mode`` and ``--state busy`` start the printers in that state (setters and job
control then answer 500 "printer is in safe mode" / "printer is busy"); ``--no-camera`` makes
them report no camera. Each printer's camera server listens on a free port, which its
``/printer/camera`` answer names.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import math
import signal
import socket
import sys
from typing import TYPE_CHECKING, Any, Final, TextIO, cast, get_args

import anyio
import attrs
import click
from click.core import ParameterSource

from printer_async.simulator._clock import ScaledClock
from printer_async.simulator._faults import BusyStyle, FaultInjector
from printer_async.simulator._profiles import PROFILES, find_profile
from printer_async.simulator._server import DEFAULT_KEEP_ALIVE, serve
from printer_async.simulator._state import SimulatedPrinter

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "FaultSpec",
    "Options",
    "make_printers",
    "options_from",
    "parse_fault",
    "run_simulator",
    "simulate",
]

PASSWORD_ENV: Final = "PRINTER_ASYNC_PASSWORD"  # noqa: S105 - a variable name, not a secret
DEFAULT_PORT: Final = 10800
INTERRUPTED: Final = 130
USAGE: Final = 2

_ARG_KINDS = {"busy", "latency", "html", "wrong_type", "missing_field", "random"}
_NO_ARG_KINDS = {"drop", "reset", "truncated", "invalid", "unavailable"}
_REQUIRED_ARG = {"latency", "wrong_type", "missing_field", "random"}


@attrs.frozen
class FaultSpec:
    """A fault given on the command line.

    Attributes:
        kind: The fault's name (``busy``, ``latency`` ...).
        arg: Its positional argument, if any.
        count: Number of requests to affect.
        duration: Real seconds to stay armed.
        probability: Chance of affecting each request.
        path: Only requests to this path.
    """

    kind: str
    arg: str | None = None
    count: int | None = None
    duration: float | None = None
    probability: float | None = None
    path: str | None = None

    def apply(self, faults: FaultInjector) -> None:
        """Arm this fault on a printer's injector."""
        selectors: dict[str, Any] = {
            "count": self.count,
            "duration": self.duration,
            "probability": self.probability,
            "path": self.path,
        }
        if self.count is None and self.duration is None and self.probability is None:
            selectors["probability"] = 1.0  # from the command line, "always" is the useful default
        arg = self.arg or ""
        if self.kind == "random":
            selectors.pop("probability")
            faults.random(float(arg), **selectors)
            return
        arming: dict[str, Callable[[], None]] = {
            "busy": lambda: faults.busy(_busy_style(arg or "10003"), **selectors),
            "latency": lambda: faults.latency(float(arg), **selectors),
            "drop": lambda: faults.drop(**selectors),
            "reset": lambda: faults.reset_mid_body(**selectors),
            "html": lambda: faults.html_error(int(arg or 502), **selectors),
            "truncated": lambda: faults.truncated_json(**selectors),
            "invalid": lambda: faults.invalid_json(**selectors),
            "unavailable": lambda: faults.service_unavailable(**selectors),
            "wrong_type": lambda: faults.wrong_type(arg, **selectors),
            "missing_field": lambda: faults.missing_field(arg, **selectors),
        }
        arming[self.kind]()


def _busy_style(text: str) -> BusyStyle:
    for style in get_args(BusyStyle):
        if text == style:
            return cast("BusyStyle", style)
    raise ValueError(f"busy style must be one of {', '.join(get_args(BusyStyle))}, got {text!r}")


def parse_fault(text: str) -> FaultSpec:
    """Parse ``KIND[:ARG][:KEY=VALUE...]``.

    Raises:
        ValueError: If the text is not a valid fault.
    """
    kind, *rest = text.split(":")
    if kind not in _ARG_KINDS | _NO_ARG_KINDS:
        known = ", ".join(sorted(_ARG_KINDS | _NO_ARG_KINDS))
        raise ValueError(f"unknown fault {kind!r} (known: {known})")
    arg = None
    if rest and "=" not in rest[0]:
        if kind in _NO_ARG_KINDS:
            raise ValueError(f"fault {kind!r} takes no argument")
        arg = rest.pop(0)
    if kind in _REQUIRED_ARG and arg is None:
        raise ValueError(f"fault {kind!r} needs an argument, e.g. {kind}:VALUE")
    options: dict[str, Any] = {}
    converters = {"count": int, "duration": float, "probability": float, "path": str}
    for item in rest:
        key, sep, value = item.partition("=")
        if not sep or key not in converters:
            raise ValueError(f"bad fault option {item!r} (count, duration, ...)")
        try:
            options[key] = converters[key](value)
        except ValueError:
            raise ValueError(f"bad value in {item!r} of fault {text!r}") from None
    spec = FaultSpec(kind, arg, **options)
    try:  # arm it once on a scratch injector, so mistakes surface while parsing
        spec.apply(FaultInjector())
    except ValueError as exc:
        raise ValueError(f"bad fault {text!r}: {exc}") from None
    return spec


@attrs.frozen(kw_only=True)
class Options:
    """What the printers are to be: the command's options about them."""

    password: str = attrs.field(repr=False)
    printers: int = 1
    speed: float = 1.0
    model: str | None = None
    nozzles: int | None = None
    job_duration: float = 3600.0
    seed: int | None = None
    states: tuple[str, ...] = ()
    camera: bool = True
    faults: tuple[FaultSpec, ...] = ()


def options_from(params: Mapping[str, Any]) -> Options:
    """The printers' :class:`Options` from the command's parsed options (``ctx.params``)."""
    names = {field.name for field in attrs.fields(Options)} - {"camera"}
    return Options(camera=not params["no_camera"], **{name: params[name] for name in names})


def make_printers(options: Options) -> list[SimulatedPrinter]:
    """Build the printers ``options`` describe, with their faults armed."""
    printers = []
    for index in range(options.printers):
        printer = SimulatedPrinter(
            password=options.password,
            model=options.model,
            nozzles=options.nozzles,
            clock=ScaledClock(options.speed),
            name="raise3d" if options.printers == 1 else f"raise3d-{index + 1}",
            seed=None if options.seed is None else options.seed + index,
            job_duration=options.job_duration,
            camera_connected=options.camera,
        )
        printer.safe_mode = "safe_mode" in options.states
        printer.busy = "busy" in options.states
        for spec in options.faults:
            spec.apply(printer.faults)
        printers.append(printer)
    return printers


async def run_simulator(
    printers: Sequence[SimulatedPrinter],
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
    keep_alive: float = DEFAULT_KEEP_ALIVE,
    started: Callable[[list[int]], object] | None = None,
) -> None:
    """Serve ``printers`` on consecutive ports from ``port`` (0: free ports).

    Runs until ``stop`` is set, or until cancelled without one.

    Prints one line per printer, ``printer N: URL``, to ``out`` (standard output by default),
    then calls ``started`` with the ports.

    Raises:
        OSError: If a port cannot be bound.
    """
    stream = sys.stdout if out is None else out
    ports = [0 if port == 0 else port + index for index in range(len(printers))]
    # A printer without a camera has no camera server to bind (1,000 printers: 1,000 sockets).
    cameras = any(printer.camera_connected for printer in printers)
    async with serve(
        *printers, host=host, ports=ports, cameras=cameras, keep_alive=keep_alive
    ) as server:
        for index, endpoint in enumerate(server.endpoints, start=1):
            stream.write(f"printer {index}: {endpoint.base_url}\n")
        stream.flush()
        if started is not None:
            started([endpoint.port for endpoint in server.endpoints])
        if stop is None:
            await anyio.sleep_forever()
        else:
            await stop.wait()


async def _run_until_signal(
    printers: Sequence[SimulatedPrinter],
    *,
    host: str,
    port: int,
    keep_alive: float,
    started: Callable[[list[int]], object],
) -> int:
    """Run until SIGINT (130) or SIGTERM (0), even if the shell started us with SIGINT ignored."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    received: list[int] = []

    def stop_on(signum: int) -> None:
        received.append(signum)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still raises there
            loop.add_signal_handler(signum, stop_on, signum)
    await run_simulator(
        printers, host=host, port=port, stop=stop, keep_alive=keep_alive, started=started
    )
    return INTERRUPTED if signal.SIGINT in received else 0


# -- the command -----------------------------------------------------------------------------------


def _fault(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[FaultSpec, ...]:
    try:
        return tuple(parse_fault(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _model(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return find_profile(value, None).name
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _seconds(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"must be a positive number, got {value:g}")
    return value


def _try_host(host: str) -> str:
    """Where a client on this machine reaches a simulator listening on ``host``."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.is_unspecified:  # 0.0.0.0 or ::, every interface: loopback is one of them
        return "::1" if address.version == 6 else "127.0.0.1"  # noqa: PLR2004 - IP versions
    return host


def _listen_problem(error: OSError, host: str, ports: str) -> str:
    """What a failure to listen means, and the way out, in the command's terms."""
    if error.errno == errno.EADDRINUSE:
        return (
            f"{ports} on {host} already in use (by another simulator or program); choose "
            "another with --port, or --port 0 for free ports"
        )
    if error.errno == errno.EACCES:
        return (
            f"not allowed to listen on {ports} of {host} (ports below 1024 need root); choose "
            "another with --port, or --port 0 for free ports"
        )
    if error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
        return (
            f"cannot listen on {host}: not an address of this machine; use --host 127.0.0.1 "
            "(this machine only) or --host 0.0.0.0 (every interface)"
        )
    return f"cannot listen on {host}, {ports}: {error.strerror or error}"


_FAULTS_HELP: Final = """\b
Faults (--fault, applied to every printer):
  busy[:10003|500|429]  latency:SECONDS  drop  reset  html[:STATUS]
  truncated  invalid  unavailable  wrong_type:FIELD  missing_field:FIELD
  random:PROBABILITY
each with :count=N, :duration=SECONDS, :probability=P or :path=/v1/...
to choose the requests; without them, every request.

Once the printers listen, it prints where, and the command to try.
"""


@click.command(
    epilog=_FAULTS_HELP,
    short_help="Serve simulated printers until Ctrl-C; no printer needed.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="The first printer's port; the next ones follow. 0 picks free ports.",
)
@click.option(
    "--password",
    envvar=PASSWORD_ENV,
    show_envvar=True,
    required=True,
    metavar="TEXT",
    help="The printers' access password.",
)
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    callback=_seconds,
    help="Simulated seconds per real second.",
)
@click.option(
    "--printers", type=click.IntRange(min=1), default=1, show_default=True, help="How many."
)
@click.option(
    "--model",
    callback=_model,
    help=f"The Raise3D model each printer behaves as: {', '.join(PROFILES)}. "
    "[default: Pro2, or N2 Plus with --nozzles 1]",
)
@click.option(
    "--nozzles",
    type=click.IntRange(1, 2),
    help="Nozzles each, 1 or 2. [default: the model's]",
)
@click.option(
    "--job-duration",
    type=float,
    default=3600.0,
    show_default=True,
    callback=_seconds,
    metavar="SECONDS",
    help="Print time of the seeded files, in simulated seconds.",
)
@click.option("--seed", type=int, help="Seed of the random choices, for a repeatable run.")
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["safe_mode", "busy"]),
    help="Start the printers in safe mode (running status error) or busy; repeatable.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    callback=_fault,
    metavar="KIND[:ARG][:KEY=VALUE...]",
    help="Inject a fault on every printer, e.g. busy:10003:count=5, latency:0.2, random:0.05; "
    "repeatable (see below).",
)
@click.option(
    "--no-camera",
    is_flag=True,
    help="The printers report no camera (their camera servers answer 503).",
)
@click.option(
    "--keep-alive",
    type=float,
    default=DEFAULT_KEEP_ALIVE,
    show_default=True,
    callback=_seconds,
    metavar="SECONDS",
    help="Seconds an idle connection is kept open.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; 0.0.0.0 for every interface.",
)
@click.pass_context
def simulate(
    ctx: click.Context, /, *, port: int, keep_alive: float, host: str, **params: Any
) -> None:
    """Serve simulated Raise3D printers (the Remote Access API, over HTTP) until Ctrl-C."""
    options = options_from(params)
    printers = options.printers
    if port and port + printers - 1 > 65535:  # noqa: PLR2004 - the last TCP port
        raise click.BadParameter(
            f"{printers} printers from port {port} would go past 65535; choose a lower --port, "
            "or --port 0",
            param_hint="'--port'",
        )
    from_environment = ctx.get_parameter_source("password") is ParameterSource.ENVIRONMENT

    def started(ports: list[int]) -> None:
        click.echo(_try_line(_try_host(host), ports, from_environment=from_environment), err=True)

    try:
        code = asyncio.run(
            _run_until_signal(
                make_printers(options),
                host=host,
                port=port,
                keep_alive=keep_alive,
                started=started,
            )
        )
    except KeyboardInterrupt:  # Windows, or a second Ctrl-C while stopping
        code = INTERRUPTED
    except ImportError as exc:
        click.echo(f"error: {exc}", err=True)
        code = 1
    except OSError as exc:
        last = port + printers - 1
        ports = (
            "free ports"
            if port == 0
            else f"port {port}"
            if last == port
            else f"ports {port}-{last}"
        )
        click.echo(f"error: {_listen_problem(exc, host, ports)}", err=True)
        code = USAGE
    if code == INTERRUPTED:
        click.echo("interrupted", err=True)
    ctx.exit(code)


def _try_line(host: str, ports: list[int], *, from_environment: bool) -> str:
    """What to run next: the exact command that reads the first printer's status."""
    count = len(ports)
    served = f"{count} simulated printer{'s' * (count != 1)}"
    if from_environment:
        command = f"printer-async status {host} --port {ports[0]}"
        password = f"(the password comes from ${PASSWORD_ENV}, as here)"
    else:
        command = f"printer-async status {host} --port {ports[0]} --password PASSWORD"
        password = (
            f"(PASSWORD: the one given to simulate; or set ${PASSWORD_ENV} and leave "
            "--password out)"
        )
    return f"serving {served} until Ctrl-C; try, in another terminal:\n  {command}\n{password}"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m printer_async.simulator``: run :func:`simulate`; return its exit status."""
    try:
        code = simulate.main(
            argv, prog_name="python -m printer_async.simulator", standalone_mode=False
        )
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("interrupted", err=True)
        return INTERRUPTED
    return code if isinstance(code, int) else 0
