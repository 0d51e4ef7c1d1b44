"""Send a notification for the events of a watch that a person wants to hear about.

A :class:`Notifier` turns :class:`~printer_async.JobEvent` values into short messages (printer,
event, file, progress) and hands them to Apprise, which knows how to reach ntfy, Slack, Discord,
e-mail, Home Assistant, a plain JSON webhook and a hundred more, one URL each.

What it promises:

* One notification per event it is given, for the kinds asked for (``on``): never one for a failed
  poll (a watch makes no event for those), and never a second one for the same event (a failed
  delivery is logged, not retried).
* At most :data:`DEFAULT_RATE_LIMIT` notifications per printer in any
  :data:`DEFAULT_RATE_WINDOW` seconds: a printer that flaps between offline and online does not
  flood anyone's phone. The ones over the limit are dropped, logged and counted.
* Delivery never holds up the watch: :meth:`Notifier.submit` only queues the message, and
  Apprise's blocking ``notify()`` runs in a worker thread. A failing service is logged (without
  its URL, which may hold a token) and the watch goes on.
* The URLs' secrets (passwords, the parts Apprise itself masks, tokens in paths and queries)
  are blanked in every log record, in every form (a receiver that echoes the
  ``Authorization: Basic`` header gets it logged by Apprise), for as long as the notifier lives;
  nothing else of a URL is (hosts, ports and plain words stay readable).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import ipaddress
import logging
import re
import time
import urllib.parse
import warnings
from typing import TYPE_CHECKING, Any, Final, Self

import anyio
import anyio.to_thread
import attrs

from printer_async import _redact
from printer_async._models import JobStatus
from printer_async._orchestration.watch import EventKind, JobEvent
from printer_async._redact import MIN_SECRET, redact

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import TracebackType

    from anyio.abc import TaskGroup
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

    from printer_async._client import AsyncPrinter
    from printer_async._errors import PrinterError
    from printer_async._models import CurrentJob

__all__ = [
    "DEFAULT_NOTIFY_ON",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_RATE_WINDOW",
    "NOTIFY_KINDS",
    "Notifier",
    "event_name",
]

_log = logging.getLogger("printer_async.notify")

NOTIFY_KINDS: Final = (
    "started",
    "new_job",
    "paused",
    "resumed",
    "completed",
    "stopped",
    "changed",
    "offline",
    "online",
    "error",
)
"""The event names a notifier can be asked to send (see :func:`event_name`)."""

DEFAULT_NOTIFY_ON: Final = frozenset(
    {"completed", "paused", "stopped", "offline", "online", "error"}
)
"""What a person running a farm wants to hear about by default."""

DEFAULT_RATE_LIMIT: Final = 5
"""Notifications per printer at most in any :data:`DEFAULT_RATE_WINDOW` seconds."""

DEFAULT_RATE_WINDOW: Final = 600.0
"""The sliding window of the rate limit, in seconds."""

DEFAULT_QUEUE: Final = 256
"""Notifications waiting for delivery at most; more are dropped (and counted)."""

DEFAULT_DRAIN_TIMEOUT: Final = 15.0
"""Seconds the notifier's block waits at its end for queued notifications to go out."""

_LONG_SECRET: Final = 16
"""A URL part this long is taken for a token even without a digit in it."""
_HOST_NAME: Final = re.compile(r"(?i)[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_THIRD_PARTY_LOGGERS: Final = (
    "apprise",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.util.retry",
    "requests",
)
"""Loggers that write notification URLs, or parts of them, into their records."""

_ENDED_AS: Final = {
    JobStatus.COMPLETED: "completed",
    JobStatus.STOPPED: "stopped",
    JobStatus.PAUSED: "paused",
}

_PHRASES: Final = {
    "started": "started a job",
    "new_job": "shows a new job",
    "paused": "paused",
    "resumed": "resumed",
    "completed": "completed a job",
    "stopped": "stopped a job",
    "changed": "reports a job status this library does not know",
    "offline": "is offline",
    "online": "is back online",
    "error": "is no longer watched",
}

_TYPES: Final = {
    "completed": "success",
    "online": "success",
    "paused": "warning",
    "stopped": "warning",
    "changed": "warning",
    "offline": "warning",
    "error": "failure",
}
"""Apprise's notification type per event (the rest are ``info``)."""


