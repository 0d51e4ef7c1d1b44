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

Under pytest-socket (Home Assistant's test harness blocks making sockets before each test and lets
them connect to 127.0.0.1 only), the fixtures request pytest-socket's ``socket_enabled`` fixture
themselves: a served printer needs sockets made for it (its listening sockets, each connection it
accepts, the test's client), and binding early would not do, as accepting a connection makes a
socket too. ``socket_enabled`` lifts only the ban on making sockets; the allow-list on
``connect()`` (``--allow-hosts``, the ``allow_hosts`` marker, or the harness's own) stays in force,
so the test still reaches nothing but the hosts it allows. The printers listen on 127.0.0.1. Under
``--disable-socket`` without an allow-list, add ``--allow-hosts=127.0.0.1`` to keep such tests on
loopback.
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


def _allow_making_sockets(request: pytest.FixtureRequest) -> None:
    """Under pytest-socket, request its ``socket_enabled`` fixture (see the module docstring)."""
    plugins = request.config.pluginmanager.get_plugins()
    # Found by module, whatever name it was registered under ("socket" from its entry point,
    # "pytest_socket" from -p).
    if any(getattr(plugin, "__name__", None) == "pytest_socket" for plugin in plugins):
        request.getfixturevalue("socket_enabled")


@pytest.fixture(name="simulated_printer_factory")
def _simulated_printer_factory(request: pytest.FixtureRequest) -> Iterator[SimulatedPrinterFactory]:
    _allow_making_sockets(request)
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
