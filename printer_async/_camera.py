"""The printer's camera server: its paths, its answers' errors, and an incremental MJPEG parser.

The camera server is not part of the Remote Access API: it listens on its own port (30216 by
default, as ``/printer/camera`` says), wants HTTP Basic authentication with credentials that
``/printer/camera`` hands out (new ones at every printer reboot), and answers with raw JPEG
(``/api/v1/camera/takeshot``) or an endless ``multipart/x-mixed-replace`` stream of JPEG frames
(``/api/v1/camera/stream``).
"""

from __future__ import annotations

import re
from typing import Final

from printer_async import _redact
from printer_async._errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    PrinterBusyError,
    PrinterError,
    ProtocolError,
    ServiceUnavailableError,
)

__all__ = [
    "MAX_FRAME_BYTES",
    "MAX_SNAPSHOT_BYTES",
    "SNAPSHOT_PATH",
    "STREAM_PATH",
    "MjpegParser",
    "camera_credentials",
    "camera_error",
    "multipart_boundary",
]

SNAPSHOT_PATH: Final = "/api/v1/camera/takeshot"
STREAM_PATH: Final = "/api/v1/camera/stream"
MAX_SNAPSHOT_BYTES: Final = 16 * 1024 * 1024
"""A 1280x720 JPEG is well under 1 MB; anything near this is not a snapshot."""
MAX_FRAME_BYTES: Final = 8 * 1024 * 1024
"""The most one MJPEG frame (with its part headers) may take in the parser's buffer."""

_BOUNDARY: Final = re.compile(r"""(?i)boundary\s*=\s*(?:"([^"]+)"|([^;,\s]+))""")
_CONTENT_LENGTH: Final = re.compile(rb"(?im)^content-length\s*:\s*(\d+)\s*$")


def camera_credentials(
    owner: object, user_name: str | None, password: str | None
) -> tuple[str, str] | None:
    """The camera server's Basic credentials, known from now on as secrets of ``owner``.

    Every log record then blanks the password and ``user:password`` (whose base64 is the
    ``Authorization`` header a camera server or a proxy may echo), until ``owner`` forgets its
    secrets; the next call's credentials replace these (they change at every reboot).

    Args:
        owner: Whose secrets they are (the printer's login state).
        user_name: From ``/printer/camera``.
        password: From ``/printer/camera``.

    Returns:
        ``(user_name, password)``, or ``None`` when the printer gave no credentials.
    """
    if user_name is None or password is None:
        return None
    _redact.remember(owner, "camera", (password, f"{user_name}:{password}"))
    return user_name, password


def camera_error(status_code: int, path: str) -> PrinterError:
    """The typed error for a camera server answer with a status other than 200.

    Args:
        status_code: The HTTP status.
        path: The camera path that was asked for.

    Returns:
        The error to raise.
    """
    where = f"camera {path}: HTTP {status_code}"
    if status_code == 401:  # noqa: PLR2004
        return AuthenticationError(
            f"{where}: the camera server refused the credentials from camera_info(); they change "
            "at every printer reboot, so try again",
            code=status_code,
            msg="camera authentication failed",
            endpoint=path,
        )
    if status_code == 404:  # noqa: PLR2004
        return NotFoundError(
            f"{where}: this printer's camera server has no such page",
            code=status_code,
            msg="",
            endpoint=path,
        )
    if status_code == 429:  # noqa: PLR2004
        return PrinterBusyError(
            f"{where}: the camera server is busy; try again later",
            code=status_code,
            msg="",
            endpoint=path,
        )
    if status_code == 503:  # noqa: PLR2004
        return ServiceUnavailableError(
            f"{where}: the camera server is not available", code=status_code, msg="", endpoint=path
        )
    if 400 <= status_code < 600:  # noqa: PLR2004
        return ApiError(f"{where}", code=status_code, msg="", endpoint=path)
    return ProtocolError(
        f"{where}: expected 200 from the camera server", endpoint=path, status_code=status_code
    )


def multipart_boundary(content_type: str, *, path: str) -> bytes:
    """The boundary of a ``multipart/x-mixed-replace`` answer.

    Raises:
        ProtocolError: The answer is not multipart or names no boundary.
    """
    match = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/") or match is None:
        raise ProtocolError(
            f"camera {path}: expected a multipart/x-mixed-replace stream, got "
            f"{content_type or 'no content type'!r}",
            endpoint=path,
        )
    return (match.group(1) or match.group(2)).encode("latin-1")


