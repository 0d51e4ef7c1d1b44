"""What the command says when something fails: the one place library errors become CLI words.

printer-async's own messages are written for Python callers: they name ``port=``,
``base_url=``, ``recover_job()``. Someone at a shell knows ``--port``, ``HOST`` and
``printer-async recover``. Every failure a command prints goes through :func:`error_line`, which
says what happened, where (the printer's address, the file) and the next step in the command's
terms. It is told where the failure happened (:class:`Where`, made from the command's own
arguments), so it can name the directory that does not exist and the command that lists the
ones that do, or tell ``resume`` on a running job that there is nothing to resume. A failure it
has nothing better to say about keeps the library's text, which speaks of the printer, not of
Python.
"""

from __future__ import annotations

import posixpath
import shlex
from typing import TYPE_CHECKING, Any, Final

import attrs
import httpx

from printer_async._checks import parse_base_url, shown_address, url_host
from printer_async._client import DEFAULT_PORT
from printer_async._errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    PrinterBusyError,
    PrinterConnectionError,
    PrinterError,
    PrinterStateError,
    ProtocolError,
    StateReason,
)
from printer_async._redact import redact
from printer_async.cli._text import terminal_text

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import click

__all__ = [
    "PASSWORD_ENV",
    "Where",
    "error_line",
    "explain",
    "fleet_file_problem",
    "host_problem",
    "is_url",
    "one_line",
]

PASSWORD_ENV: Final = "PRINTER_ASYNC_PASSWORD"  # noqa: S105 - a variable name, not a secret

_SET_ON_THE_PRINTER: Final = (
    "it is set on the printer's touch screen under Machine > Developer > Access password "
    "(with Enable Remote Access API switched on)"
)


def is_url(host: str) -> bool:
    """Whether HOST is the API's URL (a printer behind a proxy) rather than a name or address."""
    return host.startswith(("http://", "https://"))


def one_line(text: str) -> str:
    """``text`` on one line, without secrets, safe for a terminal."""
    return terminal_text(redact(" ".join(text.split())))


@attrs.frozen(kw_only=True)
class Where:
    """Where a failure happened, in the words the command's user typed.

    Attributes:
        command: The command that failed (``print``), or ``None`` outside a command.
        host: HOST as given (a name, an address or the API's URL), if the command has one.
        port: ``--port``.
        params: The command's other arguments, by their Python names (``file_path``).
        fleet_file: For a printer of a fleet file, the file; its settings are fixed there, not
            with options.
        name: The printer's name in the fleet file.
    """

    command: str | None = None
    host: str | None = None
    port: int = DEFAULT_PORT
    params: Mapping[str, Any] = attrs.field(factory=dict)
    fleet_file: str | None = None
    name: str | None = None

    @classmethod
    def of(cls, ctx: click.Context) -> Where:
        """Where a command is: its name and arguments."""
        params = dict(ctx.params)
        params.pop("password", None)  # never kept where it could be shown
        host = params.pop("host", None)
        port = params.pop("port", DEFAULT_PORT)
        return cls(command=ctx.info_name, host=host, port=port, params=params)

    @property
    def address(self) -> str:
        """The printer as the messages name it: ``host:port``, its URL, or its fleet name."""
        if self.host is None:
            return self.name or "the printer"
        if is_url(self.host):
            return self.host
        try:
            return f"{url_host(self.host)}:{self.port}"
        except ValueError:  # a fleet entry's host is checked by the library, not here
            return f"{self.host}:{self.port}"

    def run(self, command: str, *args: str) -> str:
        """The command line to run next, on the same printer (never with the password)."""
        words = ["printer-async", command, self.host or "HOST", *args]
        if self.host is not None and not is_url(self.host) and self.port != DEFAULT_PORT:
            words += ["--port", str(self.port)]
        return shlex.join(words)

    def password_hint(self) -> str:
        """How to give the right password, here."""
        if self.fleet_file is not None:
            return (
                f"{_SET_ON_THE_PRINTER}; fix password or password_env for it in {self.fleet_file}"
            )
        return (
            f"{_SET_ON_THE_PRINTER}; give it with --password or ${PASSWORD_ENV}, or type it "
            "when asked"
        )

    def address_hint(self) -> str:
        """What to check to point the command at the right printer, here."""
        if self.fleet_file is not None:
            return f"check its host and port in {self.fleet_file}"
        if self.host is not None and is_url(self.host):
            return "check the URL given as HOST"
        return f"check HOST and --port (a printer's API listens on port {DEFAULT_PORT})"


