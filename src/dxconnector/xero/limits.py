"""Staying inside Xero's limits: per organisation 5 calls in flight, 60 a minute, 5,000 a day; per app (every
organisation the app calls, from every process) 10,000 a minute.

The governor spends each call from budgets kept in a `SlotStore`: the organisation's (its tenant id) and, for a client
that names its app, the app's (its client id). A store may be this process's memory (`MemorySlotStore`, the default)
or shared by every process on every machine (the connections layer gives its clients one in the database or in
Redis): only then do two workers and the web process stop each believing they have the whole budget to themselves.

The governor counts its own calls in rolling windows, believes the server when its `X-MinLimit-Remaining` /
`X-DayLimit-Remaining` / `X-AppMinLimit-Remaining` headers say less is left (callers the store does not hear of may
be calling too), and after a 429 holds back every caller of the store for `Retry-After`. A call holds a lease on one
of the organisation's concurrent slots; a lease not given back (its process was killed) frees itself after
`lease_seconds`. Time is measured in "Xero seconds": real seconds times `time_scale`, which is 1 against Xero and
larger against a time-scaled sandbox.

The counting is the same whatever the store: `take_from`, `settle_in` and `block_in` work on a `BudgetState`, which a
shared store loads, changes under its lock and saves.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from dxconnector import metrics
from dxconnector.xero.errors import RateLimited

MINUTE = 60.0
DAY = 24 * 3600.0
MINUTE_HEADER, DAY_HEADER, APP_MINUTE_HEADER = "X-MinLimit-Remaining", "X-DayLimit-Remaining", "X-AppMinLimit-Remaining"
# The windows, named as Xero's X-Rate-Limit-Problem names the limit a 429 was for; and the other reasons to wait.
PER_MINUTE, PER_DAY, APP_PER_MINUTE = "minute", "day", "appminute"
CONCURRENT, BLOCKED = "concurrent", "blocked"
# A window with a limit above this counts its calls in this many slices of it rather than one by one (5,000 a day,
# 10,000 a minute): a call then counts until its slice has left the window, a little longer than itself, never shorter.
SLICES = 60
# A call's slot is held for at most this long (real seconds) when its process dies without giving it back: longer than
# any call takes (XeroApiConfig.timeout is 60 s per read).
LEASE_SECONDS = 120.0
# How long a caller waits (real seconds) before asking again for a slot while all of them are in use: first, and at most.
FIRST_POLL, LONGEST_POLL = 0.01, 0.1


@dataclass(frozen=True)
class Limits:
    concurrent: int = 5
    per_minute: int = 60
    per_day: int = 5000
    app_per_minute: int = 10_000  # the app's, across all its organisations


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


# --- budgets and their state ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """At most `limit` calls in any `seconds` (Xero seconds); `name` is the limit Xero names in a 429 for it."""

    name: str
    limit: int
    seconds: float

    @property
    def slice(self) -> float:
        """Calls less than this apart are counted together (0: one by one)."""
        return 0.0 if self.limit <= SLICES else self.seconds / SLICES


@dataclass(frozen=True)
class Budget:
    """One budget a call spends from: its key in the store (an organisation's, an app's), its windows, and how many of
    its calls may be in flight at once (None: no such limit)."""

    key: str
    windows: tuple[Window, ...]
    concurrent: int | None = None


@dataclass(frozen=True)
class Wait:
    """Why a call may not go yet, and for how long (Xero seconds; 0 for a slot, which is asked for again shortly)."""

    seconds: float
    problem: str


Entry = list[float]  # [first call, last call, calls]: calls counted together, until `last` leaves the window


@dataclass
class BudgetState:
    """What a store keeps of one budget: the calls counted in each window (oldest first), the leases on its concurrent
    slots (token → when it expires), and until when Xero asked everyone to stand back."""

    windows: dict[str, list[Entry]] = field(default_factory=dict)
    leases: dict[str, float] = field(default_factory=dict)
    blocked_until: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"windows": self.windows, "leases": self.leases, "blocked_until": self.blocked_until}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> BudgetState:
        data = data or {}
        return cls(
            windows={
                name: [[float(x) for x in entry] for entry in entries] for name, entries in (data.get("windows") or {}).items()
            },
            leases={token: float(until) for token, until in (data.get("leases") or {}).items()},
            blocked_until=float(data.get("blocked_until") or 0.0),
        )


def _calls(entries: Sequence[Entry]) -> int:
    return int(sum(entry[2] for entry in entries))


def _forget(state: BudgetState, budget: Budget, now: float) -> None:
    """Drop the calls that have left their windows and the leases that have expired."""
    for window in budget.windows:
        entries = state.windows.get(window.name)
        if entries:
            state.windows[window.name] = [entry for entry in entries if entry[1] > now - window.seconds]
    state.leases = {token: until for token, until in state.leases.items() if until > now}


def _window_wait(entries: Sequence[Entry], window: Window, now: float) -> float:
    """Xero seconds until one more call fits in the window (0: it fits now)."""
    excess = _calls(entries) - window.limit + 1  # calls that must leave the window first
    if excess <= 0:
        return 0.0
    for entry in sorted(entries, key=lambda entry: entry[1]):
        excess -= int(entry[2])
        if excess <= 0:
            return max(entry[1] + window.seconds - now, 1e-3)
    return window.seconds  # a limit of 0


def _wait_needed(state: BudgetState, budget: Budget, now: float) -> Wait | None:
    if state.blocked_until > now:
        return Wait(state.blocked_until - now, BLOCKED)
    waits = [
        Wait(seconds, window.name)
        for window in budget.windows
        if (seconds := _window_wait(state.windows.get(window.name, []), window, now)) > 0
    ]
    if waits:
        return max(waits, key=lambda wait: wait.seconds)
    if budget.concurrent is not None and len(state.leases) >= budget.concurrent:
        return Wait(0.0, CONCURRENT)
    return None


def _count(entries: list[Entry], window: Window, now: float, calls: int = 1) -> None:
    last = entries[-1] if entries else None
    if last is not None and window.slice > 0 and last[0] <= now < last[0] + window.slice and now >= last[1]:
        last[1], last[2] = now, last[2] + calls
    else:
        entries.append([now, now, float(calls)])
        if last is not None and now < last[1]:  # another machine's clock, a little behind: keep the entries in order
            entries.sort(key=lambda entry: entry[1])


def take_from(
    states: Mapping[str, BudgetState], budgets: Sequence[Budget], token: str, now: float, lease_until: float
) -> Wait | None:
    """Spend one call from every budget and hold a lease `token` on their slots until `lease_until` — or, when any of
    them cannot, spend nothing and say how long to wait (the longest; a day's limit before anything else)."""
    for budget in budgets:
        _forget(states[budget.key], budget, now)
    waits = [wait for budget in budgets if (wait := _wait_needed(states[budget.key], budget, now)) is not None]
    if waits:
        return max(waits, key=lambda wait: (wait.problem == PER_DAY, wait.seconds))
    for budget in budgets:
        state = states[budget.key]
        for window in budget.windows:
            _count(state.windows.setdefault(window.name, []), window, now)
        if budget.concurrent is not None:
            state.leases[token] = lease_until
    return None


def settle_in(
    states: Mapping[str, BudgetState],
    budgets: Sequence[Budget],
    now: float,
    token: str | None,
    heard: Mapping[str, Mapping[str, int]],
) -> None:
    """Give back the lease `token` (if any), and believe what the server said is left (`heard`: budget key → window
    name → calls left) where it is less than the budget counts: calls it counted that we did not make are counted now,
    and leave the window like ours."""
    for budget in budgets:
        state = states[budget.key]
        _forget(state, budget, now)
        if token is not None:
            state.leases.pop(token, None)
        for window in budget.windows:
            server_left = heard.get(budget.key, {}).get(window.name)
            if server_left is None:
                continue
            entries = state.windows.setdefault(window.name, [])
            missing = (window.limit - _calls(entries)) - server_left
            if missing > 0:
                _count(entries, window, now, missing)


def block_in(state: BudgetState, until: float) -> None:
    state.blocked_until = max(state.blocked_until, until)


# --- stores ------------------------------------------------------------------------------------------------------------


class SlotStore(Protocol):
    """Where budgets are kept. Each method is atomic for the budgets it is given, across everyone sharing the store."""

    @property
    def travel_seconds(self) -> float:
        """How long (real seconds) a call may take from being granted to being counted by Xero: a window is counted
        that much longer than Xero's, so a call granted early but late to arrive is still in it."""
        ...

    def now(self) -> float:
        """Real seconds on the clock every caller sharing the store reads."""
        ...

    def take(self, budgets: Sequence[Budget], token: str, now: float, lease_until: float) -> Wait | None:
        """`take_from` the stored budgets."""
        ...

    def settle(self, budgets: Sequence[Budget], now: float, token: str | None, heard: Mapping[str, Mapping[str, int]]) -> None:
        """`settle_in` the stored budgets."""
        ...

    def block(self, budget: Budget, until: float) -> None:
        """Nobody sharing the store spends from `budget` before `until` (Xero seconds)."""
        ...


class MemorySlotStore:
    """Budgets in this process's memory: shared by its threads, by no other process."""

    travel_seconds = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, BudgetState] = {}

    def now(self) -> float:
        return time.monotonic()

    def _states_of(self, budgets: Sequence[Budget]) -> dict[str, BudgetState]:
        return {budget.key: self._states.setdefault(budget.key, BudgetState()) for budget in budgets}

    def take(self, budgets: Sequence[Budget], token: str, now: float, lease_until: float) -> Wait | None:
        with self._lock:
            return take_from(self._states_of(budgets), budgets, token, now, lease_until)

    def settle(self, budgets: Sequence[Budget], now: float, token: str | None, heard: Mapping[str, Mapping[str, int]]) -> None:
        with self._lock:
            settle_in(self._states_of(budgets), budgets, now, token, heard)

    def block(self, budget: Budget, until: float) -> None:
        with self._lock:
            block_in(self._states_of([budget])[budget.key], until)


