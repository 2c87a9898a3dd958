"""The connector's Dataverse client against a sandbox organisation that fails calls on purpose: retries,
Retry-After, timeouts on either side, and writes that stay single when an answer is lost."""

from __future__ import annotations

import time
import uuid

import pytest

from dxconnector.dynamics import batch
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.errors import PreconditionFailed, RateLimited, RetryableError
from dxconnector.retry import backoff_delay
from dxsandbox.common.faults import FAILURE_KINDS
from tests.dynamics.dataverse_sandbox import a_seed_that_fails_every_kind, control, control_routes, dataverse_org, seed_for, token  # noqa: F401 (fixtures)
from tests.sandboxes import start_sandbox

DROP_THEN_SERVE = {"rates": {"drop_after_commit": 0.5}}


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("dataverse-retries"), "--time-scale", "60")
    yield running
    running.stop()


@pytest.fixture
def dataverse(own_sandbox, dataverse_org, token):
    """A client as the connector makes one, with the sandbox's CA and the default retry policy."""

    def make(**options) -> DataverseClient:
        client = DataverseClient(dataverse_org["url"], lambda: token, own_sandbox.ca_file, **options)
        made.append(client)
        return client

    made: list[DataverseClient] = []
    yield make
    for client in made:
        client.close()


def named(client: DataverseClient, name: str) -> list[dict]:
    return client.list("accounts", select="accountid,name,telephone1", filter=f"name eq '{name}'")


def test_the_backoff_grows_to_its_cap_with_jitter():
    assert [backoff_delay(n, rng=lambda: 0.5) for n in range(1, 8)] == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff_delay(1, rng=lambda: 0.0) == 0.125 and backoff_delay(9, rng=lambda: 0.999) < 12


@pytest.mark.parametrize(
    ("client_timeout", "plan_timeout"), [(5.0, 1.0), (0.5, 2.0)], ids=["sandbox-drops-first", "client-gives-up-first"]
)
def test_creates_updates_and_batches_all_succeed_with_30_percent_faults(dataverse, control, client_timeout, plan_timeout):
    client = dataverse(timeout=client_timeout)
    plan = {"rates": dict.fromkeys(FAILURE_KINDS, 0.06), "timeout_seconds": plan_timeout}
    # 13 calls at least (12 single writes and a batch): a seed fails every kind among them.
    control.put("/faults", json={**plan, "seed": a_seed_that_fails_every_kind(plan, 13, client.max_attempts)}).raise_for_status()
    run = uuid.uuid4().hex[:8]
    created, upserted = [], {}
    for i in range(4):
        created.append(f"Created {run} {i}")
        client.create("accounts", {"name": created[-1]})
        row_id = str(uuid.uuid4())
        upserted[row_id] = f"Upserted {run} {i}"
        client.upsert("accounts", row_id, {"name": upserted[row_id], "telephone1": "1"})
        client.update("accounts", row_id, {"telephone1": f"2-{i}"})
    batched = {str(uuid.uuid4()): f"Batched {run} {i}" for i in range(10)}
    answers = batch.execute(
        client, [batch.BatchRequest("PATCH", f"accounts({row_id})", {"name": name}) for row_id, name in batched.items()]
    )
    assert all(answer.ok for answer in answers)
    stats = control.get("/stats").json()
    control.put("/faults", json={})

    assert all(stats["faults"]["injected"][kind] >= 1 for kind in FAILURE_KINDS), stats["faults"]
    assert stats["calls"] == client.calls and client.retries == stats["faults"]["failures_injected"]
    assert stats["too_many_requests"] == {"limits": 0, "injected": stats["faults"]["injected"]["429"]}
    # Upserts and updates by id, alone or batched, leave one row each, as last written.
    for i, (row_id, name) in enumerate(upserted.items()):
        assert [(row["accountid"], row["telephone1"]) for row in named(client, name)] == [(row_id, f"2-{i}")]
    for row_id, name in batched.items():
        assert [row["accountid"] for row in named(client, name)] == [row_id]
    # A create is not repeatable: one whose answer was lost may have made a second row.
    assert all(1 <= len(named(client, name)) <= 2 for name in created)


def test_a_limit_429_is_waited_out_for_its_retry_after(dataverse, control):
    control.put("/clock", json={"scale": 300}).raise_for_status()  # the 300 s window lasts one real second
    control.put("/limits", json={"requests": 2, "reset_usage": True}).raise_for_status()
    client = dataverse()
    client.who_am_i(), client.who_am_i()
    started = time.monotonic()
    assert client.who_am_i()["OrganizationId"]
    assert time.monotonic() - started >= 0.9 and client.retries == 1 and client.waited_seconds == pytest.approx(1.0, abs=0.05)
    stats = control.get("/stats").json()
    assert stats["too_many_requests"] == {"limits": 1, "injected": 0} and stats["answers"] == {"200": 3, "429": 1}


