"""Uploads and the camera over real loopback sockets, against a minimal HTTP/1.1 server.

respx checks the request shapes; these tests check that the hand-built multipart body, its
Content-Length, chunked streaming and the MJPEG reader hold up on a real connection.
"""

import asyncio
import base64
import contextlib
import json
import os
from email.parser import BytesParser
from email.policy import HTTP

import pytest
from printer_async import AsyncPrinter

from _support import HOST, PASSWORD, TOKEN

FRAMES = [b"\xff\xd8" + os.urandom(3000 + i) + b"\xff\xd9" for i in range(5)]


async def read_request(reader):
    """Method, path, headers and the whole body (Content-Length or chunked) of one request."""
    head = await reader.readuntil(b"\r\n\r\n")
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, target, _ = request_line.split(" ")
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines if h)}
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            body += await reader.readexactly(size)
            await reader.readexactly(2)
        await reader.readexactly(2)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return method, target, headers, body


class Server:
    """A loopback HTTP/1.1 server: the printer API and the camera, each on its own port."""

    def __init__(self):
        """No sockets yet; ``async with`` opens them."""
        self.requests = []
        self.api = self.camera = None

    async def __aenter__(self):
        """Listen on two ephemeral loopback ports."""
        self.api = await asyncio.start_server(self.handle_api, HOST, 0)
        self.camera = await asyncio.start_server(self.handle_camera, HOST, 0)
        return self

    async def __aexit__(self, *exc):
        """Close both servers."""
        for server in (self.api, self.camera):
            server.close()
            await server.wait_closed()

    def port(self, server):
        """The port ``server`` listens on."""
        return server.sockets[0].getsockname()[1]

    async def handle_api(self, reader, writer):
        """Answer login, /printer/camera and uploads with JSON, keeping the connection open."""
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                method, target, headers, body = await read_request(reader)
                self.requests.append((method, target, headers, body))
                data = None
                if target.startswith("/v1/login"):
                    data = {"token": TOKEN}
                elif target.startswith("/v1/printer/camera"):
                    data = {
                        "camerserver_URI": f":{self.port(self.camera)}/api/v1/camera/auth_stream",
                        "is_camera_connected": True,
                        "user_name": "raise3d_camera",
                        "password": "368d8d",
                    }
                answer = json.dumps({"status": 1, **({"data": data} if data else {})}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer)
                )
                await writer.drain()
        writer.close()

    async def handle_camera(self, reader, writer):
        """Serve the MJPEG stream in small writes, checking the Basic credentials."""
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            _, target, headers, _ = await read_request(reader)
            wanted = "Basic " + base64.b64encode(b"raise3d_camera:368d8d").decode()
            if headers.get("authorization") != wanted:
                writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
            elif target == "/api/v1/camera/takeshot":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(FRAMES[0]))
                writer.write(FRAMES[0])
            else:
                writer.write(
                    b"HTTP/1.1 200 OK\r\n"
                    b"Content-Type: multipart/x-mixed-replace; boundary=frame\r\n\r\n"
                )
                for frame in FRAMES:
                    part = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n"
                    data = part % len(frame) + frame + b"\r\n"
                    for start in range(0, len(data), 333):
                        writer.write(data[start : start + 333])
                        await writer.drain()
                writer.write(b"--frame--\r\n")
            await writer.drain()
        writer.close()


@pytest.fixture(name="server")
async def _server():
    """The loopback printer and camera."""
    async with Server() as server:
        yield server


@pytest.fixture(name="wired")
async def _wired(server):
    """An AsyncPrinter talking to the loopback server over real sockets."""
    async with AsyncPrinter(HOST, port=server.port(server.api), password=PASSWORD) as printer:
        yield printer


def form_parts(headers, body):
    """The form-data parts of a multipart body, parsed by the standard library."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + headers["content-type"].encode() + b"\r\n\r\n" + body
    )
    return [
        (part.get_param("name", header="content-disposition"), part.get_content_type(), part)
        for part in message.iter_parts()
    ]


async def test_path_upload_arrives_whole_with_a_correct_content_length(server, wired, tmp_path):
    """A path upload arrives as desc then file, parsed by a standard multipart parser."""
    content = os.urandom(700_000)
    (tmp_path / "cube.gcode").write_bytes(content)
    await wired.upload_file(tmp_path / "cube.gcode", "Local/jobs")
    _, target, headers, body = server.requests[-1]
    assert target.startswith("/v1/fileops/upload?token=")
    assert int(headers["content-length"]) == len(body)
    (desc_name, desc_type, desc), (file_name, file_type, file) = form_parts(headers, body)
    assert (desc_name, desc_type) == ("desc", "application/json")
    assert json.loads(desc.get_payload(decode=True)) == {"dir_path": "Local/jobs"}
    assert (file_name, file_type) == ("file", "application/octet-stream")
    assert file.get_filename() == "cube.gcode"
    assert file.get_payload(decode=True) == content


async def test_stream_upload_is_sent_chunked(server, wired):
    """An async byte stream goes out with chunked transfer encoding and arrives intact."""

    async def chunks():
        for i in range(20):
            yield bytes([i]) * 10_000

    await wired.upload_file(chunks(), filename="s.gcode")
    _, _, headers, body = server.requests[-1]
    assert headers["transfer-encoding"] == "chunked"
    (_, _, _), (_, _, file) = form_parts(headers, body)
    assert file.get_payload(decode=True) == b"".join(bytes([i]) * 10_000 for i in range(20))


async def test_camera_snapshot_and_frames_over_sockets(server, wired):
    """snapshot() and camera_frames() read the camera on its advertised port with credentials."""
    assert await wired.snapshot() == FRAMES[0]
    async with contextlib.aclosing(wired.camera_frames()) as frames:
        assert [frame async for frame in frames] == FRAMES
