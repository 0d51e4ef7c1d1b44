"""Shards: a stable slice of a fleet file, so that N exporters share one farm between them."""

from __future__ import annotations

import hashlib
import re
from typing import Final, Self

import attrs

__all__ = ["Shard"]

_FORM: Final = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@attrs.frozen
class Shard:
    """Shard ``index`` of ``count`` (counted from 1): the printers whose name hashes to it.

    The hash is SHA-256 of the name's UTF-8 bytes (not Python's ``hash()``, which changes
    from process to process), so every machine agrees on which printer is whose, and a printer
    keeps its shard when others are added to or removed from the file.

    ::

        shard = Shard.parse("2/3")
        mine = [printer for printer in fleet if printer.name in shard]

    Raises:
        ValueError: ``count`` is less than 1, or ``index`` is not between 1 and ``count``.
    """

    index: int
    count: int

    def __attrs_post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.index <= self.count:
            raise ValueError(
                f"shard {self.index}/{self.count} does not exist: shards count from 1 to N, "
                "like 1/3, 2/3 and 3/3"
            )

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read ``"I/N"``, like ``"2/3"``.

        Raises:
            ValueError: Not of that form, or not a shard (``0/3``, ``4/3``).
        """
        match = _FORM.fullmatch(text)
        if match is None:
            raise ValueError(f"a shard is written I/N, like 2/3, not {text!r}")
        return cls(int(match[1]), int(match[2]))

    @staticmethod
    def of(name: str, count: int) -> int:
        """The shard (1 to ``count``) a printer of this name belongs to."""
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % count + 1

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.of(name, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
