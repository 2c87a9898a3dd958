"""One Dataverse service protection budget per organisation and user, shared by every process
(connections/dataverse_limits.py), in the database and in Redis.

The governors first, with threads standing for processes: what one caller takes, Dataverse's word on what is left and
a 429's Retry-After hold back the others. Then real processes against a sandbox organisation enforcing Dataverse's
limits, lowered so that they bind, on a clock 300× fast (its 5-minute window lasts a real second): two workers and
the web process's calls as its application user trip none of them — where each keeping its own count trips them.
"""

from __future__ import annotations

import time
import uuid

import pytest

from dxconnector.connections.clients import dataverse_client
from dxconnector.connections.dataverse_limits import DATAVERSES_OWN, DataverseGovernor
from dxconnector.connections.shared_limits import DatabaseSlotStore
from dxconnector.dynamics.errors import RateLimited
from dxconnector.dynamics.limits import REQUESTS_LEFT_HEADER, BudgetBusy, Limits
from tests.connections.test_shared_xero_budget import (  # noqa: F401  # fixtures
    Callers,
    FakeTime,
    kind,
    make_store,
    redis_prefix,
    redis_url,
    store,
)
from tests.dynamics.dataverse_sandbox import app_token, control_client, first_organisation
from tests.sandboxes import start_sandbox

pytestmark = pytest.mark.django_db(transaction=True)

SCALE = 300  # Dataverse's 5-minute window lasts a real second
WINDOW = 300.0
LOWERED = {"requests": 60, "concurrent": 3}  # per user: 60 requests in the window, 3 at once


# --- the governors -----------------------------------------------------------------------------------------------------


def governor(store, key: str, fake: FakeTime, limits: Limits = DATAVERSES_OWN, **options) -> DataverseGovernor:
    return DataverseGovernor(key, limits, store, clock=fake.clock, sleep=fake.sleep, **options)


def call(gov: DataverseGovernor, headers: dict[str, str] | None = None) -> None:
    with gov.slot() as slot:
        slot.heard(headers or {})


def test_requests_one_caller_made_count_against_another_callers_window(make_store):
    fake, user = FakeTime(), f"https://org-{uuid.uuid4()}.crm.dynamics.com app"
    limits = Limits(requests=10)
    worker, web = governor(make_store(), user, fake, limits), governor(make_store(), user, fake, limits)
    for _ in range(10):
        call(worker)
    assert fake.slept == []
    call(web)
    assert fake.slept == [pytest.approx(WINDOW + 1.25, abs=0.01)]  # the window, and the margin for a call's travel


def test_what_dataverse_says_is_left_lowers_the_budget_of_every_caller_of_the_organisation(make_store):
    fake, user, other = FakeTime(), f"https://org-{uuid.uuid4()} app", f"https://org-{uuid.uuid4()} app"
    worker, web, elsewhere = (
        governor(make_store(), user, fake),
        governor(make_store(), user, fake),
        governor(make_store(), other, fake),
    )
    call(worker, {REQUESTS_LEFT_HEADER: "0"})
    call(elsewhere)  # another organisation: its own window
    assert fake.slept == []
    call(web)
    assert len(fake.slept) == 1 and fake.slept[0] > WINDOW


def test_a_429s_retry_after_holds_back_every_caller_of_the_organisation(make_store):
    fake, user, other = FakeTime(), f"https://org-{uuid.uuid4()} app", f"https://org-{uuid.uuid4()} app"
    governor(make_store(), user, fake).back_off(7)
    call(governor(make_store(), other, fake))
    assert fake.slept == []
    call(governor(make_store(), user, fake))
    assert fake.slept == [pytest.approx(7.0)]


def test_a_pages_call_waits_for_the_budget_no_longer_than_its_page_does(make_store):
    fake, user = FakeTime(), f"https://org-{uuid.uuid4()} app"
    governor(make_store(), user, fake).back_off(30)
    with pytest.raises(BudgetBusy):
        call(governor(make_store(), user, fake, max_wait=4.0))
    assert fake.slept == []


def test_a_long_key_is_kept_as_its_digest():
    fake = FakeTime()
    gov = governor(DatabaseSlotStore(), "https://" + "x" * 300 + ".crm.dynamics.com someone@example.com", fake)
    call(gov)
    assert len(gov.budget.key) < 300


