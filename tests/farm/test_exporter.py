"""The exporter against simulated printers over real sockets, read by prometheus_client."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import anyio
import httpx
import pytest
from printer_async import (
    AsyncPrinter,
    CurrentJob,
    EventKind,
    Fleet,
    JobEvent,
    JobStatus,
    PollReport,
)
from printer_async.exporter import (
    FleetCollector,
    FleetExporter,
    FleetFile,
    FleetMetrics,
    Shard,
    bind,
    parse_listen,
)
from printer_async.notify import Notifier
from printer_async.simulator import ManualClock, SimulatedPrinter, serve
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from _farm_support import WHEN, Receiver, fill, samples, stand_in, value

PASSWORD = "fl33t-Pa55word"


@contextlib.asynccontextmanager
async def running(exporter: FleetExporter, *, serve_http: bool = True):
    """Run the exporter (and its HTTP server on a free port) for the block; yield the port."""
    sock = bind("127.0.0.1", 0) if serve_http else None
    port = sock.getsockname()[1] if sock is not None else 0
    async with anyio.create_task_group() as task_group:
        await task_group.start(exporter.run, sock)
        yield port
        task_group.cancel_scope.cancel()


async def until(check):
    """Wait until ``check()`` is true (polled every 10 ms), failing after 10 s."""
    with anyio.fail_after(10):
        while not check():  # noqa: ASYNC110 - the state changes in other tasks
            await anyio.sleep(0.01)


def now(exporter: FleetExporter, name: str, **labels: str) -> float | None:
    """One sample of what a scrape of the exporter would get now."""
    return value(samples(exporter.render().decode()), name, **labels)


async def get(port: int, path: str, **options) -> httpx.Response:
    """One real HTTP GET to the exporter."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        return await client.get(path, **options)


def printers_for(server, *, passwords=None) -> list[AsyncPrinter]:
    """Clients named p0, p1... for the served simulated printers."""
    passwords = passwords or {}
    return [
        AsyncPrinter(e.host, port=e.port, password=passwords.get(i, e.password), name=f"p{i}")
        for i, e in enumerate(server.endpoints)
    ]


@pytest.fixture(name="sims")
def _sims():
    """Three simulated printers on one manual clock: printing, idle (one nozzle), and another.

    p0 is half-way through a job, p1 finished one earlier and shows it, p2 is idle.
    """
    clock = ManualClock()
    sims = [
        SimulatedPrinter(password=PASSWORD, clock=clock, seed=1, nozzles=2, job_duration=3600),
        SimulatedPrinter(password=PASSWORD, clock=clock, seed=2, nozzles=1, job_duration=600),
        SimulatedPrinter(password=PASSWORD, clock=clock, seed=3, nozzles=2),
    ]
    sims[1].start_job("Local/benchy.gcode")
    clock.advance(700)  # p1's job completes
    sims[0].start_job("Local/benchy.gcode")
    clock.advance(1234)
    return sims


@pytest.fixture(name="scraped")
async def _scraped(sims):
    """One real scrape of /metrics once every printer was polled, temperatures and totals too.

    p2 is given a wrong password.
    """
    async with serve(*sims, cameras=False) as server:
        printers = printers_for(server, passwords={2: "wrong-password"})
        async with Fleet(printers) as fleet:
            exporter = FleetExporter(
                fleet, interval=0.05, details_interval=0.05, statistics_interval=0.05
            )
            async with running(exporter) as port:

                def slow_polls_done() -> bool:
                    parsed = samples(exporter.render().decode())
                    return all(
                        value(parsed, name, printer=printer) is not None
                        for name in ("raise3d_print_seconds_total", "raise3d_fan_speed_ratio")
                        for printer in ("p0", "p1")
                    )

                await until(slow_polls_done)
                return await get(port, "/metrics")


