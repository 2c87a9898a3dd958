"""Service protection limits, per user over a sliding window (FACTS §4): the number of requests, their
combined execution time, and how many run at once. A refused request gets 429 with `Retry-After` in
real seconds; admitted ones carry the `x-ms-ratelimit-*` headers.

Requests and concurrency are counted by the sandbox's generic `RateLimiter`, so the control plane's
`PUT /_sandbox/limits` can change them by name ("requests", "concurrent", and "execution_ms" too).
Execution time is measured on the same scaled clock as the window: with the clock running 60× faster,
a request that takes 10 real ms spends 600 simulated ms of the budget, so the budget keeps its share of
the window whatever the scale.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

from dxsandbox.common.limits import Clock, Decision, RateLimiter, Rule, real_retry_after
from dxsandbox.microsoft.dataverse import errors
from dxsandbox.microsoft.dataverse.errors import DataverseError
from dxsandbox.microsoft.dataverse.http import error_response
from dxsandbox.microsoft.dataverse.settings import ServiceProtectionLimits

USER = "user"
REQUESTS, CONCURRENT, EXECUTION = "requests", "concurrent", "execution_ms"
# The execution budget is a rule only so that the limiter's settings carry it: its scope is never
# among a call's keys, so the limiter itself never counts against it.
_EXECUTION_SCOPE = "execution-budget"


@dataclass
class Admission:
    decision: Decision
    user: str
    started: float  # simulated seconds


class ServiceProtection:
    def __init__(self, limits: ServiceProtectionLimits, clock: Clock, *, enabled: bool = True):
        self.window = limits.window_seconds
        self.parallelism_hint = limits.parallelism_hint
        self.clock = clock
        self.limiter = RateLimiter(
            [
                Rule(REQUESTS, USER, limits.requests, limits.window_seconds),
                Rule(CONCURRENT, USER, limits.concurrent, None),
                Rule(EXECUTION, _EXECUTION_SCOPE, limits.execution_ms, limits.window_seconds),
            ],
            clock,
            enabled=enabled,
        )
        self._lock = threading.Lock()
        self._spent: dict[str, deque[tuple[float, float]]] = {}  # user → (finished at, simulated ms)
        self.limiter.usage_resetters.append(self._forget_spent)

    def _forget_spent(self) -> None:
        with self._lock:
            self._spent.clear()

    @property
    def enabled(self) -> bool:
        return self.limiter.enabled

    def _limit(self, name: str) -> int:
        return next(rule.limit for rule in self.limiter.rules if rule.name == name)

    def execution_spent(self, user: str, now: float) -> float:
        with self._lock:
            spent = self._spent.setdefault(user, deque())
            while spent and spent[0][0] <= now - self.window:
                spent.popleft()
            return sum(ms for _, ms in spent)

    def admit(self, user: str) -> Admission:
        """Admit a request or raise the 429 Dataverse answers with."""
        now = self.clock.now()
        if self.limiter.enabled:
            budget = self._limit(EXECUTION)
            if self.execution_spent(user, now) >= budget:
                self.limiter.count_refusal(EXECUTION)
                raise self._refusal(EXECUTION, self._execution_wait(user, now, budget))
        decision = self.limiter.acquire({USER: user})
        if not decision.allowed:
            raise self._refusal(decision.problem or REQUESTS, decision.retry_after)
        return Admission(decision, user, now)

    def finish(self, admission: Admission) -> None:
        finished = self.clock.now()
        self.limiter.release(admission.decision)
        with self._lock:
            self._spent.setdefault(admission.user, deque()).append((finished, (finished - admission.started) * 1000.0))

    def headers(self, admission: Admission) -> dict[str, str]:
        if not self.limiter.enabled:
            return {}
        remaining_ms = max(0, self._limit(EXECUTION) - self.execution_spent(admission.user, self.clock.now()))
        return {
            "x-ms-ratelimit-burst-remaining-xrm-requests": str(admission.decision.remaining.get(REQUESTS, 0)),
            "x-ms-ratelimit-time-remaining-xrm-requests": f"{remaining_ms:.2f}",
            "x-ms-dop-hint": str(self.parallelism_hint),
        }

    def _execution_wait(self, user: str, now: float, budget: int) -> float:
        """Simulated seconds until enough execution time leaves the window to be under budget again."""
        with self._lock:
            spent = list(self._spent.get(user, ()))
        total = sum(ms for _, ms in spent)
        for finished, ms in spent:
            total -= ms
            if total < budget:
                return max(0.0, finished + self.window - now)
        return self.window

    def _refusal(self, problem: str, wait: float) -> DataverseError:
        retry_after = (
            real_retry_after(wait, self.clock.scale) if problem != CONCURRENT else max(1, math.ceil(1 / self.clock.scale))
        )
        window = int(self.window)
        if problem == EXECUTION:
            code = errors.EXECUTION_TIME_LIMIT
            message = (
                f"Combined execution time of incoming requests exceeded limit of {self._limit(EXECUTION):,} milliseconds over "
                f"time window of {window} seconds. Decrease number of concurrent requests or reduce the duration of requests "
                f"and try again later."
            )
        elif problem == CONCURRENT:
            code = errors.CONCURRENCY_LIMIT
            message = f"Number of concurrent requests exceeded the limit of {self._limit(CONCURRENT)}."
        else:
            code = errors.REQUESTS_LIMIT
            message = f"Number of requests exceeded the limit of {self._limit(REQUESTS)} over time window of {window} seconds."
        return DataverseError(429, code, message, headers={"Retry-After": str(retry_after)})

    def stats(self) -> dict:
        return self.limiter.stats()

    def fault_response(self, kind: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """An injected failure as this organisation would answer it: an injected 429 is the request-limit
        refusal (its error code and message, `Retry-After: 1`); 500 and 503 carry Dataverse's error body."""
        status = int(kind)
        if status == 429:
            error = self._refusal(REQUESTS, 0.0)  # no wait: Retry-After rounds up to 1
        elif status == 503:
            error = DataverseError(
                503,
                errors.SERVICE_UNAVAILABLE,
                "The service is temporarily unavailable. Please try again later.",
                headers={"Retry-After": "1"},
            )
        else:
            error = errors.unexpected()
        response = error_response(error)
        body, _ = response.encoded()
        return status, [(name.lower().encode(), value.encode()) for name, value in response.all_headers().items()], body
