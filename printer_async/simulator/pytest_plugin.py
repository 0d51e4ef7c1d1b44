"""pytest plugin: simulated Raise3D printers as fixtures.

Registered through the ``pytest11`` entry point: installing ``printer-async[simulator]`` is enough.

.. code-block:: python

    def test_reads_the_job(simulated_printer):
        client = MyClient(simulated_printer.base_url, password=simulated_printer.password)
        ...

    @pytest.mark.simulated_printer(model="N2 Plus", speed=720)
    def test_single_nozzle(simulated_printer): ...

Fixtures:

* ``simulated_printer``: a printer served on a free loopback port, as an
  :class:`~printer_async.simulator.Endpoint` (``.base_url``, ``.host``, ``.port``, ``.password``,
  ``.printer``). Its options come from the ``simulated_printer`` marker: any
  :class:`~printer_async.simulator.SimulatedPrinter` keyword argument, plus ``speed`` (a
  :class:`~printer_async.simulator.ScaledClock` speed).
* ``simulated_printer_factory``: a callable taking the same keyword arguments and returning a new
  served printer; every printer it made stops at the end of the test.

Printers are served from a background thread, so the fixtures work in synchronous tests and under
any async framework. uvicorn is imported only when a fixture is used, so this plugin never breaks a
test session that does not use it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from printer_async.simulator._server import Endpoint

MARKER = "simulated_printer"


class SimulatedPrinterFactory(Protocol):
    """Makes and serves a simulated printer; see the module docstring."""

    def __call__(self, **options: Any) -> Endpoint:
        """Return the endpoint of a new printer built from ``options``."""
        ...


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker, so ``--strict-markers`` sessions accept it."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options of the simulated_printer fixture (SimulatedPrinter keyword "
        "arguments, plus speed for a ScaledClock)",
    )


@pytest.fixture(name="simulated_printer_factory")
def _simulated_printer_factory() -> Iterator[SimulatedPrinterFactory]:
    try:
        # Imported here so that a session without uvicorn fails only where the fixture is used.
        import uvicorn  # noqa: F401, PLC0415

        from printer_async.simulator._clock import ScaledClock  # noqa: PLC0415
        from printer_async.simulator._server import serve_in_thread  # noqa: PLC0415
        from printer_async.simulator._state import SimulatedPrinter  # noqa: PLC0415
    except ImportError as exc:
        pytest.fail(
            'the simulated_printer fixtures need uvicorn: pip install "printer-async[simulator]" '
            f"({exc})",
            pytrace=False,
        )

    with contextlib.ExitStack() as stack:

        def factory(**options: Any) -> Endpoint:
            speed = options.pop("speed", None)
            if speed is not None:
                if options.get("clock") is not None:
                    raise TypeError("pass either speed or clock, not both")
                options["clock"] = ScaledClock(speed)
            printer = SimulatedPrinter(**options)
            server = stack.enter_context(serve_in_thread(printer))
            return server.endpoints[0]

        yield factory


@pytest.fixture(name="simulated_printer")
def _simulated_printer(
    request: pytest.FixtureRequest, simulated_printer_factory: SimulatedPrinterFactory
) -> Endpoint:
    marker = request.node.get_closest_marker(MARKER)
    options = dict(marker.kwargs) if marker is not None else {}
    return simulated_printer_factory(**options)
