"""Faults on demand: a share of calls answered with 429/500/503, delayed, held until they time out, or
served in full and then cut off before the client hears back.

Every call draws the same three numbers from one `random.Random(seed)`, so a seeded plan fails the
same calls of a sequential run every time. "Timeout" and "drop after commit" close the connection
without an HTTP response, which is what a client sees when a network or a load balancer fails it: the
first never reaches the service, the second reaches it, its change is committed, and its answer is lost.

Rates alone draw a rare kind seldom: at 2 % of calls, a short run may see no dropped answer at all. A plan's
`at_least` makes sure of each kind it names: a kind still short of that many is forced on a call, but only once
`at_least_gap` calls have gone by since the last failure of any kind, so forced failures are spread out and one
request's retries do not meet them back to back. A forced `drop_after_commit` waits for a write (POST, PUT,
PATCH, DELETE, `$batch`) five gaps and one answered write after the last one, whatever failed in between, and
counts only if the service commits it (answers 2xx): a write it refuses is answered as usual and the kind stays
owed; a drawn one counts towards `at_least` only on a write. What is forced depends only on the calls seen (their order, which are writes,
which are committed), so a seeded sequential run still fails the same calls every time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FAILURE_KINDS = ("429", "500", "503", "timeout", "drop_after_commit")
LATENCY = "latency"
KINDS = (*FAILURE_KINDS, LATENCY)
TRANSPORT_KEY = "sandbox.transport"
DROP = "drop_after_commit"
MAX_LOST_ANSWERS_NOTED = 100
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # `$batch` is a POST


@dataclass
class FaultPlan:
    """Rates are shares of calls (0..1). Failures exclude each other; latency comes on top of any."""

    rates: dict[str, float] = field(default_factory=dict)
    latency: tuple[float, float] = (0.0, 0.0)  # real seconds added, uniform in [low, high]; equal ends = fixed
    timeout_seconds: float = 30.0  # how long a "timeout" call is held (real seconds) before its connection is dropped
    seed: int | None = None  # None: keep drawing from the current generator
    at_least: int = 0  # each failure kind with a rate is injected at least this many times (forced if need be)
    at_least_gap: int = 10  # a failure is forced only after this many calls with none injected (a lost answer: 5 ×)

    def __post_init__(self) -> None:
        rates = {str(kind): _number(rate, f"the rate of {kind}") for kind, rate in self.rates.items()}
        unknown = sorted(set(rates) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown fault kind(s): {', '.join(unknown)}; known: {', '.join(KINDS)}")
        if any(not 0 <= rate <= 1 for rate in rates.values()):
            raise ValueError("fault rates are shares of calls, between 0 and 1")
        self.rates = {kind: rate for kind, rate in rates.items() if rate > 0}
        if sum(self.rates.get(kind, 0.0) for kind in FAILURE_KINDS) > 1 + 1e-9:
            raise ValueError("the failure rates add up to more than 1")
        low, high = self.latency
        if low < 0 or high < low:
            raise ValueError("latency must be [low, high] seconds with 0 ≤ low ≤ high")
        if self.timeout_seconds < 0:
            raise ValueError("timeout_seconds must be ≥ 0")
        if self.at_least < 0 or self.at_least_gap < 0:
            raise ValueError("at_least and at_least_gap must be ≥ 0")

    def owed(self, injected: Mapping[str, int]) -> list[str]:
        """The failure kinds of the plan injected fewer than `at_least` times, the furthest behind first."""
        short = [kind for kind in FAILURE_KINDS if kind in self.rates and injected.get(kind, 0) < self.at_least]
        return sorted(short, key=lambda kind: injected.get(kind, 0))  # stable: ties keep FAILURE_KINDS' order

    @classmethod
    def spread(cls, rate: float, *, seed: int | None = None, **options: Any) -> FaultPlan:
        """`rate` of all calls failing, in equal parts 429, 500, 503, timeout and dropped-after-commit."""
        return cls(rates={kind: rate / len(FAILURE_KINDS) for kind in FAILURE_KINDS}, seed=seed, **options)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FaultPlan:
        unknown = sorted(set(data) - {"rates", "latency", "timeout_seconds", "seed", "at_least", "at_least_gap"})
        if unknown:
            raise ValueError(f"unknown field(s): {', '.join(unknown)}")
        latency = data.get("latency", 0.0)
        if isinstance(latency, int | float):
            latency = (latency, latency)
        if not isinstance(latency, list | tuple) or len(latency) != 2:
            raise ValueError("latency is a number of seconds or [low, high]")
        rates = data.get("rates", {})
        if not isinstance(rates, Mapping):
            raise ValueError("rates maps a fault kind to a share of calls")
        seed = data.get("seed")
        if seed is not None:
            seed = _whole(seed, "seed")
        return cls(
            rates=dict(rates),
            latency=(_number(latency[0], "latency"), _number(latency[1], "latency")),
            timeout_seconds=_number(data.get("timeout_seconds", 30.0), "timeout_seconds"),
            seed=seed,
            at_least=_whole(data.get("at_least", 0), "at_least"),
            at_least_gap=_whole(data.get("at_least_gap", 10), "at_least_gap"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "rates": dict(self.rates),
            "latency": list(self.latency),
            "timeout_seconds": self.timeout_seconds,
            "seed": self.seed,
            "at_least": self.at_least,
            "at_least_gap": self.at_least_gap,
        }

    @property
    def active(self) -> bool:
        return bool(self.rates)


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number")
    return float(value)


def _whole(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} is a whole number")
    return value


@dataclass(frozen=True)
class FaultDecision:
    kind: str | None  # one of FAILURE_KINDS, or None to serve the call
    delay: float = 0.0  # real seconds to wait first
    forced: bool = False  # forced to meet the plan's `at_least`, not drawn
    rank: int = 0  # the call's number among those the injector saw since its stats were reset (1 for the first)


class FaultInjector:
    """The plan, its random generator and its counters; decides each call's fate."""

    def __init__(self, plan: FaultPlan | None = None):
        self.plan = FaultPlan()
        self.seed = 0
        self._random = random.Random()
        self._release = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None  # where held calls wait; set by the middleware
        self.set_plan(plan or FaultPlan(seed=secrets.randbits(32)))
        self.reset_stats()

    def set_plan(self, plan: FaultPlan) -> None:
        """Replace the plan; a seed restarts the generator. Calls held as timeouts are let go (dropped).
        The plan's `at_least` counts from now, whatever the stats say (they may be reset meanwhile)."""
        self.plan = plan
        if plan.seed is not None:
            self.seed = plan.seed
            self._random = random.Random(plan.seed)
        self._under_plan = dict.fromkeys(FAILURE_KINDS, 0)
        self._calls_without_failure = self._calls_without_drop = 0
        self._writes_without_drop = 1  # the first write may lose its answer
        self._since_drop_before = (0, 1)
        self._release_held()

    def _release_held(self) -> None:
        """Wake the calls held as timeouts, from the server's loop whichever thread changes the plan."""
        event, self._release = self._release, asyncio.Event()
        loop = self._loop
        if loop is None or loop.is_closed():
            return  # nothing ever waited
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            event.set()
        else:
            loop.call_soon_threadsafe(event.set)

    def decide(self, write: bool = False) -> FaultDecision:
        """The fate of the next call; `write`: it may change something (only a write can be forced to lose
        its answer after the commit)."""
        # Always three draws, whatever the plan, so a call's fate depends only on the seed and its rank.
        fate, delayed, amount = self._random.random(), self._random.random(), self._random.random()
        self.seen += 1
        delay = 0.0
        if delayed < self.plan.rates.get(LATENCY, 0.0):
            low, high = self.plan.latency
            delay = low + (high - low) * amount
            self.injected[LATENCY] += 1
        kind, forced = self._drawn(fate), False
        if kind is None:
            kind = self._forced(write)
            forced = kind is not None
        self._since_drop_before = (self._calls_without_drop, self._writes_without_drop)
        self._calls_without_failure = 0 if kind else self._calls_without_failure + 1
        self._calls_without_drop = 0 if kind == DROP else self._calls_without_drop + 1
        self._writes_without_drop = 0 if kind == DROP else self._writes_without_drop + write
        if kind is not None:
            # A lost answer counts towards `at_least` only on a write: on a read nothing was committed to lose.
            self._count(kind, forced, +1, towards_plan=write or kind != DROP)
        return FaultDecision(kind, delay, forced, self.seen)

    def _drawn(self, fate: float) -> str | None:
        threshold = 0.0
        for kind in FAILURE_KINDS:
            threshold += self.plan.rates.get(kind, 0.0)
            if fate < threshold:
                return kind
        return None

    def _forced(self, write: bool) -> str | None:
        """The kind furthest behind the plan's `at_least` that this call can carry, once its gap has passed.

        Writes are few (most calls read), and many follow a failure at once (a retry): a lost answer keeps a gap of
        its own since the last one, so other kinds forced on the reads in between do not keep putting it off. That
        gap is the spacing each kind gets when all five are owed (five gaps), so the lost answers fall on writes
        across the run (a sync's contacts, items, invoices…) rather than on its first few; and it waits for a write
        answered since (the one it fell on, sent again), so a retry is not dropped in turn."""
        owed = self.plan.owed(self._under_plan)
        drop_gap = self.plan.at_least_gap * len(FAILURE_KINDS)  # the spacing each kind gets when all are owed
        if write and DROP in owed and self._calls_without_drop >= drop_gap and self._writes_without_drop >= 1:
            return DROP
        if self._calls_without_failure < self.plan.at_least_gap:
            return None
        return next((kind for kind in owed if kind != DROP), None)

    def not_committed(self, decision: FaultDecision) -> None:
        """A forced drop after commit whose write the service refused: it was answered as usual and is still owed,
        and the next write may carry it (calls decided since, if any ran alongside, are not counted again)."""
        self._count(decision.kind or "", decision.forced, -1)
        calls, writes = self._since_drop_before
        self._calls_without_drop, self._writes_without_drop = calls + 1, writes + 1

    def answer_lost(self, decision: FaultDecision, method: str, path: str) -> None:
        """A call ran (its change committed) and its answer was dropped: noted, so a run can tell which."""
        if len(self.lost_answers) < MAX_LOST_ANSWERS_NOTED:
            self.lost_answers.append(f"{decision.rank}: {method} {path}")

    def _count(self, kind: str, forced: bool, step: int, *, towards_plan: bool = True) -> None:
        self.injected[kind] += step
        if towards_plan:
            self._under_plan[kind] += step
        if forced:
            self.forced[kind] += step

    def release_event(self) -> asyncio.Event:
        """What a held call waits on besides its timeout (set when the plan changes)."""
        self._loop = asyncio.get_running_loop()
        return self._release

    def reset_stats(self) -> None:
        self.seen = 0
        self.injected = dict.fromkeys(KINDS, 0)
        self.forced = dict.fromkeys(FAILURE_KINDS, 0)
        self.lost_answers: list[str] = []  # "rank: METHOD /path" of the calls that ran and lost their answer (the first ones)

    def stats(self) -> dict[str, Any]:
        return {
            "plan": self.plan.to_json(),
            "seed": self.seed,
            "calls_seen": self.seen,
            "injected": dict(self.injected),
            "failures_injected": sum(self.injected[kind] for kind in FAILURE_KINDS),
            "forced": dict(self.forced),  # of those injected, how many the plan's `at_least` forced
            "lost_answers": list(self.lost_answers),
            "short_of_at_least": {kind: self.plan.at_least - self._under_plan[kind] for kind in self.plan.owed(self._under_plan)},
        }


