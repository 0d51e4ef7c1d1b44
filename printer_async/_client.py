"""``AsyncPrinter``: one thin method per endpoint of the Raise3D Remote Access API."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Self

import anyio

from printer_async._auth import Auth
from printer_async._convert import structure
from printer_async._envelope import unwrap
from printer_async._errors import (
    AuthenticationError,
    InvalidParameterError,
    PathError,
    PrinterBusyError,
)
from printer_async._models import CurrentJob, JobListEntry, Statistics
from printer_async._transport import Transport

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping
    from types import TracebackType

    import httpx

__all__ = ["DEFAULT_PORT", "DEFAULT_TIMEOUT", "AsyncPrinter", "check_path"]

DEFAULT_PORT: Final = 10800
DEFAULT_TIMEOUT: Final = 10.0
JOB_LIST_PAGE: Final = 12
"""The most jobs ``/dashboard/joblist`` returns at once."""


def check_path(path: str, *, what: str = "file_path", endpoint: str) -> str:
    """Check a printer path before it is sent.

    Args:
        path: Like ``Local/a.gcode``.
        what: The parameter's name, for the message.
        endpoint: The API path the parameter is for.

    Returns:
        ``path``, unchanged.

    Raises:
        PathError: The path does not start with ``Local/`` or has a ``..`` segment.
    """
    problem = None
    if not isinstance(path, str) or not path.startswith("Local/"):
        problem = "must start with 'Local/', the only directory the API may access"
    elif ".." in path.split("/"):
        problem = "must not contain a '..' segment"
    elif any(ord(c) < 0x20 for c in path):  # noqa: PLR2004 - control characters
        problem = "must not contain control characters"
    if problem is not None:
        raise PathError(
            f"{endpoint}: {what} {path!r} {problem}",
            code=10005,
            msg="root path error",
            endpoint=endpoint,
        )
    return path


def check_range(name: str, value: int, low: int, high: int, *, endpoint: str) -> int:
    """Check an integer parameter against its documented range before it is sent.

    Raises:
        InvalidParameterError: ``value`` is not an integer in ``low..high``.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidParameterError(
            f"{endpoint}: {name} must be an integer from {low} to {high}, got {value!r}",
            code=10002,
            msg=f"{name} error value({low}~{high})",
            endpoint=endpoint,
        )
    return value


class AsyncPrinter:
    """An async client for one Raise3D printer's Remote Access API.

    Use it as an async context manager, or call :meth:`aclose` when done::

        async with AsyncPrinter("192.168.0.57", password="368d8d") as printer:
            job = await printer.current_job()

    It logs in on the first call that needs a token, logs in again before the token's 24 hours
    run out, and on a refused token ("401 token error") logs in once and retries the call once.
    Logins are single-flight: concurrent calls share one login.

    Args:
        host: The printer's address.
        port: The API port.
        password: The access password set on the printer (Machine > Developer > Access
            password). Needed unless ``token`` is given.
        token: A token obtained elsewhere.
        timeout: Seconds, or an ``httpx.Timeout``, for each request.
        client: An ``httpx.AsyncClient`` to send requests with; it stays open after
            :meth:`aclose`. By default the printer creates (and closes) its own.
        name: A name for logs, events and fleets; defaults to ``host:port``.
    """

    def __init__(
        self,
        host: str,
        *,
        port: int = DEFAULT_PORT,
        password: str | None = None,
        token: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        client: httpx.AsyncClient | None = None,
        name: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.name = name if name is not None else f"{host}:{port}"
        self._transport = Transport(f"http://{host}:{port}/v1", timeout=timeout, client=client)
        self._auth = Auth(self._transport, password=password, token=token)

    def __repr__(self) -> str:
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
        """Close the HTTP client if this printer created it. Calling it again does nothing."""
        if not self._transport.closed:
            await self._transport.aclose()

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called."""
        return self._transport.closed

    def _check_open(self) -> None:
        if self._transport.closed:
            msg = f"{self!r} is closed; create a new AsyncPrinter to talk to the printer again"
            raise RuntimeError(msg)

    async def _request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send an authenticated request and return its ``data``.

        A refused token leads to one login and one retry.
        """
        self._check_open()
        token = await self._auth.token()
        try:
            return await self._send(method, endpoint, token, params=params, json=json)
        except AuthenticationError as exc:
            if exc.code != 401:  # noqa: PLR2004 - only a refused token is worth a new login
                raise
        token = await self._auth.refresh(stale=token)
        return await self._send(method, endpoint, token, params=params, json=json)

    async def _send(
        self,
        method: str,
        endpoint: str,
        token: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
    ) -> Any:
        answer = await self._transport.request(
            method, endpoint, params={"token": token, **(params or {})}, json=json
        )
        return unwrap(endpoint, answer)

    async def login(self) -> None:
        """Log in now, instead of on the first call.

        Raises:
            AuthenticationError: The access password is wrong (10000), or none was given.
            PrinterConnectionError: The printer could not be reached.
        """
        self._check_open()
        await self._auth.login()

    # -- jobs ---------------------------------------------------------------------------------

    async def current_job(self) -> CurrentJob:
        """The job being printed, or the last one (``GET /job/currentjob``)."""
        data = await self._request("GET", "/job/currentjob")
        return structure(data, CurrentJob, endpoint="/job/currentjob")

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
        return structure(data, Statistics, endpoint="/dashboard/statistics")

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
        check_range("max_num", max_num, 1, JOB_LIST_PAGE, endpoint=endpoint)
        if isinstance(start_pos, bool) or not isinstance(start_pos, int) or start_pos < 0:
            raise InvalidParameterError(
                f"{endpoint}: start_pos must be a non-negative integer, got {start_pos!r}",
                code=10002,
                msg="start_pos error",
                endpoint=endpoint,
            )
        data = await self._request(
            "GET", endpoint, params={"max_num": max_num, "start_pos": start_pos}
        )
        if not isinstance(data, dict) or "job_list" not in data:
            data = {"job_list": None}
        return structure(data["job_list"], list[JobListEntry], endpoint=endpoint)

    async def iter_jobs(
        self, *, page_size: int = JOB_LIST_PAGE, busy_retries: int = 6, backoff: float = 0.5
    ) -> AsyncIterator[JobListEntry]:
        """Every job in the history, page by page.

        The number of jobs comes from :meth:`statistics`. A page that answers 10003 busy is
        asked for again after ``backoff``, doubling each time, at most ``busy_retries`` times.

        Args:
            page_size: Jobs per request, 1-12.
            busy_retries: How often to retry one busy page before giving up.
            backoff: Seconds before the first retry.

        Raises:
            PrinterBusyError: A page stayed busy through every retry.
        """
        check_range("page_size", page_size, 1, JOB_LIST_PAGE, endpoint="/dashboard/joblist")
        total = (await self.statistics()).printed_file_num
        for start in range(0, total, page_size):
            page = await self._busy_retry(
                lambda start=start: self.job_list(
                    max_num=min(page_size, total - start), start_pos=start
                ),
                retries=busy_retries,
                backoff=backoff,
            )
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
