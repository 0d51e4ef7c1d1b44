"""Many printers from one process: a merged event stream, snapshots, isolation, shared limits.

A :class:`Fleet` is an async context manager over its printers. ``async with fleet.watch()``
runs one watch task per printer in a task group of its own, for as long as its block runs, and
merges their events into one bounded stream.
Every request the fleet makes for a printer goes through that printer's own lock (at most one
request in flight per printer) and one fleet-wide :class:`anyio.Semaphore` (a bound on
concurrent requests overall). Each printer keeps a connection pool of its own: the printers
left to the fleet share one aiohttp session of the fleet's when aiohttp is installed and the loop
is asyncio's (aiohttp keeps a pool per printer in a dictionary); otherwise each has its own
``httpx.AsyncClient`` (a single httpx pool shared by thousands of origins is quadratic inside
httpcore), all sharing one SSL context (see DESIGN.md's measured decisions).

A failing printer cannot hurt the others: its failures become events for that printer
(``offline``, ``online``, ``error``), and a watch that ends with an error (a wrong password)
ends for that printer only.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import random
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TypeVar

import anyio
import attrs

from printer_async._client import (
    AsyncPrinter,
    TransportName,
    aiohttp_classes,
    check_transport,
)
from printer_async._errors import PrinterError
from printer_async._orchestration.fleetfile import printer_from_entry
from printer_async._orchestration.freeze import freeze, unfreeze
from printer_async._orchestration.watch import (
    DEFAULT_BACKOFF_CAP,
    DEFAULT_INTERVAL,
    DEFAULT_OFFLINE_AFTER,
    EventKind,
    JobEvent,
    watch_jobs,
)
from printer_async._transports.base import on_asyncio

if TYPE_CHECKING:
    import os
    from collections.abc import Awaitable, Callable, Iterable, Iterator
    from types import TracebackType

    import httpx
    from anyio.abc import TaskGroup
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

    from printer_async._models import CurrentJob
    from printer_async._orchestration.watch import PollReport
    from printer_async._transports.aiohttp import AiohttpSession

__all__ = ["Fleet", "FleetWatch"]

_log = logging.getLogger("printer_async.fleet")

DEFAULT_MAX_CONCURRENT: Final = 100
"""Requests in flight at once across the whole fleet."""

MAX_TICK: Final = 0.1
"""The coarsest grid, in seconds, that a fleet's polls are gathered on."""

TICKS_PER_INTERVAL: Final = 50
"""A fleet's polls are spread over at least this many groups per interval."""

FIRST_ROUND: Final = 0.9
"""The share of the first interval a watch's first polls are spread over: the rest leaves the
last printers time to log in and answer, so that every printer's first event comes within one
interval."""

FREEZE_DELAY: Final = 1.0
"""Seconds after the first interval of a watch when its long-lived objects are frozen."""

CLOSERS: Final = 64
"""Tasks that close a fleet's printers together."""

DEFAULT_BUFFER: Final = 1024
"""Events the merged stream holds for a consumer that has not caught up."""

Overflow = Literal["wait", "drop"]

_T = TypeVar("_T")


