"""Client-side checks of the documented parameter ranges, made before any request is sent.

The printer takes its numbers as integers. A whole-valued float (``200.0``, what UI number
widgets produce) is accepted and sent as the integer; a fractional one (``200.5``) is refused
rather than silently rounded, and ``True``/``False`` are not numbers here.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Final

import httpx

from printer_async._errors import InvalidParameterError, PathError
from printer_async._redact import REDACTED, redact

__all__ = [
    "MAX_NUMBER",
    "TOKEN_FORM",
    "check_int",
    "check_job_id",
    "check_name",
    "check_not_root",
    "check_nozzle",
    "check_path",
    "check_port",
    "check_secret",
    "check_timeout",
    "check_token",
    "parse_base_url",
    "shown",
    "shown_address",
    "url_host",
]

_PARAMETER_ERROR: Final = 10002

MAX_NUMBER: Final = 2**53
"""The largest magnitude of a number sent or received: the integers JSON carries exactly
(RFC 8259, section 6). A parameter without a documented maximum is held to it."""


def check_int(
    name: str,
    value: float,
    low: int | None,
    high: int | None,
    *,
    endpoint: str,
    msg: str | None = None,
) -> int:
    """Check a number against its documented range and return it as an int.

    Args:
        name: The parameter's name, for the message.
        value: The number given.
        low: The smallest allowed value, or ``None`` for no bound.
        high: The largest allowed value, or ``None`` for no bound.
        endpoint: The API path the parameter is for.
        msg: The printer's own message for this range error, kept as ``.msg``.

    Returns:
        ``value`` as an int.

    Raises:
        InvalidParameterError: ``value`` is not a whole number in range.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        whole = False
    elif isinstance(value, int):
        whole = True  # compared as it is: a huge int would overflow on the way to a float
    else:
        whole = math.isfinite(value) and value.is_integer()
    upper = MAX_NUMBER if high is None else high
    if whole and (low is None or value >= low) and value <= upper:
        return int(value)
    shown_low = "" if low is None else str(low)
    shown_high = "" if high is None else str(high)
    if high is None:
        wanted = f"a whole number of at least {low} (and at most 2**53)"
    elif low is None:
        wanted = f"a whole number of at most {high}"
    else:
        wanted = f"a whole number from {low} to {high}"
    raise InvalidParameterError(
        f"{endpoint}: {name} must be {wanted}, got {shown(value)}",
        code=_PARAMETER_ERROR,
        msg=msg if msg is not None else f"{name} error value({shown_low}~{shown_high})",
        endpoint=endpoint,
    )


