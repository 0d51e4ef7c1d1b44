"""The simulator's record of applied faults stays bounded in a long run."""

from printer_async.simulator import FaultInjector, FaultKind
from printer_async.simulator._faults import FIRED_HISTORY


def test_fired_keeps_only_the_latest_faults():
    """The injector remembers only the last FIRED_HISTORY faults applied, newest last."""
    faults = FaultInjector()
    faults.drop(count=FIRED_HISTORY + 5)
    for i in range(FIRED_HISTORY + 5):
        faults.take(f"/v1/{i}")
    assert len(faults.fired) == FIRED_HISTORY
    assert faults.fired[0][0] == "/v1/5"
    assert faults.fired[-1][0] == f"/v1/{FIRED_HISTORY + 4}"
    assert all(fault.kind is FaultKind.DROP for _, fault in faults.fired)
