"""AsyncPrinter against the simulator: listing, thumbnails, uploads and file operations."""

import hashlib
import struct

import pytest
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PathError,
    PrinterStateError,
    StateReason,
)
from printer_async._client import FILEPOS_PREFIX
from printer_async.simulator import ManualClock, SimulatedPrinter, serve
from printer_async.simulator._routes import FILEPOS_PREFIX as SIMULATOR_FILEPOS_PREFIX

from _support import PASSWORD

GCODE = b";TIME:900\n;LAYER_COUNT:30\nG28\n" + b"G1 X10 Y10 E1\n" * 40_000


@pytest.fixture(name="clock")
def _clock():
    """Simulated time moves only when a test advances it."""
    return ManualClock()


@pytest.fixture(name="sim")
def _sim(clock):
    """A seeded simulated printer on the manual clock."""
    return SimulatedPrinter(password=PASSWORD, clock=clock, seed=5)


@pytest.fixture(name="printer")
async def _printer(sim, transport):
    """An AsyncPrinter on the simulator served on loopback, on each transport."""
    async with serve(sim) as server:
        endpoint = server.endpoints[0]
        async with AsyncPrinter(
            endpoint.host, port=endpoint.port, password=PASSWORD, transport=transport
        ) as printer:
            yield printer


def test_client_and_simulator_agree_on_the_filepos_spelling():
    """Both sides keep the vendor's /filepos spelling, each in one constant."""
    assert FILEPOS_PREFIX == SIMULATOR_FILEPOS_PREFIX == "/filepos"


# -- listing ------------------------------------------------------------------------------


async def test_list_files_pages_and_iter_files_walks_the_whole_directory(printer, sim):
    """list_files() pages directories then files; iter_files() yields every entry once."""
    for index in range(30):
        sim.add_file(f"Local/farm/part{index:02}.gcode")
    for name in ("a", "b"):
        sim.add_dir(f"Local/farm/{name}")
    first = await printer.list_files("Local/farm", max_num=5)
    assert first.directories == ("a", "b")
    assert [f.file_name for f in first.files] == ["part00.gcode", "part01.gcode", "part02.gcode"]
    assert first.files[0].data_path is None
    pages = [page async for page in printer.iter_files("Local/farm", page_size=7)]
    assert [len(p.directories) + len(p.files) for p in pages] == [7, 7, 7, 7, 4]
    names = [f.file_name for page in pages for f in page.files]
    assert names == [f"part{index:02}.gcode" for index in range(30)]
    with pytest.raises(NotFoundError, match="directory not exist"):
        await printer.list_files("Local/nowhere")


async def test_file_thumbnail_from_a_listed_data_path(printer, sim):
    """The data_path a listing gives opens with file_thumbnail() as PNG bytes."""
    (bracket, *_) = (await printer.list_files("Local/webapi_store")).files
    assert bracket.data_path == "Local/webapi_store/bracket.data"
    png = await printer.file_thumbnail(bracket.data_path, width=12, height=34)
    assert struct.unpack(">II", png[16:24]) == (12, 34)
    with pytest.raises(NotFoundError, match="data file not exist"):
        await printer.file_thumbnail("Local/none.data")
    sim.add_data_file("Local/broken.data", corrupt=True)
    with pytest.raises(InvalidParameterError, match="data file error"):
        await printer.file_thumbnail("Local/broken.data")


# -- uploads ------------------------------------------------------------------------------


async def test_upload_from_a_path_with_progress_then_print_it(printer, sim, clock, tmp_path):
    """A path upload arrives intact, reports progress to its size, and start_job() prints it."""
    source = tmp_path / "bracket_v2.gcode"
    source.write_bytes(GCODE)
    seen = []
    await printer.upload_file(
        source, "Local/webapi_store", progress=lambda s, t: seen.append((s, t))
    )
    spec = sim.files["Local/webapi_store/bracket_v2.gcode"]
    assert (spec.size, spec.sha256) == (len(GCODE), hashlib.sha256(GCODE).hexdigest())
    assert seen[0] == (0, len(GCODE))
    assert seen[-1] == (len(GCODE), len(GCODE))
    await printer.start_job("Local/webapi_store/bracket_v2.gcode")
    clock.advance(sim.file_read_time)  # the printer reads the file before it shows the totals
    job = await printer.current_job()
    assert (job.file_name, job.total_time, job.total_layer) == (
        "Local/webapi_store/bracket_v2.gcode",
        900,
        30,
    )
    clock.advance(900 - sim.file_read_time)
    assert (await printer.current_job()).job_status.value == "completed"