# --- the governor ------------------------------------------------------------------------------------------------------


class BudgetBusy(RateLimited):
    """The call would have had to wait longer for budget than its caller's `max_wait` (a page's): not a 429 from Xero,
    so nobody else is held back for it."""


class Call:
    """A call holding its slot: told the answer's headers, which the governor believes when the slot is given back."""

    def __init__(self) -> None:
        self.headers: Mapping[str, str] = {}

    def heard(self, headers: Mapping[str, str]) -> None:
        self.headers = headers


class Pacer:
    """What a governor of either API does with its budgets (`budgets`, set by the subclass) in `store`: before each call
    take a slot of each, waiting as the store says (`metrics` counts the waits under `system`), or, past `max_wait`,
    refuse with the subclass's `_busy`; after it give the slot back with what the answer said is left (`_heard`).

    Time is counted in the API's seconds: real seconds times `time_scale` (1 against the API, larger against a
    time-scaled sandbox)."""

    system = ""
    budgets: tuple[Budget, ...] = ()

    def __init__(
        self,
        store: SlotStore,
        time_scale: float,
        *,
        clock: Callable[[], float] | None,
        sleep: Callable[[float], None],
        lease_seconds: float,
        max_wait: float | None,
    ):
        self.store = store
        self.time_scale = time_scale
        self._clock = clock or store.now
        self._sleep = sleep
        self.lease_seconds = lease_seconds
        self.max_wait = max_wait  # real seconds a call may wait for budget before BudgetBusy (None: as long as it takes)
        self.waited_seconds = 0.0  # real seconds spent waiting for budget, for reports

    def now(self) -> float:
        return self._clock() * self.time_scale

    @contextmanager
    def slot(self) -> Iterator[Call]:
        """Hold one of the concurrent slots and one call of each budget; tell the yielded `Call` the answer's headers,
        believed when the slot is given back."""
        token = uuid.uuid4().hex
        self._take(token)
        call = Call()
        try:
            yield call
        finally:
            self.store.settle(self.budgets, self.now(), token, self._heard(call.headers))

    def _take(self, token: str) -> None:
        poll, waited = FIRST_POLL, 0.0
        while True:
            now = self.now()
            wait = self.store.take(self.budgets, token, now, now + self.lease_seconds * self.time_scale)
            if wait is None:
                return
            self._refuse_if_far(wait)
            real = poll if wait.problem == CONCURRENT else wait.seconds / self.time_scale
            if self.max_wait is not None and waited + real > self.max_wait:
                raise self._busy(wait, real)
            waited += real
            if wait.problem == CONCURRENT:  # nobody can say when a call ends: ask again shortly
                self._sleep(poll)
                poll = min(poll * 2, LONGEST_POLL)
                continue
            self.waited_seconds += real
            metrics.api_wait(self.system, real)
            self._sleep(real)

    def _refuse_if_far(self, wait: Wait) -> None:
        """Raise when `wait` is too long to sleep through at all (the caller should stop and come back)."""

    def _busy(self, wait: Wait, real_seconds: float) -> Exception:
        raise NotImplementedError

    def _heard(self, headers: Mapping[str, str]) -> dict[str, dict[str, int]]:
        raise NotImplementedError