async def test_job_metrics_match_the_simulated_printers_ground_truth(sims, scraped):
    """/metrics over real HTTP, parsed by prometheus_client, holds the printers' jobs."""
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    parsed = samples(scraped.text)
    printing = sims[0]
    assert value(parsed, "raise3d_up", printer="p0") == 1
    assert value(parsed, "raise3d_up", printer="p1") == 1
    for status in ("idle", "running", "paused", "completed", "stopped", "unknown"):
        assert value(parsed, "raise3d_job_status", printer="p0", status=status) == (
            status == "running"
        )
        assert value(parsed, "raise3d_job_status", printer="p1", status=status) == (
            status == "completed"
        )
    job = printing.current_job()
    assert value(parsed, "raise3d_job_progress_ratio", printer="p0") == pytest.approx(
        job["print_progress"] / 100
    )
    assert value(parsed, "raise3d_job_printed_seconds", printer="p0") == job["printed_time"]
    assert value(parsed, "raise3d_job_remaining_seconds", printer="p0") == (
        job["total_time"] - job["printed_time"]
    )
    assert value(parsed, "raise3d_job_printed_layers", printer="p0") == job["printed_layer"]
    assert value(parsed, "raise3d_job_layers", printer="p0") == job["total_layer"]
    assert (
        value(
            parsed,
            "raise3d_job_info",
            printer="p0",
            file_name="Local/benchy.gcode",
            job_id=job["job_id"],
            status="running",
        )
        == 1
    )


async def test_temperatures_rates_and_totals_match_the_ground_truth(sims, scraped):
    """The slow polls' values are the printers' own: nozzles, heatbed, fan, feed, statistics."""
    parsed = samples(scraped.text)
    printing, done = sims[0], sims[1]
    for index, side in ((1, "left"), (2, "right")):
        nozzle = printing.nozzle_info(index)
        labels = {"printer": "p0", "nozzle": side}
        assert (
            value(parsed, "raise3d_nozzle_temperature_celsius", **labels)
            == (nozzle["nozzle_cur_temp"])
        )
        assert (
            value(parsed, "raise3d_nozzle_target_temperature_celsius", **labels)
            == (nozzle["nozzle_tar_temp"])
        )
        assert value(parsed, "raise3d_flow_rate_ratio", **labels) == nozzle["flow_cur_rate"] / 100
    assert value(parsed, "raise3d_nozzle_temperature_celsius", printer="p1", nozzle="right") is None
    basic = printing.basic_info()
    assert (
        value(parsed, "raise3d_heatbed_temperature_celsius", printer="p0")
        == (basic["heatbed_cur_temp"])
    )
    assert value(parsed, "raise3d_heatbed_target_temperature_celsius", printer="p0") == 60
    assert value(parsed, "raise3d_fan_speed_ratio", printer="p0") == basic["fan_cur_speed"] / 100
    assert value(parsed, "raise3d_feed_rate_ratio", printer="p0") == 1.0

    totals = done.statistics()
    assert value(parsed, "raise3d_printed_files_total", printer="p1") == 1
    seconds = totals["printed_total_time"]
    assert value(parsed, "raise3d_print_seconds_total", printer="p1") == seconds
    grams = totals["printed_used_filament_0"]
    assert value(parsed, "raise3d_filament_used_grams_total", printer="p1", nozzle="left") == grams
    assert value(parsed, "raise3d_printed_files_total", printer="p0") == 0


async def test_a_wrong_password_is_down_with_its_error_counted_and_the_rest_go_on(scraped):
    """That printer's up is 0 with an auth error counted, and no secret is in the text."""
    parsed = samples(scraped.text)
    assert value(parsed, "raise3d_up", printer="p2") == 0
    auth = {"printer": "p2", "error": "AuthenticationError"}
    assert value(parsed, "raise3d_exporter_poll_errors_total", **auth) == 1
    assert value(parsed, "raise3d_job_events_total", printer="p2", kind="error") == 1
    assert value(parsed, "raise3d_job_status", printer="p2", status="idle") is None
    assert value(parsed, "raise3d_exporter_polls_total", printer="p0") >= 1
    assert value(parsed, "raise3d_exporter_printers") == 3
    assert value(parsed, "raise3d_exporter_poll_duration_seconds_count") >= 3
    assert PASSWORD not in scraped.text
    assert "wrong-password" not in scraped.text


