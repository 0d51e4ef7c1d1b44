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

import traceback
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
from printer_async._redact import redact
from printer_async.cli._text import terminal_text

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
    "debug_details",
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


def error_line(error: BaseException) -> str:
    """The one line printed for a failure: what happened and what to do next.

    printer-async's own messages already say both and hold no secret (the token and the
    login's signature are scrubbed from them, the tests check it); this keeps them on one line,
    with the printer's own words made harmless for a terminal. Any other exception is a bug or
    a local failure whose text nobody vetted: only its type is shown, never its text, which
    could hold the password (and blanking the password inside it would show where a password
    that is an ordinary word stood). ``--debug`` shows the details.
    """
    if isinstance(error, PrinterError):
        return f"error: {terminal_text(redact(' '.join(str(error).split())))}"
    return (
        f"error: an unexpected {type(error).__name__}; run again with --debug for the details, "
        "and report it if it happens again"
    )


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
