"""What ``import printer_async`` loads: what it can do without is left for the first use."""

import subprocess
import sys

_PROBE = """\
import sys
import printer_async
print("cattrs" in sys.modules)
from printer_async._convert import structure
job = structure({"printed_file_num": 1, "printed_total_time": 2, "printed_used_filament": 3,
                 "printed_used_filament_0": 3}, printer_async.Statistics, endpoint="/x")
print("cattrs" in sys.modules, job.printed_used_filament_left)
"""
_HEAVY = """\
import sys
import printer_async
print(sorted(name for name in ("httpcore", "trio", "aiohttp") if name in sys.modules))
"""


def test_cattrs_is_imported_on_the_first_answer_not_with_the_package():
    """``import printer_async`` does not import cattrs; reading the first answer does."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["False", "True 3.0"]


def test_the_package_leaves_the_transports_unloaded():
    """``import printer_async`` leaves httpcore (and trio, which it imports) and aiohttp alone."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _HEAVY], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[]\n"
