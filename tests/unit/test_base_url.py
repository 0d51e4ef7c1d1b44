"""Printers behind a reverse proxy or TLS terminator: AsyncPrinter(base_url=...)."""

import json
import re
import sys

import httpx
import pytest
import respx
from click.testing import CliRunner
from printer_async import AsyncPrinter, Fleet, NotFoundError
from printer_async.cli._app import cli

from _support import PASSWORD, TOKEN, load_fixture, ok

PROXY = "https://farm.example/printer7/v1"


@pytest.fixture(name="proxy")
def _proxy():
    """A respx router on the proxy's URL that answers login and currentjob."""
    with respx.mock(base_url=PROXY, assert_all_called=False) as router:
        router.get("/login", name="login").mock(return_value=ok({"token": TOKEN}))
        router.get("/job/currentjob", name="job").mock(
            return_value=httpx.Response(200, json=load_fixture("current_job"))
        )
        yield router


async def test_requests_go_under_the_base_url(proxy):
    """With base_url, login and calls go to base_url + the endpoint, over https."""
    async with AsyncPrinter(base_url=PROXY, password=PASSWORD) as printer:
        job = await printer.current_job()
    assert job.printed_layer == 1
    request = proxy["job"].calls.last.request
    assert str(request.url) == f"{PROXY}/job/currentjob?token={TOKEN}"
    assert proxy["login"].call_count == 1


def test_a_trailing_slash_is_dropped():
    """base_url with a trailing slash names the same address."""
    printer = AsyncPrinter(base_url=PROXY + "/")
    assert printer.base_url == PROXY


def test_name_host_port_and_repr_come_from_the_url():
    """The default name is the URL without scheme and /v1; host and port are the proxy's."""
    printer = AsyncPrinter(base_url=PROXY, password="s3cret-pw")
    assert printer.name == "farm.example/printer7"
    assert (printer.host, printer.port) == ("farm.example", 443)
    assert repr(printer) == f"AsyncPrinter(name='farm.example/printer7', base_url='{PROXY}')"
    assert "s3cret-pw" not in repr(printer)
    other = AsyncPrinter(base_url="http://10.0.0.9:8080/raise3d", name="left")
    assert (other.name, other.host, other.port) == ("left", "10.0.0.9", 8080)
    assert AsyncPrinter(base_url="http://10.0.0.9/x/v1").name == "10.0.0.9/x"


def test_a_host_printer_has_its_base_url_too():
    """A printer made with host and port has base_url http://host:port/v1."""
    assert AsyncPrinter("::1", port=10801).base_url == "http://[::1]:10801/v1"


@pytest.mark.parametrize(
    ("args", "options", "fragment"),
    [
        ((), {}, "not neither"),
        (("10.0.0.5",), {"base_url": PROXY}, "not both"),
        ((), {"base_url": PROXY, "port": 8080}, "put the port in the URL"),
        ((), {"base_url": "farm.example/printer7"}, "absolute http:// or https:// URL"),
        ((), {"base_url": "ftp://farm.example/v1"}, "absolute http:// or https:// URL"),
        ((), {"base_url": "https://farm.example/v1?x=1"}, "query or a fragment"),
        ((), {"base_url": "https://farm.example/v1#top"}, "query or a fragment"),
        ((), {"base_url": "https://farm.example:99999/v1"}, "TCP port number"),
        ((), {"base_url": 42}, "absolute http:// or https:// URL"),
    ],
)
def test_a_bad_address_is_refused_before_any_request(args, options, fragment):
    """Neither or both of host and base_url, or a malformed URL, raise ValueError at once."""
    with respx.mock(assert_all_mocked=True) as router:
        with pytest.raises(ValueError, match=re.escape(fragment)):
            AsyncPrinter(*args, **options)
    assert router.calls.call_count == 0


def test_credentials_in_the_url_are_refused_without_being_repeated():
    """A user name and password in base_url raise ValueError whose text does not repeat them."""
    with pytest.raises(ValueError, match="user name or password") as info:
        AsyncPrinter(base_url="https://admin:hunter2@farm.example/v1")
    assert "hunter2" not in str(info.value)