class MjpegParser:
    """Splits a ``multipart/x-mixed-replace`` body into its parts' payloads, chunk by chunk.

    Feed it the body in whatever chunks the network delivers; it returns every frame completed
    so far. A part with a ``Content-Length`` header is cut at that length; a part without one
    ends at the next boundary. The buffer never holds more than ``max_frame_bytes`` (plus one
    chunk): a frame that does not end by then raises :class:`ProtocolError`.

    Args:
        boundary: The boundary from the answer's ``Content-Type``.
        max_frame_bytes: The most one frame may take.
        path: The camera path, named in errors.
    """

    def __init__(
        self, boundary: bytes, *, max_frame_bytes: int = MAX_FRAME_BYTES, path: str = STREAM_PATH
    ) -> None:
        # RFC 2046 puts "--" before the boundary; some camera servers already include it in the
        # header's boundary and write it once, so both spellings end a frame.
        self._delimiters = [b"--" + boundary]
        if boundary.startswith(b"--"):
            self._delimiters.append(boundary)
        self._max = max_frame_bytes
        self._path = path
        self._buffer = bytearray()
        self._state = "boundary"
        self._length: int | None = None
        self.finished = False
        """Whether the closing boundary (``--boundary--``) has been seen."""

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add ``chunk`` to the buffer and return the frames it completes, oldest first.

        Raises:
            ProtocolError: A frame grew past ``max_frame_bytes``, or a part's headers are
                malformed.
        """
        if self.finished:
            return []
        self._buffer += chunk
        frames: list[bytes] = []
        while self._step(frames):
            pass
        if len(self._buffer) > self._max:
            raise ProtocolError(
                f"camera {self._path}: a frame is larger than {self._max} bytes or the stream "
                "has no boundaries",
                endpoint=self._path,
            )
        return frames

    def _find(self, prefix: bytes) -> tuple[int, int]:
        """The earliest ``prefix + delimiter`` in the buffer: (start, end), or (-1, -1)."""
        best = (-1, -1)
        for delimiter in self._delimiters:
            start = self._buffer.find(prefix + delimiter)
            if start >= 0 and (best[0] < 0 or start < best[0]):
                best = (start, start + len(prefix) + len(delimiter))
        return best

    def _step(self, frames: list[bytes]) -> bool:
        """Advance the state machine once; whether it made progress."""
        if self._state == "boundary":
            return self._after_boundary()
        if self._state == "headers":
            return self._after_headers()
        return self._take_body(frames)

    def _after_boundary(self) -> bool:
        start, end = self._find(b"")
        if start < 0:
            # Keep only what could be the start of a delimiter: the rest is preamble.
            keep = max(len(d) for d in self._delimiters)
            del self._buffer[: max(len(self._buffer) - keep, 0)]
            return False
        line_end = self._buffer.find(b"\n", end)
        if line_end < 0:
            return False
        self.finished = bytes(self._buffer[end : end + 2]) == b"--"
        del self._buffer[: line_end + 1]
        self._state = "headers"
        return not self.finished

    def _after_headers(self) -> bool:
        if self._buffer.startswith((b"\r\n", b"\n")):
            head_end = self._buffer.index(b"\n") + 1  # a part without headers
            headers = b""
        else:
            crlf, lf = self._buffer.find(b"\r\n\r\n"), self._buffer.find(b"\n\n")
            if crlf < 0 and lf < 0:
                return False
            if crlf >= 0 and (lf < 0 or crlf < lf):
                headers, head_end = bytes(self._buffer[:crlf]), crlf + 4
            else:
                headers, head_end = bytes(self._buffer[:lf]), lf + 2
        match = _CONTENT_LENGTH.search(headers)
        self._length = int(match.group(1)) if match else None
        if self._length is not None and self._length > self._max:
            raise ProtocolError(
                f"camera {self._path}: a frame announces {self._length} bytes, more than "
                f"{self._max}",
                endpoint=self._path,
            )
        del self._buffer[:head_end]
        self._state = "body"
        return True

    def _take_body(self, frames: list[bytes]) -> bool:
        if self._length is not None:
            if len(self._buffer) < self._length:
                return False
            frames.append(bytes(self._buffer[: self._length]))
            del self._buffer[: self._length]
        else:
            start, _ = self._find(b"\r\n")
            if start < 0:
                start, _ = self._find(b"\n")
            if start < 0:
                return False
            frames.append(bytes(self._buffer[:start]))
            del self._buffer[:start]
        self._state = "boundary"
        return True
