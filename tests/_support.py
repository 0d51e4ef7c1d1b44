"""Helpers the tests import: recorded payloads and envelope builders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).parent / "fixtures"
HOST = "127.0.0.1"
BASE = f"http://{HOST}:10800/v1"
PASSWORD = "123456"
TOKEN = "e4e4ab1407dfec7c5beb566173d81340"


def load_fixture(name: str) -> Any:
    """The decoded JSON of ``tests/fixtures/<name>.json``."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def ok(data: Any = None) -> httpx.Response:
    """A successful envelope, with ``data`` when given."""
    body: dict[str, Any] = {"status": 1}
    if data is not None:
        body["data"] = data
    return httpx.Response(200, json=body)


def api_error(code: int, msg: str) -> httpx.Response:
    """An error envelope with HTTP 200, as the vendor documents it."""
    return httpx.Response(200, json={"error": {"code": code, "msg": msg}, "status": 0})