def test_a_url_given_as_host_points_to_base_url():
    """AsyncPrinter("https://...") says that a URL goes in base_url=."""
    with pytest.raises(ValueError, match="use base_url="):
        AsyncPrinter("https://farm.example/printer7/v1")


async def test_the_camera_is_not_reached_through_a_proxy(proxy):
    """snapshot() through base_url raises NotFoundError before any request, naming the reason."""
    camera = proxy.get("/printer/camera")
    async with AsyncPrinter(base_url=PROXY, password=PASSWORD) as printer:
        with pytest.raises(NotFoundError, match="base_url") as info:
            await printer.snapshot()
        with pytest.raises(NotFoundError, match="base_url"):
            async for _ in printer.camera_frames():
                pass
    assert info.value.msg == "camera not reachable through base_url"
    assert camera.call_count == 0
    assert proxy["login"].call_count == 0


def test_a_fleet_file_takes_base_url_per_printer(tmp_path):
    """A [[printer]] entry may give base_url instead of host; the default port is not for it."""
    path = tmp_path / "printers.toml"
    path.write_text(
        f"""
[defaults]
port = 10801
password = "pw"

[[printer]]
name = "local"
host = "127.0.0.1"

[[printer]]
name = "proxied"
base_url = "{PROXY}"
"""
    )
    local, proxied = Fleet.from_toml(path)
    assert local.base_url == "http://127.0.0.1:10801/v1"
    assert (proxied.name, proxied.base_url) == ("proxied", PROXY)
    assert proxied._auth._password == "pw"


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        (f"base_url = '{PROXY}'\nport = 8080", "with 'base_url', put it in the URL"),
        (f"base_url = '{PROXY}'\nhost = '10.0.0.5'", "not both"),
        ("base_url = 'farm.example'", "printer #1: base_url must be an absolute"),
        ("name = 'x'", "'host' is required (or 'base_url'"),
    ],
)
def test_a_bad_base_url_entry_is_named(tmp_path, entry, fragment):
    """A fleet entry with a bad base_url, or base_url with host or port, raises ValueError."""
    path = tmp_path / "printers.toml"
    path.write_text(f"[[printer]]\n{entry}\n")
    with pytest.raises(ValueError, match=re.escape(fragment)):
        Fleet.from_toml(path)


def test_the_command_line_takes_a_url_as_host(proxy):
    """`printer-async status https://...` talks to the printer through that URL."""
    for endpoint, data in {
        "/printer/system": load_fixture("system_info")["data"],
        "/printer/runningstatus": {"running_status": "running"},
        "/printer/basic": load_fixture("basic_info")["data"],
        "/printer/nozzle1": load_fixture("nozzle")["data"],
        "/printer/nozzle2": load_fixture("nozzle")["data"],
    }.items():
        proxy.get(endpoint).mock(return_value=ok(data))
    result = CliRunner().invoke(
        cli, ["status", PROXY, "--json"], env={"PRINTER_ASYNC_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["address"] == PROXY
    assert data["job"]["file_name"] == "Local/a.gcode"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["status", PROXY, "--port", "8080"], "put it in the URL"),
        (["status", "https://farm.example/v1?x=1"], "query or a fragment"),
    ],
)
def test_the_command_line_refuses_a_bad_url(args, fragment):
    """A URL with --port, or a malformed one, is a usage error (exit 2) saying why."""
    result = CliRunner().invoke(cli, [*args, "--password", "pw"])
    assert result.exit_code == 2
    assert fragment in result.output


def test_the_fleet_command_shows_a_proxied_printer_by_its_url(proxy, tmp_path, monkeypatch):
    """`fleet --once --json` gives a base_url printer's URL as its address."""
    # Without aiohttp the fleet stays on httpx, which respx answers for the proxy.
    monkeypatch.setitem(sys.modules, "aiohttp", None)
    monkeypatch.delitem(sys.modules, "printer_async._transports.aiohttp", raising=False)
    path = tmp_path / "printers.toml"
    path.write_text(f"[[printer]]\nname = 'p7'\nbase_url = '{PROXY}'\npassword = 'pw'\n")
    result = CliRunner().invoke(cli, ["fleet", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)["printers"]
    assert (row["name"], row["address"], row["status"]) == ("p7", PROXY, "running")