class RateGovernor(Pacer):
    """Paces one organisation's calls (and, with `app_id`, the app's) to the budgets in `store` (by default its own)."""

    system = metrics.XERO

    def __init__(
        self,
        limits: Limits = Limits(),
        time_scale: float = 1.0,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        *,
        store: SlotStore | None = None,
        tenant_id: str = "",
        app_id: str = "",
        lease_seconds: float = LEASE_SECONDS,
        max_wait: float | None = None,
    ):
        store = store if store is not None else MemorySlotStore()
        super().__init__(store, time_scale, clock=clock, sleep=sleep, lease_seconds=lease_seconds, max_wait=max_wait)
        self.limits = limits
        # Our clock and Xero's differ by the call's travel time: count a minute as a little longer.
        self.minute = MINUTE + 1.0 + self.store.travel_seconds * time_scale
        self.organisation = Budget(
            budget_key("xero-org", tenant_id or "identity", time_scale),
            (Window(PER_MINUTE, limits.per_minute, self.minute), Window(PER_DAY, limits.per_day, DAY)),
            limits.concurrent,
        )
        self.app = (
            Budget(budget_key("xero-app", app_id, time_scale), (Window(APP_PER_MINUTE, limits.app_per_minute, self.minute),))
            if app_id
            else None
        )
        self.budgets = (self.organisation,) if self.app is None else (self.app, self.organisation)

    def _refuse_if_far(self, wait: Wait) -> None:
        if wait.problem == PER_DAY:
            # Hours away: the caller should stop and come back, not hold a worker asleep.
            raise RateLimited(
                "Xero's daily limit for this organisation is used up", retry_after=wait.seconds / self.time_scale, problem="day"
            )

    def _busy(self, wait: Wait, real_seconds: float) -> Exception:
        return BudgetBusy(
            "Xero's budget for this organisation is in use by other calls", retry_after=real_seconds, problem=wait.problem
        )

    def _heard(self, headers: Mapping[str, str]) -> dict[str, dict[str, int]]:
        said = {
            (self.organisation.key, PER_MINUTE): remaining(headers, MINUTE_HEADER),
            (self.organisation.key, PER_DAY): remaining(headers, DAY_HEADER),
        }
        if self.app is not None:
            said[(self.app.key, APP_PER_MINUTE)] = remaining(headers, APP_MINUTE_HEADER)
        heard: dict[str, dict[str, int]] = {}
        for (key, window), left in said.items():
            if left is not None:
                heard.setdefault(key, {})[window] = left
        return heard

    def observe(self, headers: Mapping[str, str]) -> None:
        """Trust the server's count when it says less is left than ours does."""
        heard = self._heard(headers)
        if heard:
            self.store.settle(self.budgets, self.now(), None, heard)

    def back_off(self, retry_after_seconds: float, problem: str = "") -> None:
        """After a 429: nobody sharing the store calls this organisation (or, when the app's limit was the problem, any
        organisation) until Retry-After has passed."""
        budget = self.app if self.app is not None and problem.lower().startswith("app") else self.organisation
        self.store.block(budget, self.now() + max(retry_after_seconds, 0.0) * self.time_scale)


