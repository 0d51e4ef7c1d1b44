"""Serving simulated printers for real: uvicorn on loopback sockets.

:func:`serve` binds one socket per printer for its API (port 0 picks a free one) and, unless
told not to, a second one for its camera server, and runs a single uvicorn server over all of them
in the running asyncio loop; :func:`serve_in_thread` does the same in a
background thread with its own loop, for trio tests and synchronous code.

The HTTP protocol is forced to h11, the pure-Python implementation uvicorn always has, so behaviour
(and the connection-breaking faults, see :mod:`printer_async.simulator._asgi`) does not depend on
which optional speedups happen to be installed. uvicorn is imported only when a server starts, so
``import printer_async.simulator`` works without the ``simulator`` extra.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import socket
import threading
from typing import TYPE_CHECKING, Any, Final

import anyio
import anyio.lowlevel
import attrs

from printer_async.simulator._app import SimulatorApp

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator, Sequence

    import uvicorn

    from printer_async.simulator._state import SimulatedPrinter

DEFAULT_HOST: Final = "127.0.0.1"
SHUTDOWN_TIMEOUT: Final = 2.0
"""Seconds to let in-flight requests finish at shutdown before cutting them off."""
DEFAULT_KEEP_ALIVE: Final = 60.0
"""Seconds an idle connection stays open. How long a real printer keeps one is not documented;
a minute lets a client polling every few seconds reuse its connection. ``keep_alive=5`` (uvicorn's
default) makes every poll at a 5 s interval open a new one, and sometimes find its kept
connection just closed: a client must cope with both."""
THREAD_START_TIMEOUT: Final = 60.0
"""Seconds :func:`serve_in_thread` waits for the background server to come up."""


@attrs.frozen
class Endpoint:
    """Where one simulated printer listens.

    Attributes:
        printer: The simulated printer's state.
        host: The address it listens on.
        port: The TCP port its API listens on.
        camera_port: The TCP port its camera server listens on (what ``/printer/camera``
            reports); 0 when no camera server was started.
    """

    printer: SimulatedPrinter
    host: str
    port: int
    camera_port: int = 0

    @property
    def base_url(self) -> str:
        """``http://host:port``, the printer's address for a client."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def password(self) -> str:
        """The printer's access password."""
        return self.printer.password


@attrs.frozen
class SimulatorServer:
    """A running simulator: its endpoints, one per printer, in the order given.

    Attributes:
        endpoints: The endpoints.
        app: The ASGI application serving them.
    """

    endpoints: list[Endpoint]
    app: SimulatorApp

    def endpoint(self, printer: SimulatedPrinter) -> Endpoint:
        """Return the endpoint of ``printer``.

        Raises:
            KeyError: If this server does not serve ``printer``.
        """
        for endpoint in self.endpoints:
            if endpoint.printer is printer:
                return endpoint
        raise KeyError(printer)

    @property
    def printers(self) -> list[SimulatedPrinter]:
        """The printers served, in the order of :attr:`endpoints`."""
        return [endpoint.printer for endpoint in self.endpoints]


def _import_uvicorn() -> Any:
    try:
        return importlib.import_module("uvicorn")
    except ImportError as exc:
        raise ImportError(
            'the printer simulator needs uvicorn: pip install "printer-async[simulator]"'
        ) from exc


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only then, and
    # without it every answer (headers and body are two writes) waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        # Lets a fixed port be reused right after a previous run left it in TIME_WAIT.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _bind_all(host: str, ports: Sequence[int]) -> list[socket.socket]:
    sockets: list[socket.socket] = []
    try:
        sockets.extend(_bind(host, port) for port in ports)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


