"""The camera server: snapshots, the MJPEG stream and its parser, credentials and their secrecy."""

import base64
import contextlib
import logging

import httpx
import pytest
from printer_async import (
    ApiError,
    AsyncPrinter,
    AuthenticationError,
    NotFoundError,
    PrinterConnectionError,
    ProtocolError,
    ServiceUnavailableError,
)
from printer_async._camera import MjpegParser, multipart_boundary

from _support import HOST, PASSWORD, load_fixture, ok

CAMERA = "http://127.0.0.1:30216/api/v1/camera"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"
FRAMES = [JPEG[:100] + bytes([i]) * 50 + b"\xff\xd9" for i in range(4)]


def basic(user, password):
    """The Authorization header HTTP Basic sends for ``user``/``password``."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(name="camera_info")
def _camera_info(api):
    """/printer/camera answers the documented connected example."""
    return api.get("/printer/camera").mock(
        return_value=httpx.Response(200, json=load_fixture("camera_info"))
    )


def mjpeg_body(frames, boundary=b"frame", *, content_length=True, newline=b"\r\n"):
    """A multipart/x-mixed-replace body carrying ``frames``."""
    body = b"preamble" + newline
    for frame in frames:
        body += b"--" + boundary + newline + b"Content-Type: image/jpeg" + newline
        if content_length:
            body += b"Content-Length: " + str(len(frame)).encode() + newline
        body += newline + frame + newline
    return body


async def collect(printer, seen):
    """Append every frame of ``printer.camera_frames()`` to ``seen``, closing the stream."""
    async with contextlib.aclosing(printer.camera_frames()) as frames:
        async for frame in frames:
            seen.append(frame)  # one by one: keeps the frames that came before an error


def chunked(data, size):
    """``data`` cut into pieces of ``size`` bytes."""
    return [data[i : i + size] for i in range(0, len(data), size)]


# -- snapshot ------------------------------------------------------------------------------


async def test_snapshot_uses_the_camera_port_and_basic_credentials(api, printer, camera_info):
    """snapshot() reads /printer/camera, then GETs takeshot on port 30216 with Basic auth."""
    route = api.get(f"{CAMERA}/takeshot").mock(
        return_value=httpx.Response(200, content=JPEG, headers={"content-type": "image/jpeg"})
    )
    assert await printer.snapshot() == JPEG
    request = route.calls.last.request
    assert request.headers["authorization"] == basic("raise3d_camera", "368d8d")
    assert "token" not in request.url.params
    assert camera_info.call_count == 1


async def test_camera_requests_have_their_own_client_closed_with_the_printer(api, camera_info):
    """The printer's own camera client is apart from the API's, and aclose() closes both."""
    api.get(f"{CAMERA}/takeshot").mock(return_value=httpx.Response(200, content=JPEG))
    async with AsyncPrinter(HOST, password=PASSWORD) as printer:
        assert await printer.snapshot() == JPEG
        transport = printer._transport
        assert transport._stream_client is not None
        assert transport._stream_client is not transport._client
    assert transport._client.is_closed
    assert transport._stream_client.is_closed


async def test_a_given_client_carries_the_camera_requests_too(api, camera_info):
    """With client= given, snapshots go through that client, which stays open afterwards."""
    api.get(f"{CAMERA}/takeshot").mock(return_value=httpx.Response(200, content=JPEG))
    sent = []

    async def record(request):
        sent.append(request.url.path)

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as client:
        async with AsyncPrinter(HOST, password=PASSWORD, client=client) as printer:
            assert await printer.snapshot() == JPEG
        assert not client.is_closed
    assert sent[-1] == "/api/v1/camera/takeshot"


async def test_snapshot_fetches_fresh_credentials_every_time(api, printer):
    """Credentials change at every printer reboot, so each snapshot asks for them again."""
    answers = [
        {
            "camerserver_URI": ":30216/x",
            "is_camera_connected": True,
            "user_name": "u",
            "password": p,
        }
        for p in ("one", "two")
    ]
    api.get("/printer/camera").mock(side_effect=[ok(a) for a in answers])
    route = api.get(f"{CAMERA}/takeshot").mock(return_value=httpx.Response(200, content=JPEG))
    await printer.snapshot()
    await printer.snapshot()
    assert [c.request.headers["authorization"] for c in route.calls] == [
        basic("u", "one"),
        basic("u", "two"),
    ]


async def test_snapshot_follows_the_advertised_port(api, printer):
    """The camera server's port comes from camerserver_URI."""
    api.get("/printer/camera").mock(
        return_value=ok(
            {
                "camerserver_URI": ":8081/api/v1/camera/auth_stream",
                "is_camera_connected": True,
                "user_name": "u",
                "password": "p",
            }
        )
    )
    route = api.get("http://127.0.0.1:8081/api/v1/camera/takeshot").mock(
        return_value=httpx.Response(200, content=JPEG)
    )
    assert await printer.snapshot() == JPEG
    assert route.called


