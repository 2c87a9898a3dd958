"""The generic rate limiter: as a pure unit on a fake clock, then as ASGI middleware over real sockets."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.common.limits import LimitPolicy, RateLimiter, RateLimitMiddleware, Rule, real_retry_after
from tests.sandbox.common.asgi_server import serve_in_thread


class FakeClock:
    def __init__(self, scale: float = 1.0):
        self.scale = scale
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def rules(concurrent=5, minute=60, day=5000, app_minute=10_000) -> list[Rule]:
    return [
        Rule("day", "tenant", day, 86_400),
        Rule("minute", "tenant", minute, 60),
        Rule("appminute", "app", app_minute, 60),
        Rule("concurrent", "tenant", concurrent, None),
    ]


def call(limiter: RateLimiter, tenant: str = "t1", app: str = "a1"):
    decision = limiter.acquire({"tenant": tenant, "app": app})
    limiter.release(decision)
    return decision


def test_the_minute_limit_counts_down_and_then_refuses():
    clock = FakeClock()
    limiter = RateLimiter(rules(), clock)
    remaining = [call(limiter).remaining["minute"] for _ in range(60)]
    assert remaining == list(range(59, -1, -1))
    clock.advance(20)
    refused = call(limiter)
    assert (refused.allowed, refused.problem) == (False, "minute")
    assert refused.retry_after == pytest.approx(40)  # the first call leaves the window 60 s after it was made
    assert refused.remaining == {"day": 5000 - 60, "minute": 0, "appminute": 10_000 - 60}


def test_the_window_rolls():
    clock = FakeClock()
    limiter = RateLimiter(rules(minute=2), clock)
    assert call(limiter).allowed
    clock.advance(30)
    assert call(limiter).allowed
    clock.advance(29)
    assert call(limiter).problem == "minute"
    clock.advance(1.5)  # the first call has left the window, the second has not
    assert call(limiter).allowed
    assert call(limiter).problem == "minute"


def test_refused_calls_consume_nothing():
    clock = FakeClock()
    limiter = RateLimiter(rules(minute=3), clock)
    for _ in range(3):
        call(limiter)
    for _ in range(10):
        assert not call(limiter).allowed
    clock.advance(60)
    assert [call(limiter).allowed for _ in range(4)] == [True, True, True, False]
    assert limiter.stats()["rate_limited"]["minute"] == 11
    assert limiter.stats()["admitted"] == 6


def test_the_day_limit_is_reported_before_the_minute_one():
    clock = FakeClock()
    limiter = RateLimiter(rules(minute=2, day=2), clock)
    call(limiter), call(limiter)
    refused = call(limiter)
    assert refused.problem == "day"
    assert refused.retry_after == pytest.approx(86_400)
    clock.advance(60)
    assert call(limiter).problem == "day"


def test_the_app_limit_spans_tenants_and_tenant_limits_do_not():
    limiter = RateLimiter(rules(minute=2, app_minute=3), FakeClock())
    assert call(limiter, "t1").allowed and call(limiter, "t1").allowed
    assert call(limiter, "t1").problem == "minute"
    assert call(limiter, "t2").allowed
    assert call(limiter, "t2").problem == "appminute"
    assert call(limiter, "t3", app="another").allowed


def test_calls_in_flight_are_limited_per_tenant_and_peaks_are_kept():
    limiter = RateLimiter(rules(concurrent=2), FakeClock())
    first, second = limiter.acquire({"tenant": "t1", "app": "a"}), limiter.acquire({"tenant": "t1", "app": "a"})
    third = limiter.acquire({"tenant": "t1", "app": "a"})
    assert (third.allowed, third.problem) == (False, "concurrent")
    assert real_retry_after(third.retry_after, 1) == 1
    assert limiter.acquire({"tenant": "t2", "app": "a"}).allowed
    limiter.release(first)
    limiter.release(first)  # releasing twice frees one slot only
    assert limiter.acquire({"tenant": "t1", "app": "a"}).allowed
    assert not limiter.acquire({"tenant": "t1", "app": "a"}).allowed
    stats = limiter.stats()
    assert stats["in_flight_peak"]["tenant"] == {"t1": 2, "t2": 1}
    assert stats["in_flight"]["tenant"] == {"t1": 2, "t2": 1}
    assert stats["rate_limited"]["concurrent"] == 2
    limiter.release(second)


def test_a_refund_gives_the_quota_back():
    limiter = RateLimiter(rules(minute=1), FakeClock())
    decision = limiter.acquire({"tenant": "t1", "app": "a"})
    limiter.refund(decision)
    limiter.release(decision)
    assert call(limiter).allowed


def test_disabled_limits_never_refuse_but_still_count():
    limiter = RateLimiter(rules(minute=1, concurrent=1), FakeClock(), enabled=False)
    held = [limiter.acquire({"tenant": "t1", "app": "a"}) for _ in range(5)]
    assert all(decision.allowed for decision in held)
    assert limiter.stats()["in_flight_peak"]["tenant"]["t1"] == 5
    assert limiter.stats()["rate_limited_total"] == 0


def test_configure_changes_limits_by_name():
    limiter = RateLimiter(rules(), FakeClock())
    assert limiter.configure(limits={"minute": 1})["minute"] == 1
    assert call(limiter).allowed and not call(limiter).allowed
    limiter.configure(reset_usage=True)
    assert call(limiter).allowed
    with pytest.raises(ValueError, match="unknown limit"):
        limiter.configure(limits={"hourly": 3})
    with pytest.raises(ValueError, match="whole number"):
        limiter.configure(limits={"minute": -1})
    assert limiter.restore_defaults()["minute"] == 60
    assert limiter.configure(enabled=False)["enabled"] is False


def test_reset_stats_forgets_tallies_not_usage():
    limiter = RateLimiter(rules(minute=1), FakeClock())
    call(limiter), call(limiter)
    limiter.reset_stats()
    stats = limiter.stats()
    assert (stats["limited_calls"], stats["rate_limited_total"], stats["in_flight_peak"]) == (0, 0, {})
    assert not call(limiter).allowed


@pytest.mark.parametrize(
    ("simulated", "scale", "real"), [(40, 60, 1), (0, 60, 1), (90, 1, 90), (59.5, 1, 60), (120, 60, 2), (121, 60, 3)]
)
def test_retry_after_is_real_seconds_rounded_up(simulated, scale, real):
    assert real_retry_after(simulated, scale) == real


# --- middleware over real sockets ------------------------------------------------------------


def header_policy() -> LimitPolicy:
    def identify(scope):
        headers = dict(scope["headers"])
        if b"x-tenant" not in headers:
            return None  # e.g. unauthenticated: the service answers it
        return {"tenant": headers[b"x-tenant"].decode(), "app": headers.get(b"x-app", b"app").decode()}

    def headers(decision):
        return [(f"x-remaining-{name}".encode(), str(value).encode()) for name, value in decision.remaining.items()]

    def rejection(decision, retry_after):
        return 429, [(b"retry-after", str(retry_after).encode()), (b"x-problem", decision.problem.encode())], b'{"limited":true}'

    return LimitPolicy(identify, headers, rejection)


class Gate:
    """Holds /slow calls until opened, so a test controls how many are in flight."""

    def __init__(self):
        self.opened = threading.Event()

    async def slow(self, request: Request) -> Response:
        while not self.opened.is_set():
            await asyncio.sleep(0.01)
        return JSONResponse({"ok": True})


def tiny_app(gate: Gate) -> Starlette:
    async def fast(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def teapot(request: Request) -> Response:
        return JSONResponse({"refused": True}, status_code=429)

    return Starlette(
        routes=[Route("/fast", fast), Route("/slow", gate.slow), Route("/inner-429", teapot), Route("/_control/x", fast)]
    )


@pytest.fixture
def limited():
    gate = Gate()
    clock = FakeClock(scale=60)
    limiter = RateLimiter(rules(concurrent=3, minute=5), clock)
    app = RateLimitMiddleware(tiny_app(gate), limiter, header_policy(), exempt_prefixes=("/_control/",))
    with serve_in_thread(app) as url:
        yield url, limiter, gate, clock, app
    gate.opened.set()


def test_the_middleware_adds_headers_and_refuses_with_429(limited):
    url = limited[0]
    with httpx.Client(base_url=url, headers={"x-tenant": "t1"}) as client:
        answers = [client.get("/fast") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert [a.headers["x-remaining-minute"] for a in answers] == ["4", "3", "2", "1", "0", "0"]
    assert answers[-1].headers["x-problem"] == "minute"
    assert answers[-1].headers["retry-after"] == "1"  # 60 simulated seconds at scale 60
    assert json.loads(answers[-1].content) == {"limited": True}


def test_unidentified_and_exempt_calls_pass_untouched(limited):
    url, limiter, _, _, app = limited
    limiter.configure(limits={"minute": 0})
    seen: list[str] = []  # the paths the middleware looked at (asked the policy to identify)
    identify = app.policy.identify

    def recording(scope):
        seen.append(scope["path"])
        return identify(scope)

    app.policy.identify = recording
    with httpx.Client(base_url=url) as client:
        plain = client.get("/fast")
        exempt = client.get("/_control/x", headers={"x-tenant": "t1"})
    assert plain.status_code == exempt.status_code == 200
    assert not any(name.startswith("x-remaining") for name in [*plain.headers, *exempt.headers])
    assert limiter.stats()["limited_calls"] == 0
    assert seen == ["/fast"]  # the exempt path is not even seen


def test_an_inner_429_is_not_counted(limited):
    url = limited[0]
    with httpx.Client(base_url=url, headers={"x-tenant": "t1"}) as client:
        assert [client.get("/inner-429").status_code for _ in range(8)] == [429] * 8
        assert client.get("/fast").headers["x-remaining-minute"] == "4"


def test_concurrency_over_real_sockets(limited):
    url, limiter, gate, _, _ = limited
    headers = {"x-tenant": "t1"}
    with ThreadPoolExecutor(3) as pool:
        held = [pool.submit(httpx.get, url + "/slow", headers=headers, timeout=30) for _ in range(3)]
        deadline = time.monotonic() + 20
        while limiter.in_flight("tenant", "t1") < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        refused = httpx.get(url + "/fast", headers=headers)
        other_tenant = httpx.get(url + "/fast", headers={"x-tenant": "t2"})
        gate.opened.set()
        statuses = [future.result().status_code for future in held]
    assert statuses == [200, 200, 200]
    assert (refused.status_code, refused.headers["x-problem"], refused.headers["retry-after"]) == (429, "concurrent", "1")
    assert other_tenant.status_code == 200
    assert limiter.stats()["in_flight_peak"]["tenant"] == {"t1": 3, "t2": 1}
    deadline = time.monotonic() + 20  # a client can read the last byte before the server's call has returned
    while limiter.in_flight("tenant", "t1"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
