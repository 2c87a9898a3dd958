"""Xero's budgets, and Dataverse's (connections/dataverse_limits.py), shared by every process on every machine: in the
database (the default), or in Redis when REDIS_URL is set (settings.XERO_BUDGET_STORE, which names the store of both).

Two workers and the web process calling one organisation each spend from the same budget: each call takes a call of the
organisation's minute and day and of the app's minute, and a lease on one of the organisation's five slots (a Dataverse
call: one of the user's requests in 5 minutes, and one of its 52 slots), in one atomic step — in the database under the
budget rows' lock (`SELECT … FOR UPDATE` on PostgreSQL, an IMMEDIATE transaction on SQLite), in Redis in a transaction
that fails and is tried again if another process changed the budget meanwhile (WATCH / MULTI). The counting itself is `xero.limits`', the same whatever the store.

A call granted through a shared store travels longer before the API counts it (the store's commit, other processes' turns
on the machine's cores): its windows are counted TRAVEL_SECONDS longer than the API's.

Every process must read the same clock: the stores count in wall-clock seconds (machines kept in time, as NTP does).

A store that cannot be reached (the database restarting, Redis down) does not stop the calls: the process keeps to its
own count meanwhile (`FallingBack`), and says so in the log.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import TypeVar, cast

import redis
from django.conf import settings
from django.db import Error as DatabaseFailure
from django.db import connection, transaction

from dxconnector.connections.models import SharedBudget
from dxconnector.xero.limits import (
    Budget,
    BudgetState,
    MemorySlotStore,
    SlotStore,
    Wait,
    block_in,
    settle_in,
    take_from,
)

logger = logging.getLogger(__name__)

TRAVEL_SECONDS = 0.25  # real seconds; at Xero's own pace (time scale 1) a minute is counted as 61.25 seconds

T = TypeVar("T")
States = dict[str, BudgetState]
Change = Callable[[States], tuple[T, bool]]  # what a change of the budgets answers, and whether it changed them


def _keys(budgets: Sequence[Budget]) -> list[str]:
    """The budgets' keys in one order for everyone, so two processes locking the same two budgets never deadlock."""
    return sorted({budget.key for budget in budgets})


def _take(budgets: Sequence[Budget], token: str, now: float, lease_until: float) -> Change[Wait | None]:
    def change(states: States) -> tuple[Wait | None, bool]:
        wait = take_from(states, budgets, token, now, lease_until)
        return wait, wait is None

    return change


def _settle(budgets: Sequence[Budget], now: float, token: str | None, heard: Mapping[str, Mapping[str, int]]) -> Change[None]:
    def change(states: States) -> tuple[None, bool]:
        settle_in(states, budgets, now, token, heard)
        return None, True

    return change


def _block(budget: Budget, until: float) -> Change[None]:
    def change(states: States) -> tuple[None, bool]:
        block_in(states[budget.key], until)
        return None, True

    return change


class SharedStore:
    """What a shared store does with budgets — take a slot, settle a call, block for a while — each one change of their
    states, made whole by the store's own `_change` (a transaction, or WATCH/MULTI)."""

    travel_seconds = TRAVEL_SECONDS

    def now(self) -> float:
        return time.time()

    def take(self, budgets: Sequence[Budget], token: str, now: float, lease_until: float) -> Wait | None:
        return self._change(budgets, _take(budgets, token, now, lease_until))

    def settle(self, budgets: Sequence[Budget], now: float, token: str | None, heard: Mapping[str, Mapping[str, int]]) -> None:
        self._change(budgets, _settle(budgets, now, token, heard))

    def block(self, budget: Budget, until: float) -> None:
        self._change([budget], _block(budget, until))

    def _change(self, budgets: Sequence[Budget], change: Change[T]) -> T:
        raise NotImplementedError


class DatabaseSlotStore(SharedStore):
    """Budgets in the `SharedBudget` table, one row each. Each change is a short transaction of its own on the process's
    connection (inside a caller's transaction it is a savepoint of it, and its locks last as long as that one)."""

    def _change(self, budgets: Sequence[Budget], change: Change[T]) -> T:
        keys = _keys(budgets)
        while True:
            with transaction.atomic():
                rows = {row.key: row for row in SharedBudget.objects.select_for_update().filter(key__in=keys).order_by("key")}
                if len(rows) == len(keys):
                    states = {key: BudgetState.from_json(rows[key].state) for key in keys}
                    answer, changed = change(states)
                    if changed:
                        for key in keys:
                            SharedBudget.objects.filter(pk=rows[key].pk).update(state=states[key].to_json())
                    return answer
            # A budget no process has spent from yet: its row is made on its own, holding no lock (made while holding one,
            # two processes each making the row the other then locks would deadlock), and all are locked again, in order.
            SharedBudget.objects.bulk_create([SharedBudget(key=key) for key in keys if key not in rows], ignore_conflicts=True)


