"""Fixtures shared by the tests: a respx router on the printer's API and a printer on it."""

from __future__ import annotations

import pytest
import respx
from printer_async import AsyncPrinter

from _support import BASE, HOST, PASSWORD, TOKEN, ok


@pytest.fixture(name="api")
def _api():
    """A respx router on the printer's base URL that answers login with ``TOKEN``."""
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.get("/login", name="login").mock(return_value=ok({"token": TOKEN}))
        yield router


@pytest.fixture(name="printer")
async def _printer(api):
    """An ``AsyncPrinter`` on the respx router, with a password so it logs in by itself."""
    async with AsyncPrinter(HOST, password=PASSWORD) as printer:
        yield printer
