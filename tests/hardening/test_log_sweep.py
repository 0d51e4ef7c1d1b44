"""No secret, in any form, in any log record, whatever a printer or a receiver echoes back.

A raw server echoes the secret each request carries (the token, the login's signature, or the
camera's Basic credentials, which ``/printer/camera`` hands out pointing at the same server) and a
notifier's credentials (its URL's password and token, and ``user:password`` base64-encoded, as
the ``Authorization: Basic`` header it sent) in every place an attacker used: a ``Location`` in
every encoding (plain, percent-encoded once and twice, base64, in the path, the fragment, the
user info), other headers, the reason phrase, a malformed status line, header line or chunk
size (which h11 and aiohttp quote in their errors), the body. Every logger is at DEBUG and every
record is searched (its formatted line, ``msg``, ``args``, ``exc_text``, ``stack_info``) for
each secret, also after percent-decoding it once and twice and after base64-decoding every run
of base64 characters in it at every offset; on every client setup, and for Apprise's own
delivery to such a receiver.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import logging
import re
import urllib.parse
from typing import TYPE_CHECKING

import pytest
from printer_async import AsyncPrinter, EventKind, JobEvent, PrinterError

from _canned import LOGIN, TOKEN
from _raw_server import RawServer, Reply, Request
from _setups import printer_on

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

PASSWORD = "correct-horse-battery-staple-42"
NOTIFY_USER = "farm"
NOTIFY_PASSWORD = "n0tify-Pa55word"
NOTIFY_TOKEN = "N0t1fyT0ken5ecret99"
NOTIFY_BASIC = base64.b64encode(f"{NOTIFY_USER}:{NOTIFY_PASSWORD}".encode())
"""What the notifier's Basic ``Authorization`` header carries."""
CAMERA_USER = "raise3d_camera"
CAMERA_PASSWORD = "c4m3ra"
"""As short as a real printer's (six hex digits in the captures)."""


def _notify_url(port: int) -> str:
    return f"json://{NOTIFY_USER}:{NOTIFY_PASSWORD}@127.0.0.1:{port}/hooks/{NOTIFY_TOKEN}"


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}")
"""Base64 characters, standard or URL-safe, without the padding (a secret may end a run)."""


def _views(text: str) -> Iterator[str]:
    """``text``, percent-decoded once and twice, and each base64 run in it decoded."""
    yield text
    once = urllib.parse.unquote(text)
    yield once
    yield urllib.parse.unquote(once)
    for found in _BASE64_RUN.findall(text):
        run = found.replace("-", "+").replace("_", "/")
        for skip in range(4):  # wherever the secret's bytes start within the run
            piece = run[skip:]
            piece = piece[: len(piece) - (len(piece) % 4 == 1)]  # a lone last character
            yield base64.b64decode(piece + "=" * (-len(piece) % 4)).decode("latin-1")


def _echo(carried: bytes, target: bytes) -> dict[str, Reply]:
    """Every way of echoing ``carried`` (a secret of the request) and the notifier's secrets."""
    url = b"http://127.0.0.1:1" + target
    once = urllib.parse.quote(url, safe="").encode()
    twice = urllib.parse.quote(once, safe="").encode()
    notify = b"%s %s %s" % (NOTIFY_PASSWORD.encode(), NOTIFY_TOKEN.encode(), NOTIFY_BASIC)

    def moved(location: bytes) -> Reply:
        return Reply(status=302, reason=b"Found", headers=((b"Location", location),))

    return {
        "location": moved(url),
        "location percent-encoded": moved(b"/login?next=" + once),
        "location double-encoded": moved(b"/login?next=" + twice),
        "location base64": moved(b"/login?state=" + base64.b64encode(url)),
        "location path": moved(b"http://127.0.0.1:1/v1/" + carried + b"/job"),
        "location fragment": moved(b"http://127.0.0.1:1/v1#" + carried),
        "location user info": moved(b"http://" + carried + b":x@127.0.0.1:1/v1"),
        "headers": Reply(
            headers=(
                (b"Content-Type", b"application/json"),
                (b"X-Echo", carried),
                (b"Set-Cookie", b"session=" + carried),
                (b"Authorization", b"Basic " + NOTIFY_BASIC),
                (b"X-Notify", notify),
            ),
            body=b'{"status":0,"error":{"code":10002,"msg":"bad"}}',
        ),
        "reason phrase": Reply(status=404, reason=b"Not " + carried + b" " + notify),
        "status line": Reply(raw=b"HTTP/1.1 2" + carried + b" OK\r\nContent-Length: 0\r\n\r\n"),
        "header line": Reply(
            raw=b"HTTP/1.1 200 OK\r\n" + carried + b" " + notify + b"\r\nContent-Length: 0\r\n\r\n"
        ),
        "chunk size": Reply(
            raw=b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + carried + b"\r\nx\r\n"
        ),
        "body": Reply(
            status=500,
            reason=b"Oops",
            headers=((b"Content-Type", b"text/plain"),),
            body=b"no route for " + target + b" (" + carried + b") " + notify,
        ),
    }


SHAPES = sorted(_echo(b"", b"/"))


