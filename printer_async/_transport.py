"""The one place that talks to httpx.

It builds (or accepts) the ``httpx.AsyncClient``, sends requests, caps the size of an answer,
turns every httpx exception into :class:`PrinterConnectionError`, and keeps the token and the
login signature out of the request lines httpx logs.
"""

from __future__ import annotations

import logging
import re
import ssl
import threading
from typing import TYPE_CHECKING, Any, Final

import attrs
import httpx

from printer_async._errors import PrinterConnectionError, ProtocolError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MAX_BODY_BYTES", "Answer", "Transport", "redact", "shared_ssl_context"]

MAX_BODY_BYTES: Final = 4 * 1024 * 1024
"""Answers larger than this are refused: no documented JSON answer comes close."""

_SECRET_PARAM: Final = re.compile(r"(?i)\b(token|sign|password)=[^&\s\"'>]*")


def redact(text: str) -> str:
    """Replace the values of ``token``, ``sign`` and ``password`` query parameters in ``text``."""
    return _SECRET_PARAM.sub(r"\1=[redacted]", text)


class _RedactingFilter(logging.Filter):
    """Rewrites httpx's own "HTTP Request: GET http://...?token=..." lines before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _install_log_redaction() -> None:
    # httpx and httpcore log on their own loggers; a filter on a logger sees the records that
    # logger emits itself, so it goes on every logger that can carry a URL.
    for name in ("httpx", "httpcore", "httpx_aiohttp", "aiohttp.client"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())


_install_log_redaction()

_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One SSL context for every client printer-async creates.

    The API is plain HTTP, but httpx builds an SSL context per client unless given one, which
    costs about 0.9 MB per printer (see DESIGN.md); sharing one keeps a fleet small.
    """
    global _ssl_context  # noqa: PLW0603 - a process-wide cache, built on first use
    with _ssl_lock:
        if _ssl_context is None:
            _ssl_context = ssl.create_default_context()
        return _ssl_context


@attrs.frozen
class Answer:
    """An HTTP answer, read whole."""

    status_code: int
    content_type: str
    content: bytes


class Transport:
    """Sends requests to one printer's API and reads the answers.

    Args:
        base_url: Like ``http://192.168.0.57:10800/v1``.
        timeout: Seconds, or an ``httpx.Timeout``, for each request.
        client: An ``httpx.AsyncClient`` to use; it is not closed by :meth:`aclose`.
    """

    def __init__(
        self, base_url: str, *, timeout: float | httpx.Timeout, client: httpx.AsyncClient | None
    ) -> None:
        self.base_url = base_url
        self._owns_client = client is None
        self._client = client if client is not None else self._new_client(timeout)
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.closed = False

    @staticmethod
    def _new_client(timeout: float | httpx.Timeout) -> httpx.AsyncClient:
        # One request at a time per printer is what the printer can take; a second connection
        # only helps a caller who runs calls concurrently, so allow a few.
        return httpx.AsyncClient(
            timeout=timeout,
            verify=shared_ssl_context(),
            limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
            trust_env=False,
        )

    async def request(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: Any = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = MAX_BODY_BYTES,
    ) -> Answer:
        """Send one request and read the whole answer.

        Args:
            method: ``GET`` or ``POST``.
            endpoint: The API path without ``/v1``, like ``/job/currentjob``.
            params: Query parameters (the token among them).
            json: A JSON body.
            content: A raw body (bytes or an async byte iterator), for uploads.
            headers: Extra headers.
            max_bytes: Refuse answers larger than this.

        Returns:
            The answer.

        Raises:
            PrinterConnectionError: The request failed on the network or timed out.
            ProtocolError: The answer was larger than ``max_bytes``.
        """
        request = self._client.build_request(
            method,
            self.base_url + endpoint,
            params=params,
            json=json,
            content=content,
            headers=headers,
            timeout=self._timeout,
        )
        try:
            response = await self._client.send(request, stream=True)
            try:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise ProtocolError(
                            f"{endpoint}: the answer is larger than {max_bytes} bytes",
                            endpoint=endpoint,
                            status_code=response.status_code,
                        )
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise PrinterConnectionError(self._describe(method, endpoint, exc)) from exc
        return Answer(
            status_code=response.status_code,
            content_type=response.headers.get("content-type", ""),
            content=bytes(body),
        )

    def _describe(self, method: str, endpoint: str, exc: httpx.HTTPError) -> str:
        kind = {
            httpx.TimeoutException: "timed out",
            httpx.ConnectError: "could not connect",
            httpx.RemoteProtocolError: "the connection broke",
            httpx.ReadError: "the connection broke",
        }
        what = next((v for k, v in kind.items() if isinstance(exc, k)), "the request failed")
        detail = redact(str(exc)) or type(exc).__name__
        host = httpx.URL(self.base_url).netloc.decode()
        return (
            f"{method} {endpoint} to {host}: {what} ({detail}); check that the printer is on, "
            "on the network, and has Enable Remote Access API switched on"
        )

    async def aclose(self) -> None:
        """Close the client if this transport created it."""
        self.closed = True
        if self._owns_client:
            await self._client.aclose()
