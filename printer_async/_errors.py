"""The exceptions printer-async raises, and the table that maps the printer's error answers to them.

Every exception derives from one root::

    PrinterError
    ├── PrinterConnectionError      network failure, timeout, reset: the printer did not answer
    ├── ProtocolError               an answer that is not the documented shape
    └── ApiError                    the printer answered with an error (.code, .msg, .endpoint)
        ├── AuthenticationError     401 "token error", 10000 wrong access password
        ├── ServiceUnavailableError 503 "no server": the API service is not started
        ├── PrinterBusyError        10003 "busy", 500 "printer is busy", HTTP 429: retry later
        ├── PrinterStateError       500 with a .reason: printing, paused, stopped, a screen shown...
        ├── NotFoundError           file not exist, no right nozzle, no last job found; or
        │                           .endpoint_missing: an HTTP 404 that is no API answer
        ├── InvalidParameterError   10002: a value out of the documented range
        └── PathError               10005 root path error, 10006 no access to Local/

The same code means different things on different endpoints (10002 is a parameter error on
``/dashboard/joblist`` but "no last job found" on ``/job/recover/set``), so :func:`error_for`
maps on (endpoint, code, msg), never on the code alone. No message here ever contains the
token or the password.
"""

from __future__ import annotations

import enum
from typing import Final

__all__ = [
    "ApiError",
    "AuthenticationError",
    "InvalidParameterError",
    "NotFoundError",
    "PathError",
    "PrinterBusyError",
    "PrinterConnectionError",
    "PrinterError",
    "PrinterStateError",
    "ProtocolError",
    "ServiceUnavailableError",
    "StateReason",
    "error_for",
]


class PrinterError(Exception):
    """The root of every error printer-async raises."""


class PrinterConnectionError(PrinterError):
    """The printer could not be reached or did not answer in time.

    The original httpx exception is chained as ``__cause__``.
    """


