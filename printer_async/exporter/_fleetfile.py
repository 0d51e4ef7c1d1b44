"""The fleet file as an exporter reads it: its shard's printers, and what changed since."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from printer_async._orchestration.fleet import Fleet

if TYPE_CHECKING:
    import os

    import httpx

    from printer_async._client import AsyncPrinter
    from printer_async.exporter._shard import Shard

__all__ = ["FleetFile"]


class FleetFile:
    """A fleet file (the TOML of :meth:`Fleet.from_toml`), limited to one shard.

    Args:
        path: The file.
        shard: Only the printers of this shard; all of them without.
        client: An ``httpx.AsyncClient`` for every printer (like ``aiohttp_client()``).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        shard: Shard | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.path = Path(path)
        self.shard = shard
        self._client = client
        self.fingerprints: dict[str, str] = {}
        """A digest of each printer's settings at the last successful :meth:`read`: two
        reads give an entry the same one when its settings (defaults included) did not change,
        so a reload replaces only the printers whose entries changed."""

    def __repr__(self) -> str:
        return f"FleetFile({str(self.path)!r}, shard={self.shard})"

    def stat(self) -> tuple[int, int, int] | None:
        """What tells one version of the file from the next; ``None`` while it is missing."""
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    async def read(self) -> dict[str, AsyncPrinter]:
        """The shard's printers, new ones, by name; :attr:`fingerprints` follows.

        Raises:
            ValueError: The file is not a valid fleet file (the message names the entry).
            OSError: It cannot be read.
        """
        text = self.path.read_text(encoding="utf-8")
        printers = list(Fleet.from_toml(self.path, client=self._client))
        try:
            entries = _entries(text, len(printers), self.path)
        except ValueError:
            for printer in printers:
                await printer.aclose()
            raise
        chosen: dict[str, AsyncPrinter] = {}
        fingerprints: dict[str, str] = {}
        for printer, entry in zip(printers, entries, strict=True):
            if self.shard is not None and printer.name not in self.shard:
                await printer.aclose()
                continue
            settings = json.dumps(entry, sort_keys=True, default=str)
            chosen[printer.name] = printer
            # A digest, so that no second copy of a password stays around in the clear.
            fingerprints[printer.name] = hashlib.sha256(settings.encode()).hexdigest()
        self.fingerprints = fingerprints
        return chosen


def _entries(text: str, count: int, path: Path) -> list[dict[str, Any]]:
    """Each printer's settings, defaults included, in the file's order.

    ``Fleet.from_toml`` accepted the file, so it is TOML with ``count`` printer tables, unless
    it changed between the two reads.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: the file changed while it was read") from exc
    defaults: dict[str, Any] = document.get("defaults", {})
    entries: list[dict[str, Any]] = document.get("printer", [])
    if len(entries) != count:
        raise ValueError(f"{path}: the file changed while it was read")
    return [defaults | entry for entry in entries]
