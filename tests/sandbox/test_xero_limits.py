"""Xero's rate limits on a running sandbox of our own (limits and the clock are changed here).

Calls go to /api.xro/2.0/Organisation: the limiter runs before routing, so the call is limited whatever
the Accounting API answers. Windows are emptied between tests, and the clock runs at real speed unless
a test says otherwise, so a slow machine never sees a window roll mid-test; a test that needs time to
pass speeds the clock up for a moment rather than sleeping.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import httpx
import pytest

from dxsandbox.common.control import TOKEN_HEADER
from tests.sandbox.test_xero_identity import connections, consent, exchange, token_call
from tests.sandboxes import start_sandbox

DEFAULTS = {"enabled": True, "concurrent": 5, "minute": 60, "day": 5000, "appminute": 10_000}
LIMIT_HEADERS = ("x-daylimit-remaining", "x-minlimit-remaining", "x-appminlimit-remaining")


@dataclass
class Caller:
    sandbox: object
    token: str

    def call(self, tenant: str, **options) -> httpx.Response:
        return httpx.get(
            self.sandbox.xero["api_url"] + "/Organisation",
            verify=self.sandbox.tls,
            headers={"Authorization": f"Bearer {self.token}", "xero-tenant-id": tenant},
            **options,
        )


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("limits-sandbox"), "--time-scale", "60")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def tenants(own_sandbox) -> list[str]:
    return own_sandbox.xero["users"][0]["organisations"]  # two organisations


@pytest.fixture(scope="module")
def web(own_sandbox, tenants) -> Caller:
    """The web app's token, connected to both of the first user's organisations."""
    app = own_sandbox.xero_app()
    exchange(own_sandbox, app, consent(own_sandbox, app, tenant_index=0)["code"])
    tokens = exchange(own_sandbox, app, consent(own_sandbox, app, tenant_index=1)["code"]).json()
    return Caller(own_sandbox, tokens["access_token"])


@pytest.fixture(scope="module")
def custom(own_sandbox) -> tuple[Caller, str]:
    """Another app (the custom connection) and its one organisation."""
    app = own_sandbox.xero_app("custom")
    tokens = token_call(own_sandbox, {"grant_type": "client_credentials"}, auth=(app["client_id"], app["client_secret"])).json()
    return Caller(own_sandbox, tokens["access_token"]), app["tenant_id"]


@pytest.fixture
def control(own_sandbox):
    with httpx.Client(
        base_url=own_sandbox.xero["control_url"],
        verify=own_sandbox.tls,
        headers={TOKEN_HEADER: own_sandbox.manifest["control"]["token"]},
    ) as client:
        client.put("/clock", json={"scale": 1}).raise_for_status()
        client.put("/faults", json={}).raise_for_status()
        client.put("/limits", json={**DEFAULTS, "reset_usage": True}).raise_for_status()
        client.post("/reset-stats").raise_for_status()
        yield client


def let_a_day_pass(control: httpx.Client) -> None:
    """A million simulated seconds per real one for a moment: every window empties, then real speed again."""
    control.put("/clock", json={"scale": 1_000_000})
    time.sleep(0.1)
    control.put("/clock", json={"scale": 1})


def test_limited_calls_carry_the_remaining_counts(web, tenants, control):
    first, second = web.call(tenants[0]), web.call(tenants[0])
    assert first.status_code != 429
    assert [first.headers[h] for h in LIMIT_HEADERS] == ["4999", "59", "9999"]
    assert [second.headers[h] for h in LIMIT_HEADERS] == ["4998", "58", "9998"]
    other = web.call(tenants[1])  # a tenant's own counts; the app's are shared
    assert [other.headers[h] for h in LIMIT_HEADERS] == ["4999", "59", "9997"]
    stats = control.get("/stats").json()["limits"]
    assert stats["admitted"] == 3 and stats["in_flight_peak"]["tenant"] == {tenants[0]: 1, tenants[1]: 1}


def test_connections_and_calls_the_api_refuses_are_not_limited(own_sandbox, web, tenants, control):
    control.put("/limits", json={"minute": 0})
    listed = connections(own_sandbox, web.token)
    capital = httpx.get(
        own_sandbox.xero["connections_url"].replace("/connections", "/Connections"),
        headers={"Authorization": f"Bearer {web.token}"},
        verify=own_sandbox.tls,
    )
    no_token = httpx.get(
        own_sandbox.xero["api_url"] + "/Organisation", headers={"xero-tenant-id": tenants[0]}, verify=own_sandbox.tls
    )
    bad_token = Caller(own_sandbox, "not-a-token").call(tenants[0])
    not_connected = web.call(own_sandbox.xero["users"][1]["organisations"][0])
    no_tenant = httpx.get(
        own_sandbox.xero["api_url"] + "/Organisation", headers={"Authorization": f"Bearer {web.token}"}, verify=own_sandbox.tls
    )
    assert listed.status_code == capital.status_code == 200
    for answer in (listed, capital, no_token, bad_token, not_connected, no_tenant):
        assert answer.status_code != 429
        assert not set(LIMIT_HEADERS) & set(answer.headers)
    assert no_token.status_code in (401, 404) and bad_token.status_code in (401, 404)
    assert not_connected.status_code in (403, 404) and no_tenant.status_code in (403, 404)
    stats = control.get("/stats").json()
    assert stats["calls"] == 6 and stats["limits"]["limited_calls"] == 0


def test_over_the_minute_limit_the_answer_is_429_and_refusals_cost_nothing(web, tenants, control):
    control.put("/limits", json={"minute": 3})
    answers = [web.call(tenants[0]) for _ in range(6)]
    assert [a.status_code != 429 for a in answers] == [True] * 3 + [False] * 3
    refused = answers[3]
    assert refused.headers["x-rate-limit-problem"] == "minute"
    assert 30 <= int(refused.headers["retry-after"]) <= 60
    assert [refused.headers[h] for h in LIMIT_HEADERS] == ["4997", "0", "9997"]  # the refusals took nothing from the day
    let_a_day_pass(control)
    again = [web.call(tenants[0]) for _ in range(4)]
    assert [a.status_code != 429 for a in again] == [True, True, True, False]
    assert control.get("/stats").json()["limits"]["rate_limited"] == {"day": 0, "minute": 4, "appminute": 0, "concurrent": 0}


@pytest.mark.parametrize(("scale", "expected"), [(60, {1}), (6, {9, 10})])
def test_retry_after_is_in_real_seconds(web, tenants, control, scale, expected):
    control.put("/clock", json={"scale": scale})
    control.put("/limits", json={"minute": 1})
    web.call(tenants[0])
    refused = web.call(tenants[0])
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) in expected


def test_the_day_limit(web, tenants, control):
    control.put("/clock", json={"scale": 60})
    control.put("/limits", json={"day": 2})
    answers = [web.call(tenants[0]) for _ in range(3)]
    assert [a.status_code == 429 for a in answers] == [False, False, True]
    assert answers[2].headers["x-rate-limit-problem"] == "day"
    assert 1300 <= int(answers[2].headers["retry-after"]) <= 1440  # a simulated day at 60x
    assert answers[2].headers["x-daylimit-remaining"] == "0"
    assert web.call(tenants[1]).status_code != 429


def test_the_app_minute_limit_spans_organisations(web, custom, tenants, control):
    control.put("/limits", json={"appminute": 3})
    answers = [web.call(tenants[0]), web.call(tenants[0]), web.call(tenants[1]), web.call(tenants[1])]
    assert [a.status_code == 429 for a in answers] == [False, False, False, True]
    assert answers[3].headers["x-rate-limit-problem"] == "appminute"
    assert answers[3].headers["x-appminlimit-remaining"] == "0" and answers[3].headers["x-minlimit-remaining"] == "59"
    other_app, its_tenant = custom
    assert other_app.call(its_tenant).status_code != 429  # a different app has its own minute


def test_five_calls_in_flight_and_the_sixth_is_refused(web, tenants, control):
    # Calls held as "timeouts" stay in flight until the fault plan changes: no race with the clock.
    control.put("/faults", json={"rates": {"timeout": 1.0}, "timeout_seconds": 120})
    outcomes: list[str] = []

    def held() -> None:
        try:
            web.call(tenants[0], timeout=120)
            outcomes.append("answered")
        except httpx.TransportError:
            outcomes.append("dropped")

    threads = [threading.Thread(target=held) for _ in range(5)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while control.get("/stats").json()["limits"]["in_flight"].get("tenant", {}).get(tenants[0], 0) < 5:
        assert time.monotonic() < deadline, "the five calls never were in flight together"
        time.sleep(0.02)
    refused = web.call(tenants[0])
    control.put("/faults", json={})
    for thread in threads:
        thread.join(timeout=30)
    assert (refused.status_code, refused.headers["x-rate-limit-problem"], refused.headers["retry-after"]) == (
        429,
        "concurrent",
        "1",
    )
    assert outcomes == ["dropped"] * 5
    # The client hears the connection close before the server has finished with the call: wait for the slots.
    deadline = time.monotonic() + 30
    while (stats := control.get("/stats").json()["limits"])["in_flight"].get("tenant", {}).get(tenants[0], 0):
        assert time.monotonic() < deadline, "the dropped calls never left their slots"
        time.sleep(0.02)
    assert stats["in_flight_peak"]["tenant"][tenants[0]] == 5 and stats["rate_limited"]["concurrent"] == 1


def test_injected_429s_are_told_apart_from_real_ones(web, tenants, control):
    control.put("/faults", json={"rates": {"429": 1.0}, "seed": 1})
    injected = [web.call(tenants[0]) for _ in range(3)]
    assert all(a.status_code == 429 and a.headers["x-rate-limit-problem"] == "minute" for a in injected)
    control.put("/faults", json={})
    assert web.call(tenants[0]).headers["x-minlimit-remaining"] == "59"  # the injected 429s were not counted
    stats = control.get("/stats").json()
    assert stats["limits"]["rate_limited_total"] == 0 and stats["faults"]["injected"]["429"] == 3


def test_limits_switched_off(web, tenants, control):
    control.put("/limits", json={"enabled": False, "minute": 1, "concurrent": 1})
    answers = [web.call(tenants[0]) for _ in range(5)]
    assert all(a.status_code != 429 for a in answers)
    assert not set(LIMIT_HEADERS) & set(answers[0].headers)
    assert control.get("/stats").json()["limits"]["rate_limited_total"] == 0
