"""The simulator's command: `printer-async simulate`, also `python -m printer_async.simulator`."""

import os
import re
import signal
import subprocess
import sys

import httpx
import pytest
from click.testing import CliRunner
from printer_async.simulator import FaultKind, SimulatedPrinter, serve_in_thread, sign
from printer_async.simulator._cli import (
    FaultSpec,
    make_printers,
    options_from,
    parse_fault,
    simulate,
)

SCRUBBED = ("PRINTER_ASYNC_PASSWORD", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")

BLOCK_RICH = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "rich":
            raise ImportError(f"blocked {name}")

sys.meta_path.insert(0, Block())
import runpy
sys.argv = ["python -m printer_async.simulator", *sys.argv[1:]]
runpy.run_module("printer_async.simulator", run_name="__main__")
"""
"""``python -m printer_async.simulator`` as with only the ``simulator`` extra: no rich."""


def parse(*args):
    """The options `simulate ARGS` parses to, without serving anything."""
    return simulate.make_context("simulate", list(args)).params


def child_env(**extra):
    """A child's environment without the password or forced colours."""
    env = {key: value for key, value in os.environ.items() if key not in SCRUBBED}
    return env | extra


def test_the_command_reads_every_option():
    """All options parse with their types."""
    params = parse(
        *("--port", "0", "--password", "pw", "--speed", "60", "--printers", "3"),
        *("--nozzles", "1", "--host", "127.0.0.1", "--keep-alive", "5", "--seed", "7"),
        *("--fault", "busy:10003:count=5", "--fault", "latency:0.2"),
    )
    assert (params["port"], params["password"], params["speed"], params["printers"]) == (
        0,
        "pw",
        60.0,
        3,
    )
    assert (params["nozzles"], params["keep_alive"], params["seed"]) == (1, 5.0, 7)
    assert params["faults"] == (FaultSpec("busy", "10003", count=5), FaultSpec("latency", "0.2"))


def test_defaults_and_the_password_from_the_environment(monkeypatch):
    """Port 10800, speed 1, the model's own nozzles; the password may come from the variable."""
    options = options_from(parse("--password", "x"))
    assert (options.printers, options.speed, options.model, options.nozzles) == (1, 1.0, None, None)
    assert parse("--password", "x")["port"] == 10800
    with monkeypatch.context() as patch:
        patch.setenv("PRINTER_ASYNC_PASSWORD", "from-env")
        assert options_from(parse()).password == "from-env"
    result = CliRunner().invoke(simulate, ["--port", "0"], env=dict.fromkeys(SCRUBBED))
    assert result.exit_code == 2
    assert "Missing option '--password'" in result.stderr
    assert "PRINTER_ASYNC_PASSWORD" in CliRunner().invoke(simulate, ["--help"]).stdout


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("busy", FaultSpec("busy")),
        ("busy:429:probability=0.5", FaultSpec("busy", "429", probability=0.5)),
        ("drop:count=2:path=/v1/login", FaultSpec("drop", count=2, path="/v1/login")),
        ("html:503:duration=1.5", FaultSpec("html", "503", duration=1.5)),
        ("random:0.05", FaultSpec("random", "0.05")),
        ("wrong_type:job_status", FaultSpec("wrong_type", "job_status")),
    ],
)
def test_fault_specs_parse(text, spec):
    """Fault specs parse into kind, argument and selectors."""
    assert parse_fault(text) == spec


