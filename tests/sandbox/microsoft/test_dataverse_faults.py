"""Faults, limits and stats on a Dataverse organisation's host, through its /_sandbox/ control routes, over HTTPS."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from dxsandbox.common.control import TOKEN_HEADER
from tests.dynamics.dataverse_sandbox import control, control_client, control_routes, dataverse_org, seed_for, token  # noqa: F401 (fixtures)
from tests.sandboxes import start_sandbox


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory):
    """Real limits on a 60× clock, and faults from the command line, as a benchmark starts it."""
    running = start_sandbox(tmp_path_factory.mktemp("dataverse-faults"), "--time-scale", "60", "--faults", "0.3", "--seed", "11")
    yield running
    running.stop()


@pytest.fixture
def api(own_sandbox, dataverse_org, token):
    with httpx.Client(
        base_url=dataverse_org["web_api_url"] + "/",
        verify=own_sandbox.tls,
        timeout=10,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    ) as client:
        yield client


def test_the_faults_given_at_start_apply_to_every_dataverse_host(own_sandbox, control_routes):
    assert own_sandbox.manifest["faults"]["rate"] == 0.3
    for organisation in own_sandbox.manifest["microsoft"]["organisations"]:
        assert organisation["control_url"] == organisation["url"] + "/_sandbox"
        with control_client(own_sandbox, organisation) as control:
            faults = control.get("/stats").json()["faults"]
        assert faults["seed"] == 11
        assert faults["plan"]["rates"] == {
            kind: pytest.approx(0.06) for kind in ("429", "500", "503", "timeout", "drop_after_commit")
        }
    assert own_sandbox.manifest["microsoft"]["limits"] == {
        "enabled": True,
        "requests": 6000,
        "concurrent": 52,
        "execution_ms": 1_200_000,
        "window_seconds": 300.0,
    }


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/stats"), ("PUT", "/limits"), ("PUT", "/faults"), ("POST", "/reset-stats")]
)
def test_every_control_route_needs_the_token(own_sandbox, dataverse_org, method, path):
    url = dataverse_org["control_url"] + path
    assert httpx.request(method, url, json={}, verify=own_sandbox.tls).status_code == 401
    assert httpx.request(method, url, json={}, headers={TOKEN_HEADER: "nope"}, verify=own_sandbox.tls).status_code == 401


def test_stats_count_calls_and_answers_by_status(api, control):
    assert api.get("WhoAmI").status_code == 200
    assert api.get("nosuchtable").status_code == 404
    stats = control.get("/stats").json()
    assert stats["calls"] == 2 and stats["answers"] == {"200": 1, "404": 1}
    assert stats["limits"]["admitted"] == 2 and stats["limits"]["rate_limited_total"] == 0
    assert set(stats["limits"]["rate_limited"]) == {"requests", "concurrent", "execution_ms"}
    assert stats["too_many_requests"] == {"limits": 0, "injected": 0}
    assert {"clock", "faults"} <= set(stats)
    reset = control.post("/reset-stats").json()
    assert reset["calls"] == 0 and reset["answers"] == {} and reset["limits"]["admitted"] == 0


def test_an_injected_429_is_shaped_like_the_service_protection_limit(api, control):
    control.put("/faults", json={"rates": {"429": 1.0}}).raise_for_status()
    refused = api.get("WhoAmI")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.json() == {
        "error": {
            "code": "0x80072322",
            "message": "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
        }
    }
    stats = control.get("/stats").json()
    assert stats["faults"]["injected"]["429"] == 1 and stats["answers"] == {"429": 1}
    # An injected 429 never reached the limiter: no violation, nothing used.
    assert stats["too_many_requests"] == {"limits": 0, "injected": 1}
    assert stats["limits"]["rate_limited_total"] == 0 and stats["limits"]["admitted"] == 0


@pytest.mark.parametrize("status", [500, 503])
def test_injected_server_errors_carry_dataverse_error_bodies(api, control, status):
    control.put("/faults", json={"rates": {str(status): 1.0}}).raise_for_status()
    failed = api.get("WhoAmI")
    assert failed.status_code == status
    assert set(failed.json()["error"]) == {"code", "message"}
    assert ("retry-after" in failed.headers) == (status == 503)


def test_a_timeout_holds_the_call_then_drops_it_without_an_answer(api, control):
    control.put("/faults", json={"rates": {"timeout": 1.0}, "timeout_seconds": 0.5}).raise_for_status()
    started = time.monotonic()
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("WhoAmI")
    assert 0.4 < time.monotonic() - started < 5
    # A client that gives up first sees its own read timeout.
    control.put("/faults", json={"rates": {"timeout": 1.0}, "timeout_seconds": 30}).raise_for_status()
    with pytest.raises(httpx.ReadTimeout):
        api.get("WhoAmI", timeout=httpx.Timeout(5, read=0.3))
    control.put("/faults", json={})
    stats = control.get("/stats").json()
    assert stats["faults"]["injected"]["timeout"] == 2 and stats["answers"] == {"none": 2}
    assert stats["limits"]["admitted"] == 0  # never reached the service


def test_a_dropped_answer_comes_after_the_change_is_committed(api, control):
    name = f"Dropped {uuid.uuid4().hex[:8]}"
    control.put("/faults", json={"rates": {"drop_after_commit": 1.0}}).raise_for_status()
    with pytest.raises(httpx.TransportError):
        api.post("accounts", json={"name": name})
    control.put("/faults", json={})
    found = api.get("accounts", params={"$select": "name", "$filter": f"name eq '{name}'"}).json()["value"]
    assert [row["name"] for row in found] == [name]
    stats = control.get("/stats").json()
    assert stats["faults"]["injected"]["drop_after_commit"] == 1 and stats["answers"] == {"none": 1, "200": 1}


def test_a_seeded_plan_fails_the_same_calls_every_time(api, control):
    plan = {"rates": {"500": 0.5}}
    seed = seed_for([None, "500", "500", None], plan)
    for _ in range(2):
        control.put("/faults", json={**plan, "seed": seed}).raise_for_status()
        assert [api.get("WhoAmI").status_code for _ in range(4)] == [200, 500, 500, 200]


def test_limiter_429s_are_counted_apart_from_injected_ones(api, control):
    control.put("/limits", json={"requests": 2}).raise_for_status()
    control.put("/faults", json={"rates": {"429": 0.5}, "seed": seed_for(["429", None, None, None], {"rates": {"429": 0.5}})})
    answers = [api.get("WhoAmI") for _ in range(4)]
    assert [a.status_code for a in answers] == [429, 200, 200, 429]
    limited = answers[3]
    assert limited.json()["error"]["code"] == "0x80072322" and int(limited.headers["retry-after"]) >= 1
    stats = control.get("/stats").json()
    assert stats["too_many_requests"] == {"limits": 1, "injected": 1}
    assert stats["limits"]["rate_limited"]["requests"] == 1 and stats["limits"]["rate_limited_total"] == 1
    assert stats["answers"] == {"200": 2, "429": 2}


def test_the_execution_time_budget_refusals_are_counted_too(api, control):
    control.put("/limits", json={"execution_ms": 1}).raise_for_status()
    assert api.get("WhoAmI").status_code == 200  # nothing spent yet
    refused = api.get("WhoAmI")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "0x80072321"
    stats = control.get("/stats").json()
    assert stats["limits"]["rate_limited"]["execution_ms"] == 1 and stats["too_many_requests"]["limits"] == 1


def test_faults_are_per_host(own_sandbox, api, control):
    other = next(
        o for o in own_sandbox.manifest["microsoft"]["organisations"] if o["control_url"] != str(control.base_url).rstrip("/")
    )
    with control_client(own_sandbox, other) as other_control:
        other_control.put("/faults", json={}).raise_for_status()
        control.put("/faults", json={"rates": {"500": 1.0}}).raise_for_status()
        assert other_control.get("/stats").json()["faults"]["plan"]["rates"] == {}
    assert api.get("WhoAmI").status_code == 500