def error_line(error: BaseException, where: Where) -> str:
    """The one line printed for a failure: what happened, where, and what to do next.

    printer-async's messages hold no secret (the token and the login's signature are scrubbed
    from them, the tests check it); this keeps them on one line, with the printer's own words
    made harmless for a terminal. Any other exception is a bug or a local failure whose text
    nobody vetted: only its type is shown, never its text, which could hold the password (and
    blanking the password inside it would show where a password that is an ordinary word
    stood). ``--debug`` shows the details.
    """
    if isinstance(error, PrinterError):
        return f"error: {one_line(explain(error, where))}"
    return (
        f"error: an unexpected {type(error).__name__}; run again with --debug for the details, "
        "and report it if it happens again"
    )


def explain(error: PrinterError, where: Where) -> str:
    """What a library error means to the command's user, with the next step in CLI terms."""
    text: str | None = None
    if isinstance(error, AuthenticationError):
        text = _authentication(error, where)
    elif isinstance(error, PrinterConnectionError):
        text = _no_answer(error, where)
    elif isinstance(error, PrinterBusyError):
        text = f"{where.address} is busy ({_said(error)}); try again in a moment"
    elif isinstance(error, PrinterStateError):
        text = _state(error, where)
    elif isinstance(error, NotFoundError):
        text = _not_found(error, where)
    elif isinstance(error, ProtocolError):
        text = _protocol(error, where)
    return text or f"{where.address}: {error}"


# -- each kind of failure --------------------------------------------------------------------------


def _said(error: ApiError) -> str:
    """The printer's own answer, to search for or to quote in a report."""
    return f"{error.code} {error.msg}".strip() if error.msg else str(error.code)


def _authentication(error: AuthenticationError, where: Where) -> str:
    if error.code == 401 and error.endpoint != "/login":  # noqa: PLR2004 - a refused token
        return (
            f"{where.address} refused the token ({_said(error)}): the access password may have "
            "been changed on the printer; run the command again"
        )
    if where.fleet_file is not None:  # its entry may have no password at all
        return f"{where.address} could not log in ({_said(error)}); {where.password_hint()}"
    return f"{where.address} refused the access password ({_said(error)}); {where.password_hint()}"


def _no_answer(error: PrinterConnectionError, where: Where) -> str:
    text = f"{error}; {where.address_hint()}"
    if _timed_out(error) and where.fleet_file is None:
        text += ", or give it longer with --timeout"
    return text


def _timed_out(error: BaseException) -> bool:
    """Whether the chain of ``error`` holds a timeout (httpx's or another stack's)."""
    cause = error.__cause__
    return cause is not None and any("Timeout" in cls.__name__ for cls in type(cause).__mro__)


# What a refusal means to the command that got it: (command, reason) -> (where, the printer's
# words) -> what, then the next step.
_STATE_WORDS: Final[dict[tuple[str, StateReason], Callable[[Where, str], str]]] = {
    ("print", StateReason.PRINTING): lambda w, said: (
        f"{w.address} is already printing a job ({said}); wait for it to end "
        f"({w.run('watch')}) or stop it ({w.run('stop')}), then print again"
    ),
    ("print", StateReason.PAUSED): lambda w, said: (
        f"{w.address} has a paused job ({said}); resume it ({w.run('resume')}) or stop it "
        f"({w.run('stop')}) first"
    ),
    ("pause", StateReason.PAUSED): lambda w, said: (
        f"the job on {w.address} is already paused ({said}); resume it with: {w.run('resume')}"
    ),
    ("pause", StateReason.STOPPED): lambda w, said: (
        f"no job is running on {w.address}, so nothing to pause ({said}: its last job was stopped)"
    ),
    ("resume", StateReason.PRINTING): lambda w, said: (
        f"the job on {w.address} is already running, so nothing to resume ({said})"
    ),
    ("resume", StateReason.STOPPED): lambda w, said: (
        f"no job is paused on {w.address}, so nothing to resume ({said}: its last job was "
        f"stopped); start one with: {w.run('print', 'FILE')}"
    ),
    ("stop", StateReason.STOPPED): lambda w, said: (
        f"no job is running on {w.address}, so nothing to stop ({said}: its last job was "
        "already stopped)"
    ),
    ("recover", StateReason.PRINTING): lambda w, said: (
        f"{w.address} is printing ({said}); recover is for a job a power loss interrupted"
    ),
    ("recover", StateReason.PAUSED): lambda w, said: (
        f"{w.address} has a paused job ({said}); resume it with: {w.run('resume')} (recover "
        "is for a job a power loss interrupted)"
    ),
}


def _state(error: PrinterStateError, where: Where) -> str | None:
    words = _STATE_WORDS.get((where.command or "", error.reason))
    if words is not None:
        return words(where, _said(error))
    if error.reason is StateReason.POWERLOSS_SCREEN:
        return (
            f"{where.address} shows its power-loss screen ({_said(error)}); answer it on the "
            f"printer, or resume the interrupted job with: {where.run('recover')}"
        )
    return None


