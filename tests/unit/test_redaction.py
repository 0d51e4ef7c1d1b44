"""No token, signature or password in log records or exception text, by pattern and by value."""

import base64
import gc
import json
import logging
import re
import urllib.parse

import httpx
import pytest
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    Fleet,
    PrinterConnectionError,
    ProtocolError,
)
from printer_async._camera import camera_credentials
from printer_async._redact import REDACTED, forget, redact, remember
from printer_async.cli._messages import host_problem

from _support import HOST, PASSWORD, TOKEN, api_error, load_fixture, ok


@pytest.fixture(name="debug_logs")
def _debug_logs(caplog):
    """Every logger at DEBUG, captured."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "printer_async"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _everything_logged(caplog) -> str:
    return "\n".join(f"{r.getMessage()} {r.msg} {r.args}" for r in caplog.records)


async def test_no_token_sign_or_password_in_any_log_record(api, debug_logs):
    """With all loggers at DEBUG, httpx's request lines carry no token, sign or password."""
    api.get("/job/currentjob").mock(
        side_effect=[
            api_error(401, "token error"),
            httpx.Response(200, json=load_fixture("current_job")),
        ]
    )
    async with AsyncPrinter(HOST, password=PASSWORD) as printer:
        await printer.current_job()
    sign = api["login"].calls.last.request.url.params["sign"]
    logged = _everything_logged(debug_logs)
    assert "HTTP Request" in logged  # httpx did log its request lines
    assert TOKEN not in logged
    assert sign not in logged
    assert PASSWORD not in logged
    assert "token=[redacted]" in logged


async def test_no_secret_in_exception_text(api):
    """Errors raised after a login carry no token or password in their text or repr."""
    password = "pa55word-xyz"
    api.get("/job/currentjob").mock(side_effect=httpx.ConnectError(f"failed for ?token={TOKEN}"))
    async with AsyncPrinter(HOST, password=password) as printer:
        with pytest.raises(PrinterConnectionError) as info:
            await printer.current_job()
    for text in (str(info.value), repr(info.value)):
        assert TOKEN not in text
        assert password not in text


async def test_wrong_password_error_does_not_echo_it(api):
    """The wrong-password error names the setting, never the password tried."""
    password = "hunter2-pw"
    api["login"].mock(return_value=api_error(10000, "sign error or password error"))
    async with AsyncPrinter(HOST, password=password) as printer:
        with pytest.raises(AuthenticationError) as info:
            await printer.login()
    assert password not in str(info.value)
    assert password not in repr(info.value)


def test_redact_masks_every_secret_parameter():
    """redact() masks token, sign and password values wherever they appear in a URL."""
    url = "http://h:10800/v1/login?sign=abc123&timestamp=1&token=deadbeef&password=x"
    assert redact(url) == (
        "http://h:10800/v1/login?sign=[redacted]&timestamp=1&token=[redacted]&password=[redacted]"
    )


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("next=%2Fjob%3Ftoken%3Dbeef%26pos%3D1", "next=%2Fjob%3Ftoken%3D[redacted]%26pos%3D1"),
        ("next=%252Fjob%253Ftoken%253Dbeef%2526x", "next=%252Fjob%253Ftoken%253D[redacted]%2526x"),
        ("http://admin:S3cret@proxy:3128/x", "http://admin:[redacted]@proxy:3128/x"),
    ],
)
def test_redact_masks_secret_parameters_encoded_twice_and_url_passwords(text, redacted):
    """A double-encoded ``token%253D...`` and a URL's ``user:password@`` are found by pattern."""
    assert redact(text) == redacted


# -- by value: the registry of live secrets ---------------------------------------------------

SECRET = "p@ss&w0rd/x=y"
"""A secret with characters that URLs, JSON and reprs encode."""


class _Owner:
    """Something that holds secrets (a printer's login state, a notifier)."""


def _decoded(text: str) -> list[str]:
    """``text``, percent-decoded once and twice, and each base64 run decoded at each offset."""
    views = [text, urllib.parse.unquote(text), urllib.parse.unquote(urllib.parse.unquote(text))]
    for found in re.findall(r"[A-Za-z0-9+/_-]{8,}", text):
        run = found.replace("-", "+").replace("_", "/")
        for skip in range(4):
            piece = run[skip:]
            piece = piece[: len(piece) - (len(piece) % 4 == 1)]
            views.append(base64.b64decode(piece + "=" * (-len(piece) % 4)).decode("latin-1"))
    return views


