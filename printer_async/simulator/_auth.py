"""The simulated printer's secrets: login signatures, API tokens and the camera password.

Both kinds of secret die together: a reboot or a power loss invalidates every token and draws a
new camera password, as on a real printer. Not thread-safe on its own: the
:class:`~printer_async.simulator.SimulatedPrinter` façade calls it under its lock.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Final

from printer_async.simulator._failure import ApiFailure

if TYPE_CHECKING:
    import random

CAMERA_USER: Final = "raise3d_camera"
"""The camera server's user name."""


def sign(password: str, timestamp: str | int) -> str:
    """Return the login signature: lower-hex md5 of the lower-hex sha1 of the signed string.

    Args:
        password: The printer's access password.
        timestamp: Milliseconds since the epoch, exactly as sent in the query string.

    Returns:
        32 lower-case hex characters.
    """
    inner = hashlib.sha1(f"password={password}&timestamp={timestamp}".encode()).hexdigest()
    return hashlib.md5(inner.encode()).hexdigest()


class Credentials:
    """Issued tokens with their expiry, and this boot's camera password.

    Args:
        rng: Source of tokens and camera passwords (seeded by the printer).
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._tokens: dict[str, float] = {}  # token -> simulated time it expires
        self.camera_password = self._new_camera_password()

    @property
    def tokens(self) -> set[str]:
        """A copy of the tokens issued since the last reboot, expired ones included."""
        return set(self._tokens)

    def login(
        self, password: str, sign_value: str, timestamp: str, now: float, lifetime: float
    ) -> str:
        """Check a login signature against ``password`` and issue a token valid for ``lifetime``.

        Raises:
            ApiFailure: 10000 if the signature does not match the password.
        """
        if sign_value != sign(password, timestamp):
            raise ApiFailure(10000, "sign error or password error")
        self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
        token = f"{self._rng.getrandbits(128):032x}"
        self._tokens[token] = now + lifetime
        return token

    def check_token(self, token: str | None, now: float) -> bool:
        """Return whether ``token`` was issued and has not expired or been invalidated."""
        if not token:
            return False
        expiry = self._tokens.get(token)
        return expiry is not None and expiry > now

    def expire_tokens(self) -> None:
        """Invalidate every token."""
        self._tokens.clear()

    def reboot(self) -> None:
        """Invalidate every token and draw a new camera password."""
        self._tokens.clear()
        self.camera_password = self._new_camera_password()

    def check_camera(self, user: str, password: str) -> bool:
        """Return whether HTTP Basic credentials open the camera server (this boot's password)."""
        return hmac.compare_digest(f"{user}:{password}", f"{CAMERA_USER}:{self.camera_password}")

    def _new_camera_password(self) -> str:
        return f"{self._rng.getrandbits(24):06x}"