async def test_snapshot_without_a_camera_is_not_found(api, printer):
    """A printer that reports no camera connected raises NotFoundError without a camera call."""
    api.get("/printer/camera").mock(
        return_value=httpx.Response(200, json=load_fixture("camera_info_disconnected"))
    )
    route = api.get(f"{CAMERA}/takeshot")
    with pytest.raises(NotFoundError, match="no camera"):
        await printer.snapshot()
    assert not route.called


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (404, NotFoundError),
        (503, ServiceUnavailableError),
        (500, ApiError),
        (302, ProtocolError),
    ],
)
async def test_camera_error_statuses_are_typed(api, printer, camera_info, status, cls):
    """A camera answer other than 200 raises a typed error that never shows the password."""
    api.get(f"{CAMERA}/takeshot").mock(return_value=httpx.Response(status, text="<html/>"))
    with pytest.raises(cls) as info:
        await printer.snapshot()
    assert "368d8d" not in str(info.value)
    assert "368d8d" not in repr(info.value)


async def test_snapshot_larger_than_the_cap_is_a_protocol_error(api, printer, camera_info):
    """A picture larger than max_bytes raises ProtocolError instead of filling memory."""
    api.get(f"{CAMERA}/takeshot").mock(return_value=httpx.Response(200, content=JPEG))
    with pytest.raises(ProtocolError, match="larger than 100 bytes"):
        await printer.snapshot(max_bytes=100)


async def test_unreachable_camera_is_a_connection_error(api, printer, camera_info):
    """A camera server that refuses the connection raises PrinterConnectionError."""
    api.get(f"{CAMERA}/takeshot").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(PrinterConnectionError, match="30216"):
        await printer.snapshot()


async def test_camera_password_is_in_no_log_record(api, printer, camera_info, caplog):
    """Neither the camera password nor the token appears in any log line, even at DEBUG."""
    api.get(f"{CAMERA}/takeshot").mock(return_value=httpx.Response(200, content=JPEG))
    with caplog.at_level(logging.DEBUG):
        await printer.snapshot()
    assert "368d8d" not in caplog.text
    assert base64.b64encode(b"raise3d_camera:368d8d").decode() not in caplog.text


# -- the MJPEG stream ------------------------------------------------------------------------


async def test_camera_frames_yields_each_jpeg_across_chunk_boundaries(api, printer, camera_info):
    """camera_frames() yields every frame whole, whatever chunks the network delivers."""
    body = mjpeg_body(FRAMES)

    async def stream():
        for piece in chunked(body, 7):
            yield piece

    route = api.get(f"{CAMERA}/stream").mock(
        return_value=httpx.Response(
            200,
            headers={"content-type": "multipart/x-mixed-replace; boundary=frame"},
            content=stream(),
        )
    )
    async with contextlib.aclosing(printer.camera_frames()) as frames:
        seen = [frame async for frame in frames]
    assert seen == FRAMES
    assert route.calls.last.request.headers["authorization"] == basic("raise3d_camera", "368d8d")


async def test_camera_frames_can_be_left_early(api, printer, camera_info):
    """Breaking out after the first frame closes the stream without error."""
    api.get(f"{CAMERA}/stream").mock(
        return_value=httpx.Response(
            200,
            headers={"content-type": "multipart/x-mixed-replace;boundary=frame"},
            content=mjpeg_body(FRAMES),
        )
    )
    async with contextlib.aclosing(printer.camera_frames()) as frames:
        async for frame in frames:
            assert frame == FRAMES[0]
            break


async def test_camera_frames_that_are_not_multipart_are_a_protocol_error(api, printer, camera_info):
    """A stream answer without a multipart boundary raises ProtocolError."""
    api.get(f"{CAMERA}/stream").mock(
        return_value=httpx.Response(200, headers={"content-type": "image/jpeg"}, content=JPEG)
    )
    with pytest.raises(ProtocolError, match="multipart"):
        await collect(printer, [])


