"""Hypothesis strategies for what a broken or hostile printer may answer, request by request.

An answer is drawn for the path asked: mostly the documented shape of that endpoint's data with
some fields given wrong types, non-finite, huge or absurd values, or left out; sometimes any
JSON at all, an error envelope, deep nesting, invalid UTF-8, a truncated or over-long body, an
HTML page, any HTTP status (redirects with a ``Location``), odd headers, and answers that are
dropped, reset, stalled or trickled.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from hypothesis import strategies as st

from _raw_server import Reply
from _support import load_fixture

NASTY_NUMBERS = [
    math.nan,
    math.inf,
    -math.inf,
    -0.0,
    5e-324,
    1.7976931348623157e308,
    2**53 + 1,
    -(2**63),
    10**400,
    -1,
    101.5,
]
NASTY_TEXT = [
    "",
    "[bold]x[/bold]",
    "[/nope]",
    "\x1b[2J",
    "\ud800",
    "a" * 300,
    "../../etc",
    "\u202e",
    "iVBORw0K\u00e9==",
]

_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(NASTY_NUMBERS)
    | st.sampled_from(NASTY_TEXT)
)
JSON = st.recursive(
    _leaf,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)
"""Any JSON value (and the non-finite numbers Python's reader accepts)."""

_PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(16)).decode()
_FIXTURES = {
    "/v1/login": "login",
    "/v1/job/currentjob": "current_job",
    "/v1/dashboard/statistics": "statistics",
    "/v1/dashboard/joblist": "job_list",
    "/v1/dashboard/job": "job_detail",
    "/v1/printer/system": "system_info",
    "/v1/printer/runningstatus": "running_status",
    "/v1/printer/basic": "basic_info",
    "/v1/printer/nozzle1": "nozzle",
    "/v1/printer/nozzle2": "nozzle",
    "/v1/printer/camera": "camera_info",
    "/v1/fileops/list": "file_list",
}
TEMPLATES: dict[str, Any] = {
    path: load_fixture(name)["data"] for path, name in _FIXTURES.items()
} | {
    "/v1/dashboard/imagedownload": {"img_data": _PNG},
    "/v1/fileops/imagedownload": {"img_data": _PNG},
}
"""The documented data of each endpoint (the recorded fixtures), by path."""
# The camera is asked for on the raw server's own port, written in when the answer is sent.
TEMPLATES["/v1/printer/camera"]["camerserver_URI"] = ":@PORT@/api/v1/camera/auth_stream"

_TOKEN_ERROR = {"status": 0, "error": {"code": 401, "msg": "token error"}}
_CODES = [401, 500, 503, 10000, 10001, 10002, 10003, 10004, 10005, 10006, 0, -1, 2**70]
_MESSAGES = ["token error", "busy", "printer is busy", "file not exist", "no server", ""]


