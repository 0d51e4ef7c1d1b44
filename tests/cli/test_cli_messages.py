"""Every error the command prints says what, where, and the next step in the command's words.

The library's messages name Python things (``port=``, ``base_url=``, ``recover_job()``); the
command's name ``--port``, ``HOST``, ``$PRINTER_ASYNC_PASSWORD`` and the command to run next.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner
from printer_async import (
    AsyncPrinter,
    AuthenticationError,
    PrinterConnectionError,
    ProtocolError,
    StateReason,
)
from printer_async._errors import _STATE_MESSAGES, error_for
from printer_async.cli._app import cli
from printer_async.cli._messages import Where, error_line
from printer_async.simulator import ManualClock, SimulatedPrinter, serve_in_thread

PASSWORD = "m3ss4ges-pw"
ENV = {
    "PRINTER_ASYNC_PASSWORD": PASSWORD,
    "FORCE_COLOR": None,
    "TTY_COMPATIBLE": None,
    "COLUMNS": "400",  # one line each, to compare whole
}
PYTHON_TERMS = re.compile(
    r"\b(?:port|host|base_url|client|file_path|dir_path|filename|password)=|\w\(\)|"
    r"filepos_prefix|AsyncPrinter"
)
"""What a library message may say and the command's must not."""


@pytest.fixture(name="sim")
def _sim():
    """A simulated printer on a manual clock."""
    return SimulatedPrinter(password=PASSWORD, clock=ManualClock(), seed=3)


@pytest.fixture(name="port")
def _port(sim):
    """The simulated printer's port, served from a thread."""
    with serve_in_thread(sim, cameras=False) as server:
        yield server.endpoints[0].port


def run(*args):
    """`printer-async ARGS`: the exit code and the error output on one line."""
    result = CliRunner().invoke(cli, [str(arg) for arg in args], env=ENV)
    assert "Traceback" not in result.output
    assert not PYTHON_TERMS.search(result.output), result.output
    return result.exit_code, " ".join(result.stderr.split())


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_host_with_a_port_says_to_use_the_port_option():
    """HOST 127.0.0.1:8080: exit 2, "give it with --port", never "port="."""
    code, err = run("status", "127.0.0.1:8080")
    assert code == 2
    assert (
        "'127.0.0.1:8080' has a port in it: give it with --port, as in 127.0.0.1 --port 8080" in err
    )


def test_a_url_without_the_api_path_says_which_url_to_try(port):
    """HOST http://127.0.0.1:PORT (no /v1) answers 404: the message says to try .../v1."""
    code, err = run("status", f"http://127.0.0.1:{port}")
    assert code == 6
    assert f"no printer API at http://127.0.0.1:{port}" in err
    assert f"(try http://127.0.0.1:{port}/v1)" in err


def test_a_url_with_the_api_path_works(port, sim):
    """HOST http://127.0.0.1:PORT/v1 reaches the printer, as base_url does in Python."""
    result = CliRunner().invoke(cli, ["stats", f"http://127.0.0.1:{port}/v1", "--json"], env=ENV)
    assert result.exit_code == 0, result.output


def test_a_wrong_password_says_where_it_is_set_and_how_to_give_it(port):
    """A refused password: exit 3, the printer, its answer, and --password or the variable."""
    code, err = run("status", "127.0.0.1", "--port", port, "--password", "nope")
    assert code == 3
    assert err.startswith(f"error: 127.0.0.1:{port} refused the access password (10000 ")
    assert "Machine > Developer > Access password" in err
    assert "--password or $PRINTER_ASYNC_PASSWORD" in err


def test_a_dead_address_says_to_check_host_and_port():
    """Nothing listening: exit 4, the address, the cause, and HOST and --port to check."""
    port = closed_port()
    code, err = run("status", "127.0.0.1", "--port", port, "--timeout", "2")
    assert code == 4
    assert f"127.0.0.1:{port}: could not connect" in err
    assert "check HOST and --port (a printer's API listens on port 10800)" in err


def test_resume_on_a_running_job_says_there_is_nothing_to_resume(port, sim):
    """`resume` while printing: not "stop it first" but nothing to resume."""
    sim.start_job("Local/benchy.gcode")
    code, err = run("resume", "127.0.0.1", "--port", port)
    assert code == 5
    assert err == (
        f"error: the job on 127.0.0.1:{port} is already running, so nothing to resume "
        "(500 printer is printing)"
    )


def test_print_while_printing_names_the_commands_to_wait_or_stop(port, sim):
    """`print` while printing: the watch and stop commands for this printer."""
    sim.start_job("Local/benchy.gcode")
    code, err = run("print", "127.0.0.1", "Local/benchy.gcode", "--port", port)
    assert code == 5
    assert f"(printer-async watch 127.0.0.1 --port {port})" in err
    assert f"(printer-async stop 127.0.0.1 --port {port})" in err


