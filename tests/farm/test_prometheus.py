"""A real Prometheus server scrapes the exporter, then answers over its HTTP API.

It needs the ``prometheus`` and ``promtool`` programs (Debian's package; ``.ci/run`` installs it).
Without them the tests are skipped on a developer's machine and fail in CI (``CI=true``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import anyio
import httpx
import pytest
from printer_async import AsyncPrinter, Fleet
from printer_async.exporter import FleetExporter, bind
from printer_async.simulator import ManualClock, SimulatedPrinter, serve

from _farm_support import free_port

DASHBOARD = Path(__file__).parents[2] / "dashboards" / "printer-async.json"
STARTUP_TIMEOUT = 60.0
"""Seconds Prometheus may take to start and scrape everything (a cold start on a busy CI VM)."""


def needed(program: str) -> str:
    """The path of one of Prometheus's programs; its absence fails in CI and skips elsewhere."""
    binary = shutil.which(program)
    if binary is None:
        message = f"{program} is missing (apt-get install prometheus)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}: CI must run the real-Prometheus tests")
        pytest.skip(message)
    return binary


@pytest.fixture(name="prometheus_binary")
def _prometheus_binary():
    """The prometheus executable."""
    return needed("prometheus")


@pytest.mark.parametrize("index", [0, 1, 2], ids=["one exporter", "shards", "multi-target"])
def test_the_documented_prometheus_configurations_are_valid(index, tmp_path):
    """Prometheus's promtool accepts each configuration the documentation shows."""
    promtool = needed("promtool")
    path = tmp_path / "prometheus.yml"
    path.write_text(documented_configs()[index], encoding="utf-8")
    checked = subprocess.run(  # noqa: S603 - the test's own promtool command line
        [promtool, "check", "config", str(path)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def documented_configs() -> list[str]:
    """The Prometheus configurations of the Print farms page (docs/farm.md), in order."""
    page = (Path(__file__).parents[2] / "docs" / "farm.md").read_text(encoding="utf-8")
    section = page.split("\n## Prometheus configurations\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)


def config(exporter_port: int, targets: list[str]) -> str:
    """The documented one-exporter and multi-target configurations, pointed at the test's exporter.

    Scraped every second: a real Prometheus, on real time.
    """
    one, _, multi = documented_configs()
    address = f"127.0.0.1:{exporter_port}"
    printers = ", ".join(f'"{target}"' for target in targets)
    one = one.replace("farm-host:9877", address)
    multi = multi.replace("farm-host:9877", address)
    multi = re.sub(r"targets: \[.*?\]", f"targets: [{printers}]", multi)
    both = one + multi.removeprefix("scrape_configs:\n")
    return "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" + both


@contextlib.contextmanager
def prometheus(binary: str, directory: Path, exporter_port: int, targets: list[str]):
    """A Prometheus server on a free loopback port, its storage in ``directory``."""
    port = free_port()
    (directory / "prometheus.yml").write_text(config(exporter_port, targets), encoding="utf-8")
    log = (directory / "prometheus.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - the test's own prometheus command line
        [
            binary,
            f"--config.file={directory / 'prometheus.yml'}",
            f"--storage.tsdb.path={directory / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def ready(client: httpx.AsyncClient) -> bool:
    """Whether Prometheus listens and has opened its storage (it answers 503 until then)."""
    try:
        answer = await client.get("/-/ready")
    except httpx.TransportError:
        return False
    return answer.status_code == 200


async def settled(client: httpx.AsyncClient) -> bool:
    """Whether every target was scraped, /metrics once the exporter had read temperatures."""
    if not await ready(client):
        return False
    temperatures = 'raise3d_nozzle_temperature_celsius{job="raise3d"}'
    return len(await query(client, "up == 1")) == 3 and bool(await query(client, temperatures))


async def query(client: httpx.AsyncClient, expr: str) -> list[dict]:
    """The result vector of an instant query; a query Prometheus refuses fails the test."""
    answer = await client.get("/api/v1/query", params={"query": expr})
    body = answer.json()
    assert body["status"] == "success", (expr, body)
    return body["data"]["result"]


def by(results: list[dict], label: str) -> dict[str, float]:
    """A result vector as {label value: sample value}."""
    return {result["metric"][label]: float(result["value"][1]) for result in results}


async def test_a_real_prometheus_scrapes_the_exporter(prometheus_binary, tmp_path):
    """Prometheus, scraping every second, knows the printers' up, status and progress."""
    clock = ManualClock()
    sims = [SimulatedPrinter(clock=clock, seed=i, job_duration=3600) for i in range(3)]
    sims[0].start_job("Local/benchy.gcode")
    clock.advance(900)
    progress = sims[0].progress / 100
    async with serve(*sims, cameras=False) as server:
        printers = [
            AsyncPrinter(e.host, port=e.port, password=e.password if i < 2 else "x", name=f"p{i}")
            for i, e in enumerate(server.endpoints)
        ]
        sock = bind("127.0.0.1", 0)
        exporter_port = sock.getsockname()[1]
        async with Fleet(printers) as fleet, anyio.create_task_group() as task_group:
            exporter = FleetExporter(fleet, interval=0.2, details_interval=0.2)
            await task_group.start(exporter.run, sock)
            with prometheus(prometheus_binary, tmp_path, exporter_port, ["p0", "p1"]) as url:
                async with httpx.AsyncClient(base_url=url, timeout=10) as client:
                    with anyio.fail_after(STARTUP_TIMEOUT):
                        while not await settled(client):  # noqa: ASYNC110 - another process
                            await anyio.sleep(0.2)
                    up = await query(client, 'up{job="raise3d"}')
                    printers_up = await query(client, 'raise3d_up{job="raise3d"}')
                    running = await query(client, 'raise3d_job_status{status="running"} == 1')
                    ratio = await query(client, "raise3d_job_progress_ratio")
                    dashboard_results = [
                        await query(client, expr)
                        for expr in dashboard_queries()
                    ]  # fmt: skip
            task_group.cancel_scope.cancel()
    assert by(up, "job") == {"raise3d": 1}
    assert by(printers_up, "printer") == {"p0": 1, "p1": 1, "p2": 0}
    assert sorted((r["metric"]["job"], r["metric"]["printer"]) for r in running) == [
        ("raise3d", "p0"),
        ("raise3d-printers", "p0"),
    ]
    assert {r["metric"]["job"]: float(r["value"][1]) for r in ratio} == {
        "raise3d": pytest.approx(progress),
        "raise3d-printers": pytest.approx(progress),
    }
    assert len(dashboard_results) >= 15  # and Prometheus accepted every one of them


def dashboard_queries() -> list[str]:
    """The dashboard's panel queries, with Grafana's variables filled in as Grafana would."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [
        target["expr"]
        .replace("$printer", ".*")
        .replace("$__rate_interval", "1m")
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    ]  # fmt: skip
