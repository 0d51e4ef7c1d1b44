"""The command never reads the printer's text as rich markup, nor passes it raw to the terminal.

A printer whose names (file, job, directory, machine, tag) and messages hold rich markup
(``[bold]``, a closing ``[/x]`` with nothing open, ``[link=...]``) and terminal escapes: every
command shows them as written, in a pipe and on a terminal, and never crashes.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from printer_async.cli._app import cli

from _answers import TEMPLATES
from _canned import LOGIN
from _raw_server import Reply, Request, serving_in_thread

MARKUP = "[bold]b[/bold][/x][link=http://evil]L[/link]"
ESCAPE = "\x1b[2J\x07"
NAME = f"{MARKUP}{ESCAPE}"
SHOWN_ESCAPE = "\\x1b[2J\\x07"
"""How the escapes must appear: written out, not acted on."""
ENV = {"PRINTER_ASYNC_PASSWORD": "pw", "FORCE_COLOR": None, "NO_COLOR": None, "COLUMNS": "400"}
"""Wide enough that no table folds a name: each must be found whole."""
TERMINAL = {**ENV, "TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "0"}


def _ok(data):
    return Reply(body=json.dumps({"status": 1, "data": data}).encode())


def _hostile(polls: list[int]):
    """A printer whose every name is ``NAME``; its job completes at the third poll."""
    entry = {"file_name": NAME, "job_id": NAME, "user_tag": NAME, "job_index": 0}
    files = {"dir_list": [NAME], "file_list": [{"file_name": NAME, "data_path": ""}]}
    data = {
        "/v1/printer/system": {**TEMPLATES["/v1/printer/system"], "machine_name": NAME},
        "/v1/dashboard/statistics": {
            **TEMPLATES["/v1/dashboard/statistics"],
            "printed_file_num": 1,
        },
        "/v1/dashboard/joblist": {"job_list": [entry]},
        "/v1/fileops/list": files,
    }
    refusal = json.dumps({"status": 0, "error": {"code": 500, "msg": NAME}}).encode()

    def script(request: Request) -> Reply:
        path = request.path
        if path == "/v1/job/currentjob":
            polls.append(1)
            status = "completed" if len(polls) >= 3 else "running"
            job = {"file_name": f"Local/{NAME}.gcode", "job_id": NAME, "job_status": status}
            return _ok({**TEMPLATES[path], **job})
        answers = {"/v1/login": LOGIN, "/v1/job/currentjob/set": Reply(body=refusal)}
        return answers.get(path) or _ok(data.get(path, TEMPLATES.get(path)))

    return script


COMMANDS = {
    "status": (["status"], 0),
    "files": (["files"], 0),
    "jobs": (["jobs"], 0),
    "watch": (["watch", "--interval", "0.1"], 0),
    "pause (the printer's error)": (["pause"], 5),
}


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_printer_text_is_shown_as_written(command, terminal):
    """Names and messages with markup and escapes: shown as written, no crash, no restyling."""
    arguments, code = COMMANDS[command]
    with serving_in_thread(_hostile([])) as port:
        result = CliRunner().invoke(
            cli,
            [arguments[0], "127.0.0.1", "--port", str(port), "--timeout", "5", *arguments[1:]],
            env=TERMINAL if terminal else ENV,
        )
    output = result.stdout + result.stderr
    assert result.exit_code == code, output
    assert "MarkupError" not in output
    assert "Traceback" not in output
    assert "[/x]" in output  # read as markup, it would be gone (or a crash)
    assert ESCAPE not in output
    assert SHOWN_ESCAPE in output


def _busy(request: Request) -> Reply:
    """A printer that is busy, and says so in markup and escapes."""
    if request.path == "/v1/login":
        return LOGIN
    return Reply(body=json.dumps({"status": 0, "error": {"code": 10003, "msg": NAME}}).encode())


def test_the_fleet_table_and_its_errors_show_names_as_written(tmp_path):
    """A fleet of a hostile printer and a busy one: names and the printer's error as written."""
    with serving_in_thread(_hostile([])) as hostile, serving_in_thread(_busy) as busy:
        config = tmp_path / "printers.toml"
        config.write_text(
            "".join(
                f'[[printer]]\nname = "{name}"\nhost = "127.0.0.1"\nport = {port}\n'
                'password = "pw"\n'
                for name, port in (("[bold]p[/bold]", hostile), ("busy[/x]", busy))
            )
        )
        result = CliRunner().invoke(cli, ["fleet", str(config), "--once"], env=TERMINAL)
    assert result.exit_code == 0, result.output
    assert "[bold]p[/bold]" in result.stdout
    assert "busy[/x]" in result.stdout
    assert f"{MARKUP}{SHOWN_ESCAPE}.gcode" in result.stdout  # the job's file name
    assert f"{MARKUP}{SHOWN_ESCAPE}" in result.stdout.split("busy[/x]:")[1]  # the busy message
    assert ESCAPE not in result.stdout