async def _start(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
    config = server.config
    if not config.loaded:
        config.load()
    server.lifespan = config.lifespan_class(config)
    # startup() only creates the listening servers; uvicorn's main_loop (a 0.1 s ticker whose job
    # is signals and refreshing the Date header) is not needed, so nothing runs in the background.
    await server.startup(sockets=sockets)
    await server.on_tick(0)  # sets the default response headers once


async def _stop(server: uvicorn.Server, sockets: list[socket.socket], app: SimulatorApp) -> None:
    """Shut down promptly: uvicorn's own shutdown always sleeps 0.1 s and polls every 0.1 s."""
    app.close_streams()  # endless camera streams end now, instead of at the timeout below
    state = server.server_state
    for listener in getattr(server, "servers", []):
        listener.close()
    for sock in sockets:
        sock.close()
    for connection in list(state.connections):
        connection.shutdown()  # closes idle keep-alive connections, ends busy ones after the answer
    # uvicorn offers no event for "all connections closed": poll, briefly.
    with anyio.move_on_after(SHUTDOWN_TIMEOUT):
        while state.connections or state.tasks:  # noqa: ASYNC110 - see above
            await anyio.sleep(0.002)
    await _cut_off(state, app)
    for listener in getattr(server, "servers", []):
        await listener.wait_closed()


async def _cut_off(state: Any, app: SimulatorApp) -> None:
    """End the requests still unanswered after the grace period, without an ERROR record.

    First their connections, whose loss uvicorn notes from the loop's next iterations
    (``connection_lost``), then the app's requests, which end quietly. Cancelling uvicorn's tasks
    instead makes each log "Exception in ASGI application" with a traceback at ERROR.
    """
    for connection in list(state.connections):
        connection.transport.abort()
    with anyio.move_on_after(SHUTDOWN_TIMEOUT):
        while state.connections:
            await anyio.lowlevel.checkpoint()
    app.cancel_requests()
    with anyio.move_on_after(SHUTDOWN_TIMEOUT):
        while state.tasks:  # requests leave the set as they end
            await anyio.lowlevel.checkpoint()
    for task in list(state.tasks):  # only a task that ignored its cancellation is still here
        task.cancel()
    while state.tasks:
        await anyio.lowlevel.checkpoint()


@contextlib.asynccontextmanager
async def serve(
    *printers: SimulatedPrinter,
    host: str = DEFAULT_HOST,
    ports: Sequence[int] | None = None,
    camera_ports: Sequence[int] | None = None,
    cameras: bool = True,
    keep_alive: float = DEFAULT_KEEP_ALIVE,
) -> AsyncIterator[SimulatorServer]:
    """Serve simulated printers over HTTP in the running asyncio loop, one port each.

    Each printer's camera server gets a port of its own too, which its ``/printer/camera``
    answer names (the printer's ``camera_port`` is set to it).

    Args:
        *printers: The printers to serve.
        host: The address to listen on.
        ports: One API port per printer (0 picks a free one); all free ports by default.
        camera_ports: One camera port per printer (0 picks a free one); all free by default.
        cameras: Whether to start the camera servers at all (a fleet of a thousand printers
            may not want twice the sockets).
        keep_alive: Seconds an idle client connection is kept open.

    Yields:
        The running server, with the printers' endpoints.

    Raises:
        ValueError: Without printers, or with a number of ports that does not match.
        RuntimeError: Outside an asyncio loop (use :func:`serve_in_thread` under trio).
        OSError: If a port cannot be bound.
        ImportError: Without uvicorn installed.
    """
    if not printers:
        raise ValueError("serve() needs at least one printer")
    port_list = [0] * len(printers) if ports is None else list(ports)
    if len(port_list) != len(printers):
        raise ValueError(f"{len(printers)} printers but {len(port_list)} ports")
    camera_list = [0] * len(printers) if camera_ports is None else list(camera_ports)
    if len(camera_list) != len(printers):
        raise ValueError(f"{len(printers)} printers but {len(camera_list)} camera ports")
    try:
        asyncio.get_running_loop()
    except RuntimeError as exc:
        raise RuntimeError(
            "serve() runs uvicorn, which needs asyncio; use serve_in_thread() elsewhere"
        ) from exc
    uvicorn_module = _import_uvicorn()
    sockets = _bind_all(host, port_list + (camera_list if cameras else []))
    app = SimulatorApp()
    endpoints = []
    for index, printer in enumerate(printers):
        port = sockets[index].getsockname()[1]
        app.add_printer(port, printer)
        camera_port = 0
        if cameras:
            camera_port = sockets[len(printers) + index].getsockname()[1]
            app.add_camera(camera_port, printer)
            printer.camera_port = camera_port
        endpoints.append(Endpoint(printer=printer, host=host, port=port, camera_port=camera_port))
    config = uvicorn_module.Config(
        app,
        host=host,
        http="h11",
        ws="none",
        lifespan="off",
        log_config=None,  # leave the application's logging configuration alone
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_keep_alive=keep_alive,
    )
    server = uvicorn_module.Server(config)
    try:
        await _start(server, sockets)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await _stop(server, sockets, app)
        raise
    try:
        yield SimulatorServer(endpoints=endpoints, app=app)
    finally:
        with anyio.CancelScope(shield=True):
            await _stop(server, sockets, app)


@contextlib.contextmanager
def serve_in_thread(
    *printers: SimulatedPrinter,
    host: str = DEFAULT_HOST,
    ports: Sequence[int] | None = None,
    camera_ports: Sequence[int] | None = None,
    cameras: bool = True,
    keep_alive: float = DEFAULT_KEEP_ALIVE,
) -> Iterator[SimulatorServer]:
    """Like :func:`serve`, but in a background thread with its own asyncio loop.

    Usable from synchronous code and from any async framework. The printers' state is thread-safe,
    so tests may drive it (clock, faults, power loss) while the thread serves requests.

    Args:
        *printers: The printers to serve.
        host: The address to listen on.
        ports: One API port per printer (0 picks a free one); all free ports by default.
        camera_ports: One camera port per printer (0 picks a free one); all free by default.
        cameras: Whether to start the camera servers.
        keep_alive: Seconds an idle client connection is kept open.

    Yields:
        The running server, with the printers' endpoints.

    Raises:
        Exception: Whatever :func:`serve` raised while starting.
        TimeoutError: If the server did not start within a minute.
    """
    ready = threading.Event()
    started: list[SimulatorServer] = []
    failures: list[BaseException] = []
    control: dict[str, Any] = {}

    async def run() -> None:
        stop = asyncio.Event()
        control["loop"] = asyncio.get_running_loop()
        control["stop"] = stop
        try:
            async with serve(
                *printers,
                host=host,
                ports=ports,
                camera_ports=camera_ports,
                cameras=cameras,
                keep_alive=keep_alive,
            ) as server:
                started.append(server)
                ready.set()
                await stop.wait()
        except BaseException as exc:  # noqa: BLE001 - handed over to the calling thread
            failures.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(
        target=asyncio.run, args=(run(),), name="printer-simulator", daemon=True
    )
    thread.start()
    if not ready.wait(THREAD_START_TIMEOUT):
        raise TimeoutError("the simulator thread did not start in time")
    try:
        if failures:
            raise failures[0]
        yield started[0]
    finally:
        loop: asyncio.AbstractEventLoop | None = control.get("loop")
        if loop is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(control["stop"].set)
        thread.join()
    if failures:
        raise failures[0]
