"""Every example in README.md and docs/ runs as written; see the rules below.

The fenced blocks of README.md and of every page under docs/ are found and checked by kind:

- ``python``: run as a script (``__name__ == "__main__"``). A block that addresses a real
  printer is pointed at a simulated one by replacing exactly these strings, and nothing else:
  the address ``"192.168.0.57"``, with the ``, port=10800`` that may follow it, becomes
  ``"127.0.0.1", port=<its port>`` (so the address is written as a call's first argument), the
  password ``"368d8d"`` its password (also set as ``PRINTER_ASYNC_PASSWORD`` while the block
  runs), and ``https://farm.example/printer7/v1`` its URL. The simulated printer is a Pro2 printing
  ``Local/benchy.gcode``, a 30-minute job that a 1800x clock ends in a second. Every block
  runs in an empty directory; for a block that reads ``printers.toml``, that directory holds
  one, a fleet file naming the simulated printer ``left-1``.
- ``python`` blocks that define ``test_`` functions are test modules: each runs with pytest in a
  fresh project, with the installs the text around it assumes: ``printer-async[simulator]`` and
  pytest, not pytest-asyncio (``-p no:asyncio``), unless a ``<!-- pytest-args: ... -->`` comment
  right before the block gives the command line instead.
- ``<!-- fragment -->`` right before a block marks it as a fragment: it is only compiled.
- ``toml``: parsed; a fleet file (one with ``[[printer]]``) is loaded with ``Fleet.from_toml``.
- ``sh``: each ``printer-async`` command named exists and takes the options given; each
  ``pip install`` names extras that exist; each ``python benchmarks/...`` script exists and
  takes the options given.

What some examples print, as the text around them says, is checked too (``PRINTS``), and every
name the public packages export must have its ``:::`` entry on a reference page.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest
from click.testing import CliRunner
from printer_async import Fleet
from printer_async.cli._app import cli
from printer_async.simulator import ScaledClock, SimulatedPrinter, serve_in_thread

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from printer_async.simulator import Endpoint

pytest_plugins = ["pytester"]

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

_FENCE = re.compile(
    r"(?:<!-- (?P<note>[^>]*?) -->\n\s*)?"  # an optional note: <!-- fragment -->
    r"^(?P<indent>[ \t]*)```(?P<lang>\w*)[^\n]*\n(?P<body>.*?)^(?P=indent)```",
    re.DOTALL | re.MULTILINE,
)
_HOST, _PORT, _PASSWORD = '"192.168.0.57"', "port=10800", '"368d8d"'
_URL = "https://farm.example/printer7/v1"
_FLEET_FILE = "printers.toml"


class Block(NamedTuple):
    """One fenced block of a page."""

    page: Path
    line: int
    lang: str
    code: str
    note: str

    @property
    def where(self) -> str:
        """The page and line, like ``README.md:42``."""
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _blocks(lang: str) -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _FENCE.finditer(text):
            if match["lang"] != lang:
                continue
            indent = match["indent"]
            code = "".join(
                line.removeprefix(indent) for line in match["body"].splitlines(keepends=True)
            )
            line = text.count("\n", 0, match.start("body"))
            found.append(Block(page, line, lang, code, (match["note"] or "").strip()))
    return found


def _params(blocks: list[Block]) -> list[object]:
    return [pytest.param(block, id=block.where) for block in blocks]


PYTHON = _blocks("python")
SCRIPTS = [
    b
    for b in PYTHON
    if b.note != "fragment" and not re.search(r"^def test_|^async def test_", b.code, re.MULTILINE)
]
TEST_MODULES = [b for b in PYTHON if b.note != "fragment" and b not in SCRIPTS]
FRAGMENTS = [b for b in PYTHON if b.note == "fragment"]


def _addresses_a_printer(code: str) -> bool:
    return any(marker in code for marker in (_HOST, _PASSWORD, _URL, _FLEET_FILE))


@contextlib.contextmanager
def _pointed_at_a_simulated_printer(code: str) -> Iterator[str]:
    """Serve the simulated printer and yield ``code`` with the documented substitutions."""
    simulated = SimulatedPrinter(clock=ScaledClock(speed=1800), job_duration=1800)
    simulated.start_job("Local/benchy.gcode")
    with serve_in_thread(simulated) as server:
        endpoint: Endpoint = server.endpoints[0]
        address = f'"{endpoint.host}", port={endpoint.port}'
        Path(_FLEET_FILE).write_text(
            f'[[printer]]\nname = "left-1"\nhost = "{endpoint.host}"\nport = {endpoint.port}\n'
            f'password = "{endpoint.password}"\n',
            encoding="utf-8",
        )
        saved = os.environ.get("PRINTER_ASYNC_PASSWORD")
        os.environ["PRINTER_ASYNC_PASSWORD"] = endpoint.password
        try:
            yield (
                code.replace(f"{_HOST}, {_PORT}", address)
                .replace(_HOST, address)
                .replace(_PASSWORD, f'"{endpoint.password}"')
                .replace(_URL, f"{endpoint.base_url}/v1")
            )
        finally:
            if saved is None:
                del os.environ["PRINTER_ASYNC_PASSWORD"]
            else:
                os.environ["PRINTER_ASYNC_PASSWORD"] = saved


def _completed_printers(out: str) -> list[str]:
    return sorted(re.findall(r"^(printer-\d) completed completed$", out, re.MULTILINE))


def _watched_to_the_end(out: str) -> bool:
    lines = out.splitlines()
    return (
        lines[:3]
        == ["initial None -> running", "paused running -> paused", "resumed paused -> running"]
        and all(re.fullmatch(r"\d+%", line) for line in lines[3:6])
        and lines[6:] == ["completed running -> completed"]
    )


# What some examples print, as their text says: (page, a phrase of the block, the check).
PRINTS: list[tuple[str, str, Callable[[str], bool]]] = [
    (
        "README.md",
        "iter_jobs()",
        lambda out: "Local/benchy.gcode" in out and "files printed" in out,
    ),
    (
        "docs/fleets.md",
        "fleet.watch(",
        lambda out: _completed_printers(out) == [f"printer-{i}" for i in range(3)],
    ),
    ("docs/watching.md", "simulated.pause()", _watched_to_the_end),
    ("docs/farm.md", "FleetExporter(", lambda out: out == "['raise3d_up{printer=\"left-1\"} 1']\n"),
    ("docs/simulator.md", "ManualClock()", lambda out: out == "running 50% 1800\n"),
    # The printer is named after the URL: the request went through base_url.
    (
        "docs/troubleshooting.md",
        _URL,
        lambda out: re.fullmatch(r"127\.0\.0\.1:\d+ Local/benchy\.gcode \S+\n", out) is not None,
    ),
]


def _output_check(block: Block) -> Callable[[str], bool] | None:
    page = str(block.page.relative_to(ROOT))
    return next(
        (check for where, phrase, check in PRINTS if where == page and phrase in block.code), None
    )


def test_each_output_check_finds_its_example():
    """No output check is lost to an edited example: each one matches exactly one block."""
    for page, phrase, _ in PRINTS:
        matches = [b for b in SCRIPTS if str(b.page.relative_to(ROOT)) == page and phrase in b.code]
        assert len(matches) == 1, (page, phrase, [b.where for b in matches])


@pytest.mark.parametrize("block", _params(SCRIPTS))
def test_python_examples_run_as_written(block, tmp_path, monkeypatch, capsys):
    """A Python example runs to its end (against a simulated printer where it needs one)."""
    monkeypatch.chdir(tmp_path)
    code = block.code
    with contextlib.ExitStack() as stack:
        if _addresses_a_printer(code):
            code = stack.enter_context(_pointed_at_a_simulated_printer(code))
        exec(compile(code, block.where, "exec"), {"__name__": "__main__"})  # noqa: S102 - ours
    check = _output_check(block)
    out = capsys.readouterr().out
    assert check is None or check(out), out


@pytest.mark.parametrize("block", _params(TEST_MODULES))
def test_pytest_examples_pass_in_a_fresh_project(block, pytester):
    """A test-module example passes in a new project with only what its page says to install."""
    pytester.makepyfile(test_example=block.code)
    args = (
        shlex.split(block.note.removeprefix("pytest-args:")) if block.note else ["-p", "no:asyncio"]
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    assert result.ret == 0, result.stdout.str()
    assert result.parseoutcomes().get("passed", 0) >= 1


def test_fragments_compile_and_are_few():
    """A block marked as a fragment is valid Python; almost every example runs instead."""
    for block in FRAGMENTS:
        compile(block.code, block.where, "exec")
    assert len(FRAGMENTS) <= max(3, len(PYTHON) // 10), [block.where for block in FRAGMENTS]


@pytest.mark.parametrize("block", _params(_blocks("toml")))
def test_toml_examples_parse_and_fleet_files_load(block, tmp_path, monkeypatch):
    """A TOML example is valid TOML, and a fleet file builds a fleet."""
    document = tomllib.loads(block.code)
    if "printer" not in document:
        return
    for name in re.findall(r'password_env\s*=\s*"(\w+)"', block.code):
        monkeypatch.setenv(name, "368d8d")
    path = tmp_path / "printers.toml"
    path.write_text(block.code, encoding="utf-8")
    fleet = Fleet.from_toml(path)
    assert len(fleet) == len(document["printer"])


def test_every_promise_names_tests_that_exist():
    """Each test the promises page names is a test function in the file it names."""
    page = (ROOT / "docs" / "promises.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", page)
    assert len(named) >= 10
    for path, name in named:
        source = (ROOT / path).read_text()
        assert re.search(rf"^(async )?def {name}\(", source, re.MULTILINE), f"{path}::{name}"


@pytest.mark.parametrize(
    "package",
    ["printer_async", "printer_async.simulator", "printer_async.exporter", "printer_async.notify"],
)
def test_every_public_name_has_its_reference_entry(package):
    """Each name a public package exports is rendered on a reference page of the site."""
    module = importlib.import_module(package)
    reference = "".join(page.read_text() for page in (ROOT / "docs" / "reference").glob("*.md"))
    entries = set(re.findall(r"^::: ([\w.]+)$", reference, re.MULTILINE))
    assert [name for name in module.__all__ if f"{package}.{name}" not in entries] == []


# --- shell commands -------------------------------------------------------------------------

_EXTRAS = set(
    tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
)


def _commands(code: str) -> Iterator[list[str]]:
    """The commands of a shell block: one per line (after a prompt), split on ``&&``."""
    for raw in code.splitlines():
        line = raw.split(" #", 1)[0].strip().removeprefix("$ ")
        if not line or line.startswith("#"):
            continue
        for part in line.split("&&"):
            with contextlib.suppress(ValueError):
                yield shlex.split(part)


def _options(words: list[str]) -> list[str]:
    return [word.split("=", 1)[0] for word in words if word.startswith("--")]


def _check_cli(words: list[str]) -> None:
    runner = CliRunner()
    args = words[1:]
    split = next((i for i, word in enumerate(args) if not word.startswith("-")), len(args))
    top, rest = args[:split], args[split:]
    for option in _options(top):
        assert option in runner.invoke(cli, ["--help"]).output, f"printer-async has no {option}"
    if not rest:
        return
    command = rest[0]
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0, f"printer-async has no command {command!r}: {result.output}"
    for option in _options(rest[1:]):
        assert option in result.output, f"printer-async {command} has no {option}"


def _check_pip(args: list[str]) -> None:
    for word in args:
        extras = re.search(r"\[([\w,\s-]+)\]", word)
        if extras and ("printer-async" in word or word.startswith(".")):
            for extra in extras[1].split(","):
                assert extra.strip() in _EXTRAS, f"no extra {extra!r} in pyproject.toml"


def _check_python(words: list[str]) -> None:
    args = words[1:]
    if args[:2] == ["-m", "printer_async"]:
        _check_cli(["printer-async", *args[2:]])
        return
    if args[:2] == ["-m", "printer_async.simulator"]:
        target, rest = args[:2], args[2:]
    elif args and args[0].startswith("benchmarks/"):
        assert (ROOT / args[0]).is_file(), f"no {args[0]}"
        target, rest = args[:1], args[1:]
    else:
        return
    result = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, *target, "--help"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    for option in _options(rest):
        assert option in result.stdout, f"python {' '.join(target)} has no {option}"


_SHELL = _blocks("sh")


@pytest.mark.parametrize("block", _params(_SHELL))
def test_shell_commands_exist_with_their_options(block):
    """A command a page tells you to type exists, and takes the options it shows."""
    for words in _commands(block.code):
        if words[0] == "printer-async":
            _check_cli(words)
        elif "pip" in words[:3] and "install" in words:
            _check_pip(words[words.index("install") + 1 :])
        elif words[0] in ("python", "python3"):
            _check_python(words)
