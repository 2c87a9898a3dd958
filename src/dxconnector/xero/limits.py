"""Staying inside Xero's limits for one organisation: 5 calls in flight, 60 a minute, 5,000 a day.

The governor counts its own calls in rolling windows, believes the server when its
`X-MinLimit-Remaining` / `X-DayLimit-Remaining` headers say less is left (other processes may be
calling too), and stands back for `Retry-After` after a 429. Time is measured in "Xero seconds":
real seconds times `time_scale`, which is 1 against Xero and larger against a time-scaled sandbox.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from dxconnector import metrics
from dxconnector.xero.errors import RateLimited

MINUTE = 60.0
DAY = 24 * 3600.0
MINUTE_HEADER, DAY_HEADER = "X-MinLimit-Remaining", "X-DayLimit-Remaining"


@dataclass(frozen=True)
class Limits:
    concurrent: int = 5
    per_minute: int = 60
    per_day: int = 5000


def remaining(headers: Mapping[str, str], name: str) -> int | None:
    """The calls left that a `X-…Limit-Remaining` header gives, or None when the answer has none (or a bad one)."""
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class BudgetSeen:
    """What an answer of Xero's said is left of one organisation's budget (None: the answer did not say), with the
    budget the governor keeps to and the time scale its minute and day pass at (1 against Xero)."""

    tenant_id: str
    minute_left: int | None
    day_left: int | None
    limits: Limits
    time_scale: float


class BudgetObserver(Protocol):
    """Told after each answer that carried Xero's remaining-calls headers (connections/ records it for the portal)."""

    def __call__(self, seen: BudgetSeen) -> None: ...


class RateGovernor:
    def __init__(
        self,
        limits: Limits = Limits(),
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.limits = limits
        self.time_scale = time_scale
        self._clock, self._sleep = clock, sleep
        self._slots = threading.BoundedSemaphore(limits.concurrent)
        self._lock = threading.Lock()
        self._minute: deque[float] = deque()
        self._day: deque[float] = deque()
        self._resume_at = 0.0
        # Our clock and Xero's differ by the call's travel time: count a minute as a little longer.
        self.minute = MINUTE + 1.0 + 0.05 * time_scale
        self.waited_seconds = 0.0  # real seconds spent waiting for budget, for reports

    def now(self) -> float:
        return self._clock() * self.time_scale

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the organisation's concurrent slots and one call of its budget."""
        with self._slots:
            self._take_budget()
            yield

    def _take_budget(self) -> None:
        while True:
            with self._lock:
                now = self.now()
                self._forget_before(now)
                wait = self._wait_needed(now)
                if wait <= 0:
                    self._minute.append(now)
                    self._day.append(now)
                    return
            real = wait / self.time_scale
            self.waited_seconds += real
            metrics.api_wait(metrics.XERO, real)
            self._sleep(real)

    def _forget_before(self, now: float) -> None:
        while self._minute and self._minute[0] <= now - self.minute:
            self._minute.popleft()
        while self._day and self._day[0] <= now - DAY:
            self._day.popleft()

    def _wait_needed(self, now: float) -> float:
        if self._resume_at > now:
            return self._resume_at - now
        if len(self._day) >= self.limits.per_day:
            # Hours away: the caller should stop and come back, not hold a worker asleep.
            raise RateLimited(
                "Xero's daily limit for this organisation is used up",
                retry_after=(self._day[0] + DAY - now) / self.time_scale,
                problem="day",
            )
        if len(self._minute) >= self.limits.per_minute:
            return self._minute[0] + self.minute - now
        return 0.0

    def observe(self, headers: Mapping[str, str]) -> None:
        """Trust the server's count when it says less is left than ours does."""
        with self._lock:
            now = self.now()
            self._forget_before(now)
            self._align(self._minute, self.limits.per_minute, remaining(headers, MINUTE_HEADER), now)
            self._align(self._day, self.limits.per_day, remaining(headers, DAY_HEADER), now)

    @staticmethod
    def _align(window: deque[float], limit: int, server_left: int | None, now: float) -> None:
        if server_left is None:
            return
        missing = (limit - len(window)) - server_left
        for _ in range(max(0, missing)):
            window.append(now)  # calls we did not make but the server counted; they age out like ours

    def back_off(self, retry_after_seconds: float) -> None:
        """After a 429: nobody in this process calls this organisation until Retry-After has passed."""
        with self._lock:
            self._resume_at = max(self._resume_at, self.now() + max(retry_after_seconds, 0.0) * self.time_scale)


_governors: dict[str, RateGovernor] = {}
_governors_lock = threading.Lock()


def governor_for(tenant_id: str, time_scale: float = 1.0, limits: Limits = Limits()) -> RateGovernor:
    """One governor per organisation per process, shared by every client of that organisation."""
    with _governors_lock:
        governor = _governors.get(tenant_id)
        if governor is None or governor.time_scale != time_scale or governor.limits != limits:
            governor = _governors[tenant_id] = RateGovernor(limits, time_scale)
        return governor
