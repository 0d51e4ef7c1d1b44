"""Helpers of the simulator tests (a module, not conftest, so that tests can import them)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from printer_async.simulator import sign

if TYPE_CHECKING:
    import httpx

PASSWORD = "123456"


def assert_same_shape(actual: dict, documented: dict) -> None:
    """Same keys, and each value of the documented JSON type.

    A documented float may come as an integer: the printer writes whole numbers without a
    decimal point (``26.0`` as ``26``), and so does the simulator.
    """
    assert set(actual) == set(documented)
    for key, value in documented.items():
        allowed = (int, float) if type(value) is float else (type(value),)
        assert type(actual[key]) in allowed, key


class Api:
    """A thin raw-HTTP helper: logs in with the real signature and adds the token to each call."""

    def __init__(self, client: httpx.AsyncClient, password: str) -> None:
        self.client = client
        self.password = password
        self.token = ""

    async def login(self, password: str | None = None) -> httpx.Response:
        """Log in with a fresh millisecond timestamp; keep the token if it worked."""
        timestamp = str(int(time.time() * 1000))
        pw = self.password if password is None else password
        response = await self.client.get(
            "/v1/login", params={"sign": sign(pw, timestamp), "timestamp": timestamp}
        )
        body = response.json()
        if body["status"] == 1:
            self.token = body["data"]["token"]
        return response

    async def get(self, path: str, **params) -> dict:
        """GET ``/v1<path>`` with the token; return the JSON envelope of an HTTP 200 answer."""
        response = await self.client.get(f"/v1{path}", params={"token": self.token, **params})
        assert response.status_code == 200, response
        return response.json()

    async def post(self, path: str, body=None, **params) -> dict:
        """POST a JSON body to ``/v1<path>`` with the token; return the JSON envelope."""
        response = await self.client.post(
            f"/v1{path}", params={"token": self.token, **params}, json=body
        )
        assert response.status_code == 200, response
        return response.json()
