import base64
import hashlib
import json
import struct

import httpx
import pytest
from _sim_support import PASSWORD, Api, assert_same_shape
from printer_async.simulator import ManualClock, SimulatedPrinter, serve

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The vendor's documented examples: the shapes the simulator must match.
IMAGE = {"img_data": "iVBORw0KGgo="}
JOB_DETAIL = {
    "file_name": "Local/a.gcode",
    "real_print_time": 9203,
    "estimated_time": 9200,
    "filament_used_0": 18.8792724609375,
    "filament_used_1": 10.8792724609375,
    "user_tag": "hello",
}
BOUNDARY = "sim-test-boundary"


def png_size(data):
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def form(dir_path, filename, content, *, reverse=False):
    """A multipart/form-data body with desc then file (or the other way round)."""
    desc = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="desc"\r\n'
        "Content-Type: application/json\r\n\r\n"
        f"{json.dumps({'dir_path': dir_path})}\r\n"
    ).encode()
    file = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
    )
    parts = file + desc if reverse else desc + file
    return parts + f"--{BOUNDARY}--\r\n".encode()


async def upload(api, body, *, content_type=f"multipart/form-data; boundary={BOUNDARY}", **kw):
    """POST an upload body; return the HTTP response."""
    params = {"token": api.token, **kw.pop("params", {})}
    return await api.client.post(
        "/v1/fileops/upload",
        params=params,
        content=body,
        headers={"Content-Type": content_type},
        **kw,
    )


async def complete(sim, clock, path):
    """Print ``path`` to completion on the manual clock; return the job id."""
    job_id = sim.start_job(path)
    clock.advance(sim.files[path].total_time + 1)
    assert sim.job_status == "completed"
    return job_id


# -- thumbnails ---------------------------------------------------------------------------


async def test_job_thumbnail_is_a_png_of_the_asked_size(api, sim, clock):
    """dashboard/imagedownload answers the documented shape with a base64 PNG of width x height."""
    job_id = await complete(sim, clock, "Local/benchy.gcode")
    answer = await api.get("/dashboard/imagedownload", job_id=job_id, width=64, height=48)
    assert answer["status"] == 1
    assert_same_shape(answer["data"], IMAGE)
    assert png_size(base64.b64decode(answer["data"]["img_data"])) == (64, 48)
    largest = await api.get("/dashboard/imagedownload", job_id=job_id, width=1024, height=1)
    assert png_size(base64.b64decode(largest["data"]["img_data"])) == (1024, 1)


async def test_job_without_a_data_file_has_no_image(api, sim, clock):
    """A job whose file has no .data, or an unknown job, answers 404 "no image corresponds"."""
    job_id = await complete(sim, clock, "Local/calibration_cube.gcode")
    expected = {"code": 404, "msg": "no image corresponds to the job"}
    for asked in (job_id, "nope"):
        answer = await api.get("/dashboard/imagedownload", job_id=asked, width=8, height=8)
        assert answer == {"error": expected, "status": 0}


@pytest.mark.parametrize("path", ["/dashboard/imagedownload", "/fileops/imagedownload"])
@pytest.mark.parametrize(
    ("width", "height", "msg"),
    [
        (0, 8, "width error, range(1~1024)"),
        (1025, 8, "width error, range(1~1024)"),
        (8, 0, "height error, range(1~1024)"),
        (8, 1025, "height error, range(1~1024)"),
    ],
)
async def test_thumbnail_sizes_out_of_range_are_10002(api, path, width, height, msg):
    """Both image endpoints answer 10002 with the vendor's range message."""
    key = {"/dashboard/imagedownload": "job_id", "/fileops/imagedownload": "data_path"}[path]
    answer = await api.get(path, **{key: "Local/benchy.data"}, width=width, height=height)
    assert answer["error"] == {"code": 10002, "msg": msg}


async def test_corrupt_data_file_is_10004_on_both_endpoints(api, sim, clock):
    """A corrupt .data file answers 10004 "data file error" for the file and for its job."""
    job_id = await complete(sim, clock, "Local/benchy.gcode")
    sim.add_data_file("Local/benchy.data", corrupt=True)
    corrupt = {"code": 10004, "msg": "data file error"}
    by_job = await api.get("/dashboard/imagedownload", job_id=job_id, width=8, height=8)
    by_path = await api.get(
        "/fileops/imagedownload", data_path="Local/benchy.data", width=8, height=8
    )
    assert by_job["error"] == by_path["error"] == corrupt


