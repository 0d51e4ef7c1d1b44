"""Fixtures of the simulator tests: a simulated printer on a manual clock, served on loopback."""

from __future__ import annotations

import httpx
import pytest
from _sim_support import PASSWORD, Api
from printer_async.simulator import SimulatedPrinter


@pytest.fixture(name="sim")
def _sim(clock, nozzles):
    """A seeded two-nozzle simulated printer on the manual clock."""
    return SimulatedPrinter(password=PASSWORD, clock=clock, seed=7, nozzles=nozzles)


@pytest.fixture(name="http")
async def _http(endpoint):
    """An httpx client on the served printer."""
    async with httpx.AsyncClient(base_url=endpoint.base_url) as client:
        yield client


@pytest.fixture(name="api")
async def _api(http):
    """A logged-in raw API helper."""
    helper = Api(http, PASSWORD)
    await helper.login()
    return helper
