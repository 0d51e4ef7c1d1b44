"""The one way a part of the simulated printer refuses a request: :class:`ApiFailure`."""

from __future__ import annotations


class ApiFailure(Exception):  # noqa: N818 - it is an answer, not an error of the simulator
    """A refusal the printer answers with ``{"status": 0, "error": {"code": ..., "msg": ...}}``.

    Args:
        code: The vendor's error code (401, 500, 10002 ...).
        msg: The vendor's message, verbatim.
    """

    def __init__(self, code: int, msg: str) -> None:
        super().__init__(f"{code} {msg}")
        self.code = code
        self.msg = msg
