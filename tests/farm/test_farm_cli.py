"""`printer-async exporter`, and `--notify` on watch, fleet and exporter, end to end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from click.testing import CliRunner
from printer_async.cli._app import cli
from printer_async.simulator import ManualClock, SimulatedPrinter, serve_in_thread

from _farm_support import Receiver, free_port, samples, value

PASSWORD = "cl1-farm-pw"
SECRET = "t0ps3cret-webhook-token"
SCRUBBED = ("PRINTER_ASYNC_PASSWORD", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


@pytest.fixture(name="clock")
def _clock():
    """The simulated printers' manual clock."""
    return ManualClock()


@pytest.fixture(name="sims")
def _sims(clock):
    """Two simulated printers, the first one printing."""
    sims = [SimulatedPrinter(password=PASSWORD, clock=clock, seed=i) for i in range(2)]
    sims[0].start_job("Local/benchy.gcode")
    return sims


@pytest.fixture(name="fleet_file")
def _fleet_file(sims, tmp_path):
    """A fleet file of the two simulated printers, served from a thread."""
    with serve_in_thread(*sims, cameras=False) as server:
        path = tmp_path / "printers.toml"
        text = '[defaults]\nhost = "127.0.0.1"\npassword_env = "PRINTER_ASYNC_PASSWORD"\n'
        for index, endpoint in enumerate(server.endpoints):
            text += f'\n[[printer]]\nname = "p{index}"\nport = {endpoint.port}\n'
        path.write_text(text, encoding="utf-8")
        yield path


@pytest.fixture(name="receiver")
def _receiver():
    """A webhook receiver on 127.0.0.1."""
    receiver = Receiver()
    yield receiver
    receiver.close()


def environment(**extra: str) -> dict[str, str]:
    """A child's environment: the password set, no forced colours."""
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    env["PRINTER_ASYNC_PASSWORD"] = PASSWORD
    return env | extra


def start(*args: str) -> subprocess.Popen[str]:
    """`python -m printer_async ARGS` in a child process."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "printer_async", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )


def scrape_when_ready(port: int, ready) -> str:
    """Scrape /metrics until ``ready(parsed)`` holds (10 s at most); return the text."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        except httpx.TransportError:
            text = ""
        if text and ready(samples(text)):
            return text
        time.sleep(0.05)
    pytest.fail("the exporter did not get there in 10 s")


def stop(child: subprocess.Popen[str], sig: int) -> tuple[str, str]:
    """Send ``sig`` and collect the output (killing the child if it hangs)."""
    child.send_signal(sig)
    try:
        return child.communicate(timeout=15)
    finally:
        child.kill()
        child.wait()


def test_the_exporter_serves_the_fleet_and_stops_cleanly_on_sigterm(fleet_file, sims):
    """`exporter` serves /metrics for the file's printers, and SIGTERM ends it with 0."""
    port = free_port()
    child = start("exporter", str(fleet_file), "--listen", f"127.0.0.1:{port}", "--interval", "0.1")
    try:
        text = scrape_when_ready(
            port, lambda parsed: value(parsed, "raise3d_up", printer="p1") == 1
        )
    finally:
        out, err = stop(child, signal.SIGTERM)
    parsed = samples(text)
    assert value(parsed, "raise3d_job_status", printer="p0", status="running") == 1
    assert value(parsed, "raise3d_job_status", printer="p1", status="idle") == 1
    assert child.returncode == 0, err
    assert f"watching 2 printers; metrics at http://127.0.0.1:{port}/metrics" in err
    assert "Traceback" not in err
    assert PASSWORD not in text + out + err


def test_ctrl_c_ends_the_exporter_with_130(fleet_file):
    """SIGINT (Ctrl-C) ends the exporter like every command: 130, no traceback."""
    port = free_port()
    child = start("exporter", str(fleet_file), "--listen", f"127.0.0.1:{port}")
    try:
        scrape_when_ready(port, lambda parsed: value(parsed, "raise3d_up", printer="p0") == 1)
    finally:
        _, err = stop(child, signal.SIGINT)
    assert child.returncode == 130
    assert "Traceback" not in err