async def test_probe_serves_one_printer_and_healthz_says_ok(sims):
    """/probe?target=NAME has that printer's samples only; bad targets and paths are errors."""
    async with serve(*sims, cameras=False) as server, Fleet(printers_for(server)) as fleet:
        exporter = FleetExporter(fleet, interval=0.05, details_interval=0)
        async with running(exporter) as port:
            await until(lambda: exporter.metrics.is_up("p1"))
            probe = await get(port, "/probe", params={"target": "p1"})
            unknown = await get(port, "/probe", params={"target": "p9"})
            missing = await get(port, "/probe")
            health = await get(port, "/healthz")
            nowhere = await get(port, "/nowhere")
            async with httpx.AsyncClient() as client:
                posted = await client.post(f"http://127.0.0.1:{port}/metrics")
    assert probe.status_code == 200
    families = samples(probe.text)
    assert {dict(labels).get("printer") for _, labels in families} == {"p1"}
    assert value(families, "raise3d_job_status", printer="p1", status="completed") == 1
    assert (unknown.status_code, missing.status_code) == (404, 400)
    assert (health.status_code, health.text) == (200, "ok\n")
    assert nowhere.status_code == 404
    assert posted.status_code == 405


async def test_gzip_is_served_when_asked(sims):
    """A scraper that accepts gzip (as Prometheus does) gets the text format gzipped."""
    async with serve(*sims, cameras=False) as server, Fleet(printers_for(server)) as fleet:
        exporter = FleetExporter(fleet, interval=0.05, details_interval=0)
        async with running(exporter) as port:
            await until(lambda: exporter.metrics.is_up("p0"))
            answer = await get(port, "/metrics", headers={"accept-encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert value(samples(answer.text), "raise3d_up", printer="p0") == 1


async def test_a_scrape_never_polls_a_printer_and_answers_while_it_is_offline(sims):
    """Scrapes read the latest state: no request reaches a printer, even a dead one."""
    async with serve(*sims, cameras=False) as server, Fleet(printers_for(server)) as fleet:
        exporter = FleetExporter(fleet, interval=0.05, details_interval=0, offline_after=0.1)
        async with running(exporter) as port:
            await until(lambda: exporter.metrics.is_up("p0"))
            sims[0].faults.drop(duration=60)
            await until(lambda: now(exporter, "raise3d_offline", printer="p0") == 1)
            for sim in sims:
                sim.faults.latency(0, probability=1)  # from now on, every request is recorded
            with anyio.fail_after(5):
                answers = [await get(port, "/metrics") for _ in range(10)]
            seen = len(sims[1].faults.fired)
            polls = now(exporter, "raise3d_exporter_polls_total", printer="p1")
            polls_before = value(
                samples(answers[0].text), "raise3d_exporter_polls_total", printer="p1"
            )
    parsed = samples(answers[-1].text)
    assert value(parsed, "raise3d_up", printer="p0") == 0
    assert value(parsed, "raise3d_offline", printer="p0") == 1
    assert value(parsed, "raise3d_job_status", printer="p0", status="running") is None
    assert value(parsed, "raise3d_job_events_total", printer="p0", kind="offline") == 1
    lost = {"printer": "p0", "error": "PrinterConnectionError"}
    assert value(parsed, "raise3d_exporter_poll_errors_total", **lost) >= 1
    assert value(parsed, "raise3d_up", printer="p1") == 1
    # p1 got only the polls of its watch (a few in that time), none for the ten scrapes.
    assert seen <= polls - polls_before + 1
    assert all(answer.status_code == 200 for answer in answers)


async def test_temperatures_and_statistics_go_through_the_fleets_one_request_discipline(sims):
    """Slow polls use Fleet.request(): each printer gets one request at a time."""
    async with serve(*sims, cameras=False) as server, Fleet(printers_for(server)) as fleet:
        in_flight: dict[str, int] = {}
        most = [0]
        request = fleet.request

        async def counted(printer, call):
            name = printer if isinstance(printer, str) else printer.name
            in_flight[name] = in_flight.get(name, 0) + 1
            most[0] = max(most[0], in_flight[name])
            try:
                return await request(printer, call)
            finally:
                in_flight[name] -= 1

        fleet.request = counted  # type: ignore[method-assign]
        exporter = FleetExporter(fleet, interval=0.05, details_interval=0.02)
        async with running(exporter, serve_http=False):
            await until(
                lambda: now(exporter, "raise3d_heatbed_temperature_celsius", printer="p2") == 25
            )
    # The exporter itself never asks one printer twice at once; the fleet lock does the rest.
    assert most[0] == 1


def test_the_placeholder_estimate_and_unknown_statuses_are_not_made_up():
    """3600000 s with 0 layers gives no remaining sample; an unknown status is shown raw."""
    metrics = FleetMetrics()
    metrics.track(["p"])
    printer = AsyncPrinter.__new__(AsyncPrinter)
    printer.name = "p"
    placeholder = CurrentJob(
        file_name="Local/a.gcode",
        print_progress=0,
        printed_layer=0,
        total_layer=0,
        printed_time=3,
        total_time=3600000,
        job_id="J",
        job_status=JobStatus.UNKNOWN,
        raw_job_status="reheating",
    )
    metrics.poll(
        PollReport(
            printer=printer, job=placeholder, error=None, duration=0.01, delay=5, backoff=False
        )
    )
    parsed = samples(generate_latest(FleetCollector(metrics)).decode())
    assert value(parsed, "raise3d_job_remaining_seconds", printer="p") is None
    assert value(parsed, "raise3d_job_layers", printer="p") is None
    assert value(parsed, "raise3d_job_printed_seconds", printer="p") == 3
    assert value(parsed, "raise3d_job_status", printer="p", status="unknown") == 1
    info = {"printer": "p", "file_name": "Local/a.gcode", "job_id": "J"}
    assert value(parsed, "raise3d_job_info", **info, status="reheating") == 1


def families(text: str) -> dict[str, tuple[str, str, frozenset]]:
    """Each family of a text exposition (parsed by prometheus_client): type, help, samples."""
    return {
        family.name: (
            family.type,
            family.documentation,
            frozenset((sample.name, frozenset(sample.labels.items()), sample.value)
                      for sample in family.samples),
        )
        for family in text_string_to_metric_families(text)
    }  # fmt: skip


def test_the_fast_text_is_what_prometheus_client_writes_from_the_collector():
    """render() parses to the same families, help and samples as generate_latest(collector)."""
    metrics = FleetMetrics()
    metrics.notifications = {"sent": 2, "failed": 1}
    metrics.config_ok = False
    fill(metrics, "p0")
    fill(
        metrics,
        'left "1"\\ \nü',
        file_name='Local/"odd" \\ name\n😀.gcode',
        status=JobStatus.PAUSED,
        model="Pro3 \\",
    )
    fill(metrics, "gone")
    metrics.event(offline_event("gone"))  # shown only by its counters now
    metrics.track([*metrics.names, "new"])  # not polled yet
    collector = FleetCollector(metrics)
    ours = families(metrics.render().decode())
    assert ours == families(generate_latest(collector).decode())
    assert len(ours) == 33
    only = FleetCollector(metrics, printer="p0")
    assert families(metrics.render(only="p0").decode()) == families(generate_latest(only).decode())
    with pytest.raises(KeyError):
        metrics.render(only="nobody")


def offline_event(name: str) -> JobEvent:
    """An offline event of a stand-in printer."""
    return JobEvent(
        kind=EventKind.OFFLINE,
        previous=JobStatus.RUNNING,
        current=JobStatus.RUNNING,
        job=None,
        observed_at=WHEN,
        printer=stand_in(name),
    )


def test_the_collector_registers_in_a_registry_without_reading_state_early():
    """FleetCollector works in a CollectorRegistry; describe() is empty so nothing is cached."""
    metrics = FleetMetrics()
    registry = CollectorRegistry()
    registry.register(FleetCollector(metrics))
    metrics.track(["late"])
    parsed = samples(generate_latest(registry).decode())
    assert value(parsed, "raise3d_exporter_printers") == 1
    assert value(parsed, "raise3d_offline", printer="late") == 0


async def test_the_exporter_notifies_the_events_it_sees(sims):
    """With a notifier, the exporter's watch sends each wanted event once."""
    receiver = Receiver()
    try:
        async with serve(*sims, cameras=False) as server, Fleet(printers_for(server)) as fleet:
            notifier = Notifier([receiver.url()])
            exporter = FleetExporter(fleet, interval=0.05, details_interval=0, notifier=notifier)
            async with running(exporter, serve_http=False):
                await until(lambda: exporter.metrics.is_up("p0"))
                sims[0].pause()
                # Counted once the receiver has answered, a moment after it has the body.
                await until(
                    lambda: now(exporter, "raise3d_exporter_notifications_total", outcome="sent")
                )
                parsed = samples(exporter.render().decode())
    finally:
        receiver.close()
    assert receiver.titles() == ["p0 paused"]
    assert value(parsed, "raise3d_exporter_notifications_total", outcome="sent") == 1
    assert value(parsed, "raise3d_job_events_total", printer="p0", kind="paused") == 1


def fleet_text(ports: dict[str, int], *, password: str = PASSWORD, extra: str = "") -> str:
    """A fleet file of simulated printers on 127.0.0.1."""
    text = f'[defaults]\nhost = "127.0.0.1"\npassword = "{password}"\n{extra}'
    for name, port in ports.items():
        text += f'\n[[printer]]\nname = "{name}"\nport = {port}\n'
    return text


async def test_an_edited_fleet_file_adds_changes_and_removes_printers(sims, tmp_path, caplog):
    """Reloads follow the file; a half-written version changes nothing and is reported."""
    async with serve(*sims, cameras=False) as server:
        ports = {f"p{i}": e.port for i, e in enumerate(server.endpoints)}
        path = tmp_path / "printers.toml"
        path.write_text(fleet_text({"p0": ports["p0"], "p1": ports["p1"]}, password="nope"))
        fleet_file = FleetFile(path)
        async with Fleet((await fleet_file.read()).values()) as fleet:
            exporter = FleetExporter(
                fleet, interval=0.05, details_interval=0, fleet_file=fleet_file
            )
            async with running(exporter, serve_http=False):
                await until(
                    lambda: now(exporter, "raise3d_job_events_total", printer="p1", kind="error")
                )
                before = fleet["p0"]
                path.write_text('[defaults]\npassword = "half-writ')
                assert await exporter.reload() is False
                half = samples(exporter.render().decode())
                path.write_text(fleet_text({"p0": ports["p0"], "p2": ports["p2"]}))
                assert await exporter.reload() is True
                await until(lambda: exporter.metrics.is_up("p2") and exporter.metrics.is_up("p0"))
                after = samples(exporter.render().decode())
                names = [printer.name for printer in fleet]
    assert value(half, "raise3d_exporter_config_last_reload_successful") == 0
    assert value(half, "raise3d_up", printer="p1") == 0  # still watched as before
    assert "the fleet file was not read" in caplog.text
    assert PASSWORD not in caplog.text
    assert names == ["p0", "p2"]
    assert fleet["p0"] is not before  # its password changed: a new printer, counted afresh
    assert value(after, "raise3d_exporter_config_last_reload_successful") == 1
    assert value(after, "raise3d_up", printer="p1") is None
    auth = {"printer": "p0", "error": "AuthenticationError"}
    assert value(half, "raise3d_exporter_poll_errors_total", **auth) == 1
    assert value(after, "raise3d_exporter_poll_errors_total", **auth) is None


async def test_the_file_is_reread_once_a_change_has_settled(sims, tmp_path):
    """The exporter notices an edit by itself, after the file stayed the same for one look."""
    async with serve(*sims, cameras=False) as server:
        ports = {f"p{i}": e.port for i, e in enumerate(server.endpoints)}
        path = tmp_path / "printers.toml"
        path.write_text(fleet_text({"p0": ports["p0"]}))
        fleet_file = FleetFile(path)
        async with Fleet((await fleet_file.read()).values()) as fleet:
            exporter = FleetExporter(
                fleet,
                interval=0.05,
                details_interval=0,
                fleet_file=fleet_file,
                reload_interval=0.02,
            )
            async with running(exporter, serve_http=False):
                path.write_text(fleet_text(ports))
                await until(lambda: len(fleet) == 3)
                await until(lambda: exporter.metrics.is_up("p1"))
    assert exporter.metrics.names == ["p0", "p1", "p2"]


def test_shards_are_stable_complete_and_even():
    """Each name is in exactly one shard, the same on every machine, and shards are even."""
    names = [f"printer-{i:04d}" for i in range(3000)]
    shards = [Shard(index, 3) for index in (1, 2, 3)]
    sizes = [sum(name in shard for name in names) for shard in shards]
    assert sum(sizes) == 3000
    assert all(900 < size < 1100 for size in sizes)
    assert all(sum(name in shard for shard in shards) == 1 for name in names[:100])
    # SHA-256 based: these never change between runs, machines or Python versions.
    assert [Shard.of(name, 3) for name in ("left-1", "left-2", "right-1", "right-2")] == [
        3,
        3,
        2,
        3,
    ]
    code = "from printer_async.exporter import Shard; print(Shard.of('left-1', 7))"
    other_process = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345"},
    )
    assert int(other_process.stdout) == 1


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "x", "2", "-1/3"])
def test_a_shard_out_of_range_or_malformed_is_refused(text):
    """Shards count from 1 to N: 0/3 and 4/3 are errors, as is anything not I/N."""
    with pytest.raises(ValueError, match="shard"):
        Shard.parse(text)