# --- ASGI ---------------------------------------------------------------------------

ErrorResponse = Callable[[str], tuple[int, list[tuple[bytes, bytes]], bytes]]


def default_error_response(kind: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    status = int(kind)
    titles = {429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}
    body = json.dumps({"Title": titles[status], "Status": status, "Detail": "Injected fault"}).encode()
    headers = [(b"content-type", b"application/json")]
    if status in (429, 503):
        headers.append((b"retry-after", b"1"))
    return status, headers, body


class ExposeTransport:
    """Outermost layer: keeps the server's connection in the scope so an inner layer can cut it.

    ASGI has no "close without answering"; uvicorn's send is a method of its request cycle, which holds
    the transport. Middleware further in wraps `send`, so the transport is picked up here, first.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and TRANSPORT_KEY not in scope:
            scope[TRANSPORT_KEY] = getattr(getattr(send, "__self__", None), "transport", None)
        await self.app(scope, receive, send)


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def drop_connection(scope: Scope, receive: Receive, send: Send) -> None:
    """Close the connection without an HTTP response (the client sees a network error)."""
    transport = scope.get(TRANSPORT_KEY) or getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        # No transport to cut: start a response and never finish it, which servers answer by closing.
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]})
        return
    transport.abort()
    with contextlib.suppress(asyncio.TimeoutError):
        # Let the server notice, so it does not try to answer a connection that is gone.
        await asyncio.wait_for(_until_disconnect(receive), timeout=2)


class FaultMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        injector: FaultInjector,
        *,
        exempt_prefixes: Iterable[str] = (),
        error_response: ErrorResponse = default_error_response,
    ):
        self.app = app
        self.injector = injector
        self.exempt_prefixes = tuple(exempt_prefixes)
        self.error_response = error_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes) or not self.injector.plan.active:
            await self.app(scope, receive, send)
            return
        decision = self.injector.decide(write=scope["method"] in WRITE_METHODS)
        if decision.delay:
            await asyncio.sleep(decision.delay)
        if decision.kind is None:
            await self.app(scope, receive, send)
        elif decision.kind == "timeout":
            await self._hold(receive)
            await drop_connection(scope, receive, send)
        elif decision.kind == "drop_after_commit" and decision.forced:
            await self._drop_if_committed(decision, scope, receive, send)
        elif decision.kind == "drop_after_commit":
            await self.app(scope, receive, _swallow)
            self.injector.answer_lost(decision, scope["method"], scope["path"])
            await drop_connection(scope, receive, send)
        else:
            status, headers, body = self.error_response(decision.kind)
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [*headers, (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})

    async def _drop_if_committed(self, decision: FaultDecision, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the write; drop its answer if the service committed it (2xx), else pass the answer on."""
        answer: list[Message] = []

        async def keep(message: Message) -> None:
            answer.append(message)

        await self.app(scope, receive, keep)
        status = next((int(message["status"]) for message in answer if message["type"] == "http.response.start"), 0)
        if 200 <= status < 300:
            self.injector.answer_lost(decision, scope["method"], scope["path"])
            await drop_connection(scope, receive, send)
            return
        self.injector.not_committed(decision)
        for message in answer:
            await send(message)

    async def _hold(self, receive: Receive) -> None:
        """Wait out the plan's timeout, or until the client gives up, or until the plan changes."""
        waits = [asyncio.ensure_future(_until_disconnect(receive)), asyncio.ensure_future(self.injector.release_event().wait())]
        try:
            await asyncio.wait(waits, timeout=self.injector.plan.timeout_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
            await asyncio.gather(*waits, return_exceptions=True)


async def _swallow(message: Message) -> None:
    """The response of a call that is dropped after it ran: nobody will hear it."""
