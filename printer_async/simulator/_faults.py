"""Fault injection: make a simulated printer misbehave on the next matching requests.

Every simulated printer has a :class:`FaultInjector` as ``printer.faults``. Each method arms one
rule that fires on requests matching its selectors:

* ``count``: fire on the next ``count`` matching requests, then disarm;
* ``duration``: fire on every matching request for that many **real** seconds (wall-clock, not the
  printer's simulated time: faults are about the network and the service, which do not speed up);
* ``probability``: fire on each matching request with that probability.

Selectors combine (``count=3, probability=0.5`` fires three times, each request with a 50 % chance);
with none given a rule fires once. ``path`` restricts a rule to one endpoint (e.g. ``"/v1/login"``);
by default rules match every request, login included. Rules are tried in the order they were armed;
a latency rule delays the request and lets another rule (or the normal answer) follow.
"""

from __future__ import annotations

import collections
import enum
import math
import random
import threading
import time
from typing import TYPE_CHECKING, Final, Literal, TypedDict, Unpack

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable


class FaultKind(enum.Enum):
    """What a fault does to a request."""

    BUSY_10003 = "busy_10003"
    """``{"status":0,"error":{"code":10003,"msg":"busy"}}``."""
    BUSY_500 = "busy_500"
    """``{"status":0,"error":{"code":500,"msg":"printer is busy"}}``."""
    TOO_MANY_REQUESTS = "too_many_requests"
    """HTTP 429 with an empty body."""
    LATENCY = "latency"
    """Wait, then answer normally."""
    DROP = "drop"
    """Close the connection without answering."""
    RESET_MID_BODY = "reset_mid_body"
    """Send the headers and half the body, then reset the connection."""
    HTML_ERROR = "html_error"
    """An HTML error page with an HTTP error status, as a proxy in front of a printer sends."""
    TRUNCATED_JSON = "truncated_json"
    """A complete HTTP answer whose JSON body is cut in half."""
    INVALID_JSON = "invalid_json"
    """A complete HTTP answer whose body is not JSON."""
    WRONG_TYPE = "wrong_type"
    """The real answer with one data field's value replaced by one of another JSON type."""
    MISSING_FIELD = "missing_field"
    """The real answer with one data field removed."""
    BAD_VALUE = "bad_value"
    """The real answer with one data field's value replaced by a given one (``NaN``, ...)."""
    SERVICE_UNAVAILABLE = "service_unavailable"
    """``{"status":0,"error":{"code":503,"msg":"no server"}}``."""
    API_ERROR = "api_error"
    """Any error envelope, ``{"status":0,"error":{"code":...,"msg":...}}``: a documented answer
    the simulated state does not produce by itself (500 "can not open IODevice", ...)."""


#: Kinds that replace the answer before the request reaches the printer (it has no effect).
PRE_ANSWER_KINDS = frozenset(
    {
        FaultKind.BUSY_10003,
        FaultKind.BUSY_500,
        FaultKind.TOO_MANY_REQUESTS,
        FaultKind.DROP,
        FaultKind.HTML_ERROR,
        FaultKind.SERVICE_UNAVAILABLE,
        FaultKind.API_ERROR,
    }
)

#: Kinds :meth:`FaultInjector.random` picks from by default.
RANDOM_KINDS: tuple[FaultKind, ...] = (
    FaultKind.BUSY_10003,
    FaultKind.BUSY_500,
    FaultKind.TOO_MANY_REQUESTS,
    FaultKind.DROP,
    FaultKind.RESET_MID_BODY,
    FaultKind.HTML_ERROR,
    FaultKind.TRUNCATED_JSON,
    FaultKind.INVALID_JSON,
    FaultKind.SERVICE_UNAVAILABLE,
)

_MUTATIONS: Final = frozenset({FaultKind.WRONG_TYPE, FaultKind.MISSING_FIELD, FaultKind.BAD_VALUE})
"""Kinds that change the real answer's data, applied by :meth:`FaultInjector.take_mutation`."""