def _parent(path: str) -> str:
    """The directory that holds ``path`` on the printer, as ``files`` takes it."""
    parent = posixpath.dirname(path.rstrip("/"))
    return f"{parent}/" if parent in {"", "Local"} else parent


def _not_found(error: NotFoundError, where: Where) -> str | None:  # noqa: PLR0911 - per command
    printer, said, params = where.address, _said(error), where.params
    if error.endpoint_missing and error.endpoint == "/login":
        if where.host is not None and is_url(where.host):
            return (
                f"no printer API at {printer} (HTTP 404 for /login): a URL given as HOST is the "
                f"API's address, which ends in /v1 on a printer (try {printer.rstrip('/')}/v1)"
            )
        return (
            f"{printer} answered HTTP 404 for /login: what listens there is not a Raise3D "
            f"printer's Remote Access API; {where.address_hint()}"
        )
    if where.command == "files" and "directory" in params:
        directory = str(params["directory"])
        return (
            f"{directory} does not exist on {printer} ({said}); see what there is with: "
            f"{where.run('files', _parent(directory))}"
        )
    if where.command == "upload" and "dir_path" in params:
        return (
            f"--dir {params['dir_path']} does not exist on {printer} ({said}); pick a directory "
            f"from: {where.run('files', 'Local/')}"
        )
    if where.command == "print" and "file_path" in params:
        file_path = str(params["file_path"])
        return (
            f"{file_path} is not on {printer} ({said}); see what is with: "
            f"{where.run('files', _parent(file_path))}, or send it with: "
            f"{where.run('upload', 'LOCAL_FILE', '--dir', _parent(file_path))}"
        )
    if where.command == "recover":
        return (
            f"{printer} has no job that a power loss interrupted ({said}): there is nothing to "
            "recover"
        )
    return None


def _protocol(error: ProtocolError, where: Where) -> str | None:
    if error.status_code is not None and 300 <= error.status_code < 400:  # noqa: PLR2004
        return (
            f"{where.address} answered with a redirect (HTTP {error.status_code}), which "
            "printer-async does not follow, as the token travels in the URL; give the address "
            "it redirects to as HOST (--debug shows it)"
        )
    return None


# -- the command's own arguments -------------------------------------------------------------------


def host_problem(host: str) -> str | None:
    """What is wrong with HOST as given on the command line, in its terms; ``None`` if nothing.

    The library checks the same things (``url_host``, ``parse_base_url``) and says so in
    terms of ``host=``, ``port=`` and ``base_url=``; the command says ``--port`` and ``HOST``.
    """
    if is_url(host):
        try:
            parse_base_url(host)
        except ValueError:
            return f"{_url_problem(host)}, like https://farm.example/printer7/v1"
        return None
    try:
        url_host(host)
    except ValueError:
        pass
    else:
        return None
    name, colon, port = host.rpartition(":")
    shown = shown_address(host)  # never its credentials
    if colon and port.isdigit() and name and _is_host(name):
        return f"{shown} has a port in it: give it with --port, as in {name} --port {port}"
    if "://" in host:
        return f"{shown}: only http:// and https:// URLs can be used"
    return (
        f"{shown} is not a printer's name or IP address, like 192.168.0.57 (or, for a printer "
        "behind a proxy, its API's URL, like https://farm.example/printer7/v1)"
    )


def _url_problem(host: str) -> str:
    """Why ``parse_base_url`` refused HOST, in the command's terms (it names ``base_url=``)."""
    try:
        url: httpx.URL | None = httpx.URL(host)
    except httpx.InvalidURL:
        url = None
    shown = shown_address(host)  # never its credentials
    if url is None or not url.host:
        return f"{shown} is not a URL with a host"
    if url.userinfo:  # not repeated: it may hold a password
        return "a URL given as HOST must not hold a user name or password"
    if url.query or url.fragment or "?" in host or "#" in host:
        return f"{shown} must not have a query or a fragment"
    return f"{shown} must have a TCP port number from 1 to 65535, if any"


def _is_host(text: str) -> bool:
    try:
        url_host(text)
    except ValueError:
        return False
    return True


def fleet_file_problem(path: str, error: Exception) -> str:
    """The line for a fleet file the command cannot use, naming the file and what to fix."""
    if isinstance(error, UnicodeDecodeError):
        line = error.object[: error.start].count(b"\n") + 1
        return (
            f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} on line {line}); "
            "save the file as UTF-8"
        )
    if isinstance(error, OSError):
        return f"{path}: cannot be read ({error.strerror or type(error).__name__})"
    text = str(error)
    return text if text.startswith(path) else f"{path}: {text}"
