"""Fixtures of the simulator tests: a simulated printer on a manual clock, served on loopback."""

from __future__ import annotations

import httpx
import pytest
from _sim_support import PASSWORD, Api
from printer_async.simulator import ManualClock, SimulatedPrinter, serve


@pytest.fixture(name="clock")
def _clock():
    """A manual clock: simulated time moves only when the test advances it."""
    return ManualClock()


@pytest.fixture(name="nozzles")
def _nozzles():
    """Two nozzles unless a test overrides this fixture."""
    return 2


@pytest.fixture(name="sim")
def _sim(clock, nozzles):
    """A seeded two-nozzle simulated printer on the manual clock."""
    return SimulatedPrinter(password=PASSWORD, clock=clock, seed=7, nozzles=nozzles)


@pytest.fixture(name="endpoint")
async def _endpoint(sim):
    """The simulated printer served on a free loopback port."""
    async with serve(sim) as server:
        yield server.endpoints[0]


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
