"""Reading the body of ``POST /fileops/upload`` as it arrives: multipart/form-data, streamed.

The vendor wants two parts, ``desc`` (JSON ``{"dir_path": ...}``) first and then ``file``, and
"the order of the two parts can not be reversed". :func:`read_upload` checks exactly that while
the body streams in: the file's bytes are counted and hashed chunk by chunk, never held whole, so
a 500 MB upload costs the simulator a few chunks of memory.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Final, Protocol

import attrs

HEAD_BYTES: Final = 64 * 1024
"""How much of the file's start is kept, for its slicer header."""
MAX_PART_HEADERS: Final = 16 * 1024
MAX_DESC: Final = 64 * 1024

_BOUNDARY = re.compile(r"""(?i)boundary\s*=\s*(?:"([^"]+)"|([^;,\s]+))""")
_PARAM = re.compile(r""";\s*([\w*.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))""")
_HEADER_LINE = re.compile(rb"(?i)^content-disposition\s*:(.*)$")


class MultipartError(ValueError):
    """The body is not the two-part form the printer expects (it answers HTTP 400)."""


class ByteSource(Protocol):
    """Where the body comes from: ``read()`` returns the next chunk, ``b""`` at the end."""

    async def read(self) -> bytes:
        """Return the next chunk of the body, or ``b""`` when it is over."""
        ...


@attrs.frozen(kw_only=True)
class UploadedFile:
    """What an upload brought.

    Attributes:
        dir_path: The ``dir_path`` of the ``desc`` part.
        filename: The ``filename`` of the ``file`` part.
        size: Bytes of the file.
        sha256: Hex SHA-256 of the file's bytes (only of the first ``limit`` + 1 bytes when it
            is larger than ``limit``: past the cap nothing is worth hashing).
        head: The file's first bytes, up to :data:`HEAD_BYTES`.
    """

    dir_path: str
    filename: str
    size: int
    sha256: str
    head: bytes


def boundary_of(content_type: str) -> bytes | None:
    """Return the boundary of a ``multipart/form-data`` content type, or ``None``."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    match = _BOUNDARY.search(content_type)
    if match is None:
        return None
    return (match.group(1) or match.group(2)).encode("latin-1")


def disposition(value: str) -> dict[str, str]:
    """The parameters of a ``Content-Disposition`` value (``name``, ``filename``), unquoted."""
    params: dict[str, str] = {}
    for match in _PARAM.finditer(value):
        quoted, bare = match.group(2), match.group(3)
        params[match.group(1).lower()] = (
            re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        )
    return params


class _Reader:
    """A buffer over the body with the searches multipart needs."""

    def __init__(self, source: ByteSource) -> None:
        self._source = source
        self.buffer = bytearray()
        self.ended = False

    async def fill(self) -> bool:
        """Append the next chunk; return whether there was one."""
        if self.ended:
            return False
        chunk = await self._source.read()
        if not chunk:
            self.ended = True
            return False
        self.buffer += chunk
        return True

    async def until(self, marker: bytes, limit: int, what: str) -> bytes:
        """Everything before ``marker`` (which is consumed); at most ``limit`` bytes."""
        while (index := self.buffer.find(marker)) < 0:
            if len(self.buffer) > limit + len(marker):
                raise MultipartError(f"{what} is too long")
            if not await self.fill():
                raise MultipartError(f"the body ended inside {what}")
        if index > limit:
            raise MultipartError(f"{what} is too long")
        found = bytes(self.buffer[:index])
        del self.buffer[: index + len(marker)]
        return found

    async def at_least(self, count: int) -> bool:
        while len(self.buffer) < count:
            if not await self.fill():
                return False
        return True


async def _part_headers(reader: _Reader) -> dict[str, str]:
    """Read what follows a delimiter: ``--`` (the end: raises) or a part's headers."""
    if not await reader.at_least(2):
        raise MultipartError("the body ended after a boundary")
    if reader.buffer.startswith(b"--"):
        raise MultipartError("the form ended before the desc and file parts")
    line_end = await reader.until(b"\r\n", 256, "a boundary line")
    if line_end.strip(b" \t"):
        raise MultipartError("garbage after a boundary")
    head = await reader.until(b"\r\n\r\n", MAX_PART_HEADERS, "a part's headers")
    for line in head.split(b"\r\n"):
        match = _HEADER_LINE.match(line)
        if match is not None:
            return disposition(match.group(1).decode("utf-8", "replace"))
    raise MultipartError("a part without Content-Disposition")


def _desc(raw: bytes) -> str:
    try:
        desc = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested a thousand deep
        raise MultipartError("the desc part is not JSON") from exc
    dir_path = desc.get("dir_path") if isinstance(desc, dict) else None
    if not isinstance(dir_path, str):
        raise MultipartError("the desc part has no dir_path string")
    return dir_path


async def read_upload(source: ByteSource, boundary: bytes, *, limit: int) -> UploadedFile:
    """Read an upload's body: the ``desc`` part, then the ``file`` part, streamed.

    Args:
        source: The body.
        boundary: The boundary from the request's ``Content-Type``.
        limit: Bytes past which the file is only counted, not hashed or kept.

    Returns:
        What the upload brought.

    Raises:
        MultipartError: The parts are missing, malformed, in the wrong order, or the body ends
            early. Whatever follows the file part is ignored.
    """
    reader = _Reader(source)
    delimiter = b"--" + boundary
    await reader.until(delimiter, MAX_PART_HEADERS, "the preamble")
    if (await _part_headers(reader)).get("name") != "desc":
        raise MultipartError("the first part must be desc")
    dir_path = _desc(await reader.until(b"\r\n" + delimiter, MAX_DESC, "the desc part"))
    file_headers = await _part_headers(reader)
    filename = file_headers.get("filename")
    if file_headers.get("name") != "file" or filename is None:
        raise MultipartError("the second part must be file, with a filename")

    marker = b"\r\n" + delimiter
    digest = hashlib.sha256()
    head = bytearray()
    size = 0
    while True:
        index = reader.buffer.find(marker)
        # Without the marker, all but its possible beginning is file content.
        end = index if index >= 0 else max(0, len(reader.buffer) - len(marker) + 1)
        if end:
            piece = memoryview(reader.buffer)[:end]
            if size <= limit:
                digest.update(piece)
            if len(head) < HEAD_BYTES:
                head += piece[: HEAD_BYTES - len(head)]
            size += end
            piece.release()
            del reader.buffer[:end]
        if index >= 0:
            break
        if not await reader.fill():
            raise MultipartError("the body ended inside the file part")
    return UploadedFile(
        dir_path=dir_path, filename=filename, size=size, sha256=digest.hexdigest(), head=bytes(head)
    )
