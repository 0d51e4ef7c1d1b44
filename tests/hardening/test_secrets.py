"""No token, login signature or password in any log record, exception or line of the CLI.

A server that echoes the request (its URL, with the token or the login's signature in the
query) everywhere it can: a redirect's ``Location``, the reason phrase, other headers, an HTML
page, a JSON error message, a body that is not JSON, a field of an answer, an answer that is
not HTTP at all; and connections dropped or reset, whose httpx and aiohttp exceptions keep the
request. Every log record of every logger at DEBUG, and every string reachable from what the
calls raise (``__cause__``/``__context__`` chains, ``args``, attributes, httpx requests, aiohttp
request infos, reprs), are searched for the secrets; so is the command's output, with --debug.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import types
import urllib.parse
from typing import Any

import httpx
import pytest
from printer_async import PrinterError

from _calls import CALLS
from _canned import JOB, LOGIN, TOKEN
from _raw_server import RawServer, Reply, Request, serving_in_thread
from _setups import printer_on

PASSWORD = "correct-horse-battery-staple-42"


def _echoes(request: Request) -> dict[str, Reply]:
    """Every way of echoing ``request`` back, by name.

    Besides the URL, the secret the request carries (the token, or the login's signature) is
    echoed bare, as a printer's message could quote it.
    """
    target = request.target.encode()
    url = b"http://127.0.0.1:1" + target
    quoted = urllib.parse.quote(request.target, safe="").encode()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.target).query)
    token = (query.get("token") or query.get("sign") or [""])[0].encode()
    return {
        "redirect": Reply(
            status=302,
            reason=b"Found " + target,
            headers=(
                (b"Location", url),
                (b"X-Echo", target),
                (b"Refresh", b"0; url=/login?next=" + quoted),
                (b"Content-Type", b"text/html"),
            ),
            body=b"<html><a href='" + url + b"'>moved</a></html>",
        ),
        "error message": Reply(
            body=b'{"status":0,"error":{"code":10002,"msg":"bad %s, token %s"}}' % (target, token)
        ),
        "not json": Reply(body=b"<pre>no route for " + target + b" (" + token + b")</pre>"),
        "field": Reply(
            body=b'{"status":1,"data":{"date_time":"%s","file_name":"%s"}}' % (target, token)
        ),
        "not http": Reply(raw=b"HTTP/1.1 OOPS " + target + b"\r\n\r\n"),
        "dropped": Reply(behaviour="drop"),
        "reset": Reply(body=JOB.body + target, behaviour="reset_mid_body"),
    }


ECHOES = sorted(_echoes(Request("GET", "/", {}, b"")))
SWEPT_CALLS = ["login", "current_job", "system_info", "job_list", "start_job", "upload_file"]


_NOT_WALKED = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.FrameType,
    types.TracebackType,
    types.CodeType,
)
"""What the walk does not enter: code, and the traceback's frames (their locals are not ours)."""


def _strings(root: object) -> list[str]:
    """Every string reachable from ``root``: texts, reprs, and those of everything it holds."""
    found: list[str] = []
    seen: set[int] = set()
    pending: list[tuple[object, int]] = [(root, 0)]
    while pending:
        item, depth = pending.pop()
        if id(item) in seen or depth > 10 or isinstance(item, _NOT_WALKED):
            continue
        seen.add(id(item))
        if isinstance(item, str | bytes | bytearray):
            found.append(item if isinstance(item, str) else bytes(item).decode("latin-1"))
            continue
        with contextlib.suppress(Exception):
            found.extend((repr(item), str(item)))
        pending.extend((child, depth + 1) for child in _held(item) if child is not None)
    return found


def _held(item: object) -> list[Any]:
    """What ``item`` holds: an exception's links, items, attributes and slots."""
    held: list[Any] = []
    if isinstance(item, BaseException):
        held += [item.args, item.__cause__, item.__context__, *getattr(item, "exceptions", ())]
    if isinstance(item, httpx.Request):
        held += [str(item.url), list(item.headers.items())]
    if isinstance(item, dict):
        held += [*item.keys(), *item.values()]
    elif isinstance(item, list | tuple | set | frozenset):
        held += list(item)
    elif callable(getattr(item, "items", None)):  # multidicts, headers
        with contextlib.suppress(Exception):
            held += [value for pair in item.items() for value in pair]
    held += list(getattr(item, "__dict__", {}).values())
    for cls in type(item).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            with contextlib.suppress(Exception):
                held.append(getattr(item, slot))
    return held


@contextlib.contextmanager
def _every_log_record():
    """Every record of every logger, at DEBUG, formatted with its traceback, as it is emitted."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    saved = (
        root.level,
        {
            name: (logger.level, logger.disabled)
            for name, logger in logging.root.manager.loggerDict.items()
            if isinstance(logger, logging.Logger)
        },
    )
    root.setLevel(logging.DEBUG)
    for name in saved[1]:
        logger = logging.getLogger(name)
        logger.setLevel(logging.NOTSET)
        logger.disabled = False
    root.addHandler(handler)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, (level, disabled) in saved[1].items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).disabled = disabled


def _secrets_in(texts: list[str], secrets: list[str]) -> list[str]:
    """Where a secret is found: the 120 characters around it, in each text that holds it."""
    return [
        text[max(0, text.index(secret) - 60) : text.index(secret) + 60]
        for text in texts
        for secret in secrets
        if secret in text
    ]


@pytest.mark.parametrize("echo", ECHOES)
async def test_no_secret_in_logs_or_in_anything_an_error_holds(transport, echo):
    """Echoed in every way, to every call: no secret in the DEBUG logs nor in the errors."""
    logins: list[Request] = []

    def script(request: Request) -> Reply:
        if request.path == "/v1/login":
            logins.append(request)
            # Every other login is echoed: the signature is in that one's URL.
            return _echoes(request)[echo] if len(logins) % 2 == 0 else LOGIN
        return _echoes(request)[echo]

    errors: list[BaseException] = []
    with _every_log_record() as records:
        async with RawServer(script) as server:
            for name in SWEPT_CALLS:
                async with printer_on(
                    transport, server.port, seconds=0.5, password=PASSWORD
                ) as printer:
                    for _ in range(2):
                        try:
                            await CALLS[name][0](printer)
                        except PrinterError as exc:
                            errors.append(exc)
    signs = [urllib.parse.parse_qs(r.target.split("?", 1)[1])["sign"][0] for r in logins]
    assert errors
    assert records  # the loggers did speak
    assert _secrets_in(records, [TOKEN, PASSWORD, *signs]) == []
    assert _secrets_in(_strings(errors), [TOKEN, PASSWORD, *signs]) == []


@pytest.mark.parametrize("echo", ["redirect", "error message", "not json", "not http"])
@pytest.mark.parametrize("debug", [False, True])
def test_no_secret_in_what_the_command_prints(echo, debug):
    """The command against an echoing printer, with or without --debug: no secret printed."""
    logins: list[Request] = []

    def script(request: Request) -> Reply:
        if request.path == "/v1/login":
            logins.append(request)
            return LOGIN
        return _echoes(request)[echo]

    with serving_in_thread(script) as port:
        command = [sys.executable, "-m", "printer_async", *(["--debug"] * debug)]
        result = subprocess.run(  # noqa: S603 - our own interpreter and module
            [*command, "status", "127.0.0.1", "--port", str(port), "--timeout", "2"],
            capture_output=True,
            text=True,
            env={"PRINTER_ASYNC_PASSWORD": PASSWORD, "PATH": ""},
            timeout=60,
            check=False,
        )
    signs = [urllib.parse.parse_qs(r.target.split("?", 1)[1])["sign"][0] for r in logins]
    assert result.returncode != 0
    assert logins
    assert _secrets_in([result.stdout, result.stderr], [TOKEN, PASSWORD, *signs]) == []
    if debug:
        assert "token=[redacted]" in result.stderr  # the debug log is there, redacted
