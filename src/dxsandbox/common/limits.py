"""Rate limits as a service enforces them: calls in flight and calls per rolling window, per key.

The limiter is service-agnostic. A service describes its limits as `Rule`s, each counted against one
*scope* ("tenant", "app", "user"…); every call names its key in each scope (which organisation, which
client id). Windows roll: a call counts until `window` simulated seconds after it was admitted. Time
comes from a clock in simulated seconds (`ScaledClock`), so a test can live through a "minute" in a few
real seconds.

A rejected call consumes nothing, and neither does a call whose response turns out to be a 429 from
further in (`refund`): only calls the service actually served count.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Clock(Protocol):
    @property
    def scale(self) -> float: ...

    def now(self) -> float: ...


@dataclass(frozen=True)
class Rule:
    """One limit. `window=None` makes it a concurrency limit (calls in flight at once)."""

    name: str  # also the problem reported when the rule refuses a call
    scope: str  # which key of a call it counts against
    limit: int
    window: float | None = None  # simulated seconds

    @property
    def concurrent(self) -> bool:
        return self.window is None


@dataclass
class Decision:
    allowed: bool
    keys: dict[str, str]
    remaining: dict[str, int]  # window rule name → calls left in its window after this one
    problem: str | None = None
    retry_after: float = 0.0  # simulated seconds until the refusing rule would admit the call
    admitted_at: float | None = None
    released: bool = False


@dataclass
class _Usage:
    """Admission times per (rule, key); in-flight counts and peaks per (scope, key)."""

    windows: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    in_flight: dict[tuple[str, str], int] = field(default_factory=dict)


class RateLimiter:
    def __init__(self, rules: Iterable[Rule], clock: Clock, *, enabled: bool = True):
        self._lock = threading.Lock()
        self._rules = {rule.name: rule for rule in rules}
        self._defaults = dict(self._rules)
        self.clock = clock
        self.enabled = enabled
        self._usage = _Usage()
        self.usage_resetters: list[Callable[[], None]] = []  # usage a service counts itself, forgotten with the windows
        self._reset_tallies()

    # --- settings -------------------------------------------------------------------
    @property
    def rules(self) -> list[Rule]:
        return list(self._rules.values())

    def settings(self) -> dict[str, Any]:
        return {"enabled": self.enabled, **{rule.name: rule.limit for rule in self._rules.values()}}

    def configure(
        self, *, enabled: bool | None = None, limits: Mapping[str, int] | None = None, reset_usage: bool = False
    ) -> dict[str, Any]:
        """Change limits by rule name (unknown names are a ValueError), switch on/off, forget usage."""
        limits = dict(limits or {})
        unknown = sorted(set(limits) - set(self._rules))
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(unknown)}; known: {', '.join(self._rules)}")
        for name, value in limits.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"limit {name} must be a whole number ≥ 0")
        with self._lock:
            for name, value in limits.items():
                self._rules[name] = replace(self._rules[name], limit=value)
            if enabled is not None:
                self.enabled = bool(enabled)
            if reset_usage:
                self._usage.windows.clear()
        if reset_usage:
            for reset in self.usage_resetters:
                reset()
        return self.settings()

    def restore_defaults(self) -> dict[str, Any]:
        with self._lock:
            self._rules = dict(self._defaults)
        return self.settings()

    # --- admission ------------------------------------------------------------------
    def acquire(self, keys: Mapping[str, str]) -> Decision:
        """Admit or refuse one call. An admitted call must be `release`d when it is done."""
        keys = dict(keys)
        with self._lock:
            now = self.clock.now()
            self._calls += 1
            refusal = self._refusal(keys, now) if self.enabled else None
            remaining = self._remaining(keys, now, admitting=refusal is None)
            if refusal is not None:
                rule, wait = refusal
                self._rejected[rule.name] = self._rejected.get(rule.name, 0) + 1
                return Decision(False, keys, remaining, problem=rule.name, retry_after=wait)
            self._admit(keys, now)
            return Decision(True, keys, remaining, admitted_at=now)

    def count_refusal(self, rule_name: str) -> None:
        """Tally a call refused by a rule the service checks itself (Dataverse's execution-time budget), so
        the stats count every refusal of the service's limits in one place."""
        with self._lock:
            self._calls += 1
            self._rejected[rule_name] = self._rejected.get(rule_name, 0) + 1

    def release(self, decision: Decision) -> None:
        if not decision.allowed or decision.released:
            return
        with self._lock:
            decision.released = True
            for scope, key in decision.keys.items():
                slot = (scope, key)
                self._usage.in_flight[slot] = max(0, self._usage.in_flight.get(slot, 0) - 1)

    def refund(self, decision: Decision) -> None:
        """Take back what an admitted call consumed from the windows (its response was a 429)."""
        if not decision.allowed or decision.admitted_at is None:
            return
        with self._lock:
            for rule in self._window_rules(decision.keys):
                times = self._usage.windows.get((rule.name, decision.keys[rule.scope]))
                if times is not None and decision.admitted_at in times:
                    times.remove(decision.admitted_at)
            decision.admitted_at = None

    def _window_rules(self, keys: Mapping[str, str]) -> list[Rule]:
        return [rule for rule in self._rules.values() if not rule.concurrent and rule.scope in keys]

    def _window(self, rule: Rule, key: str, now: float) -> deque[float]:
        times = self._usage.windows.setdefault((rule.name, key), deque())
        horizon = now - (rule.window or 0)
        while times and times[0] <= horizon:
            times.popleft()
        return times

    def _refusal(self, keys: Mapping[str, str], now: float) -> tuple[Rule, float] | None:
        """The first rule (in the order given) that refuses the call, and how long until it would not."""
        for rule in self._rules.values():
            if rule.scope not in keys:
                continue
            key = keys[rule.scope]
            if rule.concurrent:
                if self._usage.in_flight.get((rule.scope, key), 0) >= rule.limit:
                    return rule, 0.0  # no way to know when a call ends: the caller rounds up to the minimum
                continue
            times = self._window(rule, key, now)
            if len(times) >= rule.limit:
                if rule.limit == 0:
                    return rule, float(rule.window or 0)
                # Once the oldest calls beyond limit-1 leave the window, one more call fits.
                oldest_blocking = times[len(times) - rule.limit]
                return rule, max(0.0, oldest_blocking + (rule.window or 0) - now)
        return None

    def _remaining(self, keys: Mapping[str, str], now: float, *, admitting: bool) -> dict[str, int]:
        return {
            rule.name: max(0, rule.limit - len(self._window(rule, keys[rule.scope], now)) - (1 if admitting else 0))
            for rule in self._window_rules(keys)
        }

    def _admit(self, keys: Mapping[str, str], now: float) -> None:
        self._admitted += 1
        for rule in self._window_rules(keys):
            self._window(rule, keys[rule.scope], now).append(now)
        for scope, key in keys.items():
            slot = (scope, key)
            count = self._usage.in_flight.get(slot, 0) + 1
            self._usage.in_flight[slot] = count
            if count > self._peaks.get(slot, 0):
                self._peaks[slot] = count

    # --- tallies ---------------------------------------------------------------------
    def _reset_tallies(self) -> None:
        self._calls = 0
        self._admitted = 0
        self._rejected: dict[str, int] = dict.fromkeys(self._rules, 0)
        self._peaks: dict[tuple[str, str], int] = {}

    def reset_stats(self) -> None:
        with self._lock:
            self._reset_tallies()
            # Calls still in flight stay the floor of the new peaks.
            self._peaks = {slot: count for slot, count in self._usage.in_flight.items() if count}

    def in_flight(self, scope: str, key: str) -> int:
        with self._lock:
            return self._usage.in_flight.get((scope, key), 0)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "settings": self.settings(),
                "limited_calls": self._calls,
                "admitted": self._admitted,
                "rate_limited": dict(self._rejected),
                "rate_limited_total": sum(self._rejected.values()),
                "in_flight": _by_scope(self._usage.in_flight, skip_zero=True),
                "in_flight_peak": _by_scope(self._peaks),
            }