def event_name(event: JobEvent) -> str:
    """The name an event is notified and counted under: its kind, with one refinement.

    A job seen for the first time when it had already ended or paused (it started and ended
    between two polls: a ``new_job`` event) is named after its status, ``completed``,
    ``stopped`` or ``paused``, because that is what happened as far as a person is concerned.
    """
    if event.kind is EventKind.NEW_JOB and event.current is not None:
        return _ENDED_AS.get(event.current, event.kind.value)
    return event.kind.value


def _looks_secret(part: str) -> bool:
    """Whether a URL's path segment, query value or host part is taken for a token.

    Letters and digits mixed, or a long run: a webhook's id, a bot's token. Not a host name,
    an address, a port number or a plain word (``webhook``, ``notify``), which logs need.
    """
    if len(part) < MIN_SECRET or part.isdigit() or _HOST_NAME.fullmatch(part):
        return False
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(part.strip("[]"))
        return False
    mixed = any(c.isdigit() for c in part) and any(c.isalpha() for c in part)
    return mixed or len(part) >= _LONG_SECRET


def _url_secrets(url: str) -> set[str]:
    """The secrets of a notification URL, as far as its text shows them.

    Apprise URLs put them anywhere (``json://user:password@host/path``,
    ``tgram://<token>/<chat>``, ``hassio://host/<token>``): the password of ``user:password@``
    (and ``user:password`` itself, which a Basic header encodes), and each part of the
    address, path and query that looks like a token (:func:`_looks_secret`).
    """
    rest = url.partition("://")[2] or url
    address, _, query = rest.partition("?")
    authority, _, path = address.partition("/")
    userinfo, at, host = authority.rpartition("@")
    secrets: set[str] = set()
    if at:
        user, colon, password = (urllib.parse.unquote(part) for part in userinfo.partition(":"))
        if colon:
            secrets |= {password, f"{user}:{password}"}
        elif _looks_secret(user):
            secrets.add(user)  # pover://<user key>@<token>: a user name alone is a key
    parts = [*host.split(":"), host, *path.split("/")]
    parts += [value for _, value in urllib.parse.parse_qsl(query.partition("#")[0])]
    secrets.update(p for p in map(urllib.parse.unquote, parts) if _looks_secret(p))
    return secrets


def _apprise_secrets(server: Any) -> set[str]:
    """What Apprise itself hides of a service's URL: the parts its privacy mode masks."""
    try:
        shown, private = server.url(), server.url(privacy=True)
    except Exception:  # noqa: BLE001 - a plugin that cannot say: the URL's own text serves
        return set()
    pieces = re.compile(r"[/@:?&=#]")
    hidden = set(pieces.split(shown)) - set(pieces.split(private))
    return {urllib.parse.unquote(part) for part in hidden if part} | (
        {server.password, f"{server.user}:{server.password}"}
        if isinstance(getattr(server, "password", None), str)
        and isinstance(getattr(server, "user", None), str)
        else set()
    )


def _scheme(url: str) -> str:
    scheme, separator, _ = url.partition("://")
    return f"{scheme}://" if separator and scheme.isascii() and scheme.isalnum() else "no scheme"


def _load_apprise(urls: list[str]) -> Any:
    """An ``apprise.Apprise`` holding every URL.

    Raises:
        ValueError: Apprise does not know a URL; the message names its position and scheme,
            never the URL itself.
        ImportError: Apprise is not installed.
    """
    try:
        import apprise  # noqa: PLC0415 - an optional dependency, only when URLs are given
    except ImportError as exc:
        raise ImportError(
            'notifications need apprise: pip install "printer-async[notify]"'
        ) from exc
    notifier = apprise.Apprise()
    with warnings.catch_warnings():
        # Apprise loads its plugins at the first URL, and its e-mail plugin imports imghdr,
        # deprecated since Python 3.11: Apprise's business, not a warning for our user.
        warnings.filterwarnings("ignore", "'imghdr' is deprecated", DeprecationWarning)
        known = [notifier.add(url) for url in urls]
    for index, (url, ok) in enumerate(zip(urls, known, strict=True), start=1):
        if not ok:
            raise ValueError(
                f"notification URL #{index} ({_scheme(url)}) is not one Apprise knows or can "
                "parse; see https://github.com/caronc/apprise/wiki for the URL of each service"
            )
    return notifier