def _shown(secret: str) -> list[str]:
    """``secret`` in every form a log record may hold it."""
    once = urllib.parse.quote(secret, safe="")
    basic = base64.b64encode(f"user:{secret}".encode()).decode()
    return [
        secret,
        once,
        urllib.parse.quote(once, safe=""),
        urllib.parse.quote_plus(secret),
        once.lower(),
        json.dumps({"m": secret}),
        repr(secret.encode()),
        *(base64.b64encode(prefix + secret.encode()).decode() for prefix in (b"", b"a", b"ab")),
        base64.urlsafe_b64encode(secret.encode()).decode(),
        f"Authorization: Basic {basic}",
    ]


@pytest.fixture(name="owner")
def _owner():
    """An owner whose secrets are forgotten after the test."""
    owner = _Owner()
    yield owner
    forget(owner)


@pytest.mark.parametrize("index", range(len(_shown(SECRET))))
def test_a_remembered_secret_is_blanked_in_every_form(owner, index):
    """Raw, percent-encoded once or twice, escaped, base64 at any offset or in a Basic header."""
    remember(owner, "login", [SECRET, f"user:{SECRET}"])
    text = f"echo {_shown(SECRET)[index]} end"
    assert all(SECRET not in view for view in _decoded(redact(text)))
    assert redact(text).startswith("echo ")


def test_a_token_with_an_ampersand_is_blanked_whole(owner):
    """A query's ``token=abc%26TAIL`` loses its tail too, not only the part before ``%26``."""
    remember(owner, "login", ["abc&TAIL0123"])
    assert redact("GET /x?token=abc%26TAIL0123&pos=1") == "GET /x?token=[redacted]&pos=1"


def test_forgotten_or_collected_owners_secrets_are_no_longer_blanked():
    """forget() and garbage collection both drop an owner's secrets from the registry."""
    kept, dropped = _Owner(), _Owner()
    remember(kept, "login", ["kept-secret-1"])
    remember(dropped, "login", ["dropped-secret-2"])
    del dropped
    gc.collect()
    assert redact("kept-secret-1 dropped-secret-2") == "[redacted] dropped-secret-2"
    forget(kept)
    assert redact("kept-secret-1") == "kept-secret-1"


def test_a_new_value_of_the_same_kind_replaces_the_old_one(owner):
    """remember() under the same kind forgets what was remembered there before."""
    remember(owner, "camera", ["camera-pw-1"])
    remember(owner, "camera", ["camera-pw-2"])
    assert redact("camera-pw-1 camera-pw-2") == "camera-pw-1 [redacted]"


def test_a_fleet_of_secrets_is_blanked_leftmost_and_longest_first():
    """Past the compiled alternation's size, the scan blanks the same, whatever their number."""
    owners = [_Owner() for _ in range(100)]
    tokens = [f"{index:04d}{'f' * 28}" for index in range(100)]
    for owner, token in zip(owners, tokens, strict=True):
        remember(owner, "login", [token])
    remember(owners[0], "camera", [tokens[1] + "-and-more"])
    try:
        text = " ".join([*tokens, tokens[1] + "-and-more"])
        assert redact(text) == " ".join([REDACTED] * 101)
    finally:
        for owner in owners:
            forget(owner)


def test_short_values_are_not_searched_for_alone(owner):
    """A value under MIN_SECRET characters would blank ordinary text; its Basic form is not."""
    remember(owner, "camera", ["abc", "raise3d_camera:abc"])
    basic = base64.b64encode(b"raise3d_camera:abc").decode()
    assert redact(f"abc Basic {basic}").startswith("abc Basic [redacted]")


@pytest.fixture(name="records")
def _records():
    """Every record of a logger that is not the library's, at DEBUG, as handlers get them."""
    got: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            got.append(record)

    logger = logging.getLogger("some.application")
    handler = Keep(logging.DEBUG)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield got
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def _refuse(text: str) -> None:
    raise ValueError(f"refused {text}")


def test_any_loggers_record_is_blanked_in_message_args_traceback_and_stack(owner, records):
    """Not only httpx's: every logger's records, in every part a handler may show."""
    remember(owner, "login", [SECRET])
    logger = logging.getLogger("some.application")
    try:
        _refuse(urllib.parse.quote(SECRET))
    except ValueError:
        logger.exception("echo %s", {"token": SECRET}, stack_info=True)
    logger.debug("%(a)s", {"a": "fine", "b": SECRET})  # an argument the message leaves out
    logger.info("nothing secret %s", 1)
    shown = logging.Formatter("%(message)s")
    texts = [shown.format(record) for record in records]
    texts += [f"{r.msg} {r.args} {r.exc_text} {r.stack_info}" for r in records]
    assert all(SECRET not in view for text in texts for view in _decoded(text))
    assert records[0].exc_info is None  # its traceback held the secret: kept as redacted text
    assert "ValueError: refused [redacted]" in texts[0]
    assert records[2].args == (1,)  # a record without secrets is left as it was