BusyStyle = Literal["10003", "500", "429"]

_BUSY_KINDS: dict[str, FaultKind] = {
    "10003": FaultKind.BUSY_10003,
    "500": FaultKind.BUSY_500,
    "429": FaultKind.TOO_MANY_REQUESTS,
}


@attrs.frozen
class Fault:
    """One fault to apply to one request.

    Attributes:
        kind: What to do.
        seconds: Delay of a latency fault.
        status: HTTP status of an HTML error page.
        field: Data field a wrong-type or missing-field fault changes.
        code: Error code of an API-error fault.
        msg: Error message of an API-error fault.
        value: The value a bad-value fault gives its field.
    """

    kind: FaultKind
    seconds: float = 0.0
    status: int = 502
    field: str = ""
    code: int = 0
    msg: str = ""
    value: object = None


@attrs.define
class _Rule:
    fault: Fault | None  # None: a random rule, which draws a kind per firing
    remaining: int | None
    deadline: float | None
    probability: float | None
    path: str | None
    kinds: tuple[FaultKind, ...] = ()  # what a random rule draws from
    rng: random.Random | None = None
    random_latency: float = 0.5

    def expired(self, now: float) -> bool:
        return (self.remaining is not None and self.remaining <= 0) or (
            self.deadline is not None and now >= self.deadline
        )


FIRED_HISTORY: Final = 10_000
"""How many applied faults :attr:`FaultInjector.fired` remembers."""


class Selectors(TypedDict, total=False):
    """Which requests a fault applies to; without count, duration or probability, the next one.

    Attributes:
        count: The next that many requests (that match ``path``).
        duration: Every request for that many real seconds.
        probability: Each request with that chance.
        path: Only requests to this path, like ``/v1/job/currentjob``.
    """

    count: int | None
    duration: float | None
    probability: float | None
    path: str | None


