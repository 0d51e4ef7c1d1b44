"""The simulated printers' camera server: HTTP Basic auth, JPEG snapshots, an MJPEG stream.

A real printer runs its camera server on its own port (30216), apart from the API; the simulator
binds a second socket per printer and :class:`~printer_async.simulator.SimulatorApp` hands the
requests arriving there to :class:`CameraServer`. Like the real one it wants HTTP Basic
credentials, user ``raise3d_camera`` with the password ``/printer/camera`` gives out, which
changes at every reboot.

Paths (after CAM's notes on the Pro3 camera server):

* ``GET /api/v1/camera/takeshot``: one JPEG.
* ``GET /api/v1/camera/stream``: ``multipart/x-mixed-replace`` JPEG frames at the printer's
  ``camera_fps`` (real time), until the client goes away or the server shuts down.
* ``GET /api/v1/camera/state``: a small JSON status. Its fields are the simulator's own: the
  vendor does not document them.
* ``GET /api/v1/camera/auth_stream``: the URI ``/printer/camera`` advertises; answered 501 after
  authentication, as one client observed (it reads 501 there as "credentials accepted").

Without authentication: 401 with a ``WWW-Authenticate`` challenge; a printer without a camera
(``camera_connected=False``): 503; an unknown path 404; a method other than GET (or HEAD) 405.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Final

import anyio

from printer_async.simulator._images import JPEG_HEIGHT, JPEG_WIDTH, jpeg
from printer_async.simulator._wire import dumps

if TYPE_CHECKING:
    from printer_async.simulator._state import SimulatedPrinter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

CAMERA_PREFIX: Final = "/api/v1/camera"
BOUNDARY: Final = "raise3dframe"
REALM: Final = b'Basic realm="raise3d_camera"'
FRAME_CYCLE: Final = JPEG_WIDTH // 8
"""Distinct frames before the picture repeats (the bar crosses the picture once)."""


async def _respond(
    send: Send, status: int, body: bytes = b"", headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    all_headers = [(b"content-length", str(len(body)).encode()), *(headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _credentials(scope: Scope) -> tuple[str, str] | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"authorization":
            scheme, _, encoded = value.decode("latin-1").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                user, sep, password = (
                    base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
                )
            except (binascii.Error, UnicodeDecodeError):
                return None
            return (user, password) if sep else None
    return None


def _frame_number(printer: SimulatedPrinter) -> int:
    """The frame a snapshot shows now: the same clock as the stream's pace (real time)."""
    return int(time.monotonic() * printer.camera_fps) % FRAME_CYCLE


class CameraServer:
    """Answers the camera ports of every printer of one :class:`SimulatorApp`."""

    def __init__(self) -> None:
        self._streams: dict[anyio.CancelScope, SimulatedPrinter] = {}
        self._closing = False

    def streams(self, printer: SimulatedPrinter) -> int:
        """How many MJPEG streams of ``printer`` are open now."""
        return sum(owner is printer for owner in self._streams.values())

    def close(self) -> None:
        """End every open stream (each sends its closing boundary) and refuse new ones with 503.

        Called by the server at shutdown, from its event loop, so that streams do not hold the
        shutdown up until its timeout.
        """
        self._closing = True
        for scope in list(self._streams):
            scope.cancel()

    async def __call__(
        self, printer: SimulatedPrinter, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Answer one request on ``printer``'s camera port."""
        path: str = scope["path"]
        pages = {"takeshot", "stream", "state", "auth_stream"}
        page = path.removeprefix(CAMERA_PREFIX + "/")
        if page == path or page not in pages:
            await _respond(send, 404)
            return
        if scope["method"] not in {"GET", "HEAD"}:
            await _respond(send, 405, headers=[(b"allow", b"GET, HEAD")])
            return
        if not printer.camera_connected or self._closing:
            await _respond(send, 503)
            return
        credentials = _credentials(scope)
        if credentials is None or not printer.check_camera_credentials(*credentials):
            await _respond(send, 401, headers=[(b"www-authenticate", REALM)])
            return
        if page == "takeshot":
            picture = jpeg(_frame_number(printer))
            await _respond(send, 200, picture, [(b"content-type", b"image/jpeg")])
        elif page == "state":
            state = {
                "is_camera_connected": True,
                "streams": self.streams(printer),
                "fps": printer.camera_fps,
                "width": JPEG_WIDTH,
                "height": JPEG_HEIGHT,
            }
            await _respond(send, 200, dumps(state), [(b"content-type", b"application/json")])
        elif page == "auth_stream":
            await _respond(send, 501)
        else:
            await self._stream(printer, receive, send)

    async def _stream(self, printer: SimulatedPrinter, receive: Receive, send: Send) -> None:
        content_type = f"multipart/x-mixed-replace; boundary={BOUNDARY}".encode()
        headers = [(b"content-type", content_type), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        with anyio.CancelScope() as stream_scope:
            self._streams[stream_scope] = printer
            try:
                async with anyio.create_task_group() as group:
                    group.start_soon(self._until_disconnect, receive, group.cancel_scope)
                    frame = 0
                    while True:
                        picture = jpeg(frame % FRAME_CYCLE)
                        part = (
                            f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                            f"Content-Length: {len(picture)}\r\n\r\n"
                        ).encode()
                        body = part + picture + b"\r\n"
                        await send({"type": "http.response.body", "body": body, "more_body": True})
                        frame += 1
                        await anyio.sleep(1 / printer.camera_fps)
            finally:
                del self._streams[stream_scope]
        # Reached when the client went away (the server drops what is sent then) or at shutdown.
        closing = f"--{BOUNDARY}--\r\n".encode()
        await send({"type": "http.response.body", "body": closing, "more_body": False})

    @staticmethod
    async def _until_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        scope.cancel()