async def test_a_printer_forgets_its_secrets_when_closed_and_old_ones_after_logins(api):
    """aclose() forgets the token; two logins later, an old token is no longer blanked."""
    tokens = iter(["a" * 32, "b" * 32, "c" * 32])
    api["login"].mock(side_effect=lambda _request: ok({"token": next(tokens)}))
    async with AsyncPrinter(HOST, password="secret-password") as printer:
        for _ in range(3):
            await printer.login()
        assert redact(f"{'a' * 32} {'b' * 32} {'c' * 32}") == f"{'a' * 32} {REDACTED} {REDACTED}"
        assert redact("secret-password") == REDACTED
    assert redact(f"{'c' * 32} secret-password") == f"{'c' * 32} secret-password"


@pytest.mark.parametrize("token", ["abc&TAIL", "a b", "tok%26en", "x" * 257, ""])
def test_a_token_not_in_the_form_printers_issue_is_refused_without_showing_it(token):
    """Letters and digits only, as printers issue them: anything else is a ValueError."""
    with pytest.raises(ValueError, match="token must be") as info:
        AsyncPrinter(HOST, token=token)
    assert not token or token not in str(info.value)


async def test_a_login_answering_a_token_not_in_that_form_is_a_protocol_error(api):
    """A printer's token with ``&`` or ``%`` in it is refused: it could not travel safely."""
    api["login"].mock(return_value=ok({"token": "abc&TAIL"}))
    async with AsyncPrinter(HOST, password=PASSWORD) as printer:
        with pytest.raises(ProtocolError, match="letters and digits"):
            await printer.login()


def test_camera_credentials_are_blanked_until_the_printer_forgets_them(owner):
    """The camera password and its Basic header are secrets of the printer from first use."""
    assert camera_credentials(owner, "raise3d_camera", "368d8d") == ("raise3d_camera", "368d8d")
    header = base64.b64encode(b"raise3d_camera:368d8d").decode()
    assert redact(f"368d8d Basic {header}") == f"{REDACTED} Basic {REDACTED}"
    assert camera_credentials(owner, None, None) is None
    forget(owner)
    assert redact("368d8d") == "368d8d"


# -- the notifier: its URLs' secrets, and nothing else ------------------------------------------


def test_a_notifier_blanks_its_urls_secrets_and_nothing_else():
    """Password, token-like path parts, Basic header: blanked; hosts, ports, words: kept."""
    pytest.importorskip("apprise")
    from printer_async.notify import Notifier  # noqa: PLC0415 - an optional extra

    url = "json://farm:S3cretPass@127.0.0.1:8080/hooks/abc123token456?method=POST"
    notifier = Notifier([url])
    basic = base64.b64encode(b"farm:S3cretPass").decode()
    line = "POST to 127.0.0.1:8080 port 8080 /hooks in 1234 ms, webhook 10800 POST"
    assert redact(line) == line
    assert redact(f"{url} Authorization: Basic {basic}") == (
        "json://[redacted]@127.0.0.1:8080/hooks/[redacted]?method=POST "
        "Authorization: Basic [redacted]"
    )
    assert notifier.enabled


# -- credentials in a rejected address ---------------------------------------------------------


def _fleet_file(tmp_path, key: str, value: str) -> str:
    path = tmp_path / "fleet.toml"
    path.write_text(f"[[printer]]\n{key} = {json.dumps(value)}\n")
    return str(path)


@pytest.mark.parametrize(
    "address",
    [
        ("host", "admin:S3cret@192.168.0.57"),
        ("host", "http://admin:S3cret@printer"),
        ("host", "admin:S3cret@"),
        ("base_url", "ftp://admin:S3cret@farm.example/v1"),
        ("base_url", "http://admin:S3cret@/v1"),
        ("base_url", "admin:S3cret@farm.example"),
        ("base_url", "http://admin:S3cret@farm.example/v1"),
        ("base_url", "https://farm.example/v1?password=S3cret"),
    ],
)
@pytest.mark.parametrize("entry", ["AsyncPrinter", "Fleet.from_toml", "the command"])
def test_a_rejected_address_never_quotes_its_credentials(tmp_path, address, entry):
    """host= or base_url= refused, by the client, a fleet file or the command: no password."""
    key, value = address
    if entry == "AsyncPrinter":
        with pytest.raises(ValueError, match=key) as info:
            AsyncPrinter(**{key: value})
        message = str(info.value)
    elif entry == "Fleet.from_toml":
        with pytest.raises(ValueError, match="printer #1") as info:
            Fleet.from_toml(_fleet_file(tmp_path, key, value))
        message = str(info.value)
    else:
        message = host_problem(value) or ""
        assert message
    assert "S3cret" not in message