# Redis forgets a budget nobody has spent from for this long (real seconds): longer than its longest window, a day.
REDIS_TTL_SECONDS = 2 * 24 * 3600


class RedisSlotStore(SharedStore):
    """Budgets in Redis, one key each (`prefix` + the budget's key) holding its state as JSON. A change reads the keys
    under WATCH and writes them in MULTI/EXEC: if another process wrote one meanwhile, nothing is written and the change
    is made again from what that process left."""

    def __init__(self, client: redis.Redis, prefix: str = "dxconnector:budget:"):
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "dxconnector:budget:") -> RedisSlotStore:
        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5), prefix)

    def _change(self, budgets: Sequence[Budget], change: Change[T]) -> T:
        keys = _keys(budgets)
        names = [self.prefix + key for key in keys]
        while True:
            with self.client.pipeline() as pipe:
                try:
                    pipe.watch(*names)  # type: ignore[no-untyped-call]  # redis-py leaves it untyped
                    stored = cast(list[bytes | None], pipe.mget(names))  # a sync client's answer
                    states = {
                        key: BudgetState.from_json(json.loads(raw) if raw else None)
                        for key, raw in zip(keys, stored, strict=True)
                    }
                    answer, changed = change(states)
                    if changed:
                        pipe.multi()
                        for key, name in zip(keys, names, strict=True):
                            pipe.set(name, json.dumps(states[key].to_json()), ex=REDIS_TTL_SECONDS)
                        pipe.execute()
                    return answer
                except redis.WatchError:
                    continue  # another process changed a budget between our read and our write: again, from its


class FallingBack:
    """A shared store that, while it cannot be reached, leaves the process to its own count (`MemorySlotStore`) rather
    than stop its calls. A slot taken from either store is given back to that store."""

    def __init__(self, shared: SlotStore, failures: tuple[type[Exception], ...]):
        self.shared = shared
        self.failures = failures
        self.local = MemorySlotStore()
        self._lock = threading.Lock()
        self._local_tokens: set[str] = set()

    @property
    def travel_seconds(self) -> float:
        return self.shared.travel_seconds

    def now(self) -> float:
        return self.shared.now()

    def take(self, budgets: Sequence[Budget], token: str, now: float, lease_until: float) -> Wait | None:
        try:
            return self.shared.take(budgets, token, now, lease_until)
        except self.failures:
            self._unreachable("take a call from")
        wait = self.local.take(budgets, token, now, lease_until)
        if wait is None:
            with self._lock:
                self._local_tokens.add(token)
        return wait

    def settle(self, budgets: Sequence[Budget], now: float, token: str | None, heard: Mapping[str, Mapping[str, int]]) -> None:
        with self._lock:
            local = token is not None and token in self._local_tokens
            self._local_tokens.discard(token or "")
        if local:
            self.local.settle(budgets, now, token, heard)
            token = None  # the shared store still hears what the server said
        try:
            self.shared.settle(budgets, now, token, heard)
        except self.failures:
            self._unreachable("give back a call to")

    def block(self, budget: Budget, until: float) -> None:
        self.local.block(budget, until)
        try:
            self.shared.block(budget, until)
        except self.failures:
            self._unreachable("hold back callers of")

    def _unreachable(self, doing: str) -> None:
        logger.warning("could not %s the shared API budget; this process keeps to its own count meanwhile", doing, exc_info=True)
        if isinstance(self.shared, DatabaseSlotStore) and not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()  # a restarted database: the next call opens a new connection


@cache
def _store(kind: str, redis_url: str, redis_prefix: str) -> SlotStore | None:
    if kind == "redis":
        return FallingBack(RedisSlotStore.from_url(redis_url, redis_prefix), (redis.RedisError,))
    if kind == "database":
        return FallingBack(DatabaseSlotStore(), (DatabaseFailure,))
    return None


def shared_store() -> SlotStore | None:
    """The store every process's Xero and Dataverse clients spend from, as the settings choose it (None: each process its
    own)."""
    return _store(settings.XERO_BUDGET_STORE, settings.REDIS_URL, settings.XERO_BUDGET_REDIS_PREFIX)