async def test_a_broken_stream_is_a_connection_error(api, printer, camera_info):
    """A connection that breaks mid-stream raises PrinterConnectionError after the good frames."""

    async def stream():
        yield mjpeg_body(FRAMES[:1])
        raise httpx.ReadError("connection reset")

    api.get(f"{CAMERA}/stream").mock(
        return_value=httpx.Response(
            200,
            headers={"content-type": "multipart/x-mixed-replace; boundary=frame"},
            content=stream(),
        )
    )
    seen = []
    with pytest.raises(PrinterConnectionError, match=r"broke|failed"):
        await collect(printer, seen)
    assert seen == FRAMES[:1]


async def test_camera_stream_401_is_an_authentication_error(api, printer, camera_info):
    """The stream refusing the credentials raises AuthenticationError."""
    api.get(f"{CAMERA}/stream").mock(return_value=httpx.Response(401))
    with pytest.raises(AuthenticationError, match="reboot"):
        await collect(printer, [])


# -- the parser, byte by byte ---------------------------------------------------------------


def feed_all(parser, pieces):
    """Every frame the parser returns for ``pieces``."""
    frames = []
    for piece in pieces:
        frames.extend(parser.feed(piece))
    return frames


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64, 10_000])
@pytest.mark.parametrize("content_length", [True, False])
@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_parser_splits_frames_at_any_chunk_size(size, content_length, newline):
    """Frames come out whole and in order with or without Content-Length, CRLF or LF."""
    body = mjpeg_body(FRAMES, content_length=content_length, newline=newline)
    body += b"--frame" + newline  # the next part's start completes the last frame
    parser = MjpegParser(b"frame")
    assert feed_all(parser, chunked(body, size)) == FRAMES


def test_parser_accepts_a_boundary_that_already_has_dashes():
    """A header boundary of '--frame' matches parts written '--frame' or '----frame'."""
    for written in (b"--frame", b"frame"):
        body = mjpeg_body(FRAMES, boundary=written, content_length=False) + b"----frame\r\n"
        parser = MjpegParser(b"--frame")
        assert feed_all(parser, chunked(body, 3)) == FRAMES


def test_parser_stops_at_the_closing_boundary():
    """The closing '--frame--' ends the stream; later bytes are ignored."""
    body = mjpeg_body(FRAMES[:2]) + b"--frame--\r\ngarbage"
    parser = MjpegParser(b"frame")
    assert feed_all(parser, chunked(body, 4)) == FRAMES[:2]
    assert parser.finished


def test_parser_buffer_is_bounded():
    """A frame that never ends raises ProtocolError once it passes max_frame_bytes."""
    parser = MjpegParser(b"frame", max_frame_bytes=1000)
    parser.feed(b"--frame\r\nContent-Type: image/jpeg\r\n\r\n")
    parser.feed(b"x" * 900)
    with pytest.raises(ProtocolError, match="larger than 1000"):
        parser.feed(b"x" * 200)


def test_parser_refuses_an_announced_oversized_frame():
    """A Content-Length above max_frame_bytes raises before the frame is buffered."""
    parser = MjpegParser(b"frame", max_frame_bytes=1000)
    with pytest.raises(ProtocolError, match="announces 5000"):
        parser.feed(b"--frame\r\nContent-Length: 5000\r\n\r\n")


def test_parser_discards_a_long_preamble():
    """Bytes before the first boundary are dropped, not buffered."""
    parser = MjpegParser(b"frame", max_frame_bytes=1000)
    for _ in range(50):
        assert parser.feed(b"p" * 100) == []
    assert feed_all(parser, [mjpeg_body(FRAMES[:1])]) == FRAMES[:1]


@pytest.mark.parametrize(
    ("content_type", "boundary"),
    [
        ("multipart/x-mixed-replace; boundary=frame", b"frame"),
        ('multipart/x-mixed-replace; boundary="my frame"', b"my frame"),
        ("multipart/x-mixed-replace;boundary=--boundarydonotcross", b"--boundarydonotcross"),
    ],
)
def test_boundary_is_read_from_the_content_type(content_type, boundary):
    """The boundary is taken from the Content-Type, quoted or not."""
    assert multipart_boundary(content_type, path="/s") == boundary


@pytest.mark.parametrize("content_type", ["", "image/jpeg", "multipart/x-mixed-replace"])
def test_content_type_without_boundary_is_a_protocol_error(content_type):
    """A content type that is not multipart with a boundary raises ProtocolError."""
    with pytest.raises(ProtocolError):
        multipart_boundary(content_type, path="/s")