# --- processes ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("dataverse-budget-sandbox"), "--time-scale", str(SCALE), "--limits", "real")
    yield running
    running.stop()


@pytest.fixture
def organisation(limited_sandbox):
    """The sandbox's first organisation with an application user, its limits lowered so that they bind and its calls
    taking a while; and a control client for it."""
    org = first_organisation(limited_sandbox)
    with control_client(limited_sandbox, org) as control:
        control.put("/limits", json={"defaults": True, "enabled": True, "reset_usage": True}).raise_for_status()
        control.put("/limits", json={**LOWERED, "reset_usage": True}).raise_for_status()
        control.put("/faults", json={"rates": {"latency": 1.0}, "latency": [0.03, 0.08]}).raise_for_status()
        control.post("/reset-stats").raise_for_status()
        yield org, control
        control.put("/faults", json={}).raise_for_status()
        control.put("/limits", json={"defaults": True, "reset_usage": True}).raise_for_status()


class DataverseCallers(Callers):
    caller = "tests.connections.dataverse_budget_caller"


def callers(sandbox, store: str, tmp_path, request) -> DataverseCallers:
    return DataverseCallers(
        sandbox,
        store,
        tmp_path,
        request,
        DATAVERSE_TIME_SCALE=str(SCALE),
        DATAVERSE_REQUESTS_PER_WINDOW=str(LOWERED["requests"]),
        DATAVERSE_CONCURRENT_REQUESTS=str(LOWERED["concurrent"]),
    )


def violations(control) -> dict[str, int]:
    return control.get("/stats").raise_for_status().json()["limits"]["rate_limited"]


def test_two_workers_and_the_web_process_on_one_organisation_keep_to_its_service_protection_limits(
    limited_sandbox, organisation, store, tmp_path, request
):
    org, control = organisation
    grants = [{"org_url": org["url"], "token": app_token(limited_sandbox, org)}]
    processes = callers(limited_sandbox, store, tmp_path, request)
    processes.start("worker", grants, calls=50)
    processes.start("worker", grants, calls=50)
    processes.start("web", grants, calls=50)
    started = time.monotonic()
    reports = processes.run()
    elapsed = time.monotonic() - started

    assert [report["errors"] for report in reports] == [{}, {}, {}]
    assert sum(report["ok"] for report in reports) == 150
    assert sum(violations(control).values()) == 0, violations(control)
    stats = control.get("/stats").raise_for_status().json()["limits"]
    assert max(stats["in_flight_peak"]["user"].values()) <= 3  # fifteen threads wanted to call: three at a time at most
    assert elapsed > 2 * WINDOW / SCALE  # 150 requests at 60 a window: the processes waited for one another's


def test_each_process_keeping_its_own_count_trips_the_service_protection_limits(limited_sandbox, organisation, tmp_path, request):
    """What the shared budget prevents, measured the same way: each process believes it has the whole budget."""
    org, control = organisation
    grants = [{"org_url": org["url"], "token": app_token(limited_sandbox, org)}]
    processes = callers(limited_sandbox, "memory", tmp_path, request)
    for _ in range(3):
        processes.start("worker", grants, calls=50)
    processes.run()
    tripped = violations(control)
    assert tripped["requests"] + tripped["concurrent"] > 0, tripped


def test_a_429_one_client_meets_holds_back_another_client_of_the_organisation_until_its_retry_after(
    limited_sandbox, organisation, settings
):
    """Every request is answered 429 (Retry-After: 1) while the page makes its one attempt; the worker's request, sent
    after it, waits out the Retry-After rather than go at once."""
    org, control = organisation
    settings.CA_BUNDLE, settings.DATAVERSE_TIME_SCALE = limited_sandbox.ca_file, float(SCALE)
    token = app_token(limited_sandbox, org)
    page, worker = dataverse_client(org["url"], lambda: token, for_a_page=True), dataverse_client(org["url"], lambda: token)
    control.put("/faults", json={"rates": {"429": 1.0}}).raise_for_status()
    with pytest.raises(RateLimited):
        page.who_am_i()
    control.put("/faults", json={}).raise_for_status()
    started = time.monotonic()
    worker.who_am_i()
    waited = time.monotonic() - started

    assert worker.retries == 0
    assert waited > 0.5  # the Retry-After: a second, less the time since the 429
