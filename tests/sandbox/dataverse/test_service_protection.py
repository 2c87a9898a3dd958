"""Service protection limits: requests, execution time and concurrency per user, 429 with Retry-After."""

from __future__ import annotations

import threading
import time

from dxsandbox.common.clock import ScaledClock
from dxsandbox.microsoft.dataverse.errors import DataverseError
from dxsandbox.microsoft.dataverse.protection import ServiceProtection
from dxsandbox.microsoft.dataverse.settings import DataverseSettings, ServiceProtectionLimits
from tests.sandbox.dataverse.conftest import ADMIN, API, SALES, USERS, make_org


class ManualClock:
    def __init__(self, scale: float = 1.0):
        self.scale = scale
        self.time = 0.0

    def now(self) -> float:
        return self.time


def limited_org(tmp_path, limits: ServiceProtectionLimits, scale: float = 1.0):
    settings = DataverseSettings(limits=limits, users=list(USERS), seed=None)
    return make_org(tmp_path, settings=settings, clock=ScaledClock(scale))


def test_the_request_limit_answers_429_with_retry_after_in_real_seconds(tmp_path):
    org = limited_org(tmp_path, ServiceProtectionLimits(requests=3, window_seconds=300), scale=60)
    client = org.client(ADMIN)
    first = client.get(f"{API}/WhoAmI")
    assert first.headers["x-ms-ratelimit-burst-remaining-xrm-requests"] == "2"
    assert [client.get(f"{API}/WhoAmI").status_code for _ in range(2)] == [200, 200]
    refused = client.get(f"{API}/WhoAmI")
    assert refused.status_code == 429
    assert refused.json()["error"] == {
        "code": "0x80072322",
        "message": "Number of requests exceeded the limit of 3 over time window of 300 seconds.",
    }
    assert refused.headers["retry-after"] == "5"  # 300 simulated seconds at 60× is five real seconds
    # The limit is per user: another user still gets through.
    assert org.client(SALES).get(f"{API}/WhoAmI").status_code == 200


def test_the_window_slides_on_the_scaled_clock(tmp_path):
    org = limited_org(tmp_path, ServiceProtectionLimits(requests=1, window_seconds=1.0), scale=20)  # 50 real ms
    client = org.client()
    assert client.get(f"{API}/WhoAmI").status_code == 200
    assert client.get(f"{API}/WhoAmI").status_code == 429
    time.sleep(0.08)
    assert client.get(f"{API}/WhoAmI").status_code == 200


def test_the_execution_time_budget_refuses_once_spent_and_says_when_to_retry():
    clock = ManualClock(scale=10)
    protection = ServiceProtection(ServiceProtectionLimits(execution_ms=1000, window_seconds=300), clock)
    admission = protection.admit("user")
    clock.time += 1.5  # 1,500 simulated ms of work
    protection.finish(admission)
    try:
        protection.admit("user")
    except DataverseError as refusal:
        assert refusal.status == 429 and refusal.code == "0x80072321"
        assert refusal.headers["Retry-After"] == "30"  # leaves the window 300 simulated s later: 30 real s at 10×
    else:
        raise AssertionError("the execution budget was not enforced")
    clock.time += 301
    protection.finish(protection.admit("user"))


def test_concurrent_requests_beyond_the_limit_are_refused():
    clock = ManualClock()
    protection = ServiceProtection(ServiceProtectionLimits(concurrent=2), clock)
    held = [protection.admit("u"), protection.admit("u")]
    try:
        protection.admit("u")
    except DataverseError as refusal:
        assert refusal.code == "0x80072326" and int(refusal.headers["Retry-After"]) >= 1
    else:
        raise AssertionError("the concurrency limit was not enforced")
    protection.finish(held[0])
    protection.finish(protection.admit("u"))


def test_limits_can_be_changed_by_name_like_the_control_plane_does(tmp_path):
    org = limited_org(tmp_path, ServiceProtectionLimits())
    limiter = org.service.protection.limiter
    assert {"requests": 6000, "concurrent": 52, "execution_ms": 1_200_000}.items() <= limiter.settings().items()
    limiter.configure(limits={"requests": 1}, reset_usage=True)
    client = org.client()
    assert client.get(f"{API}/WhoAmI").status_code == 200
    assert client.get(f"{API}/WhoAmI").status_code == 429
    limiter.configure(enabled=False)
    assert client.get(f"{API}/WhoAmI").status_code == 200


def test_parallel_requests_share_the_count(tmp_path):
    org = limited_org(tmp_path, ServiceProtectionLimits(requests=5))
    client = org.client()
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(client.get(f"{API}/WhoAmI").status_code)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] * 5 + [429] * 3
