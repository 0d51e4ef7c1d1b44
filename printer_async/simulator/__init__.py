"""A simulated Raise3D printer served over real HTTP, for trying and testing printer-async.

Example:
    >>> from printer_async.simulator import ManualClock, SimulatedPrinter, serve_in_thread
    >>> printer = SimulatedPrinter(password="123456", model="Pro2", clock=ManualClock())
    >>> with serve_in_thread(printer) as server:  # doctest: +SKIP
    ...     print(server.endpoints[0].base_url)

The simulated printer answers like a real one where the vendor's text and real printers
disagree (see :class:`SimulatedPrinter` and :class:`PrinterProfile`). Serving needs uvicorn (the
``simulator`` extra); the state model, the clocks and the faults do not.
"""

from printer_async.simulator._app import SimulatorApp
from printer_async.simulator._asgi import BadRequest, Request, Route, Router
from printer_async.simulator._auth import sign
from printer_async.simulator._clock import Clock, ManualClock, ScaledClock
from printer_async.simulator._failure import ApiFailure
from printer_async.simulator._faults import Fault, FaultInjector, FaultKind, Selectors
from printer_async.simulator._files import PrintFile
from printer_async.simulator._jobs import HistoryEntry, Transition
from printer_async.simulator._profiles import PrinterProfile
from printer_async.simulator._server import Endpoint, SimulatorServer, serve, serve_in_thread
from printer_async.simulator._state import SimulatedPrinter

__all__ = [
    "ApiFailure",
    "BadRequest",
    "Clock",
    "Endpoint",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "HistoryEntry",
    "ManualClock",
    "PrintFile",
    "PrinterProfile",
    "Request",
    "Route",
    "Router",
    "ScaledClock",
    "Selectors",
    "SimulatedPrinter",
    "SimulatorApp",
    "SimulatorServer",
    "Transition",
    "serve",
    "serve_in_thread",
    "sign",
]