async def test_an_armed_api_error_fault_answers_it_once(api, sim):
    """faults.api_error() answers any documented error, e.g. 10004 "data file error", once."""
    sim.faults.api_error(10004, "data file error", path="/v1/fileops/imagedownload")
    params = {"data_path": "Local/benchy.data", "width": 8, "height": 8}
    first = await api.get("/fileops/imagedownload", **params)
    assert first["error"] == {"code": 10004, "msg": "data file error"}
    assert (await api.get("/fileops/imagedownload", **params))["status"] == 1


async def test_file_thumbnail_answers_and_errors(api):
    """fileops/imagedownload: a PNG; 404 "data file not exist"; 10005 "root path error"."""
    answer = await api.get(
        "/fileops/imagedownload", data_path="Local/webapi_store/bracket.data", width=5, height=7
    )
    assert_same_shape(answer["data"], IMAGE)
    assert png_size(base64.b64decode(answer["data"]["img_data"])) == (5, 7)
    missing = await api.get("/fileops/imagedownload", data_path="Local/x.data", width=5, height=5)
    assert missing["error"] == {"code": 404, "msg": "data file not exist"}
    outside = await api.get("/fileops/imagedownload", data_path="/etc/x.data", width=5, height=5)
    assert outside["error"] == {"code": 10005, "msg": "root path error"}


async def test_thumbnail_without_sizes_is_http_400(api):
    """A missing or non-integer width is a request the printer cannot parse: HTTP 400."""
    response = await api.client.get(
        "/v1/fileops/imagedownload",
        params={"token": api.token, "data_path": "Local/benchy.data", "width": "x", "height": 5},
    )
    assert response.status_code == 400
    assert response.content == b""


# -- job detail units ---------------------------------------------------------------------


async def test_job_detail_filament_is_in_milligrams_and_statistics_in_grams(api, sim, clock):
    """As the vendor documents: dashboard/job says milligrams, dashboard/statistics grams."""
    job_id = await complete(sim, clock, "Local/webapi_store/two_colour_vase.gcode")
    detail = (await api.get("/dashboard/job", pos=0, job_id=job_id))["data"]
    assert_same_shape(detail, JOB_DETAIL)
    assert detail["filament_used_0"] == pytest.approx(20100.0)
    assert detail["filament_used_1"] == pytest.approx(8400.0)
    stats = (await api.get("/dashboard/statistics"))["data"]
    assert stats["printed_used_filament_0"] == pytest.approx(20.1)


# -- upload -------------------------------------------------------------------------------


async def test_upload_stores_the_file_and_it_prints(api, sim, clock):
    """An upload enters the store with its size, hash and slicer times; start_job prints it."""
    content = b";FLAVOR:Marlin\n;TIME:1234\n;LAYER_COUNT:56\nG28\n" + bytes(range(256)) * 4000
    storage = (await api.get("/printer/system"))["data"]["storage_available"]
    response = await upload(api, form("Local/webapi_store", "part.gcode", content))
    assert response.status_code == 200
    assert response.json() == {"status": 1}
    spec = sim.files["Local/webapi_store/part.gcode"]
    assert (spec.size, spec.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert (spec.total_time, spec.total_layer) == (1234, 56)
    listing = await api.get("/fileops/list", dir="Local/webapi_store", start_pos=0, max_num=24)
    assert {"data_path": "", "file_name": "part.gcode"} in listing["data"]["file_list"]
    after = (await api.get("/printer/system"))["data"]["storage_available"]
    assert after == storage - -(-len(content) // 1024)
    assert await api.post("/job/newjob/set", {"file_path": "Local/webapi_store/part.gcode"}) == {
        "status": 1
    }
    clock.advance(1234)
    assert (await api.get("/job/currentjob"))["data"]["job_status"] == "completed"


async def test_a_chunked_upload_is_read_as_a_stream(api, sim):
    """A chunked body arrives whole; a file without a slicer header gets job_duration."""
    body = form("Local", "stream.gcode", b"G1 X1\n" * 50_000)

    async def chunks():
        for start in range(0, len(body), 7_777):
            yield body[start : start + 7_777]

    response = await upload(api, chunks())
    assert response.json() == {"status": 1}
    spec = sim.files["Local/stream.gcode"]
    assert spec.size == 300_000
    assert spec.total_time == round(sim.job_duration)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (form("Local", "a.gcode", b"x", reverse=True), None, 400),
        (form("Local", "a.gcode", b"x").replace(b'"desc"', b'"other"'), None, 400),
        (form("Local", "a.gcode", b"x").replace(b'{"dir_path"', b"{dir_path"), None, 400),
        (form("Local", "a.gcode", b"x")[:-30], None, 400),
        (form("Local", "a.gcode", b"x"), "application/json", 415),
    ],
    ids=["file-before-desc", "no-desc", "desc-not-json", "truncated", "not-multipart"],
)
async def test_malformed_uploads_are_http_errors(api, sim, body, content_type, status):
    """Parts in the wrong order or malformed get HTTP 400, a non-multipart body 415, empty."""
    kwargs = {} if content_type is None else {"content_type": content_type}
    response = await upload(api, body, **kwargs)
    assert (response.status_code, response.content) == (status, b"")
    assert "Local/a.gcode" not in sim.files