async def test_upload_from_bytes_and_from_an_async_stream(printer, sim):
    """Bytes (Content-Length) and an async stream (chunked, async progress) both arrive whole."""
    await printer.upload_file(GCODE, "Local/", filename="from_bytes.gcode")
    seen = []

    async def progress(sent, total):
        seen.append((sent, total))

    async def chunks():
        for start in range(0, len(GCODE), 100_000):
            yield GCODE[start : start + 100_000]

    await printer.upload_file(chunks(), "Local/", filename="from_stream.gcode", progress=progress)
    digest = hashlib.sha256(GCODE).hexdigest()
    assert sim.files["Local/from_bytes.gcode"].sha256 == digest
    assert sim.files["Local/from_stream.gcode"].sha256 == digest
    assert seen[-1] == (len(GCODE), None)
    listed = await printer.list_files("Local/")
    assert {"from_bytes.gcode", "from_stream.gcode"} <= {f.file_name for f in listed.files}


async def test_upload_errors_are_typed(printer, sim):
    """A missing directory is NotFoundError; past the printer's cap, 10003 is a parameter error."""
    with pytest.raises(NotFoundError, match="directory not exist"):
        await printer.upload_file(b"G28\n", "Local/nowhere", filename="a.gcode")
    sim.upload_limit = 1000

    async def chunks():
        yield b"x" * 1001

    with pytest.raises(InvalidParameterError) as caught:
        await printer.upload_file(chunks(), "Local/", filename="big.gcode")
    assert (caught.value.code, caught.value.msg) == (10003, "file too large size(0~500MB)")
    assert "Local/big.gcode" not in sim.files


@pytest.mark.parametrize("change", [b"b" * 1000, None], ids=["grows", "shrinks"])
async def test_a_file_that_changes_size_while_uploading_raises_value_error(
    printer, sim, tmp_path, change
):
    """A path that grows or shrinks mid-upload raises ValueError, never an HTTP-layer error."""
    source = tmp_path / "moving.gcode"
    source.write_bytes(b"a" * 1000)

    def alter(sent, _total):
        if sent == 0:  # before the file is opened: its first read sees the new size
            with source.open("ab" if change else "r+b") as file:
                file.write(change) if change else file.truncate(500)

    with pytest.raises(ValueError, match="changed size while it was uploaded"):
        await printer.upload_file(source, "Local/", progress=alter)
    assert "Local/moving.gcode" not in sim.files
    await printer.upload_file(source, "Local/")  # the printer is still usable
    assert sim.files["Local/moving.gcode"].size == source.stat().st_size


async def test_an_upload_after_a_reboot_logs_in_again(printer, sim):
    """A refused token during a replayable upload leads to one login and one resend."""
    await printer.login()
    sim.reboot()
    await printer.upload_file(GCODE, "Local/", filename="after_reboot.gcode")
    assert sim.files["Local/after_reboot.gcode"].size == len(GCODE)


async def test_a_stream_upload_after_the_token_expired_says_to_call_again(printer, sim):
    """A refused token during a stream upload says the token was renewed and to call again."""
    await printer.login()
    sim.expire_tokens()

    async def chunks():
        yield GCODE

    with pytest.raises(AuthenticationError, match="token was renewed") as caught:
        await printer.upload_file(chunks(), "Local/", filename="streamed.gcode")
    assert "call upload_file() again" in str(caught.value)
    assert "log in again" not in str(caught.value)
    assert caught.value.code == 401
    logins = printer._auth.login_count
    await printer.upload_file(chunks(), "Local/", filename="streamed.gcode")
    assert printer._auth.login_count == logins  # the renewed token serves the second call
    assert sim.files["Local/streamed.gcode"].size == len(GCODE)


async def test_a_resent_upload_reports_progress_from_zero_again(printer, sim):
    """After a refused token, a bytes upload is resent whole and its progress restarts at 0."""
    await printer.login()
    sim.expire_tokens()
    seen = []
    await printer.upload_file(
        GCODE, "Local/", filename="resent.gcode", progress=lambda s, _t: seen.append(s)
    )
    assert seen.count(0) == 2
    assert seen[-1] == len(GCODE)
    assert sim.files["Local/resent.gcode"].size == len(GCODE)


# -- file and directory operations --------------------------------------------------------


