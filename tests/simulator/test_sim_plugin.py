import subprocess
import sys

import httpx
import pytest
from printer_async.simulator import sign


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