@pytest.mark.parametrize(
    ("dir_path", "filename", "error"),
    [
        ("Local/nowhere", "a.gcode", {"code": 404, "msg": "directory not exist"}),
        ("Other", "a.gcode", {"code": 10005, "msg": "root path error"}),
        ("Local", "webapi_store", {"code": 500, "msg": "IODevice can not open"}),
        ("Local", "..", {"code": 500, "msg": "IODevice can not open"}),
    ],
)
async def test_upload_errors(api, sim, dir_path, filename, error):
    """Uploads to a missing directory, outside Local/ or onto a directory: documented errors."""
    response = await upload(api, form(dir_path, filename, b"G28\n"))
    assert response.json() == {"error": error, "status": 0}


async def test_upload_over_the_cap_is_10003_and_the_connection_stays_usable(api, sim):
    """Past the cap the body is drained, 10003 answered, nothing stored; keep-alive holds."""
    sim.upload_limit = 10_000
    response = await upload(api, form("Local", "big.gcode", b"x" * 10_001))
    assert response.json() == {
        "error": {"code": 10003, "msg": "file too large size(0~500MB)"},
        "status": 0,
    }
    assert "Local/big.gcode" not in sim.files
    ok = await upload(api, form("Local", "small.gcode", b"x" * 10_000))
    assert ok.json() == {"status": 1}


async def test_upload_with_a_bad_token_is_401_after_the_body(api, sim):
    """Without a valid token the upload answers 401 "token error" and stores nothing."""
    api.token = "0" * 32
    response = await upload(api, form("Local", "a.gcode", b"G28\n" * 1000))
    assert response.json() == {"error": {"code": 401, "msg": "token error"}, "status": 0}
    assert "Local/a.gcode" not in sim.files


