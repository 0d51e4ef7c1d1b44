import logging

import anyio
import pytest

DEEP = 100_000
UPLOAD = "multipart/form-data; boundary=b"


def _request(method, target, body=b"", content_type="application/json", length=None):
    """The bytes of one HTTP/1.1 request that closes its connection after the answer."""
    lines = [f"{method} {target} HTTP/1.1", "Host: printer", "Connection: close"]
    if method == "POST":
        size = len(body) if length is None else length
        lines += [f"Content-Type: {content_type}", f"Content-Length: {size}"]
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


def _upload(desc, content, filename=b"a.gcode"):
    """A multipart upload body: the desc part, then the file part."""
    return (
        b'--b\r\nContent-Disposition: form-data; name="desc"\r\n\r\n'
        + desc
        + b'\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="'
        + filename
        + b'"\r\n\r\n'
        + content
        + b"\r\n--b--\r\n"
    )


async def _exchange(endpoint, data):
    """Send raw request bytes over a real socket; return the status and the body of the answer."""
    with anyio.fail_after(5):
        async with await anyio.connect_tcp(endpoint.host, endpoint.port) as stream:
            await stream.send(data)
            received = b""
            while True:
                try:
                    received += await stream.receive()
                except anyio.EndOfStream:
                    break
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


# Each case names the request it sends; {token} is filled in with a valid token.
MALFORMED = {
    "a query integer over Python's 4,300-digit limit": (
        "GET",
        f"/v1/dashboard/joblist?token={{token}}&max_num={'9' * 4301}&start_pos=0",
        b"",
        400,
    ),
    "a negative query integer of 5,000 digits": (
        "GET",
        (
            "/v1/fileops/imagedownload?token={token}&data_path=Local/a.data"
            f"&width=-{'9' * 5000}&height=1"
        ),
        b"",
        400,
    ),
    "a query integer beyond 64 bits": (
        "GET",
        f"/v1/dashboard/job?token={{token}}&pos={2**64}&job_id=x",
        b"",
        400,
    ),
    "a query integer in non-ASCII digits": (
        "GET",
        "/v1/dashboard/job?token={token}&pos=%D9%A1&job_id=x",
        b"",
        400,
    ),
    "a JSON body of arrays nested 100,000 deep": (
        "POST",
        "/v1/printer/fanspeed/set?token={token}",
        b"[" * DEEP + b"]" * DEEP,
        400,
    ),
    "a JSON body of objects nested 100,000 deep": (
        "POST",
        "/v1/printer/feedrate/set?token={token}",
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        400,
    ),
    "an upload whose desc part is nested 30,000 deep": (
        "POST",
        "/v1/fileops/upload?token={token}",
        _upload(b"[" * 30_000 + b"]" * 30_000, b"G28\n"),
        400,
    ),
    "a JSON number beyond the float range": (
        "POST",
        "/v1/printer/fanspeed/set?token={token}",
        b'{"fanspeed": 1e999}',
        400,
    ),
    "a JSON integer over the 4,300-digit limit": (
        "POST",
        "/v1/printer/fanspeed/set?token={token}",
        b'{"fanspeed": ' + b"9" * 5000 + b"}",
        400,
    ),
    "a JSON body of the wrong type": (
        "POST",
        "/v1/job/currentjob/set?token={token}",
        b'["pause"]',
        400,
    ),
    "a body that is not UTF-8": (
        "POST",
        "/v1/job/newjob/set?token={token}",
        b'{"file_path": "Local/\xff.gcode"}',
        400,
    ),
}


@pytest.mark.parametrize(
    ("method", "target", "body", "status"), list(MALFORMED.values()), ids=list(MALFORMED)
)
async def test_a_malformed_request_gets_an_empty_4xx_and_the_printer_serves_on(
    endpoint, api, caplog, method, target, body, status
):
    """A malformed request gets an empty 4xx, nothing is logged at ERROR, and serving goes on."""
    content_type = UPLOAD if target.startswith("/v1/fileops/upload") else "application/json"
    data = _request(method, target.format(token=api.token), body, content_type)
    assert await _exchange(endpoint, data) == (status, b"")
    after = _request("GET", f"/v1/printer/basic?token={api.token}")
    assert (await _exchange(endpoint, after))[0] == 200
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_declared_body_over_the_ceiling_gets_413_without_waiting_for_it(endpoint, api):
    """A Content-Length over 1 MB gets 413 at once, though the body never comes."""
    data = _request("POST", f"/v1/job/newjob/set?token={api.token}", b"{}", length=2 * 1024 * 1024)
    assert await _exchange(endpoint, data) == (413, b"")


@pytest.mark.parametrize(
    "header", [b";TIME:" + b"9" * 5000, b";TIME:" + b"9" * 4000, b";LAYER_COUNT:" + b"9" * 5000]
)
async def test_an_absurd_slicer_header_does_not_break_the_printer(endpoint, api, header):
    """An upload claiming an absurd time or layer count is stored and printed as one without."""
    data = _request(
        "POST",
        f"/v1/fileops/upload?token={api.token}",
        _upload(b'{"dir_path": "Local"}', header + b"\nG28\n"),
        content_type=UPLOAD,
    )
    assert await _exchange(endpoint, data) == (200, b'{"status":1}')
    assert await api.post("/job/newjob/set", {"file_path": "Local/a.gcode"}) == {"status": 1}
    job = (await api.get("/job/currentjob"))["data"]
    assert job["file_name"] == "Local/a.gcode"
    assert (await api.get("/printer/basic"))["status"] == 1
