"""A stand-in for the best Raise3D client we know of: written the way hass-raise3d's is.

hass-raise3d (github.com/alryaz/hass-raise3d, ``custom_components/raise3d/api.py``) talks to the
printer with one ``aiohttp.ClientSession`` that Home Assistant shares with everything else. Each
call builds its URL from a string and a ``params`` dict, asks aiohttp to raise for HTTP errors,
decodes the answer with ``resp.json()``, logs it at debug level with an f-string (so the
answer is formatted even when debug logging is off), checks the envelope, and a subclass
wraps every call to log in again once on a 401. This file does the same steps, with no more
and no less work per call, so the per-poll benchmark compares printer-async with it fairly.
It is not their code: it is the same recipe, written for this benchmark.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import aiohttp

_LOGGER = logging.getLogger("benchmarks.hass_style")


class HassStyleClient:
    """One printer's API over a shared aiohttp session, as hass-raise3d's client calls it."""

    def __init__(self, session: aiohttp.ClientSession, host: str, port: int, password: str):
        self._session = session
        self.printer_url = f"http://{host}:{port}"
        self.password = password
        self.token: str | None = None
        self.logger = _LOGGER

    async def _request(
        self, method: str, endpoint: str, params: dict | None = None, *, auth: bool = True
    ) -> Any:
        if self._session.closed:
            raise RuntimeError("Client session is closed!")
        if auth and not self.token:
            raise ValueError("Authentication token is required for this API call.")
        url = f"{self.printer_url}/v1{endpoint}"
        query = {}
        if auth:
            query["token"] = self.token
        if params:
            query.update(params)
        async with self._session.request(
            method, url, params=query, raise_for_status=True
        ) as response:
            data = await response.json()
            self.logger.debug(f"'{url}' JSON response: {data}")  # noqa: G004 - as they do
            if response.status == 200 and data.get("status") == 1:
                return data.get("data")
            error = data.get("error", {})
            raise aiohttp.ClientResponseError(
                request_info=response.request_info,
                history=response.history,
                status=int(error.get("code", 0)),
                message=error.get("msg", "Unknown error"),
                headers=response.headers,
            )

    async def request(self, method: str, endpoint: str, params: dict | None = None) -> Any:
        """A call that logs in again once when the token is refused."""
        try:
            return await self._request(method, endpoint, params)
        except aiohttp.ClientResponseError as exc:
            if exc.status != 401:
                raise
        await self.login()
        return await self._request(method, endpoint, params)

    async def login(self) -> None:
        timestamp = int(time.time() * 1000)
        inner = hashlib.sha1(f"password={self.password}&timestamp={timestamp}".encode())
        sign = hashlib.md5(inner.hexdigest().encode()).hexdigest()
        data = await self._request(
            "GET", "/login", {"sign": sign, "timestamp": timestamp}, auth=False
        )
        self.token = data["token"]

    async def get_current_job(self) -> dict:
        return await self.request("GET", "/job/currentjob")
