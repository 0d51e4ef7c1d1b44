"""``python -m printer_async.simulator``: serve simulated printers until Ctrl-C.

The lead command ``printer-async simulate`` reuses :func:`build_parser`, :func:`run_simulator` and
:func:`main` from here.

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

import argparse
import asyncio
import contextlib
import math
import signal
import sys
from typing import TYPE_CHECKING, Any, TextIO, cast, get_args

import anyio
import attrs

from printer_async.simulator._clock import ScaledClock
from printer_async.simulator._faults import BusyStyle, FaultInjector
from printer_async.simulator._profiles import PROFILES, find_profile
from printer_async.simulator._server import DEFAULT_KEEP_ALIVE, serve
from printer_async.simulator._state import SimulatedPrinter

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

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
        argparse.ArgumentTypeError: If the text is not a valid fault.
    """
    kind, *rest = text.split(":")
    if kind not in _ARG_KINDS | _NO_ARG_KINDS:
        known = ", ".join(sorted(_ARG_KINDS | _NO_ARG_KINDS))
        raise argparse.ArgumentTypeError(f"unknown fault {kind!r} (known: {known})")
    arg = None
    if rest and "=" not in rest[0]:
        if kind in _NO_ARG_KINDS:
            raise argparse.ArgumentTypeError(f"fault {kind!r} takes no argument")
        arg = rest.pop(0)
    if kind in _REQUIRED_ARG and arg is None:
        raise argparse.ArgumentTypeError(f"fault {kind!r} needs an argument, e.g. {kind}:VALUE")
    options: dict[str, Any] = {}
    converters = {"count": int, "duration": float, "probability": float, "path": str}
    for item in rest:
        key, sep, value = item.partition("=")
        if not sep or key not in converters:
            raise argparse.ArgumentTypeError(f"bad fault option {item!r} (count, duration, ...)")
        try:
            options[key] = converters[key](value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"bad value in {item!r}") from exc
    spec = FaultSpec(kind, arg, **options)
    try:  # arm it once on a scratch injector, so mistakes surface while parsing
        spec.apply(FaultInjector())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad fault {text!r}: {exc}") from exc
    return spec


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _model(text: str) -> str:
    try:
        return find_profile(text, None).name
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _positive_float(text: str) -> float:
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def build_parser(prog: str = "python -m printer_async.simulator") -> argparse.ArgumentParser:
    """Return the command-line parser of the simulator."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve simulated Raise3D printers (Remote Access API) until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port",
        type=int,
        default=10800,
        help="port of the first printer, the next ones follow; 0 picks free ports",
    )
    parser.add_argument("--password", required=True, help="access password of the printers")
    parser.add_argument(
        "--speed", type=_positive_float, default=1.0, help="simulated seconds per real second"
    )
    parser.add_argument("--printers", type=_positive_int, default=1, help="how many printers")
    parser.add_argument(
        "--model",
        type=_model,
        default=None,
        help=f"the Raise3D model each printer behaves as: {', '.join(PROFILES)} "
        "(default: Pro2, or N2 Plus with --nozzles 1)",
    )
    parser.add_argument(
        "--nozzles",
        type=int,
        choices=(1, 2),
        default=None,
        help="nozzles each (default: the model's)",
    )
    parser.add_argument(
        "--job-duration",
        type=_positive_float,
        default=3600.0,
        help="print time of the seeded files, in simulated seconds",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed of the random choices")
    parser.add_argument(
        "--state",
        dest="states",
        action="append",
        choices=("safe_mode", "busy"),
        default=[],
        help="start the printers in safe mode (running_status error) or busy; repeatable",
    )
    parser.add_argument(
        "--keep-alive",
        type=_positive_float,
        default=DEFAULT_KEEP_ALIVE,
        metavar="SECONDS",
        help=f"seconds an idle connection is kept open (default {DEFAULT_KEEP_ALIVE:g})",
    )
    parser.add_argument(
        "--no-camera",
        dest="camera",
        action="store_false",
        help="the printers report no camera (their camera servers answer 503)",
    )
    parser.add_argument(
        "--fault",
        dest="faults",
        action="append",
        type=parse_fault,
        default=[],
        metavar="KIND[:ARG][:KEY=VALUE...]",
        help="inject a fault on every printer, e.g. busy:10003:count=5, latency:0.2, random:0.05",
    )
    return parser


def make_printers(args: argparse.Namespace) -> list[SimulatedPrinter]:
    """Build the printers the parsed arguments describe, with their faults armed."""
    printers = []
    for index in range(args.printers):
        printer = SimulatedPrinter(
            password=args.password,
            model=args.model,
            nozzles=args.nozzles,
            clock=ScaledClock(args.speed),
            name="raise3d" if args.printers == 1 else f"raise3d-{index + 1}",
            seed=None if args.seed is None else args.seed + index,
            job_duration=args.job_duration,
            camera_connected=args.camera,
        )
        printer.safe_mode = "safe_mode" in args.states
        printer.busy = "busy" in args.states
        for spec in args.faults:
            spec.apply(printer.faults)
        printers.append(printer)
    return printers


async def run_simulator(
    printers: Sequence[SimulatedPrinter],
    *,
    host: str = "127.0.0.1",
    port: int = 10800,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
    keep_alive: float = DEFAULT_KEEP_ALIVE,
) -> None:
    """Serve ``printers`` on consecutive ports from ``port`` (0: free ports).

    Runs until ``stop`` is set, or until cancelled without one.

    Prints one line per printer, ``printer N: URL``, to ``out`` (standard output by default).

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
        if stop is None:
            await anyio.sleep_forever()
        else:
            await stop.wait()


async def _run_until_signal(
    printers: Sequence[SimulatedPrinter], *, host: str, port: int, keep_alive: float
) -> None:
    """Run until SIGINT or SIGTERM, even if the shell started us with SIGINT ignored."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still raises there
            loop.add_signal_handler(signum, stop.set)
    await run_simulator(printers, host=host, port=port, stop=stop, keep_alive=keep_alive)


def main(argv: list[str] | None = None) -> int:
    """Run the simulator command; return the exit status (0 after Ctrl-C)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    printers = make_printers(args)
    try:
        asyncio.run(
            _run_until_signal(printers, host=args.host, port=args.port, keep_alive=args.keep_alive)
        )
    except KeyboardInterrupt:
        return 0
    except (OSError, ImportError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0
