"""File endpoints: listing and paging, thumbnails, uploads, file and directory operations."""

import base64
import json
import os

import httpx
import pytest
from printer_async import (
    AuthenticationError,
    FileEntry,
    FileList,
    InvalidParameterError,
    NotFoundError,
    PathError,
    PrinterStateError,
    StateReason,
    _upload,
)
from printer_async._client import FILEPOS_PREFIX

from _support import TOKEN, api_error, assert_documented_error, error_cases, load_fixture, ok


def parts(request):
    """The multipart body of ``request`` as a list of (headers, payload), in order."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=", 1)[1].encode()
    body = request.content
    assert body.startswith(b"--" + boundary + b"\r\n")
    assert body.endswith(b"\r\n--" + boundary + b"--\r\n")
    chunks = body[: -len(b"\r\n--" + boundary + b"--\r\n")].split(b"\r\n--" + boundary + b"\r\n")
    chunks[0] = chunks[0][len(b"--" + boundary + b"\r\n") :]
    result = []
    for chunk in chunks:
        head, payload = chunk.split(b"\r\n\r\n", 1)
        result.append((head.decode().split("\r\n"), payload))
    return result


# -- listing -------------------------------------------------------------------------------


async def test_list_files_sends_dir_and_paging_and_parses_the_example(api, printer):
    """list_files() GETs /fileops/list?dir=&start_pos=&max_num= and maps the example."""
    route = api.get("/fileops/list").mock(
        return_value=httpx.Response(200, json=load_fixture("file_list"))
    )
    listing = await printer.list_files("Local/webapi_store", start_pos=0, max_num=10)
    assert dict(route.calls.last.request.url.params) == {
        "token": TOKEN,
        "dir": "Local/webapi_store",
        "start_pos": "0",
        "max_num": "10",
    }
    assert listing == FileList(
        directories=("d1", "d2", "d3", "d4"),
        files=(
            FileEntry(file_name="a.gcode", data_path=None),
            FileEntry(file_name="b.gcode", data_path="Local/webapi_store/b.data"),
        ),
    )


async def test_list_files_defaults_to_a_full_page(api, printer):
    """Without arguments, list_files() asks for the first 24 entries."""
    route = api.get("/fileops/list").mock(return_value=ok({"dir_list": [], "file_list": []}))
    await printer.list_files("Local/")
    params = route.calls.last.request.url.params
    assert (params["start_pos"], params["max_num"]) == ("0", "24")


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"max_num": 0}, InvalidParameterError),
        ({"max_num": 25}, InvalidParameterError),
        ({"start_pos": -1}, InvalidParameterError),
        ({"dir_path": "USB/x"}, PathError),
        ({"dir_path": "Local/../x"}, PathError),
    ],
)
async def test_list_files_checks_arguments_before_sending(api, printer, kwargs, exc):
    """Paging outside 1-24 / >=0, or a dir outside Local/, raises before any request."""
    kwargs = {"dir_path": "Local/x"} | kwargs
    with pytest.raises(exc):
        await printer.list_files(kwargs.pop("dir_path"), **kwargs)
    assert not api.calls


def names(start, count):
    """``count`` file_list entries without .data files, numbered from ``start``."""
    return [{"file_name": f"f{i}.gcode", "data_path": ""} for i in range(start, start + count)]


async def test_iter_files_walks_every_page(api, printer):
    """iter_files() asks page after page until a short page, yielding each page in order."""
    pages = {
        0: ok({"dir_list": ["d"], "file_list": names(0, 3)}),
        4: ok({"dir_list": [], "file_list": names(3, 4)}),
        8: ok({"dir_list": [], "file_list": names(7, 1)}),
    }
    route = api.get("/fileops/list").mock(
        side_effect=lambda request: pages[int(request.url.params["start_pos"])]
    )
    seen = [page async for page in printer.iter_files("Local/x", page_size=4)]
    assert [int(c.request.url.params["start_pos"]) for c in route.calls] == [0, 4, 8]
    assert {c.request.url.params["max_num"] for c in route.calls} == {"4"}
    assert [f.file_name for page in seen for f in page.files] == [f"f{i}.gcode" for i in range(8)]
    assert seen[0].directories == ("d",)


async def test_iter_files_stops_if_the_printer_ignores_start_pos(api, printer):
    """A printer that repeats the same full page ends the walk instead of looping forever."""
    api.get("/fileops/list").mock(return_value=ok({"dir_list": [], "file_list": names(0, 2)}))
    seen = [page async for page in printer.iter_files("Local/x", page_size=2)]
    assert len(seen) == 1


async def test_iter_files_on_an_empty_directory_yields_nothing(api, printer):
    """An empty directory yields no page."""
    api.get("/fileops/list").mock(return_value=ok({"dir_list": [], "file_list": []}))
    assert [page async for page in printer.iter_files("Local/x")] == []


async def test_file_thumbnail_decodes_the_png(api, printer):
    """file_thumbnail() GETs /fileops/imagedownload?data_path=&width=&height= and decodes it."""
    png = b"\x89PNG\r\n\x1a\nabc"
    route = api.get("/fileops/imagedownload").mock(
        return_value=ok({"img_data": base64.b64encode(png).decode()})
    )
    assert await printer.file_thumbnail("Local/mmm/cat.data", width=32, height=32) == png
    assert dict(route.calls.last.request.url.params) == {
        "token": TOKEN,
        "data_path": "Local/mmm/cat.data",
        "width": "32",
        "height": "32",
    }
    assert "data_path=Local%2Fmmm%2Fcat.data" in str(route.calls.last.request.url)


# -- file and directory operations ---------------------------------------------------------

OPERATIONS = {
    "delete_file": (
        lambda p: p.delete_file("Local/mmm/nnn/a.txt"),
        "/delete",
        {"file_path": "Local/mmm/nnn/a.txt"},
    ),
    "rename_file": (
        lambda p: p.rename_file("Local/mmmmm/a.gcode", "b.gcode"),
        "/rename",
        {"file_path": "Local/mmmmm/a.gcode", "new_name": "b.gcode"},
    ),
    "move_file": (
        lambda p: p.move_file("Local/mmm/nnn/a.txt", "Local/mmmm/bbb/a.txt"),
        "/moveto",
        {"file_src": "Local/mmm/nnn/a.txt", "file_dst": "Local/mmmm/bbb/a.txt"},
    ),
    "copy_file": (
        lambda p: p.copy_file("Local/a.gcode", "Local/b/a.gcode"),
        "/copy",
        {"file_src": "Local/a.gcode", "file_dst": "Local/b/a.gcode"},
    ),
    "create_directory": (
        lambda p: p.create_directory("Local/mmmmm/nnnn"),
        "/dir/create",
        {"dir_path": "Local/mmmmm/nnnn"},
    ),
    "delete_directory": (
        lambda p: p.delete_directory("Local/mmmmm/nnnn"),
        "/dir/delete",
        {"dir_path": "Local/mmmmm/nnnn"},
    ),
    "rename_directory": (
        lambda p: p.rename_directory("Local/mmmmm/nnnn", "aaa"),
        "/dir/rename",
        {"dir_path": "Local/mmmmm/nnnn", "new_name": "aaa"},
    ),
}


@pytest.mark.parametrize("name", OPERATIONS)
async def test_file_operations_post_the_documented_json_under_filepos(api, printer, name):
    """Each operation POSTs its documented JSON body to /v1/filepos/..., token in the query."""
    call, suffix, body = OPERATIONS[name]
    route = api.post(f"/filepos{suffix}").mock(return_value=ok())
    assert await call(printer) is None
    request = route.calls.last.request
    assert request.url.path == f"/v1/filepos{suffix}"
    assert dict(request.url.params) == {"token": TOKEN}
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == body


async def test_the_filepos_prefix_is_one_setting(api, printer):
    """Setting filepos_prefix moves every file operation to the other spelling."""
    assert FILEPOS_PREFIX == "/filepos"
    printer.filepos_prefix = "/fileops"
    routes = {
        name: api.post(f"/fileops{suffix}").mock(return_value=ok())
        for name, (_, suffix, _) in OPERATIONS.items()
    }
    for call, _, _ in OPERATIONS.values():
        await call(printer)
    assert all(route.called for route in routes.values())


BAD_PATHS = [
    (lambda p: p.delete_file("USB/a.gcode"), "file_path"),
    (lambda p: p.delete_file("Local/../a.gcode"), "file_path"),
    (lambda p: p.rename_file("a.gcode", "b.gcode"), "file_path"),
    (lambda p: p.rename_file("Local/a.gcode", "x/b.gcode"), "new_name"),
    (lambda p: p.rename_file("Local/a.gcode", ".."), "new_name"),
    (lambda p: p.rename_file("Local/a.gcode", ""), "new_name"),
    (lambda p: p.move_file("Local/a", "/etc/a"), "file_dst"),
    (lambda p: p.move_file("Local/../a", "Local/a"), "file_src"),
    (lambda p: p.copy_file("Loacl/a", "Local/a"), "file_src"),
    (lambda p: p.copy_file("Local/a", "Local/x/../../a"), "file_dst"),
    (lambda p: p.create_directory("Local/a/../../b"), "dir_path"),
    (lambda p: p.delete_directory("Local/"), "Local/ directory itself"),
    (lambda p: p.delete_directory("Local"), "Local/ directory itself"),
    (lambda p: p.rename_directory("Local/", "x"), "Local/ directory itself"),
    (lambda p: p.rename_directory("Local/a", "b/c"), "new_name"),
    (lambda p: p.file_thumbnail("../x.data"), "data_path"),
    (lambda p: p.upload_file(b"x", "USB", filename="a.gcode"), "dir_path"),
    (lambda p: p.upload_file(b"x", filename="../a.gcode"), "filename"),
]


@pytest.mark.parametrize(("call", "named"), BAD_PATHS)
async def test_bad_paths_raise_path_error_before_any_request(api, printer, call, named):
    """Paths outside Local/, '..' segments and names with '/' raise PathError, sending nothing."""
    with pytest.raises(PathError, match=named):
        await call(printer)
    assert not api.calls


# -- uploads -------------------------------------------------------------------------------


async def test_upload_from_a_path_sends_desc_then_file(api, printer, tmp_path):
    """A path upload is multipart with desc (application/json) before file (octet-stream)."""
    source = tmp_path / "cube.gcode"
    content = os.urandom(3 * _upload.CHUNK_BYTES + 5)
    source.write_bytes(content)
    route = api.post("/fileops/upload").mock(return_value=ok())
    progress = []
    await printer.upload_file(source, "Local/jobs", progress=lambda s, t: progress.append((s, t)))
    request = route.calls.last.request
    assert dict(request.url.params) == {"token": TOKEN}
    assert int(request.headers["content-length"]) == len(request.content)
    (desc_head, desc), (file_head, payload) = parts(request)
    assert desc_head == [
        'Content-Disposition: form-data; name="desc"',
        "Content-Type: application/json",
    ]
    assert json.loads(desc) == {"dir_path": "Local/jobs"}
    assert file_head == [
        'Content-Disposition: form-data; name="file"; filename="cube.gcode"',
        "Content-Type: application/octet-stream",
    ]
    assert payload == content
    total = len(content)
    assert progress[0] == (0, total)
    assert progress[-1] == (total, total)
    assert [s for s, _ in progress] == sorted(s for s, _ in progress)


async def test_upload_of_bytes_uses_the_given_name_and_default_directory(api, printer):
    """Bytes go to Local/webapi_store under filename=, with a Content-Length."""
    route = api.post("/fileops/upload").mock(return_value=ok())
    await printer.upload_file(b"G28\n", filename='we"ird.gcode')
    request = route.calls.last.request
    (_, desc), (file_head, payload) = parts(request)
    assert json.loads(desc) == {"dir_path": "Local/webapi_store"}
    assert file_head[0] == 'Content-Disposition: form-data; name="file"; filename="we%22ird.gcode"'
    assert payload == b"G28\n"


async def test_upload_streams_an_async_iterator_with_async_progress(api, printer):
    """An async byte stream is sent chunked, in order, reporting progress with total None."""
    route = api.post("/fileops/upload").mock(return_value=ok())

    async def chunks():
        for i in range(5):
            yield bytes([i]) * 1000

    progress = []

    async def report(sent, total):
        progress.append((sent, total))

    await printer.upload_file(chunks(), "Local/x", filename="s.gcode", progress=report)
    request = route.calls.last.request
    assert request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in request.headers
    (_, _), (_, payload) = parts(request)
    assert payload == b"".join(bytes([i]) * 1000 for i in range(5))
    assert progress == [(i * 1000, None) for i in range(6)]


async def test_upload_reads_files_in_bounded_chunks(tmp_path):
    """The body of a path upload comes in chunks of at most CHUNK_BYTES, never the whole file."""
    source = tmp_path / "big.gcode"
    source.write_bytes(b"x" * (4 * _upload.CHUNK_BYTES))
    upload = await _upload.Upload.prepare(source, dir_path="Local/x", filename=None, progress=None)
    sizes = [len(chunk) async for chunk in upload.body()]
    assert max(sizes[1:-1]) == _upload.CHUNK_BYTES
    assert sum(sizes) == upload.content_length


async def test_upload_body_never_goes_past_its_content_length(tmp_path):
    """A file that grows after its size was taken stops the body before the extra bytes."""
    source = tmp_path / "grows.gcode"
    source.write_bytes(b"a" * 1000)
    upload = await _upload.Upload.prepare(source, dir_path="Local/x", filename=None, progress=None)
    source.write_bytes(b"a" * 5000)
    sizes = []

    async def send():
        async for chunk in upload.body():
            sizes.append(len(chunk))

    with pytest.raises(ValueError, match="changed size"):
        await send()
    assert upload.content_length is not None
    assert sum(sizes) <= upload.content_length


async def test_upload_over_500_mb_is_refused_before_sending(api, printer, tmp_path):
    """A file over 500 MB raises InvalidParameterError before any request (sparse file)."""
    source = tmp_path / "huge.gcode"
    with source.open("wb") as file:
        file.truncate(500 * 1024 * 1024 + 1)
    with pytest.raises(InvalidParameterError, match="500 MB") as info:
        await printer.upload_file(source)
    assert info.value.code == 10003
    assert not api.calls


async def test_upload_stream_past_the_cap_is_abandoned(api, printer, monkeypatch):
    """A stream of unknown size that passes the cap raises InvalidParameterError mid-stream."""
    monkeypatch.setattr(_upload, "MAX_UPLOAD_BYTES", 2500)
    route = api.post("/fileops/upload").mock(return_value=ok())

    async def chunks():
        for _ in range(10):
            yield b"y" * 1000

    with pytest.raises(InvalidParameterError, match="500 MB"):
        await printer.upload_file(chunks(), filename="s.gcode")
    assert not route.called


@pytest.mark.parametrize(
    ("source", "exc"),
    [(b"x", ValueError), (bytearray(b"x"), ValueError), (42, TypeError)],
)
async def test_upload_needs_a_filename_for_bytes_and_a_known_source(api, printer, source, exc):
    """Bytes without filename= raise ValueError; an unsupported source raises TypeError."""
    with pytest.raises(exc):
        await printer.upload_file(source)
    assert not api.calls


async def test_upload_of_a_missing_path_raises_os_error(api, printer, tmp_path):
    """A local path that does not exist raises FileNotFoundError before any request."""
    with pytest.raises(FileNotFoundError):
        await printer.upload_file(tmp_path / "nope.gcode")
    assert not api.calls


async def test_refused_token_during_bytes_upload_retries_with_the_whole_body(api, printer):
    """A 401 on a replayable upload logs in again and sends the whole body once more."""
    route = api.post("/fileops/upload").mock(side_effect=[api_error(401, "token error"), ok()])
    await printer.upload_file(b"abc", filename="a.gcode")
    assert route.call_count == 2
    assert parts(route.calls[1].request)[1][1] == b"abc"
    assert api["login"].call_count == 2


async def test_refused_token_during_stream_upload_raises_after_login(api, printer):
    """A stream cannot be sent twice: a 401 raises, but the next call has a fresh token."""
    route = api.post("/fileops/upload").mock(side_effect=[api_error(401, "token error"), ok()])

    async def chunks():
        yield b"abc"

    with pytest.raises(AuthenticationError):
        await printer.upload_file(chunks(), filename="a.gcode")
    assert route.call_count == 1
    assert api["login"].call_count == 2
    await printer.upload_file(chunks(), filename="a.gcode")
    assert route.call_count == 2


# -- every documented error answer of these endpoints -----------------------------------------

CALLS = {
    "list": ("GET", "/fileops/list", lambda p: p.list_files("Local/x")),
    "image": ("GET", "/fileops/imagedownload", lambda p: p.file_thumbnail("Local/a.data")),
    "upload": ("POST", "/fileops/upload", lambda p: p.upload_file(b"x", filename="a.gcode")),
    "dir/create": ("POST", "/filepos/dir/create", lambda p: p.create_directory("Local/d")),
    "dir/delete": ("POST", "/filepos/dir/delete", lambda p: p.delete_directory("Local/d")),
    "dir/rename": ("POST", "/filepos/dir/rename", lambda p: p.rename_directory("Local/d", "e")),
    "moveto": ("POST", "/filepos/moveto", lambda p: p.move_file("Local/a", "Local/b")),
    "delete": ("POST", "/filepos/delete", lambda p: p.delete_file("Local/a")),
    "rename": ("POST", "/filepos/rename", lambda p: p.rename_file("Local/a", "b")),
    "copy": ("POST", "/filepos/copy", lambda p: p.copy_file("Local/a", "Local/b")),
}
IO = StateReason.IO_FAILURE
ROOT = (10005, "root path error", PathError, None)
SRC_DST = [
    (10005, "file_src root path error", PathError, None),
    (10005, "file_dst root path error", PathError, None),
]
DOCUMENTED_ERRORS = {
    "list": [
        (404, "directory not exist", NotFoundError, None),
        (10002, "start_pos error, it must be non-negative", InvalidParameterError, None),
        (10002, "max_num error, range(1~24)", InvalidParameterError, None),
        ROOT,
    ],
    "image": [
        (404, "data file not exist", NotFoundError, None),
        (500, "can not open IODevice", PrinterStateError, IO),
        (10002, "width error, range(1~1024)", InvalidParameterError, None),
        (10002, "height error, range(1~1024)", InvalidParameterError, None),
        (10004, "data file error", InvalidParameterError, None),
        ROOT,
    ],
    "upload": [
        (404, "directory not exist", NotFoundError, None),
        (500, "IODevice can not open", PrinterStateError, IO),
        (500, "IODevice write failed", PrinterStateError, IO),
        (10003, "file too large size(0~500MB)", InvalidParameterError, None),
        ROOT,
    ],
    "dir/create": [(500, "fail to create directory", PrinterStateError, IO), ROOT],
    "dir/delete": [
        (404, "directory not exist", NotFoundError, None),
        (500, "fail to delete directory", PrinterStateError, IO),
        ROOT,
        (10006, "no access to delete Local directory", PathError, None),
    ],
    "dir/rename": [
        (404, "directory not exist", NotFoundError, None),
        (500, "fail to rename directory", PrinterStateError, IO),
        ROOT,
        (10006, "no access to rename Local directory", PathError, None),
    ],
    "moveto": [
        (404, "source file not exist", NotFoundError, None),
        (500, "fail to move file", PrinterStateError, IO),
        *SRC_DST,
    ],
    "delete": [
        (404, "file not exist", NotFoundError, None),
        (500, "fail to delete file", PrinterStateError, IO),
        ROOT,
    ],
    "rename": [
        (404, "file not exist", NotFoundError, None),
        (500, "fail to rename file", PrinterStateError, IO),
        ROOT,
    ],
    "copy": [
        (404, "source file not exist", NotFoundError, None),
        (500, "fail to copy file", PrinterStateError, IO),
        *SRC_DST,
    ],
}


@pytest.mark.parametrize(
    ("name", "code", "msg", "cls", "reason"), error_cases(CALLS, DOCUMENTED_ERRORS)
)
async def test_every_documented_error_maps_to_its_class(api, printer, name, code, msg, cls, reason):
    """Each documented (code, msg) of each file endpoint raises its typed error."""
    await assert_documented_error(api, printer, CALLS[name], code, msg, cls, reason)


async def test_an_empty_404_on_a_filepos_route_is_not_found(api, printer):
    """If a printer has no /filepos route (HTTP 404, empty body), the caller gets NotFoundError."""
    api.post("/filepos/delete").mock(return_value=httpx.Response(404))
    with pytest.raises(NotFoundError):
        await printer.delete_file("Local/a.gcode")