async def test_storage_full_is_iodevice_write_failed(api, sim):
    """An upload larger than the free storage answers 500 "IODevice write failed"."""
    free_kb = (await api.get("/printer/system"))["data"]["storage_available"]
    sim.add_file("Local/huge.gcode", total_layer=(free_kb - 500) // 8)  # leaves ~500 KB free
    response = await upload(api, form("Local", "a.gcode", b"x" * 1_000_000))
    assert response.json()["error"] == {"code": 500, "msg": "IODevice write failed"}


# -- file and directory operations --------------------------------------------------------

FILEPOS = "/filepos"


async def test_directory_lifecycle(api, sim):
    """Create (with parents, twice is fine), rename and delete a directory with its contents."""
    assert await api.post(f"{FILEPOS}/dir/create", {"dir_path": "Local/a/b"}) == {"status": 1}
    assert await api.post(f"{FILEPOS}/dir/create", {"dir_path": "Local/a/b/"}) == {"status": 1}
    sim.add_file("Local/a/b/x.gcode", data_path="Local/a/b/x.data")
    body = {"dir_path": "Local/a", "new_name": "c"}
    assert await api.post(f"{FILEPOS}/dir/rename", body) == {"status": 1}
    assert "Local/c/b/x.gcode" in sim.files
    assert sim.files["Local/c/b/x.gcode"].data_path == "Local/c/b/x.data"
    assert "Local/c/b/x.data" in sim.data_files
    assert "Local/a" not in sim.directories
    assert await api.post(f"{FILEPOS}/dir/delete", {"dir_path": "Local/c"}) == {"status": 1}
    assert not any(path.startswith("Local/c/") for path in [*sim.files, *sim.directories])
    assert "Local/c" not in sim.directories


async def test_file_operations(api, sim):
    """Copy, move, rename and delete a file; each answers {"status": 1} and changes the store."""
    await api.post(f"{FILEPOS}/dir/create", {"dir_path": "Local/parts"})
    copy = {"file_src": "Local/benchy.gcode", "file_dst": "Local/parts/b2.gcode"}
    assert await api.post(f"{FILEPOS}/copy", copy) == {"status": 1}
    move = {"file_src": "Local/parts/b2.gcode", "file_dst": "Local/b3.gcode"}
    assert await api.post(f"{FILEPOS}/moveto", move) == {"status": 1}
    rename = {"file_path": "Local/b3.gcode", "new_name": "b4.gcode"}
    assert await api.post(f"{FILEPOS}/rename", rename) == {"status": 1}
    assert sim.files["Local/b4.gcode"] == sim.files["Local/benchy.gcode"]
    assert await api.post(f"{FILEPOS}/delete", {"file_path": "Local/b4.gcode"}) == {"status": 1}
    assert {"Local/parts/b2.gcode", "Local/b3.gcode", "Local/b4.gcode"}.isdisjoint(sim.files)


async def test_rename_accepts_the_tables_dir_path_spelling(api, sim):
    """filepos/rename takes file_path (the example) or dir_path (the parameter table)."""
    body = {"dir_path": "Local/benchy.gcode", "new_name": "boat.gcode"}
    assert await api.post(f"{FILEPOS}/rename", body) == {"status": 1}
    assert "Local/boat.gcode" in sim.files


ERRORS = [
    ("/dir/create", {"dir_path": "Other/x"}, 10005, "root path error"),
    ("/dir/create", {"dir_path": "Local/benchy.gcode/x"}, 500, "fail to create directory"),
    ("/dir/create", {"dir_path": "Local/a\u0000b"}, 500, "fail to create directory"),
    ("/dir/delete", {"dir_path": "Local"}, 10006, "no access to delete Local directory"),
    ("/dir/delete", {"dir_path": "Local/"}, 10006, "no access to delete Local directory"),
    ("/dir/delete", {"dir_path": "Local/none"}, 404, "directory not exist"),
    ("/dir/delete", {"dir_path": "../x"}, 10005, "root path error"),
    ("/dir/rename", {"dir_path": "Local", "new_name": "x"}, 10006,
     "no access to rename Local directory"),
    ("/dir/rename", {"dir_path": "Local/none", "new_name": "x"}, 404, "directory not exist"),
    ("/dir/rename", {"dir_path": "Other/x", "new_name": "x"}, 10005, "root path error"),
    ("/dir/rename", {"dir_path": "Local/webapi_store", "new_name": "a/b"}, 500,
     "fail to rename directory"),
    ("/dir/rename", {"dir_path": "Local/webapi_store", "new_name": "benchy.gcode"}, 500,
     "fail to rename directory"),
    ("/delete", {"file_path": "Local/none.gcode"}, 404, "file not exist"),
    ("/delete", {"file_path": "Local/../etc/passwd"}, 10005, "root path error"),
    ("/rename", {"file_path": "Local/none.gcode", "new_name": "x"}, 404, "file not exist"),
    ("/rename", {"file_path": "Other/a.gcode", "new_name": "x"}, 10005, "root path error"),
    ("/rename", {"file_path": "Local/benchy.gcode", "new_name": "calibration_cube.gcode"}, 500,
     "fail to rename file"),
    ("/moveto", {"file_src": "Local/none.gcode", "file_dst": "Local/x.gcode"}, 404,
     "source file not exist"),
    ("/moveto", {"file_src": "Loacl/a.gcode", "file_dst": "Local/x.gcode"}, 10005,
     "file_src root path error"),
    ("/moveto", {"file_src": "Local/benchy.gcode", "file_dst": "Loacl/x.gcode"}, 10005,
     "file_dst root path error"),
    ("/moveto", {"file_src": "Local/benchy.gcode", "file_dst": "Local/no/x.gcode"}, 500,
     "fail to move file"),
    ("/copy", {"file_src": "Local/none.gcode", "file_dst": "Local/x.gcode"}, 404,
     "source file not exist"),
    ("/copy", {"file_src": "/a.gcode", "file_dst": "Local/x.gcode"}, 10005,
     "file_src root path error"),
    ("/copy", {"file_src": "Local/benchy.gcode", "file_dst": "x.gcode"}, 10005,
     "file_dst root path error"),
    ("/copy", {"file_src": "Local/benchy.gcode", "file_dst": "Local/calibration_cube.gcode"},
     500, "fail to copy file"),
]  # fmt: skip


@pytest.mark.parametrize(("op", "body", "code", "msg"), ERRORS)
async def test_file_operation_errors(api, sim, op, body, code, msg):
    """Each file and directory operation answers the vendor's code and message, verbatim."""
    before = (sim.files, sim.directories)
    answer = await api.post(f"{FILEPOS}{op}", body)
    assert answer == {"error": {"code": code, "msg": msg}, "status": 0}
    assert (sim.files, sim.directories) == before


async def test_the_file_being_printed_cannot_be_moved_or_deleted(api, sim):
    """While a job prints a file, deleting, moving or renaming it (or its directory) fails (500)."""
    sim.start_job("Local/webapi_store/bracket.gcode")
    path = "Local/webapi_store/bracket.gcode"
    checks = [
        ("/delete", {"file_path": path}, "fail to delete file"),
        ("/moveto", {"file_src": path, "file_dst": "Local/x.gcode"}, "fail to move file"),
        ("/rename", {"file_path": path, "new_name": "x.gcode"}, "fail to rename file"),
        ("/dir/delete", {"dir_path": "Local/webapi_store"}, "fail to delete directory"),
        ("/dir/rename", {"dir_path": "Local/webapi_store", "new_name": "x"},
         "fail to rename directory"),
    ]  # fmt: skip
    for op, body, msg in checks:
        assert (await api.post(f"{FILEPOS}{op}", body))["error"] == {"code": 500, "msg": msg}
    copy = {"file_src": path, "file_dst": "Local/copy.gcode"}
    assert await api.post(f"{FILEPOS}/copy", copy) == {"status": 1}


async def test_bad_requests_to_file_operations(api):
    """A body that is not JSON or lacks a field is HTTP 400; GET is 405; /fileops/delete is 404."""
    url = f"/v1{FILEPOS}/delete"
    params = {"token": api.token}
    not_json = await api.client.post(url, params=params, content=b"{file_path:")
    assert (not_json.status_code, not_json.content) == (400, b"")
    missing = await api.client.post(url, params=params, json={"path": "Local/a.gcode"})
    assert missing.status_code == 400
    wrong_type = await api.client.post(url, params=params, json={"file_path": 3})
    assert wrong_type.status_code == 400
    get = await api.client.get(url, params=params)
    assert get.status_code == 405
    assert "POST" in get.headers["allow"]
    other_spelling = await api.client.post("/v1/fileops/delete", params=params, json={})
    assert other_spelling.status_code == 404


async def test_an_upload_on_a_one_printer_server_of_many():
    """Two printers on one server keep separate file stores."""
    first = SimulatedPrinter(password=PASSWORD, clock=ManualClock(), seed=1)
    second = SimulatedPrinter(password=PASSWORD, clock=ManualClock(), seed=2)
    async with serve(first, second) as server:
        async with httpx.AsyncClient(base_url=server.endpoint(second).base_url) as client:
            api = Api(client, PASSWORD)
            await api.login()
            response = await upload(api, form("Local", "only-here.gcode", b"G28\n"))
            assert response.json() == {"status": 1}
    assert "Local/only-here.gcode" in second.files
    assert "Local/only-here.gcode" not in first.files
