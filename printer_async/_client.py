"""``AsyncPrinter``: one thin method per endpoint of the Raise3D Remote Access API."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import math
from typing import TYPE_CHECKING, Any, Final, Literal, Self, TypeAlias, TypeVar, cast

import anyio

from printer_async._auth import Auth, Span
from printer_async._busy import DEFAULT_BUSY_RETRY, SINGLE_ATTEMPT, BusyRide, check_busy_retry
from printer_async._camera import (
    MAX_FRAME_BYTES,
    MAX_SNAPSHOT_BYTES,
    SNAPSHOT_PATH,
    STREAM_PATH,
    MjpegParser,
    camera_credentials,
    camera_error,
    multipart_boundary,
)
from printer_async._checks import (
    check_int,
    check_job_id,
    check_name,
    check_not_root,
    check_nozzle,
    check_path,
    check_port,
    check_secret,
    check_timeout,
    check_token,
    parse_base_url,
    url_host,
)
from printer_async._convert import UnknownValues, structure
from printer_async._deadline import Deadlines, DeadlineScope, OtherLoopError
from printer_async._envelope import unwrap
from printer_async._errors import (
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PrinterBusyError,
    PrinterConnectionError,
    PrinterError,
    ProtocolError,
)
from printer_async._models import (
    BasicInfo,
    CameraInfo,
    CurrentJob,
    FileList,
    JobDetail,
    JobListEntry,
    JobStatus,
    NozzleInfo,
    PrinterIdentity,
    PrinterState,
    RunningStatus,
    RunningStatusInfo,
    Statistics,
    SystemInfo,
)
from printer_async._orchestration.watch import (
    DEFAULT_BACKOFF_CAP,
    DEFAULT_INTERVAL,
    DEFAULT_OFFLINE_AFTER,
    JobEvent,
    watch_jobs,
)
from printer_async._redact import scrub
from printer_async._transports.base import MAX_BODY_BYTES, BaseTransport, on_asyncio
from printer_async._transports.httpx import Transport
from printer_async._upload import UPLOAD_ENDPOINT, ProgressCallback, Upload, UploadSource

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterable,
        AsyncIterator,
        Awaitable,
        Callable,
        Hashable,
        Mapping,
    )
    from types import TracebackType

    import httpx

    from printer_async._transports.aiohttp import AiohttpSession, AiohttpTransport
    from printer_async._transports.base import Answer

__all__ = ["DEFAULT_PORT", "DEFAULT_TIMEOUT", "AsyncPrinter", "TransportName"]

T = TypeVar("T")

DEFAULT_PORT: Final = 10800
DEFAULT_TIMEOUT: Final = 10.0
JOB_LIST_PAGE: Final = 12
"""The most jobs ``/dashboard/joblist`` returns at once."""
FILE_LIST_PAGE: Final = 24
"""The most entries ``/fileops/list`` returns at once."""
FILEPOS_PREFIX: Final = "/filepos"
"""The vendor's spelling for the directory, move, delete, rename and copy operations (list,
thumbnail and upload are ``/fileops``). Whether ``/filepos`` is a typo in the vendor's text is
unknown; if a printer answers 404 to them, set :attr:`AsyncPrinter.filepos_prefix`."""
AXIS_ENDPOINT: Final = "/printer/axiscontrol/set"
THUMBNAIL_SIZE: Final = 256
"""Default width and height of thumbnails, in pixels (the printer takes 1-1024)."""
MAX_IMAGE_ANSWER: Final = 16 * 1024 * 1024
"""A 1024x1024 PNG in base64 can exceed the usual 4 MB answer cap."""
MAX_PAGES: Final = 10_000
"""The most pages one walk of the job history or of a directory asks for (120,000 jobs or
240,000 entries), however many the printer claims: a bound on a printer that pages for ever."""

_log = logging.getLogger("printer_async.client")


class _Pages:
    """The pages a walk has seen: it stops at a repeated page, and after :data:`MAX_PAGES`.

    A page holds entries the printer numbers or names uniquely, so the same page twice means
    the printer ignores the position asked for and would send it for ever.
    """

    def __init__(self, what: str, printer: str) -> None:
        self._what = what
        self._printer = printer
        self._seen: set[int] = set()

    def is_new(self, page: Hashable) -> bool:
        """Record ``page``; ``False`` (with a warning logged) when the walk must stop."""
        if len(self._seen) >= MAX_PAGES:
            _log.warning(
                "%s: stopped reading %s after %d pages", self._printer, self._what, MAX_PAGES
            )
            return False
        key = hash(page)
        if key in self._seen:
            _log.warning(
                "%s: stopped reading %s: the printer sent a page again (it ignores start_pos)",
                self._printer,
                self._what,
            )
            return False
        self._seen.add(key)
        return True


def _moving_deadline(
    body: Callable[[], AsyncIterable[bytes]], scope: DeadlineScope, timeout: float
) -> Callable[[], AsyncIterator[bytes]]:
    """``body``, each of whose chunks moves the call's deadline to ``timeout`` seconds on.

    An upload may take longer than ``timeout`` to send and still be making progress: its
    deadline is then ``timeout`` after the last chunk was taken, so a printer that stops
    reading, or never answers once the body is sent, still ends the call in time.
    """

    async def chunks() -> AsyncIterator[bytes]:
        source = cast("AsyncGenerator[bytes, None]", body())
        async with contextlib.aclosing(source):
            async for chunk in source:
                yield chunk
                scope.deadline = max(scope.deadline, anyio.current_time() + timeout)

    return chunks


TransportName: TypeAlias = Literal["httpx", "aiohttp"]
"""The HTTP library a printer sends its requests with."""
TRANSPORTS: Final = ("httpx", "aiohttp")


def check_transport(transport: object) -> None:
    """Refuse a ``transport=`` that names no transport.

    Raises:
        ValueError: ``transport`` is neither ``None``, ``"httpx"`` nor ``"aiohttp"``.
    """
    if transport is not None and transport not in TRANSPORTS:
        raise ValueError(f"transport must be 'httpx' or 'aiohttp', got {transport!r}")


def aiohttp_classes() -> tuple[type[AiohttpTransport], type[AiohttpSession]]:
    """The aiohttp transport's classes, imported now (aiohttp is optional).

    Raises:
        ImportError: aiohttp is not installed; the message names the extra to install.
    """
    try:
        from printer_async._transports.aiohttp import (  # noqa: PLC0415 - optional
            AiohttpSession,
            AiohttpTransport,
        )
    except ImportError as exc:
        raise ImportError(
            'transport="aiohttp" needs aiohttp: pip install "printer-async[aiohttp]"'
        ) from exc
    return AiohttpTransport, AiohttpSession


def aiohttp_transport(
    base_url: str, *, timeout: float | httpx.Timeout, session: AiohttpSession | None = None
) -> BaseTransport:
    """An :class:`~printer_async._transports.aiohttp.AiohttpTransport`.

    Raises:
        ImportError: aiohttp is not installed; the message names the extra to install.
    """
    transport_class, _ = aiohttp_classes()
    return transport_class(base_url, timeout=timeout, session=session)


class _Call:
    """The context of one public call: see :meth:`AsyncPrinter._call`.

    A class rather than a generator-based context manager (or several nested ones): it is
    entered once per poll, and costs a third of what they did.
    """

    __slots__ = ("_method", "_printer", "_scope", "_target", "started")

    def __init__(self, printer: AsyncPrinter, method: str, target: str) -> None:
        self._printer = printer
        self._method = method
        self._target = target
        self.started = 0.0

    def __enter__(self) -> DeadlineScope:
        printer = self._printer
        try:
            self.started, self._scope = printer._deadlines.scope(printer._call_timeout)  # noqa: SLF001
        except OtherLoopError:
            raise RuntimeError(
                f"{printer!r} was used in another event loop, whose connections this one cannot "
                "use: create the AsyncPrinter in the event loop that uses it (inside the "
                "coroutine given to asyncio.run(), or in a fixture of the test's loop scope)"
            ) from None
        return self._scope.__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        scope = self._scope
        try:
            scope.__exit__(exc_type, exc, tb)
        except PrinterError as raised:
            scrub(raised, secrets=self._printer._auth.secrets)  # noqa: SLF001
            raise
        if isinstance(exc, PrinterError):  # on its way to the caller
            scrub(exc, secrets=self._printer._auth.secrets)  # noqa: SLF001
        if scope.cancelled_caught:  # at its deadline: nothing else cancels the scope
            raise self._timed_out() from TimeoutError()

    def _timed_out(self) -> PrinterConnectionError:
        printer = self._printer
        return PrinterConnectionError(
            f"{self._method} {self._target} to {printer._transport.netloc}: timed out after "  # noqa: SLF001
            f"{printer._call_timeout:g} s (the whole call, login included); check that the "  # noqa: SLF001
            "printer is on, on the network, and has Enable Remote Access API switched on"
        )


class AsyncPrinter:
    """An async client for one Raise3D printer's Remote Access API.

    Use it as an async context manager, or call :meth:`aclose` when done::

        async with AsyncPrinter("192.168.0.57", password="368d8d") as printer:
            job = await printer.current_job()

    It logs in on the first call that needs a token, logs in again before the token's 24 hours
    run out, and on a refused token ("401 token error") logs in once and retries the call once.
    Logins are single-flight: concurrent calls share one login, and its failure.

    Every call raises :class:`PrinterError` (never an httpx, aiohttp, json or cattrs exception)
    for anything the printer sends, with no token or login signature in anything the error
    holds; a built-in ``ValueError``, ``TypeError`` or ``RuntimeError`` means a mistake in the
    call itself, raised before anything is sent. A call cancelled at any moment leaves the
    printer usable.

    A printer reached through a reverse proxy or a TLS terminator is given by its API's URL
    instead of ``host``::

        AsyncPrinter(base_url="https://farm.example/printer7/v1", password="368d8d")

    Redirects are never followed (the token travels in the URL): a 3xx answer raises
    :class:`ProtocolError` saying where it points.

    Args:
        host: The printer's address. Give ``host`` or ``base_url``, not both.
        base_url: The API's URL when the printer is reached through a proxy, up to and
            including what stands for ``/v1``: requests go to ``base_url + "/job/currentjob"``.
            The camera server (another port of the printer) cannot be reached through it.
        port: The API port, with ``host``.
        password: The access password set on the printer (Machine > Developer > Access
            password). Needed unless ``token`` is given.
        token: A token obtained elsewhere.
        timeout: Seconds a whole call may take: waiting for a connection, the login, an answer
            however slowly it trickles in, and the new login and retry after a refused token,
            whatever the transport; then it raises :class:`PrinterConnectionError`. An
            upload's deadline moves on with each chunk sent; a camera stream's covers its start,
            then each frame. An ``httpx.Timeout`` sets httpx's per-operation limits as well,
            and its longest part is the deadline.
        client: An ``httpx.AsyncClient`` to send requests with; it stays open after
            :meth:`aclose`. By default the printer creates (and closes) its own, and a second
            one for the camera, so that open :meth:`camera_frames` streams never take the API
            calls' connections. A given client carries the camera's requests too: leave room
            in its connection limit for the streams you keep open.
        name: A name for logs, events and fleets; defaults to ``host:port``, or for
            ``base_url`` to its host and path without the scheme and a final ``/v1``
            (``farm.example/printer7``).
        transport: The HTTP library to send with: ``"httpx"`` (the default) or
            ``"aiohttp"``, which costs about a third of the CPU per request (asyncio only;
            ``pip install "printer-async[aiohttp]"``). Left unset, a :class:`Fleet` the printer
            joins picks for it (aiohttp when installed and the loop is asyncio's).
        busy_retry: Seconds a read (a GET call, the login it makes included) rides out a busy
            printer (10003, 500 "printer is busy", HTTP 429): it asks again after 0.05-0.1 s,
            the wait doubling up to 0.5-1 s, within the call's ``timeout``, and raises
            :class:`PrinterBusyError` only when the printer is still busy after that long (or
            would be at the deadline). 0 turns it off; ``math.inf`` rides until the deadline.
            Commands (setters, job control, uploads, file operations) are never sent twice,
            and a watch's polls make one attempt each (the watch backs off by itself).

    Attributes:
        host: The printer's address, or the proxy's host with ``base_url``.
        port: The API port, or the proxy's (the URL's port, else 80 or 443) with ``base_url``.
        base_url: The URL requests are made under, like ``http://192.168.0.57:10800/v1``.

    Raises:
        ValueError: Neither or both of ``host`` and ``base_url`` were given, ``port`` with
            ``base_url``, or one of them is malformed (checked before any request);
            ``transport="aiohttp"`` with a ``client``, or an unknown ``transport``; a
            negative ``busy_retry``.
        ImportError: ``transport="aiohttp"`` and aiohttp is not installed.
    """

    filepos_prefix: str = FILEPOS_PREFIX
    """The path prefix of the file and directory operations; see :data:`FILEPOS_PREFIX`."""

    _nozzle_count: int | None = None
    """The printer's nozzles, from the first :meth:`identify` or :meth:`read_state`."""

    def __init__(
        self,
        host: str | None = None,
        *,
        base_url: str | None = None,
        port: int = DEFAULT_PORT,
        password: str | None = None,
        token: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        client: httpx.AsyncClient | None = None,
        name: str | None = None,
        transport: TransportName | None = None,
        busy_retry: float = DEFAULT_BUSY_RETRY,
    ) -> None:
        check_timeout(timeout)
        self._busy_limit = check_busy_retry(busy_retry)
        if host is not None and base_url is None:
            self.host, self.port = host, check_port(port)
            self._camera_host: str | None = url_host(host)
            self.base_url = f"http://{self._camera_host}:{port}/v1"
            default_name = f"{self._camera_host}:{port}"
        elif base_url is not None and host is None:
            if port != DEFAULT_PORT:
                raise ValueError("port= goes with host=; with base_url=, put the port in the URL")
            url = parse_base_url(base_url)
            self.host, self.port = url.host, url.port or {"http": 80, "https": 443}[url.scheme]
            self.base_url = str(url)
            # No address of the printer itself: the camera's port cannot be reached through
            # the proxy, and the camera's credentials must not go to the proxy's host.
            self._camera_host = None
            default_name = f"{url.netloc.decode()}{url.path.removesuffix('/v1')}"
        else:
            raise ValueError(
                "give the printer's host, or base_url= for a printer behind a proxy "
                f"(one of them, not {'both' if host is not None else 'neither'})"
            )
        self.name = name if name is not None else default_name
        check_transport(transport)
        self._timeout = timeout
        self._transport: BaseTransport
        if transport == "aiohttp":
            if client is not None:
                raise ValueError(
                    "client= is an httpx.AsyncClient, which transport='aiohttp' does not use; "
                    "pass one or the other"
                )
            self._transport = aiohttp_transport(self.base_url, timeout=timeout)
        else:
            self._transport = Transport(self.base_url, timeout=timeout, client=client)
        self._auth = Auth(
            self._transport,
            password=check_secret("password", password),
            token=check_token(token),
        )
        self._call_timeout = self._transport.call_timeout
        self._deadlines = Deadlines()
        # A fleet may move a printer that was given no transport, and has sent nothing yet,
        # onto its shared aiohttp session (see _use_session).
        self._transport_left_to_fleet = transport is None and client is None
        self._sent = False
        self._unknown = UnknownValues()

    def __repr__(self) -> str:
        if self._camera_host is None:
            return f"AsyncPrinter(name={self.name!r}, base_url={self.base_url!r})"
        return f"AsyncPrinter(name={self.name!r}, host={self.host!r}, port={self.port!r})"

    async def __aenter__(self) -> Self:
        self._check_open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP clients this printer created (API, camera); a second call does nothing."""
        if not self._transport.closed:
            await self._transport.aclose()
        self._auth.forget()

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._transport.closed

    def _use_session(self, session: AiohttpSession) -> bool:
        """Send over a fleet's shared aiohttp session from now on, if the fleet may choose.

        It may when the printer was given no transport and has sent nothing yet (so nothing
        is in flight on the httpx transport it leaves).

        Returns:
            Whether the printer moved to the session.
        """
        if not self._transport_left_to_fleet or self._sent or self.closed:
            return False
        self._transport_left_to_fleet = False
        # The httpx transport it leaves has sent nothing, so it holds no connection to close.
        self._transport = self._auth.transport = aiohttp_transport(
            self._transport.base_url, timeout=self._timeout, session=session
        )
        return True

    def _check_open(self) -> None:
        if self._transport.closed:
            msg = f"{self!r} is closed; create a new AsyncPrinter to talk to the printer again"
            raise RuntimeError(msg)

    def _call(self, method: str, target: str) -> _Call:
        """One public call: its deadline, and the secrets scrubbed from what it raises.

        The deadline (``timeout`` seconds from now) bounds the whole call, whatever the
        transport: waiting for a connection, the login, the answer however slowly it trickles
        in, and the retry after a refused token. It is a cancel scope, so on expiry every await
        below is cancelled (see :func:`._transport._reap_orphaned_connections` for what that
        asks of the pool) and the call raises :class:`PrinterConnectionError`.

        Args:
            method: The request's method, for the timeout's message.
            target: What it asks for, like ``/job/currentjob``, for the timeout's message.

        Returns:
            A context manager that gives the deadline's scope (its ``deadline`` is ``inf``
            without a timeout); its ``started`` is when the call began.
        """
        return _Call(self, method, target)

    def _structure(self, data: Any, cls: type[T], *, endpoint: str) -> T:
        """The model in ``data``; an answer that is not one is a ProtocolError, scrubbed."""
        try:
            return structure(data, cls, endpoint=endpoint)
        except PrinterError as exc:  # the printer's values are quoted in the error (a bad date)
            scrub(exc, secrets=self._auth.secrets)
            raise

    def _ride(self, method: str, started: float, until: float) -> BusyRide | None:
        """The ride-out of a call that met a busy printer; ``None`` when it must not ride.

        Only a read rides: a command the printer refused as busy may still have been half
        done, and a watch's poll backs off by itself (:data:`._busy.SINGLE_ATTEMPT`).
        """
        if method != "GET" or not self._busy_limit or SINGLE_ATTEMPT.get():
            return None
        return BusyRide(started, self._busy_limit, until)

    async def _request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        body: Callable[[], AsyncIterable[bytes]] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = MAX_BODY_BYTES,
        replayable: bool = True,
        ride_until: float = math.inf,
    ) -> Any:
        """Send an authenticated request and return its ``data``.

        A refused token leads to one login and one retry. ``body`` makes a fresh raw body for
        each attempt; when it cannot (``replayable=False``, a stream read once), the refused
        token is still replaced but the error is raised instead of retrying. A GET rides out
        busy answers (see ``busy_retry``), until ``ride_until`` at the latest (the loop's
        clock: the deadline of a call this request is part of).
        """
        self._check_open()
        self._sent = True
        call = _Call(self, method, endpoint)
        with call as scope:
            if body is not None and self._call_timeout is not None:
                body = _moving_deadline(body, scope, self._call_timeout)
            started = attempt_started = call.started
            transport = self._transport
            ride: BusyRide | None = None

            def send(token: str) -> Awaitable[Answer]:  # not a coroutine: one frame less a poll
                return transport.request(
                    method,
                    endpoint,
                    params={"token": token, **params} if params else {"token": token},
                    json=json,
                    content=body() if body is not None else None,
                    headers=headers,
                    max_bytes=max_bytes,
                )

            while True:
                try:
                    # Each attempt counts as a call of its own for the login: one that failed
                    # busy before this attempt began is not its answer.
                    token = self._auth.fresh_token() or await self._auth.token(
                        span=Span(attempt_started, scope.deadline)
                    )
                    try:
                        return unwrap(endpoint, await send(token))
                    except AuthenticationError as exc:
                        if exc.code != 401:  # noqa: PLR2004 - only a refused token: a new login
                            raise
                        # The deadline as it is now: an upload's has moved on while it was sent.
                        span = Span(attempt_started, scope.deadline)
                        if not replayable:
                            await self._auth.refresh(stale=token, span=span)
                            # Not the generic "log in again": that is done; what is left is
                            # the resend.
                            raise AuthenticationError(
                                f"{endpoint}: {exc.code} {exc.msg or '(no message)'}: the token "
                                "was renewed, but a streamed upload cannot be sent twice: call "
                                "upload_file() again",
                                code=exc.code,
                                msg=exc.msg,
                                endpoint=exc.endpoint,
                            ) from exc
                    token = await self._auth.refresh(stale=token, span=span)
                    return unwrap(endpoint, await send(token))
                except PrinterBusyError:
                    ride = ride or self._ride(method, started, min(scope.deadline, ride_until))
                    now = anyio.current_time()
                    delay = ride.next_delay(now, now - attempt_started) if ride else None
                    if delay is None:
                        raise
                    _log.debug("%s: %s is busy; asking again in %.2f s", self.name, endpoint, delay)
                    await anyio.sleep(delay)
                    attempt_started = anyio.current_time()

    async def login(self) -> None:
        """Log in now, instead of on the first call.

        Raises:
            AuthenticationError: The access password is wrong (10000), or none was given.
            PrinterConnectionError: The printer could not be reached, or did not answer within
                ``timeout``.
        """
        self._check_open()
        self._sent = True
        call = self._call("GET", "/login")
        with call as scope:
            await self._auth.login(span=Span(call.started, scope.deadline))

    # -- jobs ---------------------------------------------------------------------------------

    async def current_job(self) -> CurrentJob:
        """The job being printed, or the last one (``GET /job/currentjob``).

        A ``job_status`` this version does not know is ``JobStatus.UNKNOWN``, with the value
        sent in ``raw_job_status``; the first time this printer sends it, one WARNING on the
        ``printer_async.protocol`` logger names it. ``remaining_time`` is ``None`` while the
        printer has no estimate.
        """
        endpoint = "/job/currentjob"
        job = self._structure(await self._request("GET", endpoint), CurrentJob, endpoint=endpoint)
        if job.job_status is JobStatus.UNKNOWN:  # checked here first: every poll passes by
            self._unknown.check(job, "job_status", endpoint=endpoint, printer=self.name)
        return job

    def watch(
        self,
        *,
        interval: float = DEFAULT_INTERVAL,
        active_interval: float | None = None,
        progress_step: float | None = None,
        until_done: bool = False,
        backoff_cap: float = DEFAULT_BACKOFF_CAP,
        offline_after: float = DEFAULT_OFFLINE_AFTER,
    ) -> AsyncGenerator[JobEvent, None]:
        """Watch the current job: an async iterator of :class:`JobEvent` (one request per poll).

        ::

            async with contextlib.aclosing(printer.watch(interval=5)) as events:
                async for event in events:
                    print(event.kind, event.current)

        It yields one ``initial`` event for the first answer, then one event for each change of
        the job's status and for each new job (``started``, ``paused``, ``resumed``,
        ``completed``, ``stopped``, ``new_job``), never two for the same state and never one
        for a failed poll. Polls start every ``interval`` seconds, start to start. Busy answers
        (10003, 500 "printer is busy", 429), 503, connection failures and malformed answers
        stretch the delay: after ``n`` failures in a row it is drawn uniformly between
        ``interval`` and ``min(backoff_cap, interval * 2**n)``; the first good answer resets
        it. A printer unreachable (no answer, or 503) for ``offline_after`` seconds is reported
        ``offline`` once, then polled about every ``backoff_cap`` seconds, and ``online`` once
        when it answers. A refused token is renewed by one login, as for any call.

        Nothing runs between two ``__anext__`` calls: breaking out of the loop or cancelling
        stops the watch at once. ``contextlib.aclosing`` closes the generator promptly.

        Args:
            interval: Seconds from the start of one poll to the start of the next.
            active_interval: The same while a job is running or paused (defaults to
                ``interval``).
            progress_step: Also yield ``progress`` events when a running job's progress crosses
                a multiple of this many percent; 0 for every poll; ``None`` (default) for none.
            until_done: End the iteration after the event that reports a job completed or
                stopped.
            backoff_cap: The longest delay failures stretch the schedule to, in seconds.
            offline_after: Seconds of unreachability before one ``offline`` event.

        Raises:
            AuthenticationError: The access password is wrong (the watch ends).
            ValueError: An option is out of range (raised at once, not on iteration).
        """
        self._check_open()
        return watch_jobs(
            self.current_job,
            printer=self,
            interval=interval,
            active_interval=active_interval,
            progress_step=progress_step,
            until_done=until_done,
            backoff_cap=backoff_cap,
            offline_after=offline_after,
        )

    async def start_job(self, file_path: str) -> None:
        """Print a file that is on the printer (``POST /job/newjob/set``).

        Args:
            file_path: Like ``Local/a.gcode``.

        Raises:
            PathError: ``file_path`` is outside ``Local/`` (checked before sending).
            NotFoundError: The file does not exist.
            PrinterStateError: The printer is printing, paused, or showing a screen.
            PrinterBusyError: The printer is busy.
        """
        endpoint = "/job/newjob/set"
        check_path(file_path, endpoint=endpoint)
        await self._request("POST", endpoint, json={"file_path": file_path})

    async def recover_job(self) -> None:
        """Resume the job a power loss or an error interrupted (``POST /job/recover/set``).

        Raises:
            NotFoundError: There is no last job to recover.
            PrinterStateError: The printer is printing, paused, or showing a screen.
        """
        await self._request("POST", "/job/recover/set")

    # -- dashboard ----------------------------------------------------------------------------

    async def statistics(self) -> Statistics:
        """Totals over all successful prints (``GET /dashboard/statistics``)."""
        data = await self._request("GET", "/dashboard/statistics")
        return self._structure(data, Statistics, endpoint="/dashboard/statistics")

    async def job_list(
        self, *, max_num: int = JOB_LIST_PAGE, start_pos: int = 0
    ) -> list[JobListEntry]:
        """One page of the job history (``GET /dashboard/joblist``).

        Args:
            max_num: How many jobs, 1-12.
            start_pos: Index of the first job, 0 or more (and below the number of printed
                files in :meth:`statistics`).

        Raises:
            InvalidParameterError: ``max_num`` or ``start_pos`` is out of range (checked before
                sending), or the printer says ``start_pos`` is past the end.
            PrinterBusyError: The printer is busy (10003); try again later.
        """
        endpoint = "/dashboard/joblist"
        max_num = check_int("max_num", max_num, 1, JOB_LIST_PAGE, endpoint=endpoint)
        start_pos = check_int(
            "start_pos", start_pos, 0, None, endpoint=endpoint, msg="start_pos error"
        )
        data = await self._request(
            "GET", endpoint, params={"max_num": max_num, "start_pos": start_pos}
        )
        if not isinstance(data, dict) or "job_list" not in data:
            data = {"job_list": None}
        return self._structure(data["job_list"], list[JobListEntry], endpoint=endpoint)

    async def iter_jobs(
        self, *, page_size: int = JOB_LIST_PAGE, busy_retries: int = 6, backoff: float = 0.5
    ) -> AsyncIterator[JobListEntry]:
        """Every job in the history, page by page.

        The number of jobs comes from :meth:`statistics`. Each page is a read, which rides out
        a busy printer for ``busy_retry`` seconds first; a page still busy after that is
        asked for again after ``backoff``, doubling each time, at most ``busy_retries`` times.
        The walk also ends, with a warning on the ``printer_async`` logger, at a page the
        printer already sent (it ignores ``start_pos``) or after :data:`MAX_PAGES` pages,
        whatever the statistics say.

        Args:
            page_size: Jobs per request, 1-12.
            busy_retries: How often to retry one busy page before giving up.
            backoff: Seconds before the first retry.

        Raises:
            PrinterBusyError: A page stayed busy through every retry.
        """
        check_int("page_size", page_size, 1, JOB_LIST_PAGE, endpoint="/dashboard/joblist")
        total = (await self.statistics()).printed_file_num
        pages = _Pages("the job history", self.name)
        for start in range(0, total, page_size):
            try:
                page = await self._busy_retry(
                    lambda start=start: self.job_list(
                        max_num=min(page_size, total - start), start_pos=start
                    ),
                    retries=busy_retries,
                    backoff=backoff,
                )
            except InvalidParameterError as exc:
                if start == 0 or not exc.msg.startswith("start_pos"):
                    raise
                return  # the history ended on a page boundary, before the statistics' count
            if not pages.is_new(tuple(page)):
                return
            for entry in page:
                yield entry
            if len(page) < min(page_size, total - start):
                return  # the history is shorter than the statistics said

    @staticmethod
    async def _busy_retry(call: Any, *, retries: int, backoff: float) -> list[JobListEntry]:
        delay = backoff
        for attempt in range(retries + 1):
            try:
                page: list[JobListEntry] = await call()
            except PrinterBusyError:
                if attempt == retries:
                    raise
                await anyio.sleep(delay)
                delay *= 2
            else:
                return page
        raise AssertionError("unreachable")  # pragma: no cover

    # -- printer ------------------------------------------------------------------------------

    async def system_info(self) -> SystemInfo:
        """The printer's identity, versions, clock and free storage (``GET /printer/system``)."""
        data = await self._request("GET", "/printer/system")
        return self._structure(data, SystemInfo, endpoint="/printer/system")

    async def identify(self) -> PrinterIdentity:
        """Who the printer is, for a device registry: the connection test of a setup form.

        One ``GET /printer/system``, after a login when the printer holds no token yet (a new
        ``AsyncPrinter`` logs in first), so it checks the address, the API switch and the
        password at once, and tells the device's identity; see :class:`PrinterIdentity` for
        why its ``unique_id`` is the serial number. It also remembers the printer's nozzle
        count for :meth:`read_state`.

        Raises:
            AuthenticationError: The access password is wrong.
            PrinterConnectionError: Nothing answered at the address within ``timeout``.
            PrinterError: Something answered, but not as a Raise3D printer's API does
                (``ProtocolError``), its API service is not started (``ServiceUnavailableError``),
                or it stayed busy (``PrinterBusyError``).
        """
        info = await self.system_info()
        self._nozzle_count = info.nozzle_count
        return PrinterIdentity.from_system_info(info, name=self.name)

    async def read_state(self) -> PrinterState:
        """The printer's whole state at once: what a dashboard or a coordinator shows.

        ``/job/currentjob``, ``/printer/runningstatus``, ``/printer/basic`` and every nozzle's
        ``/printer/nozzle<n>`` are asked for concurrently, under one deadline: ``timeout``
        seconds for the whole read, the login included. The nozzle count comes from one
        ``/printer/system`` read, the first time (or from :meth:`identify`), and is
        remembered. Each read rides out a busy printer as every read does (``busy_retry``),
        within that deadline. It opens up to five connections to the printer, kept for the
        next read.

        See :class:`PrinterState` for how the running status and the job's status combine
        (an idle printer reports ``job_status: "running"``: the running status decides).

        Raises:
            PrinterError: Any of the reads failed: the first failure, the others cancelled;
                never an ``ExceptionGroup``. A deadline reached is a
                :class:`PrinterConnectionError`.
        """
        self._check_open()
        call = _Call(self, "GET", "the printer's state (job, status, basic, nozzles)")
        with call as scope:
            if self._nozzle_count is None:
                info = self._structure(
                    await self._request("GET", "/printer/system", ride_until=scope.deadline),
                    SystemInfo,
                    endpoint="/printer/system",
                )
                self._nozzle_count = info.nozzle_count
            nozzles = 2 if self._nozzle_count >= 2 else 1  # noqa: PLR2004 - the API has two
            endpoints = (
                "/job/currentjob",
                "/printer/runningstatus",
                "/printer/basic",
                *(f"/printer/nozzle{index}" for index in range(1, nozzles + 1)),
            )
            data = await self._read_all(endpoints, until=scope.deadline)
        job = self._structure(data[0], CurrentJob, endpoint=endpoints[0])
        if job.job_status is JobStatus.UNKNOWN:
            self._unknown.check(job, "job_status", endpoint=endpoints[0], printer=self.name)
        running = self._structure(data[1], RunningStatusInfo, endpoint=endpoints[1])
        self._unknown.check(running, "running_status", endpoint=endpoints[1], printer=self.name)
        return PrinterState(
            job=job,
            running_status=running,
            basic=self._structure(data[2], BasicInfo, endpoint=endpoints[2]),
            nozzles=tuple(
                self._structure(item, NozzleInfo, endpoint=endpoint)
                for item, endpoint in zip(data[3:], endpoints[3:], strict=True)
            ),
        )

    async def _read_all(self, endpoints: tuple[str, ...], *, until: float) -> list[Any]:
        """Every endpoint's ``data``, read concurrently; the first failure, the others cancelled.

        A task each, in an ``asyncio.TaskGroup`` under asyncio (about 90 µs a full update less
        than anyio's task group: ``benchmarks/full_update.py``), in anyio's under trio. No
        task outlives the call, and no ``ExceptionGroup`` is raised: a read's failure is kept
        and raised alone.
        """
        results: list[Any] = [None] * len(endpoints)
        failures: list[Exception] = []
        cancel_others: Callable[[], object]

        async def read(index: int) -> None:
            try:
                results[index] = await self._request("GET", endpoints[index], ride_until=until)
            except Exception as exc:  # noqa: BLE001 - raised below, alone: no ExceptionGroup
                if not failures:
                    failures.append(exc)
                    cancel_others()

        if on_asyncio():
            tasks: list[asyncio.Task[None]] = []

            def cancel_others() -> None:
                failed = asyncio.current_task()
                for task in tasks:
                    if task is not failed:
                        task.cancel()

            async with asyncio.TaskGroup() as group:
                tasks.extend(group.create_task(read(index)) for index in range(len(endpoints)))
        else:
            async with anyio.create_task_group() as task_group:
                cancel_others = task_group.cancel_scope.cancel
                for index in range(len(endpoints)):
                    task_group.start_soon(read, index)
        if failures:
            raise failures[0]
        return results

    async def running_status(self) -> RunningStatus:
        """What the printer is doing (``GET /printer/runningstatus``).

        Returns:
            The status; a value this version does not know is ``RunningStatus.UNKNOWN``
            (:meth:`running_status_info` also gives the value as sent).
        """
        return (await self.running_status_info()).running_status

    async def running_status_info(self) -> RunningStatusInfo:
        """What the printer is doing, and the value as sent (``GET /printer/runningstatus``).

        The first time this printer sends a value this version does not know, one WARNING on
        the ``printer_async.protocol`` logger names it.
        """
        endpoint = "/printer/runningstatus"
        data = await self._request("GET", endpoint)
        info = self._structure(data, RunningStatusInfo, endpoint=endpoint)
        self._unknown.check(info, "running_status", endpoint=endpoint, printer=self.name)
        return info

    async def basic_info(self) -> BasicInfo:
        """Fan speed, feed rate and heatbed temperatures (``GET /printer/basic``)."""
        data = await self._request("GET", "/printer/basic")
        return self._structure(data, BasicInfo, endpoint="/printer/basic")

    async def nozzle(self, index: Literal[1, 2]) -> NozzleInfo:
        """One nozzle's temperatures and flow (``GET /printer/nozzle1`` or ``/printer/nozzle2``).

        Args:
            index: 1 for the left nozzle, 2 for the right one.

        Raises:
            InvalidParameterError: ``index`` is neither 1 nor 2 (checked before sending).
            NotFoundError: ``index`` is 2 and the printer has one nozzle ("no right nozzle").
        """
        endpoint = f"/printer/nozzle{check_nozzle(index, endpoint='/printer/nozzle<1|2>')}"
        data = await self._request("GET", endpoint)
        return self._structure(data, NozzleInfo, endpoint=endpoint)

    async def camera_info(self) -> CameraInfo:
        """Where the camera server is and its credentials (``GET /printer/camera``).

        The credentials change at every printer reboot. The password is not shown in the
        returned value's ``repr``.
        """
        data = await self._request("GET", "/printer/camera")
        return self._structure(data, CameraInfo, endpoint="/printer/camera")

    # -- setters ------------------------------------------------------------------------------
    # Values are checked against the documented ranges before sending and sent as integers: a
    # whole float (200.0) is accepted, a fractional one (200.5) raises InvalidParameterError.
    # Each setter may also raise PrinterStateError (safe mode, not ready, serial disconnected,
    # unknown error) or PrinterBusyError, as the printer answers.

    async def set_nozzle_temperature(self, index: Literal[1, 2], celsius: float) -> None:
        """Set a nozzle's target temperature (``POST /printer/nozzle<1|2>/temp/set``).

        Args:
            index: 1 for the left nozzle, 2 for the right one.
            celsius: 0-310 degrees Celsius.

        Raises:
            InvalidParameterError: A value is out of range (checked before sending).
            NotFoundError: ``index`` is 2 on a single-nozzle printer.
        """
        nozzle = check_nozzle(index, endpoint="/printer/nozzle<1|2>/temp/set")
        endpoint = f"/printer/nozzle{nozzle}/temp/set"
        value = check_int("temperature", celsius, 0, 310, endpoint=endpoint)
        await self._request("POST", endpoint, json={"temperature": value})

    async def set_heatbed_temperature(self, celsius: float) -> None:
        """Set the heatbed's target temperature, 0-110 degrees Celsius (``POST /printer/heatbedtemp/set``).

        Raises:
            InvalidParameterError: ``celsius`` is out of range (checked before sending).
        """  # noqa: E501 - the endpoint belongs on the summary line
        endpoint = "/printer/heatbedtemp/set"
        value = check_int("temperature", celsius, 0, 110, endpoint=endpoint)
        await self._request("POST", endpoint, json={"temperature": value})

    async def set_flow_rate(self, index: Literal[1, 2], percent: float) -> None:
        """Set a nozzle's flow (extrusion) rate (``POST /printer/nozzle<1|2>/flowrate/set``).

        Args:
            index: 1 for the left nozzle, 2 for the right one.
            percent: 1-300 percent.

        Raises:
            InvalidParameterError: A value is out of range (checked before sending).
            NotFoundError: ``index`` is 2 on a single-nozzle printer.
        """
        nozzle = check_nozzle(index, endpoint="/printer/nozzle<1|2>/flowrate/set")
        endpoint = f"/printer/nozzle{nozzle}/flowrate/set"
        value = check_int("flowrate", percent, 1, 300, endpoint=endpoint)
        await self._request("POST", endpoint, json={"flowrate": value})

    async def set_feed_rate(self, percent: float) -> None:
        """Set the speed of the nozzles' moves, 1-350 percent (``POST /printer/feedrate/set``).

        Raises:
            InvalidParameterError: ``percent`` is out of range (checked before sending).
        """
        endpoint = "/printer/feedrate/set"
        value = check_int("feedrate", percent, 1, 350, endpoint=endpoint)
        await self._request("POST", endpoint, json={"feedrate": value})

    async def set_fan_speed(self, percent: float) -> None:
        """Set the fan speed, 0-100 percent (``POST /printer/fanspeed/set``).

        Raises:
            InvalidParameterError: ``percent`` is out of range (checked before sending).
        """
        endpoint = "/printer/fanspeed/set"
        value = check_int("fanspeed", percent, 0, 100, endpoint=endpoint)
        await self._request("POST", endpoint, json={"fanspeed": value})

    async def move_axes(
        self,
        *,
        x: float | None = None,
        y: float | None = None,
        z: float | None = None,
        feed: float,
        relative: bool = False,
    ) -> None:
        """Move the X, Y and Z axes (``POST /printer/axiscontrol/set``).

        Only the axes given are sent. Absolute coordinates are in mm and at least 0 (the
        maximum depends on the model and is checked by the printer); relative moves are
        -10..10 mm.

        Args:
            x: Target (absolute) or distance (relative) on X, in mm.
            y: The same on Y.
            z: The same on Z.
            feed: Speed in mm/min, 0-8000.
            relative: Move by the given distances instead of to the given coordinates.

        Raises:
            InvalidParameterError: No axis given, or a value is out of range (checked before
                sending), or past the model's size (the printer's 10002).
        """
        endpoint = AXIS_ENDPOINT
        given = {name: value for name, value in (("x", x), ("y", y), ("z", z)) if value is not None}
        if not given:
            raise InvalidParameterError(
                f"{endpoint}: move_axes() needs at least one of x, y or z",
                code=10002,
                msg="no axis given",
                endpoint=endpoint,
            )
        body: dict[str, int] = {"is_relative_pos": int(bool(relative))}
        body["feed"] = check_int(
            "feed", feed, 0, 8000, endpoint=endpoint, msg="feed error xyz value(0~8000)"
        )
        for name, value in given.items():
            if relative:
                msg = f"{name} error relative model value(-10~10)"
                body[name] = check_int(name, value, -10, 10, endpoint=endpoint, msg=msg)
            else:
                msg = f"{name} error aboslute model value(0~)"
                body[name] = check_int(name, value, 0, None, endpoint=endpoint, msg=msg)
        await self._request("POST", endpoint, json=body)

    async def extrude(
        self,
        length: float,
        *,
        nozzle: Literal[1, 2] = 1,
        feed: float,
        relative: bool = True,
    ) -> None:
        """Feed (positive) or retract (negative) filament (``POST /printer/axiscontrol/set``).

        Args:
            length: Millimetres of filament: -10..10 relative, -10000..10000 absolute.
            nozzle: 1 for the left nozzle, 2 for the right one (sent as the wire's 0 or 1).
            feed: Speed in mm/min, 0-2400.
            relative: Move by ``length`` (the default) rather than to the position ``length``.

        Raises:
            InvalidParameterError: A value is out of range (checked before sending).
            NotFoundError: ``nozzle`` is 2 on a single-nozzle printer.
        """
        endpoint = AXIS_ENDPOINT
        wire_nozzle = check_nozzle(nozzle, endpoint=endpoint) - 1
        feed_value = check_int(
            "feed", feed, 0, 2400, endpoint=endpoint, msg="feed error e value(0~2400)"
        )
        if relative:
            msg = "e error relative model value(-10~10)"
            e = check_int("length", length, -10, 10, endpoint=endpoint, msg=msg)
        else:
            msg = "e error aboslute model value(-10000~10000)"
            e = check_int("length", length, -10000, 10000, endpoint=endpoint, msg=msg)
        body = {"is_relative_pos": int(bool(relative)), "nozzle": wire_nozzle, "feed": feed_value}
        await self._request("POST", endpoint, json={**body, "e": e})

    # -- job control --------------------------------------------------------------------------

    async def pause_job(self) -> None:
        """Pause the current job (``POST /job/currentjob/set`` ``{"operate": "pause"}``).

        Raises:
            PrinterStateError: The job is already paused, or the printer shows a screen.
            PrinterBusyError: The printer is busy.
        """
        await self._operate("pause")

    async def resume_job(self) -> None:
        """Resume the paused job (``POST /job/currentjob/set`` ``{"operate": "resume"}``).

        Raises:
            PrinterStateError: The printer is already printing, or shows a screen.
            PrinterBusyError: The printer is busy.
        """
        await self._operate("resume")

    async def stop_job(self) -> None:
        """Stop the current job (``POST /job/currentjob/set`` ``{"operate": "stop"}``).

        Raises:
            PrinterStateError: The job is already stopped, or the printer shows a screen.
            PrinterBusyError: The printer is busy.
        """
        await self._operate("stop")

    async def _operate(self, operate: Literal["pause", "resume", "stop"]) -> None:
        await self._request("POST", "/job/currentjob/set", json={"operate": operate})

    # -- dashboard ----------------------------------------------------------------------------

    async def job_detail(self, pos: int, job_id: str) -> JobDetail:
        """One job of the history in detail (``GET /dashboard/job``).

        Args:
            pos: The job's ``job_index`` from :meth:`job_list`.
            job_id: The job's ``job_id``; it must match ``pos``.

        Raises:
            InvalidParameterError: ``pos`` is negative (checked before sending), or the printer
                says ``job_id`` does not match ``pos``.
            PrinterBusyError: The printer is busy (10003); try again later.
        """
        endpoint = "/dashboard/job"
        position = check_int("pos", pos, 0, None, endpoint=endpoint, msg="pos error")
        check_job_id(job_id, endpoint=endpoint)
        data = await self._request("GET", endpoint, params={"pos": position, "job_id": job_id})
        return self._structure(data, JobDetail, endpoint=endpoint)

    async def job_thumbnail(
        self, job_id: str, *, width: int = THUMBNAIL_SIZE, height: int = THUMBNAIL_SIZE
    ) -> bytes:
        """A job's picture as PNG bytes (``GET /dashboard/imagedownload``).

        Args:
            job_id: The job's ``job_id``.
            width: Pixels, 1-1024.
            height: Pixels, 1-1024.

        Raises:
            InvalidParameterError: ``job_id`` is not a non-empty string, or ``width`` or
                ``height`` is out of range (checked before sending), or the job's ``.data``
                file is corrupt (10004).
            NotFoundError: The job has no picture.
            PrinterStateError: The printer could not read the file (``IO_FAILURE``).
            ProtocolError: The picture is not valid base64.
        """
        endpoint = "/dashboard/imagedownload"
        check_job_id(job_id, endpoint=endpoint)
        return await self._image(endpoint, "job_id", job_id, width=width, height=height)

    async def _image(
        self, endpoint: str, key: str, value: str, *, width: int, height: int
    ) -> bytes:
        params = {
            key: value,
            "width": check_int(
                "width", width, 1, 1024, endpoint=endpoint, msg="width error, range(1~1024)"
            ),
            "height": check_int(
                "height", height, 1, 1024, endpoint=endpoint, msg="height error, range(1~1024)"
            ),
        }
        data = await self._request("GET", endpoint, params=params, max_bytes=MAX_IMAGE_ANSWER)
        encoded = data.get("img_data") if isinstance(data, dict) else None
        if not isinstance(encoded, str):
            raise ProtocolError(f"{endpoint}: the answer has no img_data string", endpoint=endpoint)
        try:
            return base64.b64decode(encoded, validate=True)
        except ValueError as exc:  # binascii.Error, and ValueError for a non-ASCII character
            raise ProtocolError(
                f"{endpoint}: img_data is not valid base64 ({exc})", endpoint=endpoint
            ) from exc

    # -- files --------------------------------------------------------------------------------

    async def list_files(
        self, dir_path: str, *, start_pos: int = 0, max_num: int = FILE_LIST_PAGE
    ) -> FileList:
        """One page of a directory's sub-directories and print files (``GET /fileops/list``).

        Args:
            dir_path: Like ``Local/webapi_store``.
            start_pos: Index of the first entry, 0 or more.
            max_num: How many entries, 1-24.

        Raises:
            PathError: ``dir_path`` is outside ``Local/`` (checked before sending).
            InvalidParameterError: ``start_pos`` or ``max_num`` is out of range (checked before
                sending).
            NotFoundError: The directory does not exist.
        """
        endpoint = "/fileops/list"
        check_path(dir_path, what="dir", endpoint=endpoint)
        start = check_int(
            "start_pos",
            start_pos,
            0,
            None,
            endpoint=endpoint,
            msg="start_pos error, it must be non-negative",
        )
        count = check_int(
            "max_num",
            max_num,
            1,
            FILE_LIST_PAGE,
            endpoint=endpoint,
            msg="max_num error, range(1~24)",
        )
        data = await self._request(
            "GET", endpoint, params={"dir": dir_path, "start_pos": start, "max_num": count}
        )
        return self._structure(data, FileList, endpoint=endpoint)

    async def iter_files(
        self, dir_path: str, *, page_size: int = FILE_LIST_PAGE
    ) -> AsyncIterator[FileList]:
        """A whole directory, one :meth:`list_files` page after another.

        Paging counts sub-directories and files together; the walk ends at the first page with
        fewer than ``page_size`` entries, at a page the printer already sent (it ignores
        ``start_pos``), or after :data:`MAX_PAGES` pages, with a warning on the
        ``printer_async`` logger for the last two.

        Args:
            dir_path: Like ``Local/webapi_store``.
            page_size: Entries per request, 1-24.

        Yields:
            Each page, in order.
        """
        check_int("page_size", page_size, 1, FILE_LIST_PAGE, endpoint="/fileops/list")
        pages = _Pages(dir_path, self.name)
        start = 0
        while True:
            page = await self.list_files(dir_path, start_pos=start, max_num=page_size)
            count = len(page.directories) + len(page.files)
            if count == 0 or not pages.is_new(page):
                return
            yield page
            if count < page_size:
                return
            start += count

    async def file_thumbnail(
        self, data_path: str, *, width: int = THUMBNAIL_SIZE, height: int = THUMBNAIL_SIZE
    ) -> bytes:
        """A print file's picture as PNG bytes (``GET /fileops/imagedownload``).

        Args:
            data_path: The file's ``.data`` companion, :attr:`FileEntry.data_path`.
            width: Pixels, 1-1024.
            height: Pixels, 1-1024.

        Raises:
            PathError: ``data_path`` is outside ``Local/`` (checked before sending).
            InvalidParameterError: ``width`` or ``height`` is out of range (checked before
                sending), or the ``.data`` file is corrupt (10004).
            NotFoundError: The ``.data`` file does not exist.
            PrinterStateError: The printer could not read the file (``IO_FAILURE``).
            ProtocolError: The picture is not valid base64.
        """
        endpoint = "/fileops/imagedownload"
        check_path(data_path, what="data_path", endpoint=endpoint)
        return await self._image(endpoint, "data_path", data_path, width=width, height=height)

    async def upload_file(
        self,
        source: UploadSource,
        dir_path: str = "Local/webapi_store",
        *,
        filename: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Upload a file to the printer (``POST /fileops/upload``, multipart/form-data).

        The file is streamed in chunks, never read into memory whole. When its size is known
        (a path, bytes) the 500 MB cap is checked before anything is sent and the body has a
        ``Content-Length``; a stream of unknown size is sent chunked and abandoned as soon as
        it passes 500 MB.

        Args:
            source: A local path, the file's bytes, or an async iterable of bytes.
            dir_path: The printer directory to put it in.
            filename: The name on the printer; defaults to a path's own name and is required
                for bytes and streams.
            progress: Called as ``progress(sent_bytes, total_bytes)`` once before the file and
                after each chunk; ``total_bytes`` is ``None`` for a stream. It may be async.
                When the token was refused and a path or bytes are sent again after the new
                login, progress starts again from 0.

        Raises:
            PathError: ``dir_path`` is outside ``Local/`` or ``filename`` is not a plain name
                (checked before sending).
            InvalidParameterError: The file is over 500 MB.
            NotFoundError: The directory does not exist.
            PrinterStateError: The printer could not write the file (``IO_FAILURE``: busy or
                out of storage).
            AuthenticationError: The token was refused while a stream was being sent: the
                token has been renewed, but a stream cannot be sent twice, so call
                ``upload_file()`` again with a fresh stream.
            ValueError: ``source`` is bytes or a stream and ``filename`` is missing, or a
                file changed size while it was read.
            OSError: A local path could not be read.
        """
        check_path(dir_path, what="dir_path", endpoint=UPLOAD_ENDPOINT)
        upload = await Upload.prepare(
            source, dir_path=dir_path, filename=filename, progress=progress
        )
        await self._request(
            "POST",
            UPLOAD_ENDPOINT,
            body=upload.body,
            headers=upload.headers(),
            replayable=upload.replayable,
        )

    async def delete_file(self, path: str) -> None:
        """Delete a file (``POST /filepos/delete``).

        Raises:
            PathError: ``path`` is outside ``Local/`` (checked before sending).
            NotFoundError: The file does not exist.
            PrinterStateError: The printer failed to delete it (``IO_FAILURE``).
        """
        endpoint = f"{self.filepos_prefix}/delete"
        check_path(path, endpoint=endpoint)
        await self._request("POST", endpoint, json={"file_path": path})

    async def rename_file(self, path: str, new_name: str) -> None:
        """Rename a file in its directory (``POST /filepos/rename``).

        Args:
            path: Like ``Local/a.gcode``.
            new_name: The new name alone, like ``b.gcode``.

        Raises:
            PathError: ``path`` is outside ``Local/`` or ``new_name`` is not a plain name
                (checked before sending).
            NotFoundError: The file does not exist.
            PrinterStateError: The printer failed to rename it (``IO_FAILURE``).
        """
        endpoint = f"{self.filepos_prefix}/rename"
        check_path(path, endpoint=endpoint)
        check_name(new_name, what="new_name", endpoint=endpoint)
        await self._request("POST", endpoint, json={"file_path": path, "new_name": new_name})

    async def move_file(self, src: str, dst: str) -> None:
        """Move a file (``POST /filepos/moveto``).

        Args:
            src: The file, like ``Local/a/x.gcode``.
            dst: Its new path, file name included, like ``Local/b/x.gcode``.

        Raises:
            PathError: A path is outside ``Local/`` (checked before sending).
            NotFoundError: The source file does not exist.
            PrinterStateError: The printer failed to move it (``IO_FAILURE``).
        """
        await self._transfer("moveto", src, dst)

    async def copy_file(self, src: str, dst: str) -> None:
        """Copy a file (``POST /filepos/copy``).

        Args:
            src: The file, like ``Local/a/x.gcode``.
            dst: The copy's path, file name included, like ``Local/b/x.gcode``.

        Raises:
            PathError: A path is outside ``Local/`` (checked before sending).
            NotFoundError: The source file does not exist.
            PrinterStateError: The printer failed to copy it (``IO_FAILURE``).
        """
        await self._transfer("copy", src, dst)

    async def _transfer(self, operation: str, src: str, dst: str) -> None:
        endpoint = f"{self.filepos_prefix}/{operation}"
        check_path(src, what="file_src", endpoint=endpoint)
        check_path(dst, what="file_dst", endpoint=endpoint)
        await self._request("POST", endpoint, json={"file_src": src, "file_dst": dst})

    async def create_directory(self, path: str) -> None:
        """Create a directory (``POST /filepos/dir/create``).

        Raises:
            PathError: ``path`` is outside ``Local/`` (checked before sending).
            PrinterStateError: The printer failed to create it (``IO_FAILURE``).
        """
        endpoint = f"{self.filepos_prefix}/dir/create"
        check_path(path, what="dir_path", endpoint=endpoint)
        await self._request("POST", endpoint, json={"dir_path": path})

    async def delete_directory(self, path: str) -> None:
        """Delete a directory (``POST /filepos/dir/delete``).

        Raises:
            PathError: ``path`` is outside ``Local/`` or is ``Local/`` itself (checked before
                sending).
            NotFoundError: The directory does not exist.
            PrinterStateError: The printer failed to delete it (``IO_FAILURE``).
        """
        endpoint = f"{self.filepos_prefix}/dir/delete"
        check_not_root(check_path(path, what="dir_path", endpoint=endpoint), endpoint=endpoint)
        await self._request("POST", endpoint, json={"dir_path": path})

    async def rename_directory(self, path: str, new_name: str) -> None:
        """Rename a directory in its parent (``POST /filepos/dir/rename``).

        Args:
            path: Like ``Local/old``.
            new_name: The new name alone, like ``new``.

        Raises:
            PathError: ``path`` is outside ``Local/`` or is ``Local/`` itself, or ``new_name``
                is not a plain name (checked before sending).
            NotFoundError: The directory does not exist.
            PrinterStateError: The printer failed to rename it (``IO_FAILURE``).
        """
        endpoint = f"{self.filepos_prefix}/dir/rename"
        check_not_root(check_path(path, what="dir_path", endpoint=endpoint), endpoint=endpoint)
        check_name(new_name, what="new_name", endpoint=endpoint)
        await self._request("POST", endpoint, json={"dir_path": path, "new_name": new_name})

    # -- camera -------------------------------------------------------------------------------
    # The camera server is another port of the printer, with HTTP Basic credentials that change
    # at every reboot: they are asked for afresh (one /printer/camera call) on every use.

    async def _camera_url(self, path: str) -> tuple[str, tuple[str, str] | None]:
        if self._camera_host is None:
            raise NotFoundError(
                f"/printer/camera: {self.name} is reached through base_url=, and the camera "
                "server is another port of the printer, which the proxy does not reach; use "
                "the address from camera_info() on the printer's own network",
                code=404,
                msg="camera not reachable through base_url",
                endpoint="/printer/camera",
            )
        info = await self.camera_info()
        if not info.is_camera_connected:
            raise NotFoundError(
                "/printer/camera: the printer reports no camera connected",
                code=404,
                msg="camera is not connected",
                endpoint="/printer/camera",
            )
        auth = camera_credentials(self._auth, info.user_name, info.password)
        return f"http://{self._camera_host}:{info.server_port}{path}", auth

    async def snapshot(self, *, max_bytes: int = MAX_SNAPSHOT_BYTES) -> bytes:
        """One picture from the printer's camera, as JPEG bytes (camera ``/api/v1/camera/takeshot``).

        Args:
            max_bytes: Refuse a picture larger than this.

        Raises:
            NotFoundError: The printer reports no camera connected.
            AuthenticationError: The camera server refused the credentials.
            ProtocolError: The picture is larger than ``max_bytes``.
            PrinterConnectionError: The camera server could not be reached.
        """  # noqa: E501 - the endpoint belongs on the summary line
        self._check_open()
        with self._call("GET", f"camera {SNAPSHOT_PATH}"):
            url, auth = await self._camera_url(SNAPSHOT_PATH)
            async with self._transport.stream("GET", url, auth=auth) as answer:
                if answer.status_code != 200:  # noqa: PLR2004
                    raise camera_error(answer.status_code, SNAPSHOT_PATH)
                picture = bytearray()
                async for chunk in answer.chunks:
                    picture += chunk
                    if len(picture) > max_bytes:
                        raise ProtocolError(
                            f"camera {SNAPSHOT_PATH}: the picture is larger than {max_bytes} bytes",
                            endpoint=SNAPSHOT_PATH,
                        )
            return bytes(picture)

    async def camera_frames(
        self, *, max_frame_bytes: int = MAX_FRAME_BYTES
    ) -> AsyncGenerator[bytes, None]:
        """The camera's live MJPEG stream, one JPEG frame at a time (camera ``/api/v1/camera/stream``).

        The connection stays open while you iterate; close the generator to end it::

            async with contextlib.aclosing(printer.camera_frames()) as frames:
                async for jpeg in frames:
                    ...

        Streams and snapshots have a connection pool of their own (up to eight connections),
        apart from the API calls', unless you passed ``client=`` to the printer: then they
        share that client's.

        Args:
            max_frame_bytes: Refuse a frame larger than this (the parser's buffer is bounded
                by it).

        Yields:
            Each frame's bytes (JPEG), as soon as it is complete.

        Raises:
            NotFoundError: The printer reports no camera connected.
            AuthenticationError: The camera server refused the credentials.
            ProtocolError: The answer is not a multipart stream, or a frame is too large.
            PrinterConnectionError: The camera server could not be reached, the stream broke,
                or its start or a frame took longer than ``timeout``.
        """  # noqa: E501 - the endpoint belongs on the summary line
        self._check_open()
        async with contextlib.AsyncExitStack() as stack:
            # One deadline for the stream's start, then one for each frame.
            with self._call("GET", f"camera {STREAM_PATH}"):
                url, auth = await self._camera_url(STREAM_PATH)
                answer = await stack.enter_async_context(
                    self._transport.stream("GET", url, auth=auth)
                )
                if answer.status_code != 200:  # noqa: PLR2004
                    raise camera_error(answer.status_code, STREAM_PATH)
                boundary = multipart_boundary(answer.content_type, path=STREAM_PATH)
            parser = MjpegParser(boundary, max_frame_bytes=max_frame_bytes)
            chunks = aiter(answer.chunks)
            while not parser.finished:
                # Each frame within the timeout: a stream that trickles bytes and never
                # completes a frame is a stalled camera, not a slow one.
                frames: list[bytes] = []
                with self._call("GET", f"camera {STREAM_PATH} (the next frame)"):
                    while not frames and not parser.finished:
                        chunk = await anext(chunks, None)
                        if chunk is None:
                            return
                        frames = parser.feed(chunk)
                for frame in frames:
                    yield frame
