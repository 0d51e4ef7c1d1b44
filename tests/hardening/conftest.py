"""The ``transport`` fixture: each test that takes it runs once per client setup."""

from __future__ import annotations

import pytest

from _setups import TRANSPORTS, Setup


@pytest.fixture(name="transport", params=sorted(TRANSPORTS))
def _transport(request) -> Setup:
    """One client setup of ``_setups.TRANSPORTS`` (a test runs once per setup)."""
    return TRANSPORTS[request.param]
