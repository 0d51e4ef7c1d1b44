"""Fleet files: the TOML of :meth:`~printer_async.Fleet.from_toml`, entry by entry."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

from printer_async._client import DEFAULT_PORT, DEFAULT_TIMEOUT, AsyncPrinter

if TYPE_CHECKING:
    import httpx

__all__ = ["ENTRY_KEYS", "entry_password", "printer_from_entry"]


ENTRY_KEYS: Final = frozenset(
    {"name", "host", "base_url", "port", "password", "password_env", "timeout"}
)


def printer_from_entry(
    path: object,
    index: int,
    defaults: dict[str, Any],
    entry: dict[str, Any],
    client: httpx.AsyncClient | None,
) -> AsyncPrinter:
    where = f"{path}: printer #{index + 1}"
    if "name" in entry:
        where += f" ({entry['name']!r})"
    if "base_url" in entry:
        # A printer behind a proxy has its port in its URL: a default port is not for it.
        defaults = {key: value for key, value in defaults.items() if key != "port"}
    entry = defaults | entry
    host, base_url = entry.get("host"), entry.get("base_url")
    if not host and not base_url:
        raise ValueError(
            f"{where}: 'host' is required (or 'base_url' for a printer behind a proxy)"
        )
    if base_url is not None and "port" in entry:
        raise ValueError(f"{where}: 'port' goes with 'host'; with 'base_url', put it in the URL")
    port = entry.get("port", DEFAULT_PORT)
    timeout = entry.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:  # noqa: PLR2004
        raise ValueError(f"{where}: 'port' must be a TCP port number")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ValueError(f"{where}: 'timeout' must be a positive number of seconds")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    name = entry.get("name")
    password = entry_password(where, entry)
    try:
        # AsyncPrinter checks the rest: one of host and base_url, and their form.
        return AsyncPrinter(
            host,
            base_url=base_url,
            port=port,
            password=password,
            timeout=float(timeout),
            client=client,
            name=str(name) if name is not None else None,
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def entry_password(where: str, entry: dict[str, Any]) -> str | None:
    password = entry.get("password")
    variable = entry.get("password_env")
    if password is None and variable is not None:
        password = os.environ.get(str(variable))
        if password is None:
            raise ValueError(f"{where}: the environment variable {variable!r} is not set")
    if password is not None and not isinstance(password, str):
        raise ValueError(f"{where}: 'password' must be a string")
    return password
