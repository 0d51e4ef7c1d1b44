import ast
import subprocess
import sys
from pathlib import Path

import printer_async.simulator


def test_all_lists_exactly_the_public_names():
    """__all__ is sorted and names every public attribute of printer_async.simulator."""
    public = {
        name
        for name, value in vars(printer_async.simulator).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("printer_async")
    }
    assert printer_async.simulator.__all__ == sorted(printer_async.simulator.__all__)
    assert set(printer_async.simulator.__all__) == public


def test_importing_the_simulator_does_not_import_uvicorn():
    """Uvicorn is loaded only when a server starts, so the plugin never breaks a session."""
    code = (
        "import sys, printer_async.simulator, printer_async.simulator.pytest_plugin; "
        "assert 'uvicorn' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603


def test_the_simulator_never_imports_the_client():
    """No simulator module imports from printer_async outside printer_async.simulator."""
    package = Path(printer_async.simulator.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("printer_async"):
                    assert name.startswith("printer_async.simulator"), (module.name, name)