def test_a_retry_after_longer_than_the_client_waits_is_raised_at_once(dataverse, control):
    control.put("/limits", json={"requests": 1, "reset_usage": True}).raise_for_status()
    client = dataverse(max_retry_after=2)
    client.who_am_i()
    started = time.monotonic()
    with pytest.raises(RateLimited) as raised:
        client.who_am_i()
    assert time.monotonic() - started < 1 and raised.value.retry_after == 5  # 300 simulated seconds at 60×
    assert raised.value.code == "0x80072322" and client.calls == 2


def test_a_dropped_upsert_is_sent_again_and_makes_one_row(dataverse, control):
    control.put(
        "/faults", json={**DROP_THEN_SERVE, "seed": seed_for(["drop_after_commit", None], DROP_THEN_SERVE)}
    ).raise_for_status()
    client = dataverse()
    row_id, name = str(uuid.uuid4()), f"Dropped upsert {uuid.uuid4().hex[:8]}"
    answer = client.call("PATCH", f"accounts({row_id})", json={"name": name})
    assert answer.response.status_code == 204 and (answer.attempts, answer.lost_answers) == (2, 1)
    control.put("/faults", json={})
    assert [row["accountid"] for row in named(client, name)] == [row_id]
    assert control.get("/stats").json()["faults"]["injected"]["drop_after_commit"] == 1


def test_a_conditional_write_applied_before_its_answer_was_lost_answers_412_on_the_retry(dataverse, control):
    client = dataverse()
    row_id, name = str(uuid.uuid4()), f"Versioned {uuid.uuid4().hex[:8]}"
    client.upsert("accounts", row_id, {"name": name})
    etag = client.read(f"accounts({row_id})", params={"$select": "name"})["@odata.etag"]
    control.put(
        "/faults", json={**DROP_THEN_SERVE, "seed": seed_for(["drop_after_commit", None], DROP_THEN_SERVE)}
    ).raise_for_status()
    with pytest.raises(PreconditionFailed) as raised:
        client.request("PATCH", f"accounts({row_id})", json={"telephone1": "applied"}, headers={"If-Match": etag})
    assert raised.value.status == 412 and raised.value.after_lost_answer
    control.put("/faults", json={})
    assert [row["telephone1"] for row in named(client, name)] == ["applied"]


def test_a_batch_sent_again_after_a_lost_answer_repeats_only_upserts(dataverse, control):
    client = dataverse()
    versioned_id, versioned_name = str(uuid.uuid4()), f"Batch versioned {uuid.uuid4().hex[:8]}"
    client.upsert("accounts", versioned_id, {"name": versioned_name})
    etag = client.read(f"accounts({versioned_id})", params={"$select": "name"})["@odata.etag"]
    rows = {str(uuid.uuid4()): f"Batch upsert {uuid.uuid4().hex[:8]}" for _ in range(3)}
    requests = [batch.BatchRequest("PATCH", f"accounts({row_id})", {"name": name}) for row_id, name in rows.items()]
    requests.append(batch.BatchRequest("PATCH", f"accounts({versioned_id})", {"telephone1": "batched"}, {"If-Match": etag}))
    control.put(
        "/faults", json={**DROP_THEN_SERVE, "seed": seed_for(["drop_after_commit", None], DROP_THEN_SERVE)}
    ).raise_for_status()
    answers = batch.execute(client, requests)
    control.put("/faults", json={})
    assert [answer.status for answer in answers] == [204, 204, 204, 412]
    assert all(answer.after_lost_answer for answer in answers) and answers[3].maybe_own_write and not answers[0].maybe_own_write
    for row_id, name in rows.items():
        assert [row["accountid"] for row in named(client, name)] == [row_id]
    assert [row["telephone1"] for row in named(client, versioned_name)] == ["batched"]


@pytest.mark.parametrize(
    ("client_timeout", "low", "high"),
    [(5.0, 2.0, 4.5), (0.5, 0.4, 1.9)],
    ids=["the-sandbox-drops-the-held-call", "the-client-gives-up-first"],
)
def test_a_held_call_is_retried_whichever_side_times_out_first(dataverse, control, client_timeout, low, high):
    plan = {"rates": {"timeout": 0.5}, "timeout_seconds": 2}
    control.put("/faults", json={**plan, "seed": seed_for(["timeout", None], plan)}).raise_for_status()
    client = dataverse(timeout=client_timeout)
    started = time.monotonic()
    answer = client.call("GET", "WhoAmI")
    assert answer.response.status_code == 200 and (answer.attempts, answer.lost_answers) == (2, 1)
    assert low <= time.monotonic() - started <= high


def test_what_still_fails_after_the_last_attempt_is_a_typed_transient_error(dataverse, control):
    control.put("/faults", json={"rates": {"503": 1.0}}).raise_for_status()
    client = dataverse(max_attempts=3)
    with pytest.raises(RetryableError) as raised:
        client.who_am_i()
    assert raised.value.status == 503 and not raised.value.after_lost_answer
    control.put("/faults", json={"rates": {"drop_after_commit": 1.0}}).raise_for_status()
    with pytest.raises(RetryableError) as raised:
        client.who_am_i()
    assert raised.value.status is None and raised.value.after_lost_answer
    assert control.get("/stats").json()["calls"] == client.calls == 6