class ProtocolError(PrinterError):
    """The printer answered, but not in the documented shape.

    Attributes:
        endpoint: The API path that was called, like ``/job/currentjob``.
        status_code: The HTTP status of the answer, when there was one.
    """

    def __init__(
        self, message: str, *, endpoint: str | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.status_code = status_code


class ApiError(PrinterError):
    """The printer answered with an error.

    Attributes:
        code: The printer's error code (401, 500, 503, 10000-10006) or the HTTP status when the
            answer had no error body.
        msg: The printer's error message, verbatim.
        endpoint: The API path that was called, like ``/job/newjob/set``.
    """

    def __init__(self, message: str, *, code: int, msg: str, endpoint: str) -> None:
        super().__init__(message)
        self.code = code
        self.msg = msg
        self.endpoint = endpoint

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(code={self.code!r}, msg={self.msg!r}, endpoint={self.endpoint!r})"


class AuthenticationError(ApiError):
    """The printer refused the access password or the token."""


class ServiceUnavailableError(ApiError):
    """The printer's API service is not started (503 "no server")."""


class PrinterBusyError(ApiError):
    """The printer is busy; the same call may succeed later."""


class StateReason(enum.StrEnum):
    """Why the printer refused an operation in its present state (the 500 answers)."""

    PRINTING = "printing"
    PAUSED = "paused"
    STOPPED = "stopped"
    COMPLETED_SCREEN = "completed screen"
    POWERLOSS_SCREEN = "powerloss screen"
    POWERDOWN_SCREEN = "powerdown screen"
    EXTRUDE_RETRACT_SCREEN = "extrude retract screen"
    CALIBRATE_SCREEN = "calibrate screen"
    SAFE_MODE = "safe mode"
    NOT_READY = "not ready"
    SERIAL_DISCONNECTED = "serial disconnected"
    IO_FAILURE = "io failure"
    UNKNOWN = "unknown"


class PrinterStateError(ApiError):
    """The printer's present state does not allow the operation.

    Attributes:
        reason: A :class:`StateReason` naming the state.
    """

    def __init__(
        self, message: str, *, code: int, msg: str, endpoint: str, reason: StateReason
    ) -> None:
        super().__init__(message, code=code, msg=msg, endpoint=endpoint)
        self.reason = reason


class NotFoundError(ApiError):
    """What the call names does not exist: a file, a directory, the right nozzle, a last job.

    Or the endpoint itself does not: the printer answered HTTP 404 with no API error in the
    body (empty, HTML, other text), so its firmware has no such route.

    Attributes:
        endpoint_missing: ``True`` when this printer has no such endpoint at all (a missing
            route, not a missing file); ``False`` when the API itself answered "not found".
    """

    def __init__(
        self, message: str, *, code: int, msg: str, endpoint: str, endpoint_missing: bool = False
    ) -> None:
        super().__init__(message, code=code, msg=msg, endpoint=endpoint)
        self.endpoint_missing = endpoint_missing


class InvalidParameterError(ApiError):
    """A value is outside the documented range.

    Raised by the printer (10002) or by printer-async before any request is sent; in the second
    case ``code`` is 10002 and ``msg`` says the range.
    """


class PathError(ApiError):
    """A path is outside ``Local/`` or names something that may not be changed."""


# The 500 answers that mean "not in this state", with what to do next.
_STATE_MESSAGES: Final[dict[str, tuple[StateReason, str]]] = {
    "printer is printing": (StateReason.PRINTING, "wait for the job to end or stop it first"),
    "printer is paused": (StateReason.PAUSED, "resume or stop the paused job first"),
    "printer is stoped": (StateReason.STOPPED, "clear the stopped job on the printer's screen"),
    "printer show completed interface": (
        StateReason.COMPLETED_SCREEN,
        "confirm the completed screen on the printer's touch screen",
    ),
    "printer show powerloss interface": (
        StateReason.POWERLOSS_SCREEN,
        "answer the power-loss screen on the printer or call recover_job()",
    ),
    "printer show powerdown interface": (
        StateReason.POWERDOWN_SCREEN,
        "answer the power-down screen on the printer",
    ),
    "printer show extrude retract interface": (
        StateReason.EXTRUDE_RETRACT_SCREEN,
        "close the extrude/retract screen on the printer",
    ),
    "printer show calibrate interface": (
        StateReason.CALIBRATE_SCREEN,
        "finish or close calibration on the printer",
    ),
    "printer is in safe mode": (
        StateReason.SAFE_MODE,
        "a hardware or serial error put the printer in safe mode; check it and restart it",
    ),
    "printer is not ready": (StateReason.NOT_READY, "the printer is still starting; try again"),
    "serial is disconnected": (
        StateReason.SERIAL_DISCONNECTED,
        "the printer's serial link is down; check the printer",
    ),
    "can not open iodevice": (StateReason.IO_FAILURE, "the printer may be low on memory"),
    "iodevice can not open": (StateReason.IO_FAILURE, "the printer may be low on storage"),
    "iodevice write failed": (StateReason.IO_FAILURE, "the printer may be low on storage"),
}

_NOT_FOUND_500: Final = frozenset({"print file is not exist"})

_WRONG_CREDENTIALS_HINT: Final = (
    "the access password is wrong: it is set on the printer's touch screen under "
    "Machine > Developer > Access password (with Enable Remote Access API switched on)"
)


def _normalise(msg: str) -> str:
    return " ".join(msg.lower().split())


def error_for(endpoint: str, code: int, msg: str) -> ApiError:  # noqa: C901, PLR0911 - one flat table
    """Build the typed error for an error answer of ``endpoint``.

    Args:
        endpoint: The API path without the ``/v1`` prefix, like ``/job/recover/set``.
        code: The error code from the body, or the HTTP status when the body had none.
        msg: The error message from the body (may be empty).

    Returns:
        The most specific :class:`ApiError` subclass for (endpoint, code, msg).
    """
    text = _normalise(msg)
    shown = msg or "(no message)"
    where = f"{endpoint}: {code} {shown}"
    if code == 10000 or (endpoint == "/login" and code == 401):  # noqa: PLR2004 - vendor codes
        return AuthenticationError(
            f"{where}: {_WRONG_CREDENTIALS_HINT}", code=code, msg=msg, endpoint=endpoint
        )
    if code == 401:  # noqa: PLR2004
        return AuthenticationError(
            f"{where}: the token was refused; log in again (the access password may have changed)",
            code=code,
            msg=msg,
            endpoint=endpoint,
        )
    if code == 429 or text in {"busy", "printer is busy"}:  # noqa: PLR2004
        return PrinterBusyError(
            f"{where}: the printer is busy; try again later", code=code, msg=msg, endpoint=endpoint
        )
    if code == 503:  # noqa: PLR2004
        return ServiceUnavailableError(
            f"{where}: the printer's API service is not started; switch Enable Remote Access API "
            "off and on again on the printer",
            code=code,
            msg=msg,
            endpoint=endpoint,
        )
    if code == 404 or text in _NOT_FOUND_500 or text == "no last job found":  # noqa: PLR2004
        return NotFoundError(f"{where}", code=code, msg=msg, endpoint=endpoint)
    if code == 500:  # noqa: PLR2004
        reason, hint = _STATE_MESSAGES.get(text, (StateReason.UNKNOWN, ""))
        if reason is StateReason.UNKNOWN and text.startswith("fail to"):
            reason, hint = StateReason.IO_FAILURE, "check the path and try again later"
        if not hint:
            hint = (
                "the printer reported an unknown error; if it persists, restart the API with the "
                "Enable Remote Access API switch"
            )
        return PrinterStateError(
            f"{where}: {hint}", code=code, msg=msg, endpoint=endpoint, reason=reason
        )
    if code in (10005, 10006):
        return PathError(
            f"{where}: paths must start with 'Local/' and the Local/ directory itself cannot be "
            "changed",
            code=code,
            msg=msg,
            endpoint=endpoint,
        )
    if code == 10003 and endpoint == "/fileops/upload":  # noqa: PLR2004 - 10003 "file too large"
        return InvalidParameterError(
            f"{where}: files up to 500 MB can be uploaded", code=code, msg=msg, endpoint=endpoint
        )
    if code == 10004:  # noqa: PLR2004 - "data file error" on both imagedownload endpoints
        # A documented answer about the file the call named, so not a ProtocolError.
        return InvalidParameterError(
            f"{where}: the .data file is corrupt and cannot be parsed; re-slice or re-upload it",
            code=code,
            msg=msg,
            endpoint=endpoint,
        )
    if code in (10002, 400, 413, 415):
        return InvalidParameterError(f"{where}", code=code, msg=msg, endpoint=endpoint)
    return ApiError(f"{where}", code=code, msg=msg, endpoint=endpoint)
