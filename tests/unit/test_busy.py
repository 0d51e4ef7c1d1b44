"""The ride-out of busy answers as a schedule: its waits, when it gives up, its setting."""

import math
import random

import pytest
from printer_async import AsyncPrinter
from printer_async._busy import BusyRide, check_busy_retry


def test_each_wait_is_drawn_from_half_to_all_of_a_doubling_ceiling():
    """The waits fall in [0.05, 0.1], [0.1, 0.2], [0.2, 0.4], [0.4, 0.8], then [0.5, 1] s."""
    for seed in range(50):
        ride = BusyRide(0.0, math.inf, math.inf, rng=random.Random(seed))
        waits = [ride.next_delay(0.0, 0.0) for _ in range(7)]
        ceilings = [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0]
        assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True)), waits


def test_the_ride_gives_up_when_the_next_answer_would_come_after_its_limit():
    """No new attempt when the wait plus an attempt as long as the last passes busy_retry."""
    ride = BusyRide(10.0, 1.0, math.inf, rng=random.Random(1))
    assert ride.next_delay(10.5, 0.3) is not None  # 10.5 + <=0.1 + 0.3 <= 11
    assert ride.next_delay(10.8, 0.15) is None  # 10.8 + >=0.1 + 0.15 > 11


def test_the_call_deadline_bounds_the_ride_before_busy_retry_does():
    """A deadline earlier than started + busy_retry ends the ride at the deadline."""
    ride = BusyRide(0.0, 30.0, 1.0, rng=random.Random(2))
    assert ride.next_delay(0.5, 0.01) is not None
    assert ride.next_delay(0.95, 0.01) is None


@pytest.mark.parametrize("value", [0, 0.5, 3, math.inf])
def test_busy_retry_takes_zero_seconds_and_infinity(value):
    """0 (off), any positive number of seconds and inf (until the deadline) are accepted."""
    assert check_busy_retry(value) == value
    AsyncPrinter("192.0.2.1", password="pw", busy_retry=value)


@pytest.mark.parametrize("value", [-1, math.nan, True, "3", None])
def test_busy_retry_refuses_what_is_no_number_of_seconds(value):
    """A negative number, NaN, a bool, a string or None is a ValueError at construction."""
    with pytest.raises(ValueError, match="busy_retry must be a number of seconds"):
        AsyncPrinter("192.0.2.1", password="pw", busy_retry=value)