async def test_file_operations_change_the_store(printer, sim):
    """copy, move, rename and delete a file, as the printer's store then shows."""
    await printer.create_directory("Local/parts")
    await printer.copy_file("Local/benchy.gcode", "Local/parts/boat.gcode")
    await printer.move_file("Local/parts/boat.gcode", "Local/boat.gcode")
    await printer.rename_file("Local/boat.gcode", "ship.gcode")
    assert "Local/ship.gcode" in sim.files
    assert "Local/parts/boat.gcode" not in sim.files
    await printer.delete_file("Local/ship.gcode")
    assert "Local/ship.gcode" not in sim.files


async def test_directory_operations_change_the_store(printer, sim):
    """create, rename and delete directories, contents included."""
    await printer.create_directory("Local/jobs/2024")
    sim.add_file("Local/jobs/2024/a.gcode")
    await printer.rename_directory("Local/jobs", "archive")
    assert (await printer.list_files("Local/archive")).directories == ("2024",)
    assert "Local/archive/2024/a.gcode" in sim.files
    await printer.delete_directory("Local/archive")
    assert not any(path.startswith("Local/archive") for path in sim.files)
    with pytest.raises(NotFoundError, match="directory not exist"):
        await printer.list_files("Local/archive")


async def test_file_operation_errors_are_typed(printer, sim):
    """404s are NotFoundError, "fail to ..." answers PrinterStateError(IO_FAILURE)."""
    with pytest.raises(NotFoundError, match="file not exist"):
        await printer.delete_file("Local/none.gcode")
    with pytest.raises(NotFoundError, match="file not exist"):
        await printer.rename_file("Local/none.gcode", "x.gcode")
    with pytest.raises(NotFoundError, match="source file not exist"):
        await printer.move_file("Local/none.gcode", "Local/x.gcode")
    with pytest.raises(NotFoundError, match="source file not exist"):
        await printer.copy_file("Local/none.gcode", "Local/x.gcode")
    with pytest.raises(NotFoundError, match="directory not exist"):
        await printer.delete_directory("Local/none")
    with pytest.raises(NotFoundError, match="directory not exist"):
        await printer.rename_directory("Local/none", "x")
    failures = [
        (printer.copy_file("Local/benchy.gcode", "Local/calibration_cube.gcode"), "copy file"),
        (printer.move_file("Local/benchy.gcode", "Local/no/x.gcode"), "move file"),
        (printer.rename_file("Local/benchy.gcode", "calibration_cube.gcode"), "rename file"),
        (printer.create_directory("Local/benchy.gcode/x"), "create directory"),
        (printer.rename_directory("Local/webapi_store", "benchy.gcode"), "rename directory"),
    ]
    for call, what in failures:
        with pytest.raises(PrinterStateError) as caught:
            await call
        assert (caught.value.msg, caught.value.reason) == (
            f"fail to {what}",
            StateReason.IO_FAILURE,
        )


async def test_the_printing_file_cannot_be_deleted(printer):
    """Deleting the file a job prints answers 500 "fail to delete file"."""
    await printer.start_job("Local/benchy.gcode")
    with pytest.raises(PrinterStateError, match="fail to delete file"):
        await printer.delete_file("Local/benchy.gcode")


async def test_root_answers_from_the_printer_are_path_errors(printer):
    """Past the client's checks, 10005 and 10006 answers are PathError with the printer's msg."""
    cases = [
        (f"{FILEPOS_PREFIX}/dir/delete", {"dir_path": "Local"}, 10006,
         "no access to delete Local directory"),
        (f"{FILEPOS_PREFIX}/dir/rename", {"dir_path": "Local", "new_name": "x"}, 10006,
         "no access to rename Local directory"),
        (f"{FILEPOS_PREFIX}/delete", {"file_path": "Other/a.gcode"}, 10005, "root path error"),
        (f"{FILEPOS_PREFIX}/moveto", {"file_src": "Local/benchy.gcode", "file_dst": "x"}, 10005,
         "file_dst root path error"),
        (f"{FILEPOS_PREFIX}/copy", {"file_src": "x", "file_dst": "Local/x"}, 10005,
         "file_src root path error"),
    ]  # fmt: skip
    for endpoint, body, code, msg in cases:
        with pytest.raises(PathError) as caught:
            await printer._request("POST", endpoint, json=body)
        assert (caught.value.code, caught.value.msg) == (code, msg)
