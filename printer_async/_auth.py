"""Login: the vendor's signature, the token's lifetime, and single-flight re-login."""

from __future__ import annotations

import collections
import hashlib
import math
import time
from typing import TYPE_CHECKING, Final

import anyio
import attrs

from printer_async import _redact
from printer_async._checks import TOKEN_FORM
from printer_async._envelope import unwrap
from printer_async._errors import (
    AuthenticationError,
    PrinterConnectionError,
    PrinterError,
    ProtocolError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from printer_async._transports.base import BaseTransport

__all__ = ["TOKEN_LIFETIME", "Auth", "Span", "sign"]

TOKEN_LIFETIME: Final = 24 * 3600.0
"""Seconds a token is valid, as the vendor documents it."""

REFRESH_MARGIN: Final = 3600.0
"""Log in again this long before the token would expire."""

_REMEMBERED_SECRETS: Final = 4
"""Tokens and signatures kept to blank in errors and logs: the current ones and those just
replaced (a call still in flight with them may yet log a printer's echo)."""


def sign(password: str, timestamp_ms: int) -> str:
    """The login signature: md5 of the lower-case hex sha1 of ``password=<pw>&timestamp=<ms>``.

    >>> sign("123456", 1503477369615)
    'ed416d3d02cf58efe4f65d3bbc8a4dc6'
    """
    inner = hashlib.sha1(f"password={password}&timestamp={timestamp_ms}".encode()).hexdigest()
    return hashlib.md5(inner.encode()).hexdigest()


@attrs.frozen
class Span:
    """When the call that needs a token started, and its deadline (``anyio.current_time()``)."""

    started: float
    deadline: float = math.inf

    @classmethod
    def now(cls) -> Span:
        """A call starting now, with no deadline."""
        return cls(anyio.current_time())


@attrs.frozen
class _Failure:
    """A login that failed: calls that started before it ended get its error, not a new login."""

    ended: float
    replacing: str | None
    """The token it was to replace; once another login replaced it, the failure is history."""
    error: PrinterError


@attrs.define(eq=False)
class _Attempt:
    """One login in flight, and what it ended with, for every call that waits for it."""

    done: anyio.Event = attrs.field(factory=anyio.Event)
    token: str | None = None
    error: PrinterError | None = None
    """The login's failure, shared: a login that failed is not made again for each waiter."""


class Auth:
    """Holds one printer's token and logs in when it is missing, old or refused.

    Logins are single-flight: however many calls find the token missing or refused at once,
    one of them logs in and the others wait for its outcome. A login that fails (a wrong
    password, no answer, a hang until the call's deadline) fails with the same error for every
    call that was already under way when it failed, even one whose refused token comes back
    later: N calls make one login, not one each in turn. Calls started afterwards try again.
    Only a login abandoned because the call that made it was cancelled by its caller is made
    again at once, by the next waiting call.

    Args:
        transport: Where to send ``GET /login``.
        password: The printer's access password; without it, only ``token`` is used.
        token: A token obtained elsewhere; treated as fresh.
        lifetime: Seconds a token is valid.
        clock: A monotonic clock in seconds (tests pass their own).
    """

    def __init__(
        self,
        transport: BaseTransport,
        *,
        password: str | None,
        token: str | None,
        lifetime: float = TOKEN_LIFETIME,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.transport = transport
        """Where logins are sent; a fleet may replace it before the printer's first request."""
        self._password = password
        self._token = token
        self._lifetime = lifetime
        self._clock = clock
        self._obtained_at = clock() if token is not None else 0.0
        self._attempt: _Attempt | None = None
        self._failure: _Failure | None = None
        self._secrets: collections.deque[str] = collections.deque(maxlen=_REMEMBERED_SECRETS)
        if token is not None:
            self._secrets.append(token)
        self._remember()
        self.login_count = 0
        """How many logins this printer has made (for metrics and tests)."""

    @property
    def can_login(self) -> bool:
        """Whether a password is known, so a refused token can be replaced."""
        return self._password is not None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The latest tokens and login signatures, to keep out of exceptions."""
        return tuple(self._secrets)

    def _remember(self) -> None:
        """Have every log record blank the password and the latest tokens and signatures."""
        _redact.remember(self, "login", (self._password, *self._secrets))

    def forget(self) -> None:
        """Stop blanking this printer's secrets in logs (its printer was closed)."""
        _redact.forget(self)

    def _is_fresh(self) -> bool:
        if self._token is None:
            return False
        if not self.can_login:
            return True  # nothing better to offer than the token we were given
        return self._clock() - self._obtained_at < self._lifetime - REFRESH_MARGIN

    def fresh_token(self) -> str | None:
        """The token, if it is not known to be stale; ``None`` when a login is due.

        What every poll asks: answered without a coroutine, which :meth:`token` is.
        """
        return self._token if self._is_fresh() else None

    async def token(self, *, span: Span | None = None) -> str:
        """A token that is not known to be stale, logging in first if needed.

        Args:
            span: The call that needs the token, see :meth:`refresh`.

        Raises:
            AuthenticationError: There is no token and no password, or the password is wrong.
            PrinterConnectionError: The login got no answer.
        """
        if self._is_fresh():
            assert self._token is not None  # noqa: S101 - narrowed by _is_fresh
            return self._token
        return await self.refresh(stale=self._token, span=span)

    async def refresh(self, *, stale: str | None, span: Span | None = None) -> str:
        """Log in again unless another call already replaced ``stale``.

        Args:
            stale: The token that was refused (or ``None``); if the current token differs,
                another call has already logged in and its token is returned.
            span: When the call started (a login that failed since is its answer too) and its
                deadline (its own login, cancelled then, has hung: a failure for all); now and
                none when not given.

        Returns:
            The new token.

        Raises:
            AuthenticationError: No password is known, or the printer refused it.
            PrinterConnectionError: The login got no answer (also when another call's login,
                which this one waited for, got none).
        """
        span = span if span is not None else Span.now()
        while True:
            if self._token is not None and self._token != stale and self._is_fresh():
                return self._token
            if self._password is None:
                raise AuthenticationError(
                    "the token was refused and no password is known to log in again; pass "
                    "password= to AsyncPrinter",
                    code=401,
                    msg="token error",
                    endpoint="/login",
                )
            token = await self._join_or_lead(self._password, span)
            if token is not None:
                return token

    async def login(self, *, span: Span | None = None) -> str:
        """Log in now, whatever the state of the current token (or join a login in flight)."""
        if self._password is None:
            raise AuthenticationError(
                "cannot log in without a password; pass password= to AsyncPrinter",
                code=10000,
                msg="",
                endpoint="/login",
            )
        span = span if span is not None else Span.now()
        token = None
        while token is None:
            token = await self._join_or_lead(self._password, span)
        return token

    async def _join_or_lead(self, password: str, span: Span) -> str | None:
        """Wait for the login in flight, or make one; ``None`` if the one awaited was abandoned.

        Raises:
            PrinterError: The login failed: this call's own, the one it waited for, or one that
                failed while this call was under way.
        """
        attempt = self._attempt
        if attempt is not None:
            await attempt.done.wait()
            if attempt.error is not None:
                raise attempt.error
            return attempt.token
        failure = self._failure
        if (
            failure is not None
            and failure.replacing == self._token
            and span.started <= failure.ended
        ):
            raise failure.error
        attempt = self._attempt = _Attempt()
        replacing = self._token
        try:
            attempt.token = self._token = await self._login(password)
            self._failure = None
        except PrinterError as exc:
            attempt.error = exc
            raise
        except BaseException:
            # Cancelled. At the call's deadline, the login hung: that is its outcome for every
            # waiter too. Before it, the caller gave up on its own: the next waiter logs in.
            if anyio.current_time() >= span.deadline:
                attempt.error = PrinterConnectionError(
                    f"GET /login to {self.transport.netloc}: no answer before the deadline of "
                    "the call that logged in; check that the printer is on, on the network, "
                    "and has Enable Remote Access API switched on"
                )
            raise
        finally:
            if attempt.error is not None:
                self._failure = _Failure(anyio.current_time(), replacing, attempt.error)
            self._attempt = None
            attempt.done.set()
        return attempt.token

    async def _login(self, password: str) -> str:
        timestamp = int(time.time() * 1000)
        signature = sign(password, timestamp)
        self._secrets.append(signature)
        self._remember()  # before it is sent: the answer may echo it
        params = {"sign": signature, "timestamp": timestamp}
        answer = await self.transport.request("GET", "/login", params=params)
        self.login_count += 1
        data = unwrap("/login", answer)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not TOKEN_FORM.fullmatch(token):
            raise ProtocolError(
                "/login: the answer has no token (1 to 256 letters and digits, as printers "
                "issue them)",
                endpoint="/login",
            )
        self._secrets.append(token)
        self._remember()
        self._obtained_at = self._clock()
        return token
