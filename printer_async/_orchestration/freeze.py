"""Keep the garbage collector's full collections off a watched fleet's long-lived objects.

A fleet of thousands of printers holds millions of objects that live as long as it does
(printers, connections, watch state). Python's full collections walk all of them: 100 ms at
1,000 printers, 600-850 ms at 10,000, and every poll due meanwhile is late by that much.
:func:`gc.freeze` moves the objects alive now out of the collector's sight; a poll leaves no
garbage, so nothing is lost by not looking at them (``benchmarks/RESULTS.md``).

Freezing is process-wide, so it is counted: the objects are unfrozen when the last watch that
froze them ends, and become collectable again. An application that has frozen objects itself
(a pre-forking server does, against copy-on-write) keeps its freeze: the watches then leave
the collector alone, since ``gc.unfreeze()`` would undo that freeze too.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["freeze", "unfreeze"]

_lock = threading.Lock()
_holders = 0


def freeze() -> bool:
    """Freeze every object alive now, unless the application froze objects of its own.

    Returns:
        Whether it froze: balance each ``True`` with one :func:`unfreeze`.
    """
    global _holders  # noqa: PLW0603 - one count for the process, as gc.freeze() is
    with _lock:
        if _holders == 0 and gc.get_freeze_count() > 0:
            return False  # the application's own freeze, which unfreeze() would undo
        _holders += 1
        gc.freeze()
        return True


def unfreeze() -> None:
    """Let the collector see the frozen objects again once no watch holds them frozen."""
    global _holders  # noqa: PLW0603
    with _lock:
        _holders -= 1
        if _holders == 0:
            gc.unfreeze()