@attrs.frozen
class _Message:
    printer: str
    name: str
    title: str
    body: str
    notify_type: str


def _describe_job(job: CurrentJob | None) -> str:
    if job is None or not job.has_job:
        return "No job."
    text = f"File {job.file_name}, {job.print_progress:.0f}% done"
    if job.job_status is JobStatus.UNKNOWN:
        text += f", status {job.raw_job_status!r}"
    return text + "."


def _error_text(error: PrinterError | None) -> str:
    if error is None:
        return ""
    return " " + redact(" ".join(str(error).split()) or type(error).__name__)


def _message(event: JobEvent, name: str, job: CurrentJob | None) -> _Message:
    printer = event.printer.name
    phrase = _PHRASES[name]
    body = f"Printer {printer} {phrase}. {_describe_job(job)}"
    if event.error is not None:
        body += _error_text(event.error)
    return _Message(
        printer=printer,
        name=name,
        title=f"{printer} {phrase}",
        body=body,
        notify_type=_TYPES.get(name, "info"),
    )


class Notifier:
    """Sends a notification through Apprise for each event of the kinds asked for.

    ::

        async with Notifier(["ntfy://my-farm"]) as notifier:
            async with fleet.watch() as events:
                async for event in events:
                    notifier.submit(event)

    The block runs the delivery; at its end (also after an exception, not after a
    cancellation) it waits up to ``drain_timeout`` seconds for queued notifications to go out.
    A notifier without URLs accepts events and sends nothing, so callers need no special case.

    Args:
        urls: Apprise URLs, one per service (``ntfy://topic``, ``json://host/path``,
            ``mailto://...``).
        on: The event names to notify (see :data:`NOTIFY_KINDS` and :func:`event_name`).
        rate_limit: Notifications per printer at most in any ``rate_window`` seconds.
        rate_window: Seconds of the rate limit's sliding window.
        queue: Notifications waiting for delivery at most; more are dropped.
        drain_timeout: Seconds to wait at the end of the block for queued notifications.
        clock: Monotonic seconds, for the rate limit (tests pass a fake).

    Attributes:
        counts: How many notifications were ``sent``, ``failed`` (a service refused or could
            not be reached), ``rate_limited`` or ``dropped`` (the queue was full).

    Raises:
        ValueError: A URL Apprise does not know (the message names its position and scheme,
            never the URL), an unknown event name, or a limit out of range.
        ImportError: URLs are given and Apprise is not installed.
    """

    def __init__(
        self,
        urls: Iterable[str] = (),
        *,
        on: Iterable[str] = DEFAULT_NOTIFY_ON,
        rate_limit: int = DEFAULT_RATE_LIMIT,
        rate_window: float = DEFAULT_RATE_WINDOW,
        queue: int = DEFAULT_QUEUE,
        drain_timeout: float = DEFAULT_DRAIN_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._urls = list(urls)
        self.on = frozenset(on)
        unknown = self.on - set(NOTIFY_KINDS)
        if unknown:
            raise ValueError(
                f"unknown event names {sorted(unknown)}; choose from {', '.join(NOTIFY_KINDS)}"
            )
        if rate_limit < 1 or not rate_window > 0 or queue < 1 or not drain_timeout >= 0:
            raise ValueError("rate_limit and queue must be 1 or more, the windows positive")
        self._rate_limit = rate_limit
        self._rate_window = float(rate_window)
        self._queue = queue
        self._drain_timeout = float(drain_timeout)
        self._clock = clock
        self._apprise: Any = None
        if self._urls:
            # Apprise logs a URL it cannot parse, token and all: blank it from the start.
            secrets = set().union(*map(_url_secrets, self._urls))
            _redact.remember(self, "urls", secrets)
            _redact.guard(_THIRD_PARTY_LOGGERS)
            self._apprise = _load_apprise(self._urls)
            _redact.remember(self, "urls", secrets.union(*map(_apprise_secrets, self._apprise)))
        self._sent_at: dict[str, collections.deque[float]] = {}
        self._last_job: dict[str, CurrentJob] = {}
        self._streams: (
            tuple[MemoryObjectSendStream[_Message], MemoryObjectReceiveStream[_Message]] | None
        ) = None
        self._task_group: TaskGroup | None = None
        self.counts: collections.Counter[str] = collections.Counter()

    def __repr__(self) -> str:
        return f"<Notifier of {len(self._urls)} URL(s) on {', '.join(sorted(self.on))}>"

    @property
    def enabled(self) -> bool:
        """Whether there is anywhere to send to."""
        return self._apprise is not None

    async def __aenter__(self) -> Self:
        if self._task_group is not None:
            raise RuntimeError("this Notifier is already running")
        if not self.enabled:
            return self
        self._streams = anyio.create_memory_object_stream[_Message](self._queue)
        task_group = anyio.create_task_group()
        await task_group.__aenter__()
        self._task_group = task_group
        task_group.start_soon(self._deliver_all, self._streams[1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task_group, self._task_group = self._task_group, None
        if task_group is None:
            return
        try:
            if self._streams is not None:
                self._streams[0].close()
            if exc is None or isinstance(exc, Exception):
                # An ordinary ending, or a failure worth telling: the queue still goes out.
                task_group.cancel_scope.deadline = anyio.current_time() + self._drain_timeout
            else:
                task_group.cancel_scope.cancel()  # cancelled or interrupted: leave at once
            await task_group.__aexit__(None, None, None)
        finally:
            self._streams = None

    def submit(self, event: JobEvent) -> None:
        """Queue a notification for ``event`` if its kind is wanted; never blocks.

        Give it every event of the watch: it remembers each printer's last job, so that an
        ``offline`` notification can name the file that was printing.

        Raises:
            RuntimeError: Called outside the notifier's ``async with`` block (with URLs).
        """
        printer = event.printer.name
        if event.job is not None:
            self._last_job[printer] = event.job
        if not self.enabled:
            return
        name = event_name(event)
        if name not in self.on:
            return
        if self._streams is None:
            raise RuntimeError("submit() runs inside 'async with notifier:'")
        if not self._take_turn(printer):
            self.counts["rate_limited"] += 1
            _log.warning(
                "not notifying that %s %s: over its limit of %d notifications in %g s",
                printer,
                _PHRASES[name],
                self._rate_limit,
                self._rate_window,
            )
            return
        message = _message(event, name, event.job or self._last_job.get(printer))
        try:
            self._streams[0].send_nowait(message)
        except anyio.WouldBlock:
            self.counts["dropped"] += 1
            _log.warning(
                "not notifying that %s %s: %d notifications wait already",
                printer,
                _PHRASES[name],
                self._queue,
            )

    def submit_error(self, printer: AsyncPrinter, error: PrinterError) -> None:
        """Queue an ``error`` notification: the watch of ``printer`` ended with ``error``."""
        self.submit(
            JobEvent(
                kind=EventKind.ERROR,
                previous=None,
                current=None,
                job=None,
                observed_at=dt.datetime.now(dt.UTC),
                printer=printer,
                error=error,
            )
        )

    def _take_turn(self, printer: str) -> bool:
        """Whether ``printer`` may send one more now (and count it if so)."""
        now = self._clock()
        times = self._sent_at.setdefault(printer, collections.deque())
        while times and times[0] <= now - self._rate_window:
            times.popleft()
        if len(times) >= self._rate_limit:
            return False
        times.append(now)
        return True

    async def _deliver_all(self, receive: MemoryObjectReceiveStream[_Message]) -> None:
        async with receive:
            async for message in receive:
                await self._deliver(message)

    async def _deliver(self, message: _Message) -> None:
        send = functools.partial(
            self._apprise.notify,
            body=message.body,
            title=message.title,
            notify_type=message.notify_type,
        )
        try:
            # Apprise's notify() blocks (requests, smtplib...): a worker thread keeps the event
            # loop free. A cancelled wait leaves the thread to finish within Apprise's timeouts.
            delivered = bool(await anyio.to_thread.run_sync(send, abandon_on_cancel=True))
        except Exception as exc:  # noqa: BLE001 - a broken service must not end the watch
            delivered = False
            reason = f": {type(exc).__name__}"
        else:
            reason = ""
        if delivered:
            self.counts["sent"] += 1
            return
        self.counts["failed"] += 1
        _log.warning(
            "notifying that %s %s failed on at least one of the %d notification services%s "
            "(Apprise's log says which)",
            message.printer,
            _PHRASES[message.name],
            len(self._urls),
            reason,
        )
