"""The README's examples run as written (the ones that need a real printer, on the simulator)."""

from __future__ import annotations

import re
from pathlib import Path

from printer_async.simulator import ScaledClock, SimulatedPrinter, serve

README = (Path(__file__).parent.parent / "README.md").read_text()

pytest_plugins = ["pytester"]


def _example(section: str, index: int = 0) -> str:
    body = README.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", body, re.DOTALL)[index]


def _run(code: str) -> None:
    exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})  # noqa: S102 - our README


async def test_the_usage_example_runs_against_a_printer(capsys):
    """'Using it' prints the job, the totals and the history (pointed at a simulated printer)."""
    simulated = SimulatedPrinter(clock=ScaledClock(speed=3600), job_duration=60)
    async with serve(simulated) as server:
        endpoint = server.endpoints[0]
        simulated.start_job("Local/benchy.gcode")
        code = _example("Using it")
        assert '"192.168.0.57", port=10800, password="368d8d"' in code
        code = code.replace(
            '"192.168.0.57", port=10800, password="368d8d"',
            f'"{endpoint.host}", port={endpoint.port}, password="{endpoint.password}"',
        )
        code = code.replace("asyncio.run(main())", "")
        namespace: dict = {"__name__": "readme"}
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our README
        await namespace["main"]()
    out = capsys.readouterr().out
    assert "Local/benchy.gcode" in out
    assert "files printed" in out


def test_the_fleet_example_runs_to_the_end(capsys):
    """'Fleets' watches three simulated printers until every job completed."""
    _run(_example("Fleets"))
    out = capsys.readouterr().out
    finished = re.findall(r"^(printer-\d) completed completed$", out, re.MULTILINE)
    assert sorted(finished) == ["printer-0", "printer-1", "printer-2"]


def test_the_simulator_plugin_example_passes_in_a_users_suite(pytester):
    """'Testing your code against the simulator' passes in a fresh project using the plugin."""
    pytester.makepyfile(test_dashboard=_example("Testing your code against the simulator"))
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


async def test_the_proxy_example_runs_against_a_base_url(capsys):
    """'Printers behind a proxy' reads the job through base_url (the simulator's URL here)."""
    simulated = SimulatedPrinter(clock=ScaledClock(speed=3600), job_duration=60)
    async with serve(simulated) as server:
        endpoint = server.endpoints[0]
        code = _example("Printers behind a proxy")
        url, password = "https://farm.example/printer7/v1", 'password="368d8d"'
        assert url in code
        assert password in code
        code = code.replace(url, f"{endpoint.base_url}/v1").replace(
            password, f'password="{endpoint.password}"'
        )
        code = code.replace("asyncio.run(main())", "")
        namespace: dict = {"__name__": "readme"}
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our README
        await namespace["main"]()
    host = endpoint.base_url.removeprefix("http://")
    assert capsys.readouterr().out == f"{host} no job None\n"


def test_every_promise_names_tests_that_exist():
    """Each test the promises table names is a test function in the file it names."""
    table = README.split("## What we promise, and the tests that hold it", 1)[1].split("\n## ")[0]
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", table)
    assert len(named) >= 10
    root = Path(__file__).parent.parent
    for path, name in named:
        source = (root / path).read_text()
        assert re.search(rf"^(async )?def {name}\(", source, re.MULTILINE), f"{path}::{name}"