def test_a_second_exporter_on_the_same_port_exits_2_naming_it(fleet_file):
    """A port already taken is a usage error that names it, before any printer is asked."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["exporter", str(fleet_file), "--listen", f"127.0.0.1:{port}"]
        )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(is another exporter running?); choose another with --listen HOST:PORT"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "0/3"], "shard 0/3 does not exist: shards count from 1 to N"),
        (["--shard", "4/3"], "shard 4/3 does not exist"),
        (["--shard", "half"], "a shard is written I/N"),
        (["--listen", "127.0.0.1:http"], "listen on HOST:PORT"),
        (["--notify", f"nosuch://{SECRET}@host"], "URL #1 (nosuch://) is not one Apprise knows"),
        (["--notify-on", "completed,finished"], "unknown finished"),
    ],
)
def test_bad_options_are_usage_errors_before_anything_starts(fleet_file, args, message):
    """Shards counted from 0 or past N, bad addresses and unknown URLs or events exit 2."""
    result = CliRunner().invoke(cli, ["exporter", str(fleet_file), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert SECRET not in result.output


def test_a_bad_fleet_file_exits_2(tmp_path):
    """A fleet file the exporter cannot use is a usage error naming the problem."""
    path = tmp_path / "printers.toml"
    path.write_text('[[printer]]\nname = "x"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["exporter", str(path), "--listen", "127.0.0.1:0"])
    assert result.exit_code == 2
    assert "'host' is required" in result.stderr


def test_watch_notifies_the_completion_once(sims, clock, receiver):
    """`watch --notify URL` sends one notification when the job completes, then exits 0."""
    sim = sims[0]
    with serve_in_thread(sim, cameras=False) as server:
        port = server.endpoints[0].port

        def finish_soon() -> None:
            while not sim.faults.fired:
                time.sleep(0.01)
            clock.advance(4000)

        sim.faults.latency(0, count=1, path="/v1/job/currentjob")
        threading.Thread(target=finish_soon, daemon=True).start()
        result = CliRunner().invoke(
            cli,
            [
                "watch",
                "127.0.0.1",
                "--port",
                str(port),
                "--interval",
                "0.1",
                "--notify",
                receiver.url(SECRET),
            ],
            env={**dict.fromkeys(SCRUBBED), "PRINTER_ASYNC_PASSWORD": PASSWORD},
        )
    assert result.exit_code == 0, result.output
    assert receiver.titles() == [f"127.0.0.1:{port} completed a job"]
    assert SECRET not in result.output


def test_watch_with_a_wrong_password_notifies_the_error(sims, receiver):
    """A watch that ends with a wrong password sends an error notification, then exits 3."""
    with serve_in_thread(sims[0], cameras=False) as server:
        port = server.endpoints[0].port
        result = CliRunner().invoke(
            cli,
            ["watch", "127.0.0.1", "--port", str(port), "--notify", receiver.url()],
            env={**dict.fromkeys(SCRUBBED), "PRINTER_ASYNC_PASSWORD": "not-it"},
        )
    assert result.exit_code == 3
    assert receiver.titles() == [f"127.0.0.1:{port} is no longer watched"]
    assert "not-it" not in receiver.bodies[0]["message"]


def test_fleet_and_exporter_notify_what_their_watch_sees(fleet_file, sims, receiver):
    """`fleet --notify` and `exporter --notify` each send one notification per pause."""
    port = free_port()
    children = [
        start("fleet", str(fleet_file), "--interval", "0.1", "--notify", receiver.url("fleet")),
        start(
            "exporter",
            str(fleet_file),
            "--listen",
            f"127.0.0.1:{port}",
            "--interval",
            "0.1",
            "--notify",
            receiver.url("exporter"),
        ),
    ]
    try:
        assert children[0].stdout is not None
        for line in children[0].stdout:
            if line.startswith("p1 initial"):
                break
        scrape_when_ready(port, lambda parsed: value(parsed, "raise3d_up", printer="p1") == 1)
        sims[0].pause()
        deadline = time.monotonic() + 10
        while len(receiver.bodies) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)  # room for a duplicate to arrive, were one sent
    finally:
        for child in children:
            stop(child, signal.SIGINT)
    assert sorted(receiver.paths) == ["/exporter", "/fleet"]
    assert receiver.titles() == ["p0 paused", "p0 paused"]


BLOCK_FARM_DEPENDENCIES = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"prometheus_client", "apprise"}:
            raise ImportError(f"blocked {name}", name=name.split(".")[0])

sys.meta_path.insert(0, Block())
from printer_async.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["exporter", "{file}"], "the exporter needs its extra (prometheus_client is missing)"),
        (["watch", "127.0.0.1", "--notify", "json://127.0.0.1:1/x"], "printer-async[notify]"),
    ],
)
def test_without_the_farm_extras_the_command_says_which_one_it_needs(fleet_file, args, message):
    """Without prometheus-client or Apprise the CLI still runs and names the missing extra."""
    args = [arg.format(file=fleet_file) for arg in args]
    child = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", BLOCK_FARM_DEPENDENCIES, *args],
        capture_output=True,
        text=True,
        env=environment(),
        timeout=60,
        check=False,
    )
    assert child.returncode == 1, child.stderr
    assert message in child.stderr
    assert "Traceback" not in child.stderr