def _weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of ``choices``, each drawn with its weight in percent (the weights sum to 100)."""
    bounds, total = [], 0
    for weight, strategy in choices:
        total += weight
        bounds.append((total, strategy))
    assert total == 100

    def pick(roll: int) -> st.SearchStrategy[Any]:
        return next(strategy for bound, strategy in bounds if roll < bound)

    return st.integers(0, 99).flatmap(pick)


def _mutated(template: Any) -> st.SearchStrategy[Any]:
    """``template`` with some of its fields (or its lists' first item's) replaced or removed."""
    if not isinstance(template, dict) or not template:
        return JSON
    keys = sorted(template)
    value = JSON | st.sampled_from(NASTY_NUMBERS) | st.sampled_from(NASTY_TEXT)

    @st.composite
    def mutate(draw: st.DrawFn) -> Any:
        data = dict(template)
        for key in draw(st.sets(st.sampled_from(keys), min_size=1, max_size=3)):
            if draw(st.booleans()) and isinstance(data[key], list) and data[key]:
                first = data[key][0]
                data[key] = [draw(_mutated(first)), *data[key][1:]]
            elif draw(st.integers(0, 4)) == 0:
                del data[key]
            else:
                data[key] = draw(value)
        return data

    return mutate()


def _envelope(path: str) -> st.SearchStrategy[Any]:
    template = TEMPLATES.get(path)
    data = _weighted((25, st.just(template)), (75, _mutated(template))) if template else st.none()
    error = st.fixed_dictionaries(
        {
            "status": st.just(0),
            "error": st.fixed_dictionaries(
                {"code": st.sampled_from(_CODES), "msg": st.sampled_from(_MESSAGES) | st.text()}
            ),
        }
    )
    return _weighted(
        (60, data.map(lambda d: {"status": 1} if d is None else {"status": 1, "data": d})),
        (12, error),
        (5, st.just(_TOKEN_ERROR)),
        (10, st.builds(lambda s, d: {"status": s, "data": d}, JSON, JSON)),
        (13, JSON),
    )


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


_DEEP = [33, 200, 999, 5000, 100_000]


def _body(path: str) -> st.SearchStrategy[bytes]:
    """The bytes of an answer: JSON, or JSON gone wrong, or no JSON at all."""
    envelope = _envelope(path).map(_dumps)
    return _weighted(
        (55, envelope),
        (6, st.tuples(envelope, st.integers(0, 200)).map(lambda e: e[0][: e[1]])),
        (6, st.tuples(envelope, st.integers(0, 200)).map(lambda e: e[0][: e[1]] + b"\xff\xfe")),
        (
            10,
            st.sampled_from(_DEEP).map(
                lambda n: b'{"status":1,"data":' + b"[" * n + b"]" * n + b"}"
            ),
        ),
        (5, st.integers(300, 6000).map(lambda n: b'{"status":1,"data":{"x":' + b"9" * n + b"}}")),
        (6, st.just(b"<html><body><h1>502 Bad Gateway</h1></body></html>")),
        (2, st.just(b" " * (4 * 1024 * 1024 + 1))),
        (10, st.binary(max_size=64)),
    )


_CONTENT_TYPES = [
    b"application/json",
    b"application/json; charset=utf-8",
    b"text/html",
    b"text/plain",
    b"multipart/x-mixed-replace; boundary=frame",
    b"image/jpeg",
    b"\xff\xfe",
    b"",
]
_STATUSES = [200] * 8 + [201, 204, 301, 302, 307, 308, 400, 401, 404, 429, 500, 502, 503]


@st.composite
def _headers(draw: st.DrawFn, status: int) -> tuple[tuple[bytes, bytes], ...]:
    headers: list[tuple[bytes, bytes]] = []
    if draw(st.integers(0, 9)):
        headers.append((b"Content-Type", draw(st.sampled_from(_CONTENT_TYPES))))
    if 300 <= status < 400 or draw(st.integers(0, 9)) == 0:
        location = draw(
            st.sampled_from(
                [b"http://127.0.0.1:1/elsewhere", b"/v1/login", b"\xff::", b"", b"https://[::1"]
            )
        )
        headers.append((b"Location", location))
    if draw(st.integers(0, 9)) == 0:
        headers.append((b"Content-Encoding", draw(st.sampled_from([b"gzip", b"br", b"x"]))))
    if draw(st.integers(0, 9)) == 0:
        headers.append((b"Connection", b"close"))
    return tuple(headers)


@st.composite
def replies(draw: st.DrawFn, path: str, *, seconds: float) -> Reply:
    """An answer to a request for ``path`` on a printer called with timeout ``seconds``."""
    status = draw(st.sampled_from(_STATUSES) | st.integers(100, 599))
    behaviour = draw(
        _weighted(
            (84, st.just("answer")),
            (4, st.just("drop")),
            (4, st.just("reset_mid_body")),
            (2, st.just("stall")),
            (2, st.just("stall_mid_body")),
            (2, st.just("trickle")),
            (2, st.just("slow")),
        )
    )
    delay = 0.0
    if behaviour == "trickle":
        delay = seconds / 10
    elif behaviour == "slow":
        behaviour, delay = "answer", draw(st.floats(0, seconds * 0.8))
    return Reply(
        status=status,
        reason=draw(st.sampled_from([b"OK", b"Whatever", b"\xff\xfe", b""])),
        headers=draw(_headers(status)),
        body=draw(_body(path)),
        content_length=draw(
            _weighted((90, st.just("auto")), (5, st.none()), (5, st.integers(0, 99)))
        ),
        chunked=draw(st.integers(0, 19)) == 0,
        behaviour=behaviour,
        delay=delay,
    )


@st.composite
def camera_replies(draw: st.DrawFn, *, seconds: float) -> Reply:
    """An answer of the camera server: a picture, a multipart stream, or anything."""
    reply = draw(replies("/camera", seconds=seconds))
    frame = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\n\r\n\xff\xd8\xff\xd9\r\n"
    body = draw(st.sampled_from([b"\xff\xd8\xff\xd9", frame, frame * 3, reply.body]))
    return Reply(
        status=reply.status,
        reason=reply.reason,
        headers=reply.headers,
        body=body,
        content_length=reply.content_length,
        chunked=reply.chunked,
        behaviour=reply.behaviour,
        delay=reply.delay,
    )
