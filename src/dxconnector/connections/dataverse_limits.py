"""Dataverse's service protection budget, one per organisation and user, spent by every process (dynamics/limits.py).

The governor the Dataverse clients consult keeps its budget where Xero's are kept (connections/shared_limits.py: the
database, or Redis when REDIS_URL is set), counted the same way (`xero.limits`' budgets, windows and leases): a second
kind of `Budget`, with one window, the user's requests in Dataverse's 5 minutes, and its concurrent requests. So two
workers, the web process's pages and onboarding, and `verify` calling one organisation take from one budget, and
a 429 one of them meets holds back all of them for its Retry-After.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping

from dxconnector import metrics
from dxconnector.dynamics.limits import BudgetBusy, Limits, requests_left
from dxconnector.xero.limits import LEASE_SECONDS, Budget, Pacer, SlotStore, Wait, Window, budget_key, process_store

REQUESTS = "requests"  # the window's name, as the sandbox and Dataverse's error messages name the limit
KIND = "dataverse"
LONGEST_KEY = 300  # SharedBudget.key's length
DATAVERSES_OWN = Limits()


class DataverseGovernor(Pacer):
    """Paces the calls to one organisation as one user (`dynamics.limits.Governor`) to the budget in `store`."""

    system = metrics.DATAVERSE

    def __init__(
        self,
        key: str,
        limits: Limits,
        store: SlotStore,
        time_scale: float = 1.0,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        lease_seconds: float = LEASE_SECONDS,
        max_wait: float | None = None,
    ):
        super().__init__(store, time_scale, clock=clock, sleep=sleep, lease_seconds=lease_seconds, max_wait=max_wait)
        self.limits = limits
        # Our clock and Dataverse's differ by the call's travel time: count the window as a little longer.
        window = limits.window_seconds + 1.0 + store.travel_seconds * time_scale
        self.budget = Budget(
            budget_key(KIND, _short(key), time_scale), (Window(REQUESTS, limits.requests, window),), limits.concurrent
        )
        self.budgets = (self.budget,)

    def _busy(self, wait: Wait, real_seconds: float) -> Exception:
        return BudgetBusy("Dataverse's service protection budget for this organisation is in use by other calls", real_seconds)

    def _heard(self, headers: Mapping[str, str]) -> dict[str, dict[str, int]]:
        left = requests_left(headers)
        return {} if left is None else {self.budget.key: {REQUESTS: left}}

    def back_off(self, retry_after_seconds: float) -> None:
        self.store.block(self.budget, self.now() + max(retry_after_seconds, 0.0) * self.time_scale)


def _short(key: str) -> str:
    """The key itself, or when it would not fit a store's key (a long URL and user name), a digest of it."""
    if len(key) + len(KIND) + 16 <= LONGEST_KEY:
        return key
    return hashlib.sha256(key.encode()).hexdigest()


def governor_for(
    key: str,
    limits: Limits = DATAVERSES_OWN,
    time_scale: float = 1.0,
    *,
    store: SlotStore | None = None,
    max_wait: float | None = None,
) -> DataverseGovernor:
    """A governor for the organisation and user `key` spending from `store`, by default this process's own."""
    return DataverseGovernor(
        key, limits, store if store is not None else process_store(time_scale), time_scale, max_wait=max_wait
    )