class Fleet:
    """Many :class:`AsyncPrinter` instances watched and queried together.

    ::

        async with Fleet.from_toml("printers.toml") as fleet:
            async with fleet.watch(interval=5) as events:
                async for event in events:
                    print(event.printer.name, event.kind)

    The fleet owns its printers: leaving the ``async with`` block (or :meth:`aclose`) stops the
    running watch and closes every printer in it. Entering and leaving may happen in different
    tasks; the tasks that poll live in the ``async with fleet.watch()`` block.

    Printers created without ``transport=`` or ``client=`` leave their HTTP library to the
    fleet: when aiohttp is installed (``pip install "printer-async[aiohttp]"``) and the loop
    is asyncio's, they share one aiohttp session of the fleet's, which costs about a third of
    the CPU per poll and keeps one pool per printer; under trio, or without aiohttp, each keeps
    its own ``httpx.AsyncClient``. The choice is made in the event loop, when the fleet is
    first entered, watched or asked for a snapshot.

    Args:
        printers: The printers; their names (``AsyncPrinter.name``) must be unique.
        max_concurrent: Requests in flight at once across the fleet.
        transport: ``"aiohttp"`` or ``"httpx"`` for the printers that left it to the fleet;
            by default aiohttp when it is installed and the loop is asyncio's.

    Raises:
        ImportError: ``transport="aiohttp"`` and aiohttp is not installed.
        ValueError: An unknown ``transport``.
    """

    def __init__(
        self,
        printers: Iterable[AsyncPrinter] = (),
        *,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
        transport: TransportName | None = None,
    ) -> None:
        check_transport(transport)
        if transport == "aiohttp":
            aiohttp_classes()  # fail here, not at the first request
        self._members: dict[str, _Member] = {}
        # A semaphore that takes a free slot without yielding to the event loop: a poll would
        # otherwise pay a loop round trip here and another for the printer's lock.
        self._limiter = anyio.Semaphore(max_concurrent, fast_acquire=True)
        self._watch: FleetWatch | None = None
        self._closed = False
        self._transport = transport
        self._transport_chosen = transport == "httpx"
        self._session: AiohttpSession | None = None
        self._addresses: collections.Counter[str] = collections.Counter()
        for printer in printers:
            self.add(printer)

    @classmethod
    def from_toml(
        cls,
        path: str | os.PathLike[str],
        *,
        client: httpx.AsyncClient | None = None,
        transport: TransportName | None = None,
        **options: Any,
    ) -> Self:
        """Build a fleet from a TOML file.

        ::

            [defaults]                  # optional, applies to every printer
            port = 10800
            password_env = "RAISE3D_PASSWORD"
            timeout = 10

            [[printer]]
            name = "left-1"
            host = "192.168.0.57"
            password = "368d8d"         # or password_env = "LEFT_1_PASSWORD"

            [[printer]]                 # a printer behind a reverse proxy
            name = "printer-7"
            base_url = "https://farm.example/printer7/v1"
            password_env = "PRINTER7_PASSWORD"

        Args:
            path: The file.
            client: An ``httpx.AsyncClient`` for every printer (like
                :func:`~printer_async.aiohttp_client`); by default each printer has its own.
            transport: ``"aiohttp"`` or ``"httpx"``, as for :class:`Fleet`.
            options: Passed to :class:`Fleet` (``max_concurrent``).

        Raises:
            ValueError: The file is not valid TOML or an entry is incomplete (each needs
                ``host`` or ``base_url``); the message names the entry. A password environment
                variable that is not set is an error too.
            OSError: The file cannot be read.
        """
        text = Path(path).read_text(encoding="utf-8")
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
        if client is not None and transport == "aiohttp":
            raise ValueError(
                "client= is an httpx.AsyncClient, which transport='aiohttp' does not use; "
                "pass one or the other"
            )
        defaults = document.get("defaults", {})
        entries = document.get("printer", [])
        if (
            not isinstance(defaults, dict)
            or not isinstance(entries, list)
            or not entries
            or not all(isinstance(entry, dict) for entry in entries)
        ):
            raise ValueError(f"{path}: expected one or more [[printer]] tables")
        printers = (
            printer_from_entry(path, i, defaults, e, client) for i, e in enumerate(entries)
        )
        return cls(printers, transport=transport, **options)

    # -- life cycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._closed:
            raise RuntimeError("this Fleet is closed; create a new one")
        self._choose_transport()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the running watch, if any, and close every printer. Calling it again does nothing.

        The printers are closed concurrently (10,000 in well under a second), then the fleet's
        aiohttp session. It may be called from another task than the one that entered the
        fleet (a test fixture's teardown, an integration's unload).

        Raises:
            ExceptionGroup: Closing some printers failed; every other printer is closed still.
        """
        self._closed = True
        if self._watch is not None:
            self._watch.close_stream()
        printers = [member.printer for member in self._members.values()]
        errors: list[Exception] = []

        async def close_share(share: list[AsyncPrinter]) -> None:
            for printer in share:
                try:
                    await printer.aclose()
                except Exception as exc:  # noqa: BLE001 - the others are closed all the same
                    errors.append(exc)

        with anyio.CancelScope(shield=True):
            try:
                # A few tasks, each closing its share one after another: most closes finish
                # without waiting (a printer on the fleet's session, or an idle client), and a
                # task per printer would cost more than the closing itself.
                async with anyio.create_task_group() as task_group:
                    for start in range(min(CLOSERS, len(printers))):
                        task_group.start_soon(close_share, printers[start::CLOSERS])
            finally:
                if self._session is not None:
                    await self._session.aclose()
        if errors:
            raise ExceptionGroup("closing printers of the fleet failed", errors)

    def _choose_transport(self) -> None:
        """Move the printers that left their transport to the fleet onto its aiohttp session.

        Done once, in the event loop (a fleet is often built before the loop runs): aiohttp
        when it is installed and the loop is asyncio's, httpx otherwise.

        Raises:
            RuntimeError: ``transport="aiohttp"`` was asked for, and the loop is not asyncio's.
        """
        if self._transport_chosen:
            return
        if not on_asyncio() and self._transport == "aiohttp":
            raise RuntimeError(
                "Fleet(transport='aiohttp') runs under asyncio only; under trio, leave "
                "transport unset (httpx)"
            )
        self._transport_chosen = True
        if not on_asyncio():
            return
        try:
            _, session_class = aiohttp_classes()
        except ImportError:
            return  # without aiohttp the printers keep their own httpx clients
        self._session = session_class()
        for member in self._members.values():
            self._move_to_session(member.printer)

    def _move_to_session(self, printer: AsyncPrinter) -> None:
        """Put a printer on the fleet's aiohttp session, unless another shares its address.

        aiohttp bounds a session's connections per host and port: printers behind one proxy
        would share one bound (a few connections for them all), so they keep their own httpx
        clients.
        """
        if self._session is not None and self._addresses[_address(printer)] == 1:
            printer._use_session(self._session)  # noqa: SLF001 - the fleet's own printers

    # -- membership -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._members)

    def __iter__(self) -> Iterator[AsyncPrinter]:
        return iter([member.printer for member in self._members.values()])

    def __getitem__(self, name: str) -> AsyncPrinter:
        return self._members[name].printer

    def __contains__(self, item: object) -> bool:
        name = item.name if isinstance(item, AsyncPrinter) else item
        return name in self._members

    def add(self, printer: AsyncPrinter) -> None:
        """Add a printer; if the fleet is being watched, its watch starts at once.

        Raises:
            ValueError: A printer of that name is already in the fleet.
            RuntimeError: The fleet is closed.
        """
        if self._closed:
            raise RuntimeError("the fleet is closed")
        if printer.name in self._members:
            raise ValueError(f"a printer named {printer.name!r} is already in the fleet")
        member = _Member(printer)
        self._members[printer.name] = member
        self._addresses[_address(printer)] += 1
        self._move_to_session(printer)
        if self._watch is not None:
            self._watch.start(member)

    async def remove(self, printer: AsyncPrinter | str) -> AsyncPrinter:
        """Take a printer out of the fleet: its watch stops, and it is closed.

        A request the fleet has in flight for it (a snapshot's) is allowed to finish first, so
        this may take up to the printer's timeout.

        Returns:
            The printer removed.

        Raises:
            KeyError: No printer of that name is in the fleet.
        """
        name = printer.name if isinstance(printer, AsyncPrinter) else printer
        member = self._members.pop(name)
        self._addresses[_address(member.printer)] -= 1
        if self._watch is not None:
            self._watch.stop(member)
        # Shielded: once out of the fleet, the printer must be closed even if this is cancelled
        # (the wait is bounded by the printer's timeout).
        with anyio.CancelScope(shield=True):
            async with member.lock:
                await member.printer.aclose()
        return member.printer

    # -- requests -------------------------------------------------------------------------------

    async def _current_job(self, member: _Member) -> CurrentJob:
        """One poll, under the printer's own lock and then the fleet-wide limit.

        The printer's lock comes first, so a printer waiting for its own earlier request holds
        no slot of the fleet-wide limit.
        """
        async with member.lock, self._limiter:
            return await member.printer.current_job()

    async def request(
        self, printer: AsyncPrinter | str, call: Callable[[AsyncPrinter], Awaitable[_T]]
    ) -> _T:
        """Make one request of a printer under the fleet's limits, beside its watch.

        ``call`` runs while the fleet holds the printer's own lock (so it never overlaps the
        watch's polls of that printer) and a slot of the fleet-wide bound, like every request
        the fleet makes itself::

            basic = await fleet.request("left-1", AsyncPrinter.basic_info)
            nozzle = await fleet.request("left-1", lambda printer: printer.nozzle(2))

        Make one request per call: the printer's next poll waits for the whole of ``call``.

        Returns:
            What ``call`` returned.

        Raises:
            KeyError: No printer of that name is in the fleet.
            RuntimeError: The printer was removed (and so closed) while waiting.
            PrinterError: Whatever ``call`` raised.
        """
        name = printer.name if isinstance(printer, AsyncPrinter) else printer
        member = self._members[name]
        async with member.lock, self._limiter:
            return await call(member.printer)

    async def snapshot(self) -> dict[str, CurrentJob | PrinterError]:
        """Every printer's current job, or the error that kept it from answering.

        The requests run concurrently, under the fleet's limits; a slow or dead printer delays
        only its own entry, by at most its ``timeout`` (a deadline for the whole call, even
        against a printer that trickles its answer) after its turn comes. A printer removed
        meanwhile is left out. It raises no exception group: whatever a printer's request
        raises becomes that printer's entry.

        Returns:
            A mapping from printer name to its :class:`CurrentJob` or :class:`PrinterError`.
        """
        self._choose_transport()
        results: dict[str, CurrentJob | PrinterError] = {}
        members = list(self._members.values())

        async def one(member: _Member) -> None:
            printer = member.printer
            try:
                results[printer.name] = await self._current_job(member)
            except PrinterError as exc:
                results[printer.name] = exc
            except Exception as exc:  # noqa: BLE001 - isolated, like a watch's, and logged
                if isinstance(exc, RuntimeError) and printer.closed:
                    return  # removed (and so closed) while waiting for its lock: left out
                # A bug must not take the other printers' answers down with it.
                _log.exception("asking %s for its current job failed", printer.name)
                results[printer.name] = PrinterError(
                    f"asking {printer.name} for its current job failed: {type(exc).__name__}"
                )

        async with anyio.create_task_group() as task_group:
            for member in members:
                task_group.start_soon(one, member)
        return {name: results[name] for name in self._members if name in results}

    # -- watching -------------------------------------------------------------------------------

    def watch(
        self,
        *,
        interval: float = DEFAULT_INTERVAL,
        active_interval: float | None = None,
        progress_step: float | None = None,
        backoff_cap: float = DEFAULT_BACKOFF_CAP,
        offline_after: float = DEFAULT_OFFLINE_AFTER,
        buffer: int = DEFAULT_BUFFER,
        overflow: Overflow = "wait",
        on_poll: Callable[[PollReport], object] | None = None,
        freeze_gc: bool = True,
    ) -> FleetWatch:
        """Watch every printer: one merged stream of :class:`JobEvent`, each with ``.printer``.

        The events are those of :meth:`AsyncPrinter.watch`, plus ``error`` when a printer's
        watch ends with an error (a wrong password): that printer is no longer watched, the
        others go on. First polls are spread evenly over the first nine tenths of ``interval``
        instead of all at once, so every printer's first event comes within one interval.

        The stream is an async context manager, which runs the polling while its block runs::

            async with fleet.watch(interval=5) as events:
                async for event in events:
                    ...

        Leaving the block, at its end, by an exception or by cancellation, stops every
        poll at once. An exception raised in the block comes out as itself, not wrapped in an
        exception group.

        A consumer slower than the events gets, with ``overflow="wait"`` (the default),
        back-pressure: once ``buffer`` events wait, each printer's watch pauses at its next
        event until there is room. With ``overflow="drop"`` the newest events are dropped
        instead and counted in :attr:`FleetWatch.dropped`. Memory stays bounded either way.

        Once every printer has been polled (one interval and a second after the block is
        entered), the objects alive then are frozen (:func:`gc.freeze`), so that the garbage
        collector's full collections no longer walk the fleet's long-lived objects: at 10,000
        printers they took 0.6-0.9 s, and every poll due meanwhile was late by that much. They
        are unfrozen when the block ends (when the last such block in the process ends).

        Args:
            interval: Seconds from the start of one poll of a printer to the start of its next.
            active_interval: The same while a printer's job is running or paused.
            progress_step: Also yield ``progress`` events, as for :meth:`AsyncPrinter.watch`.
            backoff_cap: The longest delay failures stretch a printer's schedule to.
            offline_after: Seconds of unreachability before a printer's ``offline`` event.
            buffer: Events held for the consumer.
            overflow: ``"wait"`` or ``"drop"``, see above.
            on_poll: Called with a :class:`~printer_async.PollReport` after every poll of
                every printer, good or failed (what an exporter counts); quick, and it must not
                raise (an exception ends that printer's watch with an ``error`` event).
            freeze_gc: ``False`` to leave the garbage collector alone, see above.

        Raises:
            RuntimeError: The fleet is closed, or another watch of it is running.
            ValueError: An option is out of range.
        """
        if self._closed:
            raise RuntimeError("the fleet is closed")
        if overflow not in ("wait", "drop"):
            raise ValueError(f"overflow must be 'wait' or 'drop', got {overflow!r}")
        options = {
            "interval": interval,
            "active_interval": active_interval,
            "progress_step": progress_step,
            "backoff_cap": backoff_cap,
            "offline_after": offline_after,
            "on_poll": on_poll,
        }
        # The watcher checks its options: do it now, not in a task later.
        watch_jobs(_never_polled, printer=None, **options)  # type: ignore[arg-type]
        return FleetWatch(self, options, buffer=buffer, overflow=overflow, freeze_gc=freeze_gc)


@attrs.define(eq=False)
class _Member:
    """A printer of the fleet, with the lock that keeps one fleet request in flight for it."""

    printer: AsyncPrinter
    lock: anyio.Lock = attrs.field(factory=lambda: anyio.Lock(fast_acquire=True))


def _address(printer: AsyncPrinter) -> str:
    """The ``host:port`` a printer's requests go to (a proxy's, for ``base_url``)."""
    return printer._transport.netloc  # noqa: SLF001 - the fleet's own printers


async def _never_polled() -> CurrentJob:
    raise AssertionError("only used to check options")  # pragma: no cover


class FleetWatch:
    """The merged event stream of :meth:`Fleet.watch`: an async context manager and iterator.

    Attributes:
        dropped: Events dropped because the consumer was behind (``overflow="drop"`` only).
    """

    def __init__(
        self,
        fleet: Fleet,
        options: dict[str, Any],
        *,
        buffer: int,
        overflow: Overflow,
        freeze_gc: bool = True,
    ) -> None:
        self._fleet = fleet
        self._freeze_gc = freeze_gc
        self._freeze_wait = anyio.CancelScope()
        self._frozen = False
        self._options = options
        self._overflow = overflow
        self._buffer = buffer
        # Made when the block is entered, so a watch never entered leaves nothing to close.
        self._streams: (
            tuple[MemoryObjectSendStream[JobEvent], MemoryObjectReceiveStream[JobEvent]] | None
        ) = None
        self._task_group: TaskGroup | None = None
        self._scopes: dict[int, anyio.CancelScope] = {}
        self._rng = random.Random()
        # Printers wake in groups on a grid of this many seconds instead of one at a time: on
        # this machine a poll then costs about half the event loop's CPU, and a start moves by at
        # most half a tick (benchmarks/RESULTS.md).
        shortest = min(options["interval"], options["active_interval"] or options["interval"])
        self._tick = min(MAX_TICK, shortest / TICKS_PER_INTERVAL)
        self._clock: Callable[[], float] = anyio.current_time
        self._sleep: Callable[[float], Awaitable[object]] = anyio.sleep
        self.dropped = 0
        self.closed = False

    async def __aenter__(self) -> Self:
        if self._task_group is not None or self.closed:
            raise RuntimeError("a fleet watch can be entered once; call fleet.watch() again")
        fleet = self._fleet
        if fleet._watch is not None:  # noqa: SLF001 - same module
            raise RuntimeError("the fleet is already being watched; one watch at a time")
        if fleet._closed:  # noqa: SLF001
            raise RuntimeError("the fleet is closed")
        fleet._choose_transport()  # noqa: SLF001
        self._streams = anyio.create_memory_object_stream[JobEvent](self._buffer)
        if on_asyncio():
            # The loop's own clock and sleep: anyio's look the backend up at every call, a few
            # times per poll (they are the same clock and the same sleep).
            self._clock, self._sleep = asyncio.get_running_loop().time, asyncio.sleep
        task_group = anyio.create_task_group()
        await task_group.__aenter__()
        self._task_group = task_group
        fleet._watch = self  # noqa: SLF001
        members = list(self._fleet._members.values())  # noqa: SLF001 - same module
        spread = self._options["interval"] * FIRST_ROUND
        for index, member in enumerate(members):
            self.start(member, start_delay=spread * index / len(members))
        if self._freeze_gc:
            task_group.start_soon(self._freeze_when_started, name="gc freeze")
        return self

    async def _freeze_when_started(self) -> None:
        # Every first poll starts within one interval (the starts are spread over it), and
        # has then made its connection, logged in, and settled into its schedule. Leaving the
        # block early cancels the wait (close_stream), instead of waiting for it.
        with self._freeze_wait:
            await anyio.sleep(self._options["interval"] + FREEZE_DELAY)
        if not self.closed:
            self._frozen = freeze()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        self.close_stream()
        if self._fleet._watch is self:  # noqa: SLF001 - same module
            self._fleet._watch = None  # noqa: SLF001
        task_group, self._task_group = self._task_group, None
        if task_group is None:
            return None
        try:
            return await task_group.__aexit__(exc_type, exc, tb)
        except BaseExceptionGroup as group:
            # The watch tasks catch everything but cancellation, so a group can only carry
            # the block's own exception: let it propagate as itself.
            if exc is not None and group.exceptions == (exc,):
                return None
            raise
        finally:
            if self._frozen:
                self._frozen = False
                unfreeze()

    def start(self, member: _Member, *, start_delay: float | None = None) -> None:
        """Start watching one printer (the fleet calls this)."""
        if self.closed or self._task_group is None:
            return  # not running yet: __aenter__ starts every member
        if start_delay is None:
            start_delay = self._rng.uniform(0, self._options["interval"])
        scope = anyio.CancelScope()
        self._scopes[id(member)] = scope
        self._task_group.start_soon(
            self._watch_one, member, scope, start_delay, name=member.printer.name
        )

    def stop(self, member: _Member) -> None:
        """Stop watching one printer (the fleet calls this)."""
        scope = self._scopes.pop(id(member), None)
        if scope is not None:
            scope.cancel()

    async def _watch_one(
        self, member: _Member, scope: anyio.CancelScope, start_delay: float
    ) -> None:
        printer = member.printer
        with scope:
            try:
                events = watch_jobs(
                    lambda: self._fleet._current_job(member),  # noqa: SLF001 - same module
                    printer=printer,
                    start_delay=start_delay,
                    tick=self._tick,
                    # One source of jitter for the fleet: each random.Random() is 2.5 KB.
                    rng=self._rng,
                    clock=self._clock,
                    sleep=self._sleep,
                    **self._options,
                )
                async with contextlib.aclosing(events):
                    async for event in events:
                        if not await self._deliver(event):
                            return
            except PrinterError as exc:
                await self._deliver(_error_event(printer, exc))
            except Exception as exc:  # noqa: BLE001 - a bug must not take the other printers down
                _log.exception("watching %s failed", printer.name)
                error = PrinterError(f"watching {printer.name} failed: {type(exc).__name__}")
                await self._deliver(_error_event(printer, error))
            finally:
                if self._scopes.get(id(member)) is scope:
                    del self._scopes[id(member)]

    async def _deliver(self, event: JobEvent) -> bool:
        """Hand an event to the consumer; ``False`` once the consumer has gone."""
        if self._streams is None:
            return False
        send = self._streams[0]
        try:
            if self._overflow == "drop":
                try:
                    send.send_nowait(event)
                except anyio.WouldBlock:
                    self.dropped += 1
            else:
                await send.send(event)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            return False
        return True

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> JobEvent:
        if self._task_group is None and not self.closed:
            raise RuntimeError(
                "a fleet watch runs inside its block: async with fleet.watch(...) as events:"
            )
        try:
            if self._streams is None:
                raise StopAsyncIteration
            return await self._streams[1].receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    def close_stream(self) -> None:
        """Stop every printer's watch and end the stream, without waiting."""
        self.closed = True
        self._freeze_wait.cancel()
        for scope in self._scopes.values():
            scope.cancel()
        self._scopes.clear()
        if self._streams is not None:
            for stream in self._streams:
                stream.close()


def _error_event(printer: AsyncPrinter, error: PrinterError) -> JobEvent:
    return JobEvent(
        kind=EventKind.ERROR,
        previous=None,
        current=None,
        job=None,
        observed_at=dt.datetime.now(dt.UTC),
        printer=printer,
        error=error,
    )