def budget_key(kind: str, key: str, time_scale: float) -> str:
    """A budget's key in a store; a time-scaled sandbox's apart from Xero's, as their seconds are not the same."""
    return f"{kind}:{key}" if time_scale == 1 else f"{kind}:{key}@{time_scale:g}x"


_memory_stores: dict[float, MemorySlotStore] = {}
_memory_stores_lock = threading.Lock()


def process_store(time_scale: float = 1.0) -> MemorySlotStore:
    """This process's own budgets (one store per time scale, as their seconds are not the same)."""
    with _memory_stores_lock:
        return _memory_stores.setdefault(time_scale, MemorySlotStore())


def governor_for(
    tenant_id: str,
    time_scale: float = 1.0,
    limits: Limits = Limits(),
    *,
    app_id: str = "",
    store: SlotStore | None = None,
    lease_seconds: float = LEASE_SECONDS,
    max_wait: float | None = None,
) -> RateGovernor:
    """A governor for the organisation spending from `store`, by default this process's own, so every client of the
    organisation in the process shares its budget."""
    return RateGovernor(
        limits,
        time_scale,
        store=store if store is not None else process_store(time_scale),
        tenant_id=tenant_id,
        app_id=app_id,
        lease_seconds=lease_seconds,
        max_wait=max_wait,
    )