def _by_scope(counts: Mapping[tuple[str, str], int], *, skip_zero: bool = False) -> dict[str, dict[str, int]]:
    grouped: dict[str, dict[str, int]] = {}
    for (scope, key), count in counts.items():
        if count or not skip_zero:
            grouped.setdefault(scope, {})[key] = count
    return grouped


def real_retry_after(simulated_seconds: float, scale: float) -> int:
    """Retry-After in real seconds for a wait in simulated ones: rounded up, never below 1."""
    return max(1, math.ceil(simulated_seconds / scale - 1e-9))


# --- ASGI ---------------------------------------------------------------------------

Identify = Callable[[Scope], Mapping[str, str] | None]
"""Which keys a call counts against, or None to let it through unlimited (unauthenticated calls…)."""

Headers = list[tuple[bytes, bytes]]


@dataclass
class LimitPolicy:
    """How a service shows its limits on the wire; the generic middleware knows none of it."""

    identify: Identify
    headers: Callable[[Decision], Headers]  # on every limited response, admitted or not
    rejection: Callable[[Decision, int], tuple[int, Headers, bytes]]  # (status, headers, body) given Retry-After


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: RateLimiter, policy: LimitPolicy, *, exempt_prefixes: Iterable[str] = ()):
        self.app = app
        self.limiter = limiter
        self.policy = policy
        self.exempt_prefixes = tuple(exempt_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        keys = self.policy.identify(scope)
        if keys is None:
            await self.app(scope, receive, send)
            return
        decision = self.limiter.acquire(keys)
        if not decision.allowed:
            await self._reject(decision, send)
            return
        try:
            await self.app(scope, receive, self._with_headers(decision, send))
        finally:
            self.limiter.release(decision)

    def _with_headers(self, decision: Decision, send: Send) -> Callable[[Message], Awaitable[None]]:
        extra = self.policy.headers(decision) if self.limiter.enabled else []

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 429:
                    self.limiter.refund(decision)  # a 429 from further in (an injected one) is not counted either
                if extra:
                    message = dict(message, headers=[*message.get("headers", []), *extra])
            await send(message)

        return wrapped

    async def _reject(self, decision: Decision, send: Send) -> None:
        retry_after = real_retry_after(decision.retry_after, self.limiter.clock.scale)
        status, headers, body = self.policy.rejection(decision, retry_after)
        headers = [*headers, *self.policy.headers(decision), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
