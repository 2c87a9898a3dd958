"""An API host as the sandbox builds it (control routes, limiter, faults, service) over real sockets."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.control import TOKEN_HEADER, ControlPlane, build_api_host
from dxsandbox.common.faults import FaultInjector, FaultPlan
from dxsandbox.common.limits import RateLimiter, Rule
from tests.sandbox.common.asgi_server import serve_in_thread
from tests.sandbox.common.test_limits import header_policy

TOKEN = "test-control-token"


def service() -> Starlette:
    async def ok(request: Request) -> Response:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/things", ok)])


@pytest.fixture
def host():
    clock = ScaledClock(1.0)
    limiter = RateLimiter([Rule("minute", "tenant", 3, 60), Rule("concurrent", "tenant", 2, None)], clock)
    plane = ControlPlane(TOKEN, clock, limiter, FaultInjector(FaultPlan(seed=1)), stats_sources={"extra": lambda: {"answer": 42}})

    async def echo(request: Request) -> Response:
        return JSONResponse({"extra": request.path_params["name"]})

    app = build_api_host(
        service(), plane, limit_policy=header_policy(), extra_routes=[Route("/_sandbox/echo/{name}", echo, methods=["GET"])]
    )
    with serve_in_thread(app) as url, httpx.Client(base_url=url, headers={TOKEN_HEADER: TOKEN}) as control:
        yield url, control, plane


def tenant_call(url: str, **options) -> httpx.Response:
    return httpx.get(url + "/things", headers={"x-tenant": "t1"}, **options)


@pytest.mark.parametrize("path", ["/_sandbox/stats", "/_sandbox/echo/x"])
def test_control_calls_need_the_token(host, path):
    url, _, _ = host
    assert httpx.get(url + path).status_code == 401
    assert httpx.get(url + path, headers={TOKEN_HEADER: "wrong"}).status_code == 401


def test_stats_reports_every_part(host):
    url, control, _ = host
    tenant_call(url)
    httpx.get(url + "/things")
    stats = control.get("/_sandbox/stats").json()
    assert stats["calls"] == 2
    assert stats["limits"]["limited_calls"] == 1 and stats["limits"]["in_flight_peak"]["tenant"] == {"t1": 1}
    assert stats["faults"]["injected"]["500"] == 0
    assert stats["extra"] == {"answer": 42}
    assert stats["clock"]["scale"] == 1.0
    assert control.get("/_sandbox/echo/abc").json() == {"extra": "abc"}


def test_limits_can_be_changed_and_usage_forgotten(host):
    url, control, _ = host
    assert control.put("/_sandbox/limits", json={"minute": 1}).json() == {"enabled": True, "minute": 1, "concurrent": 2}
    assert [tenant_call(url).status_code for _ in range(3)] == [200, 429, 429]
    assert control.put("/_sandbox/limits", json={"reset_usage": True}).status_code == 200
    assert tenant_call(url).status_code == 200
    assert control.put("/_sandbox/limits", json={"enabled": False}).json()["enabled"] is False
    off = tenant_call(url)
    assert off.status_code == 200 and "x-remaining-minute" not in off.headers
    assert control.get("/_sandbox/stats").json()["limits"]["rate_limited"]["minute"] == 2
    assert control.put("/_sandbox/limits", json={"defaults": True, "enabled": True}).json()["minute"] == 3


@pytest.mark.parametrize("body", [{"weekly": 3}, {"minute": "many"}, {"enabled": "yes"}, [1, 2]])
def test_bad_limit_changes_are_refused(host, body):
    _, control, _ = host
    assert control.put("/_sandbox/limits", json=body).status_code == 400


def test_control_routes_are_never_limited_or_failed(host):
    url, control, _ = host
    control.put("/_sandbox/limits", json={"minute": 0})
    control.put("/_sandbox/faults", json={"rates": {"500": 1.0}})
    assert [control.get("/_sandbox/stats").status_code for _ in range(5)] == [200] * 5
    assert tenant_call(url).status_code == 429  # refused by the limiter before any fault is drawn
    control.put("/_sandbox/limits", json={"minute": 10})
    assert tenant_call(url).status_code == 500


def test_faults_set_over_the_wire_are_seeded(host):
    url, control, _ = host
    plan = {"rates": {"503": 0.5}, "seed": 99}
    assert control.put("/_sandbox/faults", json=plan).json()["plan"]["seed"] == 99
    first = [tenant_call(url).status_code for _ in range(3)]
    control.put("/_sandbox/limits", json={"reset_usage": True})
    control.put("/_sandbox/faults", json=plan)
    assert [tenant_call(url).status_code for _ in range(3)] == first
    assert control.put("/_sandbox/faults", json={"rates": {"503": 2}}).status_code == 400


def test_a_new_fault_plan_lets_held_calls_go_and_held_calls_hold_a_slot(host):
    url, control, plane = host
    control.put("/_sandbox/faults", json={"rates": {"timeout": 1.0}, "timeout_seconds": 120})
    outcomes: list[str] = []

    def held_call() -> None:
        try:
            tenant_call(url, timeout=120)
            outcomes.append("answered")
        except httpx.TransportError:
            outcomes.append("dropped")

    threads = [threading.Thread(target=held_call) for _ in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while plane.limiter.in_flight("tenant", "t1") < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    refused = tenant_call(url)
    assert (refused.status_code, refused.headers["x-problem"]) == (429, "concurrent")
    control.put("/_sandbox/faults", json={})
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["dropped", "dropped"]
    deadline = time.monotonic() + 30  # the client hears the close before the server has let go of the call
    while plane.limiter.in_flight("tenant", "t1"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    stats = control.get("/_sandbox/stats").json()
    assert stats["faults"]["injected"]["timeout"] == 2 and stats["limits"]["rate_limited"]["concurrent"] == 1


def test_the_clock_scale_and_reset_stats(host):
    url, control, plane = host
    assert control.put("/_sandbox/clock", json={"scale": 120}).json()["scale"] == 120
    assert plane.clock.scale == 120
    assert control.put("/_sandbox/clock", json={"scale": 0}).status_code == 400
    tenant_call(url)
    reset = control.post("/_sandbox/reset-stats").json()
    assert reset["calls"] == 0 and reset["limits"]["limited_calls"] == 0 and reset["faults"]["calls_seen"] == 0
