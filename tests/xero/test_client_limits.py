"""The client against a sandbox that enforces Xero's real limits on a clock 60× fast (a Xero minute is a
real second): it never trips a limit on its own, never has more than 5 calls in flight, and rides out
injected 429s."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from dxconnector.xero.client import MemoryTokenStore, XeroClient
from dxconnector.xero.limits import RateGovernor
from tests.sandboxes import control, start_sandbox, xero_api_config, xero_tokens

SCALE = 60


@pytest.fixture(scope="module")
def limited_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("limited-sandbox"), "--time-scale", str(SCALE), "--limits", "real")
    yield running
    running.stop()


@pytest.fixture
def client(limited_sandbox):
    tokens, [tenant_id] = xero_tokens(limited_sandbox, user_index=1)
    control(limited_sandbox, "PUT", "/limits", {"defaults": True, "reset_usage": True})
    control(limited_sandbox, "PUT", "/faults", {})
    control(limited_sandbox, "POST", "/reset-stats")
    config = xero_api_config(limited_sandbox, time_scale=SCALE)
    return XeroClient(config, MemoryTokenStore(tokens), tenant_id, governor=RateGovernor(time_scale=SCALE))


def hammer(client: XeroClient, calls: int, threads: int = 10) -> list[str]:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda _: client.organisation().name, range(calls)))


def test_it_stays_under_sixty_a_minute_and_five_in_flight(client, limited_sandbox):
    names = hammer(client, 150)
    assert len(names) == 150 and len(set(names)) == 1
    stats = control(limited_sandbox, "GET", "/stats")["limits"]
    assert stats["rate_limited_total"] == 0, stats["rate_limited"]
    assert stats["in_flight_peak"]["tenant"][client.tenant_id] <= 5
    assert client.governor.waited_seconds > 0  # 150 calls need more than two Xero minutes: it had to pace itself


def test_it_recovers_from_injected_429s(client, limited_sandbox):
    control(limited_sandbox, "PUT", "/faults", {"rates": {"429": 0.3}, "seed": 11})
    names = hammer(client, 40, threads=5)
    control(limited_sandbox, "PUT", "/faults", {})
    assert len(names) == 40
    stats = control(limited_sandbox, "GET", "/stats")
    assert stats["faults"]["injected"]["429"] > 0
    assert stats["limits"]["rate_limited_total"] == 0  # the only 429s were the injected ones
