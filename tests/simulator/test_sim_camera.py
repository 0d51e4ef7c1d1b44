import contextlib
import json
import re
import time

import anyio
import httpx
import pytest
from _sim_support import PASSWORD, Api
from printer_async.simulator import ManualClock, SimulatedPrinter, serve

CAMERA = "/api/v1/camera"
# The vendor's documented example: the shape /printer/camera must match.
CAMERA_INFO = {
    "camerserver_URI": ":30216/api/v1/camera/auth_stream",
    "is_camera_connected": True,
    "password": "368d8d",
    "user_name": "raise3d_camera",
}


def is_jpeg(data):
    """Whether ``data`` looks like a whole baseline JPEG: SOI, a SOF0 segment, EOI."""
    return data.startswith(b"\xff\xd8") and b"\xff\xc0" in data and data.endswith(b"\xff\xd9")


@pytest.fixture(name="fast_sim")
def _fast_sim():
    """A printer whose camera streams 50 frames per second, so stream tests take little time."""
    return SimulatedPrinter(password=PASSWORD, clock=ManualClock(), seed=3, camera_fps=50)


@pytest.fixture(name="served")
async def _served(fast_sim):
    """The fast printer served with its camera server."""
    async with serve(fast_sim) as server:
        yield server.endpoints[0]


@pytest.fixture(name="camera")
async def _camera(served):
    """An httpx client on the camera port, with this boot's credentials."""
    auth = ("raise3d_camera", served.printer.camera_info()["password"])
    url = f"http://127.0.0.1:{served.camera_port}"
    async with httpx.AsyncClient(base_url=url, auth=auth) as client:
        yield client


async def read_frames(response, count, chunks=None):
    """The first ``count`` JPEG payloads of a multipart/x-mixed-replace answer."""
    boundary = re.search(r"boundary=(\S+)", response.headers["content-type"])[1].encode()
    buffer, frames = b"", []
    async for chunk in chunks if chunks is not None else response.aiter_bytes():
        buffer += chunk
        while True:
            match = re.search(rb"--" + boundary + rb"\r\n(.*?)\r\n\r\n", buffer, flags=re.DOTALL)
            if match is None:
                break
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", match[1])[1])
            start = match.end()
            if len(buffer) < start + length:
                break
            frames.append(buffer[start : start + length])
            buffer = buffer[start + length :]
            if len(frames) == count:
                return frames
    return frames


async def test_printer_camera_names_the_served_camera_port(served):
    """/printer/camera has the documented shape and its URI names the camera server's port."""
    async with httpx.AsyncClient(base_url=served.base_url) as client:
        api = Api(client, PASSWORD)
        await api.login()
        info = (await api.get("/printer/camera"))["data"]
    assert set(info) == set(CAMERA_INFO)
    assert all(type(info[key]) is type(value) for key, value in CAMERA_INFO.items())
    assert info["camerserver_URI"] == f":{served.camera_port}/api/v1/camera/auth_stream"
    assert served.camera_port not in {0, served.port}


async def test_takeshot_is_a_jpeg_with_the_right_credentials(camera):
    """The takeshot page answers a baseline JPEG as image/jpeg."""
    response = await camera.get(f"{CAMERA}/takeshot")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert is_jpeg(response.content)


@pytest.mark.parametrize("auth", [None, ("raise3d_camera", "wrong"), ("admin", "x")])
async def test_missing_or_wrong_credentials_are_401(served, auth):
    """Without credentials, or with wrong ones, every camera page answers 401 with a challenge."""
    url = f"http://127.0.0.1:{served.camera_port}"
    async with httpx.AsyncClient(base_url=url, auth=auth) as client:
        for page in ("takeshot", "stream", "state"):
            response = await client.get(f"{CAMERA}/{page}")
            assert response.status_code == 401
            assert response.headers["www-authenticate"].startswith("Basic")


async def test_a_reboot_changes_the_camera_password(served, camera):
    """After reboot() the old password is refused and the new one from camera_info works."""
    old = served.printer.camera_info()["password"]
    served.printer.reboot()
    new = served.printer.camera_info()["password"]
    assert new != old
    assert (await camera.get(f"{CAMERA}/takeshot")).status_code == 401
    fresh = await camera.get(f"{CAMERA}/takeshot", auth=("raise3d_camera", new))
    assert fresh.status_code == 200


