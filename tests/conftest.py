"""Fixtures shared by the tests: a respx router on the printer's API and a printer on it.

Hypothesis profiles: ``default`` keeps the generated suites (``tests/hardening/``) CI-fast;
``pytest --hypothesis-profile=deep`` runs them a hundred times longer, for a nightly-style run.
"""

from __future__ import annotations

import pytest
import respx
from hypothesis import HealthCheck, settings
from printer_async import AsyncPrinter
from printer_async.simulator import ManualClock, serve

from _support import BASE, HOST, PASSWORD, TOKEN, ok

# Registered here, in the first conftest pytest reads, so that --hypothesis-profile finds them.
# No example database: CI starts from a fresh checkout, and a local run leaves no files behind.
# Stateless fixtures (the client setups) may be shared by a test's examples.
_SHARED = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("default", max_examples=100, **_SHARED)
settings.register_profile("deep", max_examples=10_000, **_SHARED)
settings.load_profile("default")


@pytest.fixture(name="api")
def _api():
    """A respx router on the printer's base URL that answers login with ``TOKEN``."""
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.get("/login", name="login").mock(return_value=ok({"token": TOKEN}))
        yield router


@pytest.fixture(name="printer")
async def _printer(api):
    """An ``AsyncPrinter`` on the respx router, with a password so it logs in by itself.

    It makes one attempt per call (``busy_retry=0``), so that a test sees each answer it
    mocks as sent; the ride-out of busy answers has tests of its own.
    """
    async with AsyncPrinter(HOST, password=PASSWORD, busy_retry=0) as printer:
        yield printer


@pytest.fixture(name="transport", params=["httpx", "aiohttp"])
def _transport(request):
    """The HTTP library of the printers a test makes: the test runs once with each."""
    return request.param


@pytest.fixture(name="clock")
def _clock():
    """A manual clock: simulated time moves only when the test advances it."""
    return ManualClock()


@pytest.fixture(name="nozzles")
def _nozzles():
    """Two nozzles unless a test overrides this fixture."""
    return 2


@pytest.fixture(name="endpoint")
async def _endpoint(sim):
    """The test's simulated printer (its own ``sim`` fixture) served on a free loopback port."""
    async with serve(sim) as server:
        yield server.endpoints[0]
