"""AsyncPrinter against the simulator's camera server: snapshots, MJPEG frames, reboots."""

import contextlib
import gc
import warnings

import anyio
import httpx
import pytest
import trio
from printer_async import AsyncPrinter, NotFoundError, ProtocolError
from printer_async._transports.httpx import Transport
from printer_async.simulator import ManualClock, SimulatedPrinter, serve, serve_in_thread

from _support import PASSWORD


def is_jpeg(data):
    """Whether ``data`` is a whole JPEG: SOI, a baseline frame header, EOI."""
    return data.startswith(b"\xff\xd8") and b"\xff\xc0" in data and data.endswith(b"\xff\xd9")


@pytest.fixture(name="camera_connected")
def _camera_connected():
    """A camera is connected unless a test says otherwise."""
    return True


@pytest.fixture(name="sim")
def _sim(camera_connected):
    """A simulated printer whose camera streams 50 frames a second (tests stay fast)."""
    return SimulatedPrinter(
        password=PASSWORD,
        clock=ManualClock(),
        seed=9,
        camera_fps=50,
        camera_connected=camera_connected,
    )


@pytest.fixture(name="printer")
async def _printer(sim, transport):
    """An AsyncPrinter on the simulator and its camera server, on each transport."""
    async with serve(sim) as server:
        endpoint = server.endpoints[0]
        async with AsyncPrinter(
            endpoint.host, port=endpoint.port, password=PASSWORD, transport=transport
        ) as printer:
            yield printer


async def test_snapshot_is_a_jpeg(printer):
    """snapshot() finds the camera port in camera_info() and returns JPEG bytes."""
    assert is_jpeg(await printer.snapshot())


async def test_camera_frames_yields_distinct_jpegs_and_closes(printer, sim):
    """camera_frames() yields each MJPEG frame; closing it ends the stream on the server."""
    frames = []
    async with contextlib.aclosing(printer.camera_frames()) as stream:
        async for frame in stream:
            frames.append(frame)
            if len(frames) == 4:
                break
    assert all(is_jpeg(frame) for frame in frames)
    assert len(set(frames)) == 4
    assert is_jpeg(await printer.snapshot())  # the printer is still usable afterwards


async def test_camera_credentials_change_at_reboot_and_the_client_follows(printer, sim):
    """After a reboot the camera password differs; snapshot() asks for it again and works."""
    before = (await printer.camera_info()).password
    sim.reboot()
    after = (await printer.camera_info()).password  # the API token changed too: one re-login
    assert after != before
    assert after == sim.camera_info()["password"]
    assert is_jpeg(await printer.snapshot())
    async with contextlib.aclosing(printer.camera_frames()) as stream:
        assert is_jpeg(await anext(stream))


@pytest.mark.parametrize("camera_connected", [False])
async def test_without_a_camera_snapshot_is_not_found(printer, sim, camera_connected):
    """A printer reporting no camera makes snapshot() and camera_frames() raise NotFoundError."""
    info = await printer.camera_info()
    assert info.is_camera_connected is False
    assert info.password is None
    with pytest.raises(NotFoundError, match="no camera"):
        await printer.snapshot()
    with pytest.raises(NotFoundError):
        async with contextlib.aclosing(printer.camera_frames()) as stream:
            await anext(stream)


async def test_open_camera_streams_leave_the_api_its_connections(printer):
    """Five camera streams held open do not starve API calls: current_job() answers at once."""
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(5):
            frames = await stack.enter_async_context(contextlib.aclosing(printer.camera_frames()))
            assert is_jpeg(await anext(frames))
        with anyio.fail_after(1):
            job = await printer.current_job()
            assert is_jpeg(await printer.snapshot())
    assert job.has_job is False


def test_under_trio_an_abandoned_camera_answer_leaves_no_generator_behind(sim):
    """Under trio, break or a too-large picture or frame closes every generator: no warning."""

    async def main(port):
        async with AsyncPrinter("127.0.0.1", port=port, password=PASSWORD) as printer:
            async with contextlib.aclosing(printer.camera_frames()) as frames:
                count = 0
                async for _ in frames:
                    count += 1
                    if count == 3:
                        break
            with pytest.raises(ProtocolError, match="larger than"):
                await printer.snapshot(max_bytes=10)
            with pytest.raises(ProtocolError, match="more than 100"):
                async with contextlib.aclosing(printer.camera_frames(max_frame_bytes=100)) as big:
                    await anext(big)
            gc.collect()  # anything left unclosed is finalized (and warned about) now
            assert is_jpeg(await printer.snapshot())
        return count

    with serve_in_thread(sim) as server, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        count = trio.run(main, server.endpoints[0].port)
    assert count == 3
    assert [str(w.message)[:80] for w in caught] == []


def _idle_elsewhere(printer):
    """The printer's idle kept-alive connections to ports other than the API's (the camera's)."""
    transport = printer._transport
    api_port = httpx.URL(transport.base_url).port
    if isinstance(transport, Transport):  # httpx: the streams' own client
        pool = transport._stream_client._transport._pool
        return [c for c in pool.connections if c.is_idle() and c._origin.port != api_port]
    connector = transport._session._session.connector
    return [c for key, conns in connector._conns.items() if key.port != api_port for c in conns]


async def test_a_snapshot_read_whole_leaves_its_connection_for_the_next(printer):
    """Each snapshot does not cost a new connection to the camera: a whole answer's is kept."""
    assert is_jpeg(await printer.snapshot())
    assert len(_idle_elsewhere(printer)) == 1
    assert is_jpeg(await printer.snapshot())
    assert len(_idle_elsewhere(printer)) == 1