@pytest.mark.parametrize(
    "text",
    ["explode", "drop:5", "latency", "busy:404", "busy:count=x", "busy:colour=red", "random:2"],
)
def test_bad_fault_specs_are_usage_errors(text):
    """Unknown kinds, stray or missing arguments and bad values: exit 2 naming --fault."""
    with pytest.raises(ValueError, match="fault"):
        parse_fault(text)
    result = CliRunner().invoke(simulate, ["--password", "pw", "--fault", text])
    assert result.exit_code == 2
    assert "Invalid value for '--fault'" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "99999 is not in the range 0<=x<=65535"),
        (["--port", "65535", "--printers", "2"], "2 printers from port 65535 would go past"),
        (["--speed", "0"], "must be a positive number"),
        (["--speed", "nan"], "must be a positive number"),
        (["--printers", "0"], "0 is not in the range x>=1"),
        (["--nozzles", "3"], "3 is not in the range 1<=x<=2"),
        (["--state", "asleep"], "'asleep' is not one of 'safe_mode', 'busy'"),
        (["--model", "Pro9"], "unknown printer model 'Pro9'; known: Pro2, Pro2 Plus, Pro3"),
    ],
)
def test_bad_options_are_usage_errors_without_a_traceback(args, message):
    """A port out of range, a bad speed, count, nozzles, state or model: exit 2, one reason."""
    result = CliRunner().invoke(simulate, ["--password", "pw", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output


def test_printers_get_their_faults_and_options():
    """make_printers builds N printers with the password, nozzles, speed and faults given."""
    params = parse("--password", "pw", "--printers", "2", "--nozzles", "1", "--fault", "random:0.5")
    printers = make_printers(options_from(params))
    assert [(p.password, p.nozzles, p.name) for p in printers] == [
        ("pw", 1, "raise3d-1"),
        ("pw", 1, "raise3d-2"),
    ]
    assert all(p.faults.armed == 1 for p in printers)


def test_model_makes_every_printer_that_model():
    """--model pro3-plus (any case, spaces or dashes) builds Pro3 Plus printers."""
    params = parse("--password", "pw", "--printers", "2", "--model", "pro3-plus")
    models = [p.system_info()["model"] for p in make_printers(options_from(params))]
    assert models == ["Raise3D Pro3Plus"] * 2


def test_a_fault_without_selectors_always_applies():
    """From the command line a fault without count/duration/probability hits every request."""
    (printer,) = make_printers(options_from(parse("--password", "pw", "--fault", "busy:429")))
    kinds = [printer.faults.take("/v1/login")[1].kind for _ in range(5)]
    assert kinds == [FaultKind.TOO_MANY_REQUESTS] * 5


def test_states_and_no_camera_from_the_command_line():
    """--state safe_mode/busy and --no-camera set up the printers that way."""
    params = parse("--password", "pw", "--state", "safe_mode", "--state", "busy", "--no-camera")
    (printer,) = make_printers(options_from(params))
    assert (printer.safe_mode, printer.busy, printer.camera_connected) == (True, True, False)
    assert printer.running_status == "error"
    (plain,) = make_printers(options_from(parse("--password", "pw")))
    assert (plain.safe_mode, plain.busy, plain.camera_connected) == (False, False, True)


def test_the_help_is_clicks_and_shows_the_faults_as_lines():
    """--help is click's, with the fault kinds laid out as written, no marker shown."""
    text = CliRunner().invoke(simulate, ["--help"]).stdout
    assert "Usage: simulate [OPTIONS]" in text
    assert "  busy[:10003|500|429]  latency:SECONDS" in text
    assert "\\b" not in text
    assert "\b" not in text


def serve_until_signal(command, sig, *, env=None):
    """Start ``command``, read its first line and the hint, log in, send ``sig``; the results."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(**(env or {})),
    )
    try:
        line = process.stdout.readline()
        hint = [process.stderr.readline() for _ in range(3)]
        match = re.fullmatch(r"printer 1: (http://127\.0\.0\.1:(\d+))\n", line)
        assert match, (line, hint)
        params = {"sign": sign("s3cret", "1"), "timestamp": "1"}
        assert httpx.get(f"{match[1]}/v1/login", params=params).json()["status"] == 1
        process.send_signal(sig)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return process.returncode, int(match[2]), "".join(hint), err


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "printer_async", "simulate"],
        [sys.executable, "-c", BLOCK_RICH],
    ],
    ids=["printer-async simulate", "python -m printer_async.simulator without rich"],
)
def test_the_command_serves_says_what_to_try_and_ends_on_ctrl_c_with_130(command):
    """It prints the URL, then the exact status command to try; Ctrl-C: 130 and one line."""
    code, port, hint, err = serve_until_signal(
        [*command, "--port", "0", "--password", "s3cret"], signal.SIGINT
    )
    assert f"  printer-async status 127.0.0.1 --port {port} --password PASSWORD\n" in hint
    assert "PRINTER_ASYNC_PASSWORD" in hint
    assert "s3cret" not in hint
    assert code == 130
    assert err.strip() == "interrupted"


def test_sigterm_stops_it_quietly_with_0_and_the_password_from_the_variable():
    """SIGTERM (a service manager) exits 0; with the variable set, the hint needs no password."""
    code, port, hint, err = serve_until_signal(
        [sys.executable, "-m", "printer_async.simulator", "--port", "0"],
        signal.SIGTERM,
        env={"PRINTER_ASYNC_PASSWORD": "s3cret"},
    )
    assert f"  printer-async status 127.0.0.1 --port {port}\n" in hint
    assert "--password" not in hint
    assert (code, err) == (0, "")


def test_a_port_in_use_names_it_and_the_way_out():
    """A port in use: exit 2, one line naming the port and --port 0, no traceback."""
    with serve_in_thread(SimulatedPrinter(), cameras=False) as server:
        port = server.endpoints[0].port
        result = CliRunner().invoke(simulate, ["--port", str(port), "--password", "x"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: port {port} on 127.0.0.1 already in use (by another simulator or program); "
        "choose another with --port, or --port 0 for free ports\n"
    )
