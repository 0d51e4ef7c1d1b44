import argparse
import re
import signal
import subprocess
import sys

import httpx
import pytest
from printer_async.simulator import FaultKind, sign
from printer_async.simulator._cli import FaultSpec, build_parser, make_printers, parse_fault


def test_the_parser_reads_every_option():
    """All options parse into the namespace with their types."""
    args = build_parser().parse_args(
        [
            "--port",
            "0",
            "--password",
            "pw",
            "--speed",
            "60",
            "--printers",
            "3",
            "--nozzles",
            "1",
            "--host",
            "127.0.0.1",
            "--fault",
            "busy:10003:count=5",
            "--fault",
            "latency:0.2",
        ]
    )
    assert (args.port, args.password, args.speed, args.printers, args.nozzles) == (
        0,
        "pw",
        60.0,
        3,
        1,
    )
    assert args.faults == [FaultSpec("busy", "10003", count=5), FaultSpec("latency", "0.2")]


def test_defaults_and_required_password(capsys):
    """Port 10800, speed 1, the printer's own model and nozzles by default; password required."""
    args = build_parser().parse_args(["--password", "x"])
    assert (args.port, args.speed, args.printers, args.model, args.nozzles, args.faults) == (
        10800,
        1.0,
        1,
        None,
        None,
        [],
    )
    with pytest.raises(SystemExit):
        build_parser().parse_args([])
    assert "--password" in capsys.readouterr().err


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
def test_bad_fault_specs_are_refused(text):
    """Unknown kinds, stray arguments, missing arguments and bad values are refused."""
    with pytest.raises(argparse.ArgumentTypeError):
        parse_fault(text)


def test_printers_get_their_faults_and_options():
    """make_printers builds N printers with the password, nozzles, speed and faults given."""
    args = build_parser().parse_args(
        ["--password", "pw", "--printers", "2", "--nozzles", "1", "--fault", "random:0.5"]
    )
    printers = make_printers(args)
    assert [(p.password, p.nozzles, p.name) for p in printers] == [
        ("pw", 1, "raise3d-1"),
        ("pw", 1, "raise3d-2"),
    ]
    assert all(p.faults.armed == 1 for p in printers)
    delay, fault = printers[0].faults.take("/v1/login")
    assert delay or fault is None or isinstance(fault.kind, FaultKind)


def test_model_makes_every_printer_that_model():
    """--model pro3-plus (any case, spaces or dashes) builds Pro3 Plus printers."""
    args = build_parser().parse_args(
        ["--password", "pw", "--printers", "2", "--model", "pro3-plus"]
    )
    assert [p.system_info()["model"] for p in make_printers(args)] == ["Raise3D Pro3Plus"] * 2


def test_an_unknown_model_is_refused_with_the_known_ones(capsys):
    """--model Pro9 exits with a usage error that lists the known models."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--password", "pw", "--model", "Pro9"])
    assert "unknown printer model 'Pro9'; known: Pro2, Pro2 Plus, Pro3" in capsys.readouterr().err


def test_a_fault_without_selectors_always_applies():
    """From the command line a fault without count/duration/probability hits every request."""
    args = build_parser().parse_args(["--password", "pw", "--fault", "busy:429"])
    (printer,) = make_printers(args)
    kinds = [printer.faults.take("/v1/login")[1].kind for _ in range(5)]
    assert kinds == [FaultKind.TOO_MANY_REQUESTS] * 5


def test_the_command_serves_until_ctrl_c():
    """Python -m printer_async.simulator prints the URL, serves, and exits 0 on SIGINT."""
    process = subprocess.Popen(
        [sys.executable, "-m", "printer_async.simulator", "--port", "0", "--password", "s3cret"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.fullmatch(r"printer 1: (http://127\.0\.0\.1:\d+)\n", line)
        assert match, line
        params = {"sign": sign("s3cret", "1"), "timestamp": "1"}
        response = httpx.get(f"{match[1]}/v1/login", params=params)
        assert response.json()["status"] == 1
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_the_command_reports_a_busy_port():
    """A port in use makes the command print an error and exit 1, without a traceback."""
    from printer_async.simulator import SimulatedPrinter, serve_in_thread  # noqa: PLC0415

    with serve_in_thread(SimulatedPrinter()) as server:
        port = str(server.endpoints[0].port)
        result = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "printer_async.simulator", "--port", port, "--password", "x"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.stderr


def test_states_and_no_camera_from_the_command_line():
    """--state safe_mode/busy and --no-camera set up the printers that way."""
    args = build_parser().parse_args(
        ["--password", "pw", "--state", "safe_mode", "--state", "busy", "--no-camera"]
    )
    (printer,) = make_printers(args)
    assert (printer.safe_mode, printer.busy, printer.camera_connected) == (True, True, False)
    assert printer.running_status == "error"
    (plain,) = make_printers(build_parser().parse_args(["--password", "pw"]))
    assert (plain.safe_mode, plain.busy, plain.camera_connected) == (False, False, True)
