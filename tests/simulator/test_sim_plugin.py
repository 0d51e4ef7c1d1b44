import subprocess
import sys

import httpx
import pytest
from printer_async.simulator import sign

pytest_plugins = ["pytester"]


def login(endpoint):
    """Log in to a served printer; return the token."""
    params = {"sign": sign(endpoint.password, "1"), "timestamp": "1"}
    return httpx.get(f"{endpoint.base_url}/v1/login", params=params).json()["data"]["token"]


def test_the_fixture_yields_a_served_printer(simulated_printer):
    """simulated_printer has host, port, base_url, password and the printer's state."""
    assert simulated_printer.host == "127.0.0.1"
    assert simulated_printer.base_url == f"http://127.0.0.1:{simulated_printer.port}"
    token = login(simulated_printer)
    assert simulated_printer.printer.check_token(token)


@pytest.mark.simulated_printer(nozzles=1, password="abc123", speed=60)
def test_the_marker_sets_the_printer_options(simulated_printer):
    """The simulated_printer marker passes options, speed included, to the printer."""
    assert (simulated_printer.password, simulated_printer.printer.nozzles) == ("abc123", 1)
    assert simulated_printer.printer.clock.speed == 60
    token = login(simulated_printer)
    response = httpx.get(
        f"{simulated_printer.base_url}/v1/printer/nozzle2", params={"token": token}
    )
    assert response.json()["error"]["msg"] == "no right nozzle"


@pytest.mark.simulated_printer(model="E2")
def test_the_marker_chooses_the_model(simulated_printer):
    """model= in the marker serves that Raise3D model."""
    token = login(simulated_printer)
    response = httpx.get(f"{simulated_printer.base_url}/v1/printer/system", params={"token": token})
    assert response.json()["data"]["model"] == "Raise3D E2"


async def test_the_fixture_works_in_async_tests(simulated_printer):
    """The thread-served printer answers an async client in the test's own loop."""
    async with httpx.AsyncClient(base_url=simulated_printer.base_url) as client:
        params = {"sign": sign(simulated_printer.password, "1"), "timestamp": "1"}
        assert (await client.get("/v1/login", params=params)).json()["status"] == 1


def test_the_factory_makes_independent_printers(simulated_printer_factory):
    """Each factory call serves a new printer on its own port."""
    first = simulated_printer_factory(name="left")
    second = simulated_printer_factory(name="right", seed=3)
    assert first.port != second.port
    assert (first.printer.name, second.printer.name) == ("left", "right")
    with pytest.raises(TypeError, match="speed or clock"):
        simulated_printer_factory(speed=2, clock=first.printer.clock)


def test_the_plugin_is_registered_by_entry_point(tmp_path):
    """A fresh pytest session, outside this project, gets the fixture from the installed plugin."""
    (tmp_path / "test_user.py").write_text(
        "def test_uses_it(simulated_printer):\n"
        "    assert simulated_printer.base_url.startswith('http://127.0.0.1:')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


# Home Assistant's harness (pytest-homeassistant-custom-component) does this before every test.
HA_HARNESS_CONFTEST = """
import pytest_socket

def pytest_runtest_setup():
    pytest_socket.socket_allow_hosts(["127.0.0.1"])
    pytest_socket.disable_socket(allow_unix_socket=True)
"""

UNDER_PYTEST_SOCKET = """
import socket

import httpx
import pytest
import pytest_socket


def test_the_simulated_printer_answers(simulated_printer):
    with httpx.Client(base_url=simulated_printer.base_url) as client:
        assert client.get("/v1/printer/basic").json()["error"]["code"] == 401


def test_the_factory_serves_too(simulated_printer_factory):
    endpoint = simulated_printer_factory(model="E2")
    assert httpx.get(f"{endpoint.base_url}/v1/printer/basic").status_code == 200


def test_no_other_host_is_reachable(simulated_printer):
    with (
        pytest.warns(UserWarning, match="127.0.0.2"),
        pytest.raises(pytest_socket.SocketConnectBlockedError),
        socket.socket() as sock,
    ):
        sock.connect(("127.0.0.2", simulated_printer.port))
"""


@pytest.mark.parametrize("harness", ["command line", "home assistant"])
def test_the_fixtures_work_under_pytest_socket_on_loopback_only(pytester, monkeypatch, harness):
    """Under pytest-socket, as Home Assistant's harness sets it, the fixtures serve on loopback."""
    pytest.importorskip("pytest_socket")
    # Only the plugins named below, whether pytest-socket is installed or merely importable.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    if harness == "home assistant":
        pytester.makeconftest(HA_HARNESS_CONFTEST)
    pytester.makepyfile(test_user=UNDER_PYTEST_SOCKET)
    result = pytester.runpytest_subprocess(
        "-p",
        "pytest_socket",
        "-p",
        "printer_async.simulator.pytest_plugin",
        "-p",
        "no:cacheprovider",
        "--disable-socket",
        "--allow-hosts=127.0.0.1",
        "-W",
        "error",
    )
    assert result.ret == 0, result.stdout.str()
    assert result.parseoutcomes() == {"passed": 3}