def test_a_missing_directory_names_it_and_the_command_that_lists_its_parent(port):
    """`files Local/nope/deeper`: what is missing, and `files` on the directory above."""
    code, err = run("files", "127.0.0.1", "Local/nope/deeper", "--port", port)
    assert code == 6
    assert f"Local/nope/deeper does not exist on 127.0.0.1:{port} (404 directory not exist)" in err
    assert f"printer-async files 127.0.0.1 Local/nope --port {port}" in err


def test_a_missing_file_to_print_says_how_to_see_and_send_files(port):
    """`print Local/nope.gcode`: not on the printer; list the directory, or upload it."""
    code, err = run("print", "127.0.0.1", "Local/nope.gcode", "--port", port)
    assert code == 6
    assert f"Local/nope.gcode is not on 127.0.0.1:{port} (500 print file is not exist)" in err
    assert f"printer-async files 127.0.0.1 Local/ --port {port}" in err
    assert "printer-async upload 127.0.0.1 LOCAL_FILE --dir Local/" in err


def test_an_upload_to_a_missing_directory_names_the_option(port, tmp_path):
    """`upload --dir Local/nope`: the option, the printer, and where to find a directory."""
    source = tmp_path / "a.gcode"
    source.write_bytes(b"G28\n")
    code, err = run("upload", "127.0.0.1", source, "--dir", "Local/nope", "--port", port)
    assert code == 6
    assert f"--dir Local/nope does not exist on 127.0.0.1:{port}" in err


def test_nothing_to_recover_says_so(port):
    """`recover` without an interrupted job: nothing to recover."""
    code, err = run("recover", "127.0.0.1", "--port", port)
    assert code == 6
    assert "has no job that a power loss interrupted (10002 no last job found)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["print", "127.0.0.1", "benchy.gcode"], "(did you mean Local/benchy.gcode?)"),
        (["print", "127.0.0.1", "/local/a.gcode"], "(did you mean Local/a.gcode?)"),
        (["print", "127.0.0.1", "Local/../etc"], "must not hold '..'"),
        (["files", "127.0.0.1", "webapi_store"], "see them with: printer-async files 127.0.0.1"),
        (["upload", "127.0.0.1", __file__, "--name", "a/b"], "a plain file name"),
        (["status", "ftp://printer"], "only http:// and https:// URLs"),
        (["status", "http://u:pw@printer/v1"], "must not hold a user name or password"),
        (["status", "http://printer:99999/v1"], "must have a TCP port number from 1 to 65535"),
        (["status", "http://printer/v1", "--port", "8080"], "--port goes with a host name"),
        (["status", "127.0.0.1", "--password", "pw\udcff"], "bytes that are not UTF-8 text"),
    ],
)
def test_bad_arguments_are_usage_errors_in_the_commands_words(args, message):
    """Paths outside Local/, a name with a slash, unusable URLs: exit 2 before any request."""
    code, err = run(*args)
    assert code == 2
    assert message in err


def test_watching_a_dead_address_names_it_and_the_cause_then_says_offline():
    """`watch` with nothing listening: the address and cause, when it polls again, offline."""
    port = closed_port()
    env = {key: value for key, value in os.environ.items() if key not in ENV}
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            *(sys.executable, "-m", "printer_async", "watch", "127.0.0.1", "--port", str(port)),
            *("--interval", "0.1", "--offline-after", "0.3", "--password", "pw"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = []
    try:
        for line in child.stdout:
            lines.append(line.split(" ", 1)[1].strip())
            if line.split()[1] == "offline":
                break
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=15)
    finally:
        child.kill()
        child.wait()
    first, *_, offline = lines
    assert first.startswith(f"127.0.0.1:{port} did not answer: GET /login to 127.0.0.1:{port}: ")
    assert "could not connect" in first
    assert re.search(
        r"; polling again in \d+\.\d s \(offline after 0\.3 s without an answer\)$", first
    )
    assert offline.startswith("offline   still no answer (GET /login to")
    assert offline.endswith("polling less often until it answers")


def test_a_fleet_file_that_is_not_utf8_names_the_file_and_line(tmp_path):
    """A Latin-1 fleet file: its name, the byte and line, and to save it as UTF-8."""
    path = tmp_path / "printers.toml"
    path.write_bytes(b'[[printer]]\nname = "caf\xe9"\nhost = "127.0.0.1"\n')
    code, err = run("fleet", path, "--once")
    assert code == 2
    assert err == f"error: {path}: not UTF-8 text (byte 0xe9 on line 2); save the file as UTF-8"


