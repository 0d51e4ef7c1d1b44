"""Login: the vendor's signature, the token's lifetime, and single-flight re-login."""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Final

import anyio

from printer_async._envelope import unwrap
from printer_async._errors import AuthenticationError, ProtocolError

if TYPE_CHECKING:
    from collections.abc import Callable

    from printer_async._transport import Transport

__all__ = ["TOKEN_LIFETIME", "Auth", "sign"]

TOKEN_LIFETIME: Final = 24 * 3600.0
"""Seconds a token is valid, as the vendor documents it."""

REFRESH_MARGIN: Final = 3600.0
"""Log in again this long before the token would expire."""


def sign(password: str, timestamp_ms: int) -> str:
    """The login signature: md5 of the lower-case hex sha1 of ``password=<pw>&timestamp=<ms>``.

    >>> sign("123456", 1503477369615)
    'ed416d3d02cf58efe4f65d3bbc8a4dc6'
    """
    inner = hashlib.sha1(f"password={password}&timestamp={timestamp_ms}".encode()).hexdigest()
    return hashlib.md5(inner.encode()).hexdigest()


class Auth:
    """Holds one printer's token and logs in when it is missing, old or refused.

    Logins are single-flight: however many calls find the token missing or refused at once,
    one of them logs in and the others wait for its token.

    Args:
        transport: Where to send ``GET /login``.
        password: The printer's access password; without it, only ``token`` is used.
        token: A token obtained elsewhere; treated as fresh.
        lifetime: Seconds a token is valid.
        clock: A monotonic clock in seconds (tests pass their own).
    """

    def __init__(
        self,
        transport: Transport,
        *,
        password: str | None,
        token: str | None,
        lifetime: float = TOKEN_LIFETIME,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._password = password
        self._token = token
        self._lifetime = lifetime
        self._clock = clock
        self._obtained_at = clock() if token is not None else 0.0
        self._lock = anyio.Lock()
        self.login_count = 0
        """How many logins this printer has made (for metrics and tests)."""

    @property
    def can_login(self) -> bool:
        """Whether a password is known, so a refused token can be replaced."""
        return self._password is not None

    def _is_fresh(self) -> bool:
        if self._token is None:
            return False
        if not self.can_login:
            return True  # nothing better to offer than the token we were given
        return self._clock() - self._obtained_at < self._lifetime - REFRESH_MARGIN

    async def token(self) -> str:
        """A token that is not known to be stale, logging in first if needed.

        Raises:
            AuthenticationError: There is no token and no password, or the password is wrong.
        """
        if self._is_fresh():
            assert self._token is not None  # noqa: S101 - narrowed by _is_fresh
            return self._token
        return await self.refresh(stale=self._token)

    async def refresh(self, *, stale: str | None) -> str:
        """Log in again unless another call already replaced ``stale``.

        Args:
            stale: The token that was refused (or ``None``); if the current token differs,
                another call has already logged in and its token is returned.

        Returns:
            The new token.

        Raises:
            AuthenticationError: No password is known, or the printer refused it.
        """
        async with self._lock:
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
            self._token = await self._login(self._password)
            return self._token

    async def login(self) -> str:
        """Log in now, whatever the state of the current token."""
        async with self._lock:
            if self._password is None:
                raise AuthenticationError(
                    "cannot log in without a password; pass password= to AsyncPrinter",
                    code=10000,
                    msg="",
                    endpoint="/login",
                )
            self._token = await self._login(self._password)
            return self._token

    async def _login(self, password: str) -> str:
        timestamp = int(time.time() * 1000)
        params = {"sign": sign(password, timestamp), "timestamp": timestamp}
        answer = await self._transport.request("GET", "/login", params=params)
        self.login_count += 1
        data = unwrap("/login", answer)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ProtocolError("/login: the answer has no token", endpoint="/login")
        self._obtained_at = self._clock()
        return token
