"""The command's exit codes, and what ``--debug`` shows of an error (its line: :mod:`._messages`).

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
141     standard output was closed before the command ended (``| head -1``): it ends
        quietly with the status a shell gives ``cat`` or ``git`` there (128 + SIGPIPE)
======  ======================================================================================
"""

from __future__ import annotations

import traceback
from typing import Final

from printer_async._errors import (
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PathError,
    PrinterBusyError,
    PrinterConnectionError,
    PrinterStateError,
    ServiceUnavailableError,
)
from printer_async._redact import redact

__all__ = [
    "AUTHENTICATION",
    "BUSY_OR_STATE",
    "CLOSED_OUTPUT",
    "ERROR",
    "INTERRUPTED",
    "JOB_STOPPED",
    "NOT_FOUND",
    "OK",
    "UNREACHABLE",
    "USAGE",
    "debug_details",
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
CLOSED_OUTPUT: Final = 141


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


def debug_details(error: BaseException, *, secrets: tuple[str | None, ...] = ()) -> str:
    """The traceback ``--debug`` shows, without token or signature, nor the password.

    Where the password itself appears, the details are withheld whole: blanking it in place
    would show where it stood.
    """
    text = redact("".join(traceback.format_exception(error)))
    if any(secret and secret in text for secret in secrets):
        return (
            f"(the details of this {type(error).__name__} are withheld: they contain the "
            "access password)\n"
        )
    return text