def shown(value: object) -> str:
    """``repr(value)`` for a message; a huge int is "a huge integer".

    An int of thousands of digits has no ``repr`` (``sys.int_info.default_max_str_digits``).
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return "a huge integer"
    return repr(value)


def _is_text(value: object) -> bool:
    """Whether ``value`` is a string that can be sent: UTF-8 has no lone surrogates."""
    if not isinstance(value, str):
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def check_nozzle(index: int, *, endpoint: str) -> int:
    """Check a nozzle number: 1 (left) or 2 (right).

    Raises:
        InvalidParameterError: ``index`` is neither 1 nor 2.
    """
    if isinstance(index, bool) or index not in (1, 2):
        raise InvalidParameterError(
            f"{endpoint}: nozzle must be 1 (left) or 2 (right), got {index!r}",
            code=_PARAMETER_ERROR,
            msg="nozzle error value(1 or 2)",
            endpoint=endpoint,
        )
    return int(index)


def check_name(name: str, *, what: str, endpoint: str) -> str:
    """Check a bare file or directory name (a new name, an upload's name) before it is sent.

    Raises:
        PathError: The name is empty, ``.`` or ``..``, or has a slash, a backslash or control
            characters.
    """
    if (
        not _is_text(name)
        or name in {"", ".", ".."}
        or any(c in "/\\" or ord(c) < 0x20 for c in name)  # noqa: PLR2004 - control characters
    ):
        raise PathError(
            f"{endpoint}: {what} {name!r} must be a plain name: not empty, not '.' or '..', "
            "without a slash, a backslash, control characters or lone surrogates",
            code=10005,
            msg=f"{what} error",
            endpoint=endpoint,
        )
    return name


def check_path(path: str, *, what: str = "file_path", endpoint: str) -> str:
    """Check a printer path before it is sent.

    Args:
        path: Like ``Local/a.gcode``; ``Local`` alone names the root directory.
        what: The parameter's name, for the message.
        endpoint: The API path the parameter is for.

    Returns:
        ``path``, unchanged.

    Raises:
        PathError: The path does not start with ``Local/`` or has a ``..`` segment.
    """
    problem = None
    if not isinstance(path, str) or not (path == "Local" or path.startswith("Local/")):
        problem = "must start with 'Local/', the only directory the API may access"
    elif ".." in path.split("/"):
        problem = "must not contain a '..' segment"
    elif any(ord(c) < 0x20 for c in path):  # noqa: PLR2004 - control characters
        problem = "must not contain control characters"
    elif not _is_text(path):
        problem = "must not contain lone surrogates (it cannot be sent as UTF-8)"
    if problem is not None:
        raise PathError(
            f"{endpoint}: {what} {path!r} {problem}",
            code=10005,
            msg="root path error",
            endpoint=endpoint,
        )
    return path


def check_job_id(job_id: str, *, endpoint: str) -> str:
    """Check a job's ``job_id`` before it is sent.

    Raises:
        InvalidParameterError: ``job_id`` is not a non-empty string that can be sent.
    """
    if not _is_text(job_id) or not job_id:
        raise InvalidParameterError(
            f"{endpoint}: job_id must be a non-empty string, got {job_id!r}",
            code=_PARAMETER_ERROR,
            msg="job id not match pos",
            endpoint=endpoint,
        )
    return job_id


def check_secret(name: str, value: str | None) -> str | None:
    """Check a password or token given to the printer (``None`` for none).

    Raises:
        ValueError: ``value`` is not a string that can be sent (its text is not shown).
    """
    if value is not None and not _is_text(value):
        raise ValueError(f"{name} must be a string without lone surrogates")
    return value


TOKEN_FORM: Final = re.compile(r"[A-Za-z0-9]{1,256}")
"""A token as printers issue it: letters and digits (32 lower-case hex digits in every capture
and in the vendor's examples). Anything else would travel in a query string where ``&``, ``%``
or ``#`` break the URL and what is known of it: it is refused, from a login as from a caller."""


def check_token(value: str | None) -> str | None:
    """Check a token given to the printer (``None`` for none).

    Raises:
        ValueError: ``value`` is not 1 to 256 letters and digits, the form printers issue (its
            text is not shown).
    """
    if value is not None and not (isinstance(value, str) and TOKEN_FORM.fullmatch(value)):
        raise ValueError(
            "token must be 1 to 256 letters and digits, as a printer's login issues it"
        )
    return value


def check_timeout(timeout: object) -> None:
    """Check an ``AsyncPrinter`` timeout: seconds, or an ``httpx.Timeout``.

    Raises:
        ValueError: ``timeout`` is not a positive finite number of seconds (nor an
            ``httpx.Timeout``, whose parts httpx checks itself).
    """
    if isinstance(timeout, httpx.Timeout):
        return
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not (math.isfinite(timeout) and timeout > 0)
    ):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")


def check_not_root(path: str, *, endpoint: str) -> None:
    """Refuse to delete or rename ``Local/`` itself (the printer answers 10006)."""
    if path.rstrip("/") == "Local":
        raise PathError(
            f"{endpoint}: the Local/ directory itself cannot be deleted or renamed",
            code=10006,
            msg="no access to Local directory",
            endpoint=endpoint,
        )


_HOST_NAME: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_CREDENTIALS: Final = re.compile(r"^((?:[^:/?#@]*:)?//)?.*@", re.DOTALL)
"""Everything before an address's last ``@`` (after its ``scheme://``): ``user:password``."""
_SHOWN_CHARACTERS: Final = 100


def shown_address(address: object) -> str:
    """``repr(address)`` for a message about a host or a URL, never quoting its credentials.

    A ``user:password@`` (up to the last ``@``, wherever it is) becomes ``[redacted]@``,
    ``token``, ``sign`` and ``password`` parameters and the live secrets are blanked, and a
    long address is cut short.

    >>> shown_address("ftp://admin:S3cret@printer.local")
    "'ftp://[redacted]@printer.local'"
    """
    if address is None or isinstance(address, int | float):
        return shown(address)
    if not isinstance(address, str):
        return f"an object of type {type(address).__name__}"
    text = redact(_CREDENTIALS.sub(rf"\1{REDACTED}@", address))
    if len(text) > _SHOWN_CHARACTERS:
        return f"{text[:_SHOWN_CHARACTERS]!r}... ({len(address)} characters)"
    return repr(text)


def url_host(host: str) -> str:
    """The printer's address as it goes in a URL: an IPv6 address in brackets.

    Args:
        host: A host name (``printer.local``), an IPv4 address, or an IPv6 address with or
            without brackets.

    Raises:
        ValueError: ``host`` is empty, has a port or a path in it, or is not a name or address.
    """
    if not isinstance(host, str) or not host:
        raise ValueError(f"host must be a printer's name or address, got {shown_address(host)}")
    try:
        address = ipaddress.ip_address(host.removeprefix("[").removesuffix("]"))
    except ValueError:
        pass
    else:
        return f"[{address.compressed}]" if address.version == 6 else address.compressed  # noqa: PLR2004
    # A name made of digits and dots only would be an IPv4 address, and ipaddress refused it
    # (256.1.1.1, 192.168.000.057): httpx would refuse it later, from deep inside a request.
    if _HOST_NAME.fullmatch(host) and not all(label.isdigit() for label in host.split(".")):
        return host
    if "://" in host:
        hint = " (for a URL, like a proxy's, use base_url= instead of host)"
    else:
        hint = " (give the port with port=)" if ":" in host else ""
    if "@" in host and "://" not in host:
        hint = " (the printer's password goes in password=)"
    raise ValueError(
        "host must be a printer's name or IP address, like 192.168.0.57, got "
        f"{shown_address(host)}{hint}"
    )


def check_port(port: int) -> int:
    """Check a TCP port number.

    Raises:
        ValueError: ``port`` is not an integer from 1 to 65535.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:  # noqa: PLR2004
        raise ValueError(f"port must be a TCP port number from 1 to 65535, got {port!r}")
    return port


def parse_base_url(base_url: str) -> httpx.URL:
    """Check the API's address given as a URL (a printer behind a reverse proxy).

    Args:
        base_url: Like ``https://farm.example/printer7/v1``: what comes before
            ``/job/currentjob`` in a request's URL.

    Returns:
        The URL, without a trailing slash.

    Raises:
        ValueError: ``base_url`` is not an absolute ``http://`` or ``https://`` URL with a host,
            or it has a user name or password, a query or a fragment in it.
    """
    try:
        url = httpx.URL(base_url) if isinstance(base_url, str) else None
    except httpx.InvalidURL:
        url = None
    problem = None
    if url is None or url.scheme not in {"http", "https"} or not url.host:
        problem = "must be an absolute http:// or https:// URL"
    elif url.userinfo:
        problem = "must not hold a user name or password (give them in client=)"
    elif url.query or url.fragment or "?" in base_url or "#" in base_url:
        problem = "must not have a query or a fragment"
    elif url.port is not None and not 0 < url.port < 65536:  # noqa: PLR2004 - TCP ports
        problem = "must have a TCP port number from 1 to 65535"
    if problem is not None or url is None:
        raise ValueError(
            f"base_url {problem}, like https://farm.example/printer7/v1, got "
            f"{shown_address(base_url)}"
        )
    return url.copy_with(path=url.path.rstrip("/"))
