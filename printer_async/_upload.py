"""The body of ``POST /fileops/upload``: multipart/form-data, built as an async byte stream.

The vendor wants two parts in this order, ``desc`` (``application/json``, ``{"dir_path": ...}``)
then ``file`` (``application/octet-stream``). httpx's ``files=`` reads a whole file into memory
and does not stream async iterables, so the body is written here, chunk by chunk: a 500 MB
upload never holds more than one chunk in memory.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import secrets
from collections.abc import AsyncIterable, Callable
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import anyio

from printer_async._checks import check_name
from printer_async._errors import InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator

__all__ = [
    "CHUNK_BYTES",
    "MAX_UPLOAD_BYTES",
    "UPLOAD_ENDPOINT",
    "ProgressCallback",
    "Upload",
    "UploadSource",
]

UPLOAD_ENDPOINT: Final = "/fileops/upload"
MAX_UPLOAD_BYTES: Final = 500 * 1024 * 1024
"""The vendor's cap, "file too large size(0~500MB)", read as 500 MiB."""
CHUNK_BYTES: Final = 256 * 1024

UploadSource: TypeAlias = (
    str | os.PathLike[str] | bytes | bytearray | memoryview | AsyncIterable[bytes]
)
"""A file to upload: a local path, the bytes themselves, or an async iterable of bytes."""
ProgressCallback: TypeAlias = Callable[[int, int | None], Any]
"""Called as ``progress(sent_bytes, total_bytes)``; ``total_bytes`` is ``None`` when unknown.
It may return an awaitable, which is awaited."""


def _too_large(size: int | None) -> InvalidParameterError:
    shown = "more" if size is None else f"{size} bytes"
    return InvalidParameterError(
        f"{UPLOAD_ENDPOINT}: the file is {shown}; the printer takes files up to 500 MB "
        f"({MAX_UPLOAD_BYTES} bytes)",
        code=10003,
        msg="file too large size(0~500MB)",
        endpoint=UPLOAD_ENDPOINT,
    )


def _quote(value: str) -> str:
    # As browsers (and httpx) write form-data names: escape what would end the quoted string.
    return value.replace("\\", "\\\\").replace('"', "%22")


class Upload:
    """One upload's multipart body, which can be produced again for a retry when it is replayable.

    Args:
        source: A path, bytes, or an async iterable of bytes (read once: not replayable).
        dir_path: The printer directory, like ``Local/webapi_store``.
        filename: The name on the printer.
        size: The number of bytes of ``source`` when known.
        progress: Called after each chunk of the file is handed to the connection.
    """

    def __init__(
        self,
        source: UploadSource,
        *,
        dir_path: str,
        filename: str,
        size: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        self._source = source
        self.size = size
        self._progress = progress
        self._boundary = f"printer-async-{secrets.token_hex(16)}"
        self._head = (
            f"--{self._boundary}\r\n"
            'Content-Disposition: form-data; name="desc"\r\n'
            "Content-Type: application/json\r\n\r\n"
            f"{json.dumps({'dir_path': dir_path})}\r\n"
            f"--{self._boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{_quote(filename)}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{self._boundary}--\r\n".encode()
        self.replayable = not isinstance(source, AsyncIterable)

    @classmethod
    async def prepare(
        cls,
        source: UploadSource,
        *,
        dir_path: str,
        filename: str | None,
        progress: ProgressCallback | None,
    ) -> Upload:
        """Work out the file name and size of ``source`` and check the 500 MB cap.

        Raises:
            InvalidParameterError: The size is known and above 500 MB.
            PathError: The file name is not a plain name.
            ValueError: ``source`` is an async iterable and no ``filename`` was given.
            TypeError: ``source`` is none of the accepted kinds.
            OSError: A path could not be read.
        """
        size: int | None
        if isinstance(source, str | os.PathLike):
            path = anyio.Path(os.fspath(source))
            size = (await path.stat()).st_size
            filename = filename if filename is not None else path.name
        elif isinstance(source, bytes | bytearray | memoryview):
            size = memoryview(source).nbytes
            if filename is None:
                raise ValueError("upload_file() needs filename= when the source is bytes")
        elif isinstance(source, AsyncIterable):
            size = None
            if filename is None:
                raise ValueError("upload_file() needs filename= when the source is a stream")
        else:
            raise TypeError(
                "upload_file() takes a path, bytes, or an async iterable of bytes, not "
                f"{type(source).__name__}"
            )
        check_name(filename, what="filename", endpoint=UPLOAD_ENDPOINT)
        if size is not None and size > MAX_UPLOAD_BYTES:
            raise _too_large(size)
        return cls(source, dir_path=dir_path, filename=filename, size=size, progress=progress)

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header, with this body's boundary."""
        return f"multipart/form-data; boundary={self._boundary}"

    @property
    def content_length(self) -> int | None:
        """The body's length in bytes, when the file's size is known."""
        if self.size is None:
            return None
        return len(self._head) + self.size + len(self._tail)

    def headers(self) -> dict[str, str]:
        """The headers the body needs (``Content-Length`` only when the size is known)."""
        headers = {"Content-Type": self.content_type}
        if self.content_length is not None:
            headers["Content-Length"] = str(self.content_length)
        return headers

    async def body(self) -> AsyncIterator[bytes]:
        """The multipart body, chunk by chunk.

        Raises:
            InvalidParameterError: A stream of unknown size went past 500 MB (the upload is
                abandoned there).
            ValueError: A path's file changed size while it was read (raised before a byte
                past the declared ``Content-Length`` is produced).
        """
        yield self._head
        sent = 0
        await self._report(sent)
        # aclosing: when the body stops early (an error here, or the HTTP layer giving up), the
        # file is closed now, not whenever the abandoned generator is collected.
        async with contextlib.aclosing(self._file_chunks()) as chunks:
            async for chunk in chunks:
                # Checked before the chunk is handed on: a byte past the declared
                # Content-Length would make the HTTP layer fail with its own error instead.
                if self.size is not None and sent + len(chunk) > self.size:
                    raise self._changed_size(f"more than {self.size}")
                sent += len(chunk)
                if sent > MAX_UPLOAD_BYTES:
                    raise _too_large(None if self.size is None else sent)
                yield chunk
                await self._report(sent)
        if self.size is not None and sent != self.size:
            raise self._changed_size(str(sent))
        yield self._tail

    def _changed_size(self, read: str) -> ValueError:
        return ValueError(
            f"{UPLOAD_ENDPOINT}: the file changed size while it was uploaded ({read} bytes "
            f"read, {self.size} expected); the upload was abandoned, call upload_file() again"
        )

    async def _report(self, sent: int) -> None:
        if self._progress is not None:
            result = self._progress(sent, self.size)
            if inspect.isawaitable(result):
                await result

    async def _file_chunks(self) -> AsyncGenerator[bytes, None]:
        source = self._source
        if isinstance(source, str | os.PathLike):
            async with await anyio.open_file(os.fspath(source), "rb") as file:
                while chunk := await file.read(CHUNK_BYTES):
                    yield chunk
        elif isinstance(source, bytes | bytearray | memoryview):
            view = memoryview(source).cast("B")
            for start in range(0, len(view), CHUNK_BYTES):
                yield bytes(view[start : start + CHUNK_BYTES])
        else:
            async for chunk in source:
                if not isinstance(chunk, bytes | bytearray | memoryview):
                    raise TypeError(
                        f"the upload stream yielded {type(chunk).__name__}, expected bytes"
                    )
                if chunk:
                    yield bytes(chunk)