async def test_a_fleet_file_shard_keeps_only_its_printers(tmp_path):
    """FleetFile(shard=...) reads the printers of its shard and closes the others."""
    path = tmp_path / "printers.toml"
    path.write_text(fleet_text({f"p{i}": 10000 + i for i in range(30)}))
    shard = Shard(2, 3)
    printers = await FleetFile(path, shard=shard).read()
    assert sorted(printers) == sorted(f"p{i}" for i in range(30) if f"p{i}" in shard)
    for printer in printers.values():
        await printer.aclose()


def test_a_second_exporter_on_the_same_port_is_told_which_port():
    """Binding a port in use is an OSError naming the address and what to check."""
    first = bind("127.0.0.1", 0)
    first.listen()
    port = first.getsockname()[1]
    try:
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}: the port is in use"):
            bind("127.0.0.1", port)
    finally:
        first.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:9877", ("127.0.0.1", 9877)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),  # noqa: S104 - a documented way to listen everywhere
        ("[::1]:9877", ("::1", 9877)),
        (":9000", ("127.0.0.1", 9000)),
        ("9000", ("127.0.0.1", 9000)),
    ],
)
def test_listen_addresses(text, expected):
    """--listen takes HOST:PORT, [IPv6]:PORT, :PORT or PORT."""
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["127.0.0.1:", "host:99999", "host:http", ""])
def test_bad_listen_addresses_are_refused(text):
    """A missing or impossible port is a ValueError."""
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_listen(text)


def test_the_library_imports_neither_prometheus_nor_apprise():
    """`import printer_async` loads no exporter or notification dependency."""
    code = (
        "import sys, printer_async; "
        "print(sorted(m for m in sys.modules "
        "if m.startswith(('prometheus_client', 'apprise', 'printer_async.exporter', "
        "'printer_async.notify'))))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert out.stdout.strip() == "[]"
