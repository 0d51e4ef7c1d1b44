"""The layer contract: the import graph of ``printer_async`` against docs/architecture.md.

The layers are written once, in the table under "## Layers" of docs/architecture.md, highest
first. This test reads that table and every module's imports (at run time, for type checking
only, or inside a function: each ties one module to another) and fails on a module the table
does not name, an import from a lower layer into a higher one, an import between the members of
a layer marked independent, and any import cycle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGE = ROOT / "printer_async"
PAGE = ROOT / "docs" / "architecture.md"

KNOWN_VIOLATIONS: frozenset[tuple[str, str]] = frozenset(
    {
        # The watch names AsyncPrinter in its annotations (a cycle with the client).
        ("printer_async._orchestration.watch", "printer_async._client"),
        # The event-name vocabulary lives in notify, which the exporter needs too.
        ("printer_async.exporter._exporter", "printer_async.notify"),
        ("printer_async.exporter._families", "printer_async.notify"),
        ("printer_async.exporter._metrics", "printer_async.notify"),
        # The exporter's command registers itself on the group it imports back (a cycle).
        ("printer_async.cli._exporter", "printer_async.cli._app"),
    }
)
"""Imports the contract does not allow yet, each to be removed by the change that mends it."""


def _modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its ``__init__``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _layers() -> list[tuple[str, bool, list[str]]]:
    """The table's rows, highest layer first: (name, independent, module patterns)."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] == "layer" or set(cells[0]) <= {"-", " "}:
            continue
        name = cells[0]
        patterns = re.findall(r"`([\w.*]+)`", cells[1])
        rows.append((name, "independent" in name, patterns))
    return rows


def _place(module: str, layers: list[tuple[str, bool, list[str]]]) -> tuple[int, str] | None:
    """The layer (its index, highest first) and the member (pattern) a module belongs to."""
    best: tuple[int, int, str] | None = None
    for index, (_, _, patterns) in enumerate(layers):
        for pattern in patterns:
            exact = pattern.removesuffix(".*")
            inside = pattern.endswith(".*") and module.startswith(exact + ".")
            if (module == exact or inside) and (best is None or len(exact) > best[0]):
                best = (len(exact), index, pattern)
    return None if best is None else (best[1], best[2])


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``module`` imports, however and wherever it imports them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for imported in names:
            name = imported
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and name.startswith("printer_async"):
                found.add(name)
    # "from printer_async.cli import _exit" names the submodule, not the package too.
    return {name for name in found if not any(other.startswith(name + ".") for other in found)}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_has_a_layer():
    """Every module of the package is named by exactly one row of the layer table."""
    layers = _layers()
    assert layers, "no layer table found in docs/architecture.md"
    unplaced = [module for module in _modules() if _place(module, layers) is None]
    assert unplaced == []


def test_no_module_imports_from_a_higher_layer():
    """A module imports only from its own layer or those below it, never an independent peer."""
    layers = _layers()
    wrong = []
    for module, imported in _graph().items():
        here = _place(module, layers)
        assert here is not None
        for target in imported:
            there = _place(target, layers)
            assert there is not None
            upward = there[0] < here[0]
            peer = there[0] == here[0] and layers[here[0]][1] and there[1] != here[1]
            if (upward or peer) and (module, target) not in KNOWN_VIOLATIONS:
                wrong.append(f"{module} -> {target}")
    assert sorted(wrong) == []


def test_no_import_cycles():
    """No module reaches itself through the modules it imports."""
    graph = _graph()
    cycles = []
    for start in graph:
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, trail = stack.pop()
            for target in graph.get(node, ()):
                if (node, target) in KNOWN_VIOLATIONS:
                    continue
                if target == start:
                    cycles.append(" -> ".join([*trail, start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, [*trail, target]))
    assert sorted(cycles) == []


def test_the_known_violations_are_still_there():
    """Each exception to the contract is an import that exists: a mended one leaves the list."""
    graph = _graph()
    assert [pair for pair in KNOWN_VIOLATIONS if pair[1] not in graph.get(pair[0], set())] == []


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("printer_async._transports.base", "from printer_async._client import AsyncPrinter"),
        ("printer_async._orchestration.watch", "from printer_async.cli import _exit"),
        ("printer_async.simulator._state", "from printer_async._client import AsyncPrinter"),
        ("printer_async.exporter._metrics", "from printer_async.notify import Notifier"),
    ],
)
def test_an_upward_import_fails_the_contract(source, line, tmp_path):
    """The contract catches a deliberately added upward or peer import (the test of the test)."""
    layers = _layers()
    modules = _modules()
    fake = tmp_path / "fake.py"
    fake.write_text(line + "\n", encoding="utf-8")
    here = _place(source, layers)
    assert here is not None
    target = next(iter(_imports(source, fake, modules)))
    there = _place(target, layers)
    assert there is not None
    assert there[0] < here[0] or (layers[here[0]][1] and there[1] != here[1])