async def test_the_stream_sends_changing_frames_until_the_client_leaves(served, camera):
    """The stream is multipart/x-mixed-replace of JPEG frames; leaving it ends it on the server."""
    async with camera.stream("GET", f"{CAMERA}/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("multipart/x-mixed-replace")
        frames = await read_frames(response, 3)
        state = (await camera.get(f"{CAMERA}/state")).json()
        assert state["streams"] == 1
    assert len(frames) == 3
    assert all(is_jpeg(frame) for frame in frames)
    assert len(set(frames)) == 3
    with anyio.fail_after(5):
        while (await camera.get(f"{CAMERA}/state")).json()["streams"]:  # noqa: ASYNC110
            await anyio.sleep(0.01)  # the server notices the disconnect on its next frame


async def test_shutdown_ends_an_open_stream_promptly(fast_sim):
    """Leaving serve() while a client streams ends the stream with its closing boundary at once."""
    async with contextlib.AsyncExitStack() as stack:
        server = await stack.enter_async_context(serve(fast_sim))
        endpoint = server.endpoints[0]
        auth = ("raise3d_camera", fast_sim.camera_info()["password"])
        url = f"http://127.0.0.1:{endpoint.camera_port}{CAMERA}/stream"
        async with httpx.AsyncClient(auth=auth) as client:
            async with client.stream("GET", url) as response:
                chunks = response.aiter_bytes()
                assert len(await read_frames(response, 1, chunks)) == 1
                started = time.monotonic()
                await stack.aclose()
                took = time.monotonic() - started
                rest = b"".join([chunk async for chunk in chunks])
    assert took < 1.0  # the shutdown timeout is 2 s: the stream did not hold it up
    assert rest.endswith(b"--raise3dframe--\r\n")


async def test_camera_state_auth_stream_and_bad_requests(camera):
    """The state page is JSON; auth_stream answers 501 after auth; unknown pages 404; POST 405."""
    state = await camera.get(f"{CAMERA}/state")
    assert state.headers["content-type"] == "application/json"
    assert state.json()["is_camera_connected"] is True
    assert (await camera.get(f"{CAMERA}/auth_stream")).status_code == 501
    assert (await camera.get(f"{CAMERA}/nothing")).status_code == 404
    assert (await camera.get("/v1/printer/camera")).status_code == 404
    assert (await camera.post(f"{CAMERA}/takeshot")).status_code == 405


async def test_without_a_camera_the_server_is_503_and_the_api_has_no_credentials():
    """camera_connected=False: /printer/camera says only that; the camera server answers 503."""
    printer = SimulatedPrinter(password=PASSWORD, clock=ManualClock(), camera_connected=False)
    async with serve(printer) as server:
        endpoint = server.endpoints[0]
        async with httpx.AsyncClient(base_url=endpoint.base_url) as client:
            api = Api(client, PASSWORD)
            await api.login()
            info = (await api.get("/printer/camera"))["data"]
            camera = await client.get(f"http://127.0.0.1:{endpoint.camera_port}{CAMERA}/takeshot")
    assert info == {"is_camera_connected": False}
    assert camera.status_code == 503


async def test_serving_without_cameras_binds_one_port_per_printer():
    """serve(cameras=False) starts no camera server: the endpoint's camera_port is 0."""
    printer = SimulatedPrinter(password=PASSWORD, clock=ManualClock())
    async with serve(printer, cameras=False) as server:
        assert server.endpoints[0].camera_port == 0
        assert server.app.cameras == {}


async def test_camera_ports_can_be_chosen(fast_sim):
    """serve(camera_ports=[...]) binds the camera server where asked."""
    async with serve(fast_sim, cameras=False) as probe:
        free = probe.endpoints[0].port  # a port that was just free
    async with serve(fast_sim, camera_ports=[free]) as server:
        assert server.endpoints[0].camera_port == free
        assert json.loads(json.dumps(fast_sim.camera_info()))["camerserver_URI"].startswith(
            f":{free}/"
        )
    with pytest.raises(ValueError, match="camera ports"):
        async with serve(fast_sim, camera_ports=[0, 0]):
            pass
