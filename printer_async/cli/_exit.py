"""The command's exit codes, and the one line it prints for an error.

======  ======================================================================================
code    meaning
======  ======================================================================================
0       success; ``watch``: the job completed
1       any other error: an answer that is not the documented shape, an unexpected failure
2       usage: a bad option or argument, no password and no terminal to ask on, a bad fleet file
3       authentication: the access password is wrong, or the printer refused the token
4       unreachable: no answer, a timeout, or the printer's API service is not started
5       the printer is busy, or its state forbids the operation (printing, paused, a screen)
6       not found or not valid: a file, directory, last job, parameter or path
7       ``watch``: the job was stopped
130     interrupted (Ctrl-C)
======  ======================================================================================
"""

from __future__ import annotations

from typing import Final

from printer_async._errors import (
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PathError,
    PrinterBusyError,
    PrinterConnectionError,
    PrinterError,
    PrinterStateError,
    ServiceUnavailableError,
)
from printer_async._transport import redact

__all__ = [
    "AUTHENTICATION",
    "BUSY_OR_STATE",
    "ERROR",
    "EXIT_CODES_HELP",
    "INTERRUPTED",
    "JOB_STOPPED",
    "NOT_FOUND",
    "OK",
    "UNREACHABLE",
    "USAGE",
    "error_line",
    "exit_code_for",
]

OK: Final = 0
ERROR: Final = 1
USAGE: Final = 2
AUTHENTICATION: Final = 3
UNREACHABLE: Final = 4
BUSY_OR_STATE: Final = 5
NOT_FOUND: Final = 6
JOB_STOPPED: Final = 7
INTERRUPTED: Final = 130

EXIT_CODES_HELP: Final = (
    "Exit codes: 0 ok (watch: the job completed); 1 error; 2 usage; "
    "3 wrong access password; 4 printer unreachable; 5 printer busy, or its state forbids it; "
    "6 not found or invalid (file, path, parameter); 7 watch: the job was stopped; "
    "130 interrupted."
)


def exit_code_for(error: BaseException) -> int:
    """The exit code a failure of a command maps to."""
    if isinstance(error, AuthenticationError):
        return AUTHENTICATION
    if isinstance(error, PrinterConnectionError | ServiceUnavailableError):
        return UNREACHABLE
    if isinstance(error, PrinterBusyError | PrinterStateError):
        return BUSY_OR_STATE
    if isinstance(error, NotFoundError | InvalidParameterError | PathError):
        return NOT_FOUND
    return ERROR


def error_line(error: BaseException, *, secrets: tuple[str | None, ...] = ()) -> str:
    """The one line printed for a failure: what happened and what to do next.

    printer-async's own messages already say both and never hold a secret (the tests check
    it); this keeps them on one line and blanks any token in a URL. Only an unexpected error's
    text is also searched for the given ``secrets``: in printer-async's messages that would do
    harm, since blanking a password that happens to be an ordinary word ("the access password
    is [redacted]") would show where it stands.
    """
    text = redact(" ".join(str(error).split()) or type(error).__name__)
    if isinstance(error, PrinterError):
        return f"error: {text}"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return f"error: {type(error).__name__}: {text} (run with --debug for the traceback)"