class FaultInjector:
    """The armed faults of one simulated printer; safe to arm from another thread.

    Every arming method takes the :class:`Selectors` as keyword arguments.

    Args:
        rng: Source of the probability draws; seed it for reproducible runs.
    """

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng if rng is not None else random.Random()
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self.fired: collections.deque[tuple[str, Fault]] = collections.deque(maxlen=FIRED_HISTORY)
        """The faults applied, with the request path, oldest first (for tests' assertions): the
        last :data:`FIRED_HISTORY`, so a simulator left running with faults armed stays small."""

    # ------------------------------------------------------------------ arming

    def _arm(
        self,
        fault: Fault | None,
        selectors: Selectors,
        *,
        kinds: tuple[FaultKind, ...] = (),
        rng: random.Random | None = None,
        random_latency: float = 0.5,
    ) -> None:
        unknown = set(selectors) - set(Selectors.__annotations__)
        if unknown:
            raise TypeError(
                f"unknown selectors {sorted(unknown)}; use {sorted(Selectors.__annotations__)}"
            )
        count = selectors.get("count")
        duration = selectors.get("duration")
        probability = selectors.get("probability")
        if count is None and duration is None and probability is None:
            count = 1
        if count is not None and (
            isinstance(count, bool) or not isinstance(count, int) or count < 1
        ):
            raise ValueError(f"count must be a whole number of at least 1, got {count!r}")
        if probability is not None and not 0.0 <= probability <= 1.0:  # also refuses NaN
            raise ValueError(f"probability must be within 0..1, got {probability!r}")
        if duration is not None and not (math.isfinite(duration) and duration > 0):
            raise ValueError(f"duration must be a positive number of seconds, got {duration!r}")
        deadline = None if duration is None else time.monotonic() + duration
        path = selectors.get("path")
        rule = _Rule(fault, count, deadline, probability, path, kinds, rng, random_latency)
        with self._lock:
            self._rules.append(rule)

    def busy(
        self,
        style: BusyStyle = "10003",
        **selectors: Unpack[Selectors],
    ) -> None:
        """Answer "busy": a 10003 ``busy`` envelope, a 500 "printer is busy" one, or HTTP 429.

        Raises:
            ValueError: For an unknown style or bad selectors.
        """
        if style not in _BUSY_KINDS:
            raise ValueError(f"busy style must be one of {sorted(_BUSY_KINDS)}, got {style!r}")
        self._arm(
            Fault(_BUSY_KINDS[style]),
            selectors,
        )

    def latency(
        self,
        seconds: float,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Delay the answer by ``seconds`` (real time), then answer normally."""
        if seconds < 0:
            raise ValueError(f"latency must not be negative, got {seconds!r}")
        self._arm(
            Fault(FaultKind.LATENCY, seconds=seconds),
            selectors,
        )

    def drop(
        self,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Close the connection without answering (the request has no effect).

        A client may send a GET that met a closed connection once more on a new one (httpx
        through printer-async and aiohttp both do), so ``count=1`` on a GET can go unseen.
        """
        self._arm(
            Fault(FaultKind.DROP),
            selectors,
        )

    def reset_mid_body(
        self,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Send the headers and part of the body of the real answer, then reset the connection.

        The request itself takes effect: it is the answer that is lost.
        """
        self._arm(
            Fault(FaultKind.RESET_MID_BODY),
            selectors,
        )

    def html_error(
        self,
        status: int = 502,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Answer an HTML error page with HTTP ``status``, as a reverse proxy would."""
        self._arm(
            Fault(FaultKind.HTML_ERROR, status=status),
            selectors,
        )

    def truncated_json(
        self,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Answer the first half of the real JSON body (a complete HTTP message, invalid JSON)."""
        self._arm(
            Fault(FaultKind.TRUNCATED_JSON),
            selectors,
        )

    def invalid_json(
        self,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Answer a body that is not JSON at all, with an ``application/json`` content type."""
        self._arm(
            Fault(FaultKind.INVALID_JSON),
            selectors,
        )

    def wrong_type(
        self,
        field: str,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Give ``field`` a value of another JSON type in the next answers whose data carry it.

        Strings become integers, numbers and booleans become strings, lists and objects become
        strings. The field is looked for in ``data`` and in the objects of ``data``'s lists.
        """
        self._arm(
            Fault(FaultKind.WRONG_TYPE, field=field),
            selectors,
        )

    def missing_field(
        self,
        field: str,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Remove ``field`` from the next answers whose data carry it (see :meth:`wrong_type`)."""
        self._arm(
            Fault(FaultKind.MISSING_FIELD, field=field),
            selectors,
        )

    def bad_value(
        self,
        field: str,
        value: object,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Give ``field`` the value ``value`` in the next answers whose data carry it.

        For values the simulated state never makes: ``float("nan")`` and ``float("inf")``
        (written ``NaN`` and ``Infinity``, which Python's JSON reader accepts), ``10**400``,
        a negative progress. The field is looked for as by :meth:`wrong_type`.
        """
        self._arm(
            Fault(FaultKind.BAD_VALUE, field=field, value=value),
            selectors,
        )

    def service_unavailable(
        self,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Answer ``{"status":0,"error":{"code":503,"msg":"no server"}}``."""
        self._arm(
            Fault(FaultKind.SERVICE_UNAVAILABLE),
            selectors,
        )

    def api_error(
        self,
        code: int,
        msg: str,
        **selectors: Unpack[Selectors],
    ) -> None:
        """Answer ``{"status":0,"error":{"code":code,"msg":msg}}`` (the request has no effect).

        For the documented errors the simulated state never runs into by itself, e.g.
        ``api_error(10004, "data file error", path="/v1/fileops/imagedownload")``.
        """
        self._arm(
            Fault(FaultKind.API_ERROR, code=code, msg=msg),
            selectors,
        )

    def random(
        self,
        probability: float,
        *,
        kinds: Iterable[FaultKind] = RANDOM_KINDS,
        rng: random.Random | None = None,
        count: int | None = None,
        duration: float | None = None,
        path: str | None = None,
        latency: float = 0.5,
    ) -> None:
        """Apply a fault drawn uniformly from ``kinds`` to each request, with ``probability``.

        Without ``count`` or ``duration`` the rule lasts until :meth:`clear`.

        Args:
            probability: Chance that a request gets a fault.
            kinds: Kinds to draw from (wrong-type, missing-field and bad-value need a field, an
                API error its code and message, so they are not drawable).
            rng: Source of the draws; the injector's own seeded one by default.
            count: Stop after that many faults.
            duration: Stop after that many real seconds.
            path: Only requests to this path.
            latency: Delay in seconds when a latency fault is drawn.

        Raises:
            ValueError: For an empty or undrawable set of kinds, or bad selectors.
        """
        chosen = tuple(kinds)
        undrawable = {
            FaultKind.WRONG_TYPE,
            FaultKind.MISSING_FIELD,
            FaultKind.BAD_VALUE,
            FaultKind.API_ERROR,
        }
        if not chosen or undrawable & set(chosen):
            raise ValueError(
                "kinds must be non-empty and exclude wrong_type, missing_field and api_error"
            )
        self._arm(
            None,
            Selectors(count=count, duration=duration, probability=probability, path=path),
            kinds=chosen,
            rng=rng,
            random_latency=latency,
        )

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._rules.clear()

    @property
    def armed(self) -> int:
        """How many rules are still armed."""
        now = time.monotonic()
        with self._lock:
            return sum(not rule.expired(now) for rule in self._rules)

    # ------------------------------------------------------------------ firing

    def _draw(self, rule: _Rule) -> Fault:
        if rule.fault is not None:
            return rule.fault
        rng = rule.rng if rule.rng is not None else self._rng
        kind = rng.choice(rule.kinds)
        if kind is FaultKind.LATENCY:
            return Fault(kind, seconds=rule.random_latency)
        return Fault(kind)

    def take(self, path: str) -> tuple[float, Fault | None]:
        """Decide the faults of one request.

        Args:
            path: The request path (``/v1/...``).

        Returns:
            The latency to add (seconds) and the fault that replaces or damages the answer, if any.
            Wrong-type, missing-field and bad-value rules are not taken here: see
            :meth:`take_mutation`.
        """
        delay = 0.0
        chosen: Fault | None = None
        now = time.monotonic()
        with self._lock:
            if not self._rules:
                return 0.0, None
            self._rules = [rule for rule in self._rules if not rule.expired(now)]
            for rule in self._rules:
                if rule.path is not None and rule.path != path:
                    continue
                template = rule.fault
                if template is not None and template.kind in _MUTATIONS:
                    continue
                is_latency = template is not None and template.kind is FaultKind.LATENCY
                if (is_latency and delay) or (not is_latency and chosen is not None):
                    continue
                draws = rule.rng if rule.rng is not None else self._rng
                if rule.probability is not None and draws.random() >= rule.probability:
                    continue
                fault = self._draw(rule)
                if rule.remaining is not None:
                    rule.remaining -= 1
                self.fired.append((path, fault))
                if fault.kind is FaultKind.LATENCY:
                    delay = fault.seconds
                else:
                    chosen = fault
        return delay, chosen

    def take_mutation(self, path: str, fields: set[str]) -> Fault | None:
        """Take the first armed wrong-type, missing-field or bad-value rule for the answer's fields.

        Args:
            path: The request path.
            fields: The field names present in the answer's data.

        Returns:
            The fault to apply, or ``None``.
        """
        now = time.monotonic()
        with self._lock:
            for rule in self._rules:
                fault = rule.fault
                if (
                    fault is None
                    or fault.kind not in _MUTATIONS
                    or fault.field not in fields
                    or (rule.path is not None and rule.path != path)
                    or rule.expired(now)
                ):
                    continue
                if rule.probability is not None and self._rng.random() >= rule.probability:
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                self.fired.append((path, fault))
                return fault
        return None