def test_a_fleet_files_unset_variable_is_named_once(tmp_path):
    """An unset password_env: the file and printer named once, then the variable."""
    path = tmp_path / "printers.toml"
    path.write_text('[[printer]]\nname = "a"\nhost = "h"\npassword_env = "NOPE_UNSET_42"\n')
    code, err = run("fleet", path, "--once")
    assert code == 2
    assert err == (
        f"error: {path}: printer #1 ('a'): the environment variable 'NOPE_UNSET_42' is not set"
    )


def test_a_fleet_printers_failures_say_what_to_fix_in_the_file(tmp_path, port):
    """`fleet --once`: a wrong password names password_env in the file; a dead one its host."""
    path = tmp_path / "printers.toml"
    path.write_text(
        f'[[printer]]\nname = "wrong"\nhost = "127.0.0.1"\nport = {port}\npassword = "x"\n'
        f'[[printer]]\nname = "dead"\nhost = "127.0.0.1"\nport = {closed_port()}\n'
        'password = "x"\ntimeout = 2\n'
    )
    result = CliRunner().invoke(cli, ["fleet", str(path), "--once"], env=ENV)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert f"fix password or password_env for it in {path}" in out
    assert f"check its host and port in {path}" in out
    assert not PYTHON_TERMS.search(out)


# -- every library error, for every command ----------------------------------------------------

COMMANDS = ["status", "watch", "files", "upload", "print", "pause", "resume", "stop", "recover"]
ANSWERS = [
    *(("/job/currentjob/set", 500, msg) for msg in _STATE_MESSAGES),
    ("/job/newjob/set", 500, "print file is not exist"),
    ("/job/recover/set", 10002, "no last job found"),
    ("/fileops/list", 404, "directory not exist"),
    ("/fileops/upload", 404, "directory not exist"),
    ("/fileops/upload", 10003, "file too large size(0~500MB)"),
    ("/job/currentjob", 10003, "busy"),
    ("/job/currentjob", 503, "no server"),
    ("/job/currentjob", 401, "token error"),
    ("/login", 10000, "sign error or password error"),
    ("/fileops/upload", 10005, "root path error"),
    ("/job/currentjob/set", 500, "unknown error"),
]


def library_errors():
    """An error of every kind the library raises, as it raises them."""
    errors = [error_for(*answer) for answer in ANSWERS]
    errors += [
        PrinterConnectionError(
            "GET /job/currentjob to 127.0.0.1:10801: timed out after 10 s; check that the "
            "printer is on, on the network, and has Enable Remote Access API switched on"
        ),
        ProtocolError(
            "/login: HTTP 301 redirect to http://elsewhere/v1/login; printer-async does not "
            "follow redirects, as the token travels in the URL: give the final address, as "
            "AsyncPrinter(base_url=...) for a printer behind a proxy",
            endpoint="/login",
            status_code=301,
        ),
        AuthenticationError(
            "/fileops/upload: 401 token error: the token was renewed, but a streamed upload "
            "cannot be sent twice: call upload_file() again",
            code=401,
            msg="token error",
            endpoint="/fileops/upload",
        ),
    ]
    return errors


@pytest.mark.parametrize("command", COMMANDS)
def test_no_library_error_reaches_the_user_in_python_terms(command):
    """Each library error, on each command: one line, the printer named, no Python terms."""
    where = Where(
        command=command,
        host="127.0.0.1",
        port=10801,
        params={"file_path": "Local/a.gcode", "directory": "Local/x", "dir_path": "Local/x"},
    )
    for error in library_errors():
        line = error_line(error, where)
        assert line.startswith("error: "), line
        assert "\n" not in line
        assert "127.0.0.1:10801" in line, line
        assert not PYTHON_TERMS.search(line), line


def test_the_power_loss_screen_points_to_the_recover_command():
    """The power-loss screen's hint names `printer-async recover`, not recover_job()."""
    error = error_for("/job/currentjob/set", 500, "printer show powerloss interface")
    assert error.reason is StateReason.POWERLOSS_SCREEN
    line = error_line(error, Where(command="pause", host="printer.local"))
    assert "or resume the interrupted job with: printer-async recover printer.local" in line


def test_an_unexpected_failure_shows_only_its_type():
    """Not a PrinterError: its type and --debug, never its text (it could hold the password)."""
    line = error_line(ValueError("secret-ish text"), Where(command="status", host="h"))
    assert line == (
        "error: an unexpected ValueError; run again with --debug for the details, and report "
        "it if it happens again"
    )


def test_the_address_of_an_ipv6_printer_is_bracketed():
    """Where names an IPv6 printer as a URL would: [fe80::1]:10800."""
    assert Where(host="fe80::1").address == "[fe80::1]:10800"
    assert AsyncPrinter("fe80::1").name == "[fe80::1]:10800"