@contextlib.contextmanager
def _every_record() -> Iterator[list[str]]:
    """Every record of every logger at DEBUG: its line, msg, args, traceback and stack."""
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(self.format(record))
            seen.extend(str(part) for part in (record.msg, record.args, record.exc_text))
            seen.append(str(record.stack_info))

    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    loggers = [
        logger for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = root.level, [(logger, logger.level, logger.disabled) for logger in loggers]
    root.setLevel(logging.DEBUG)
    for logger in loggers:
        logger.setLevel(logging.NOTSET)
        logger.disabled = False
    root.addHandler(handler)
    try:
        yield seen
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for logger, level, disabled in saved[1]:
            logger.setLevel(level)
            logger.disabled = disabled


def _leaks(records: list[str], secrets: list[str]) -> list[str]:
    """Each secret found in a view of a record, with the 120 characters around it."""
    found = []
    for record in records:
        for view in _views(record):
            for secret in secrets:
                if secret in view:
                    at = view.index(secret)
                    found.append(f"{secret!r}: ...{view[max(0, at - 60) : at + 60]}")
    return found


def _camera(port: int) -> Reply:
    """``/printer/camera``: a camera server on ``port`` (the raw server itself)."""
    return Reply(
        body=b'{"status":1,"data":{"is_camera_connected":true,"camerserver_URI":":%d/api",'
        b'"user_name":"%s","password":"%s"}}'
        % (port, CAMERA_USER.encode(), CAMERA_PASSWORD.encode())
    )


def _script(shape: str, logins: list[str], port: list[int]) -> Callable[[Request], Reply]:
    """Answers every other login, the camera's address, and every other request with ``shape``.

    What is echoed is the secret the request carries: the login's signature, the token, or
    the camera request's ``Authorization`` header.
    """

    def script(request: Request) -> Reply:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.target).query)
        if request.path == "/v1/login":
            logins.append(query["sign"][0])
            if len(logins) % 2:
                return LOGIN
        if request.path == "/v1/printer/camera":
            return _camera(port[0])
        carried = (query.get("sign") or query.get("token") or [""])[0].encode()
        carried = carried or request.headers.get("authorization", "").encode()
        return _echo(carried, request.target.encode())[shape]

    return script


@pytest.mark.parametrize("shape", SHAPES)
async def test_no_form_of_a_secret_in_any_record_on_any_setup(transport, shape):
    """Token, signatures, passwords, camera and notifier credentials echoed: none logged."""
    notify = pytest.importorskip("printer_async.notify")
    logins: list[str] = []
    port: list[int] = []
    with _every_record() as records:
        # Alive while the printer runs, so its secrets are known to every record too.
        notifier = notify.Notifier([_notify_url(9)])
        async with RawServer(_script(shape, logins, port)) as server:
            port.append(server.port)
            async with printer_on(transport, server.port, seconds=0.5, password=PASSWORD) as p:
                calls = (p.current_job, p.current_job, p.login, p.login, p.snapshot, p.current_job)
                for call in calls:
                    with contextlib.suppress(PrinterError):
                        await call()
        cameras = [r for r in server.requests if r.path.startswith("/api")]
    assert len(logins) >= 2  # one login answered, one echoed
    assert [r.headers.get("authorization", "")[:6] for r in cameras] == ["Basic "]
    assert any("HTTP" in record for record in records)  # the loggers did speak
    secrets = [TOKEN, PASSWORD, *logins, CAMERA_PASSWORD, f"{CAMERA_USER}:{CAMERA_PASSWORD}"]
    secrets += [NOTIFY_PASSWORD, NOTIFY_TOKEN, f"{NOTIFY_USER}:{NOTIFY_PASSWORD}"]
    assert _leaks(records, secrets) == []
    assert notifier.enabled  # its secrets were known all along


@pytest.mark.parametrize("shape", SHAPES)
async def test_no_form_of_a_notifiers_secrets_when_its_receiver_echoes_them(shape):
    """Apprise posting to a receiver that echoes its Basic header and path: nothing logged."""
    notify = pytest.importorskip("printer_async.notify")
    pytest.importorskip("apprise")
    printer = AsyncPrinter.__new__(AsyncPrinter)  # a stand-in: an event only names it
    printer.name = "left-1"
    event = JobEvent(
        kind=EventKind.PAUSED,
        previous=None,
        current=None,
        job=None,
        observed_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        printer=printer,
    )
    requests: list[Request] = []

    def script(request: Request) -> Reply:
        requests.append(request)
        carried = request.headers.get("authorization", "").encode() + request.target.encode()
        return _echo(carried, request.target.encode())[shape]

    with _every_record() as records:
        async with RawServer(script) as server:
            async with notify.Notifier(
                [_notify_url(server.port)], on={"paused"}, drain_timeout=10
            ) as notifier:
                notifier.submit(event)
    assert requests  # Apprise did post
    assert any(record.startswith("apprise ") for record in records)
    secrets = [NOTIFY_PASSWORD, NOTIFY_TOKEN, f"{NOTIFY_USER}:{NOTIFY_PASSWORD}"]
    assert _leaks(records, secrets) == []
