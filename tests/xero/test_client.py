"""The SDK-based client against the Xero sandbox over HTTPS: reads, pages, batch writes, refresh, errors."""

from __future__ import annotations

import dataclasses
import time
import uuid

import pytest

from dxconnector.xero import resources
from dxconnector.xero.client import MemoryTokenStore, XeroClient, idempotency_key
from dxconnector.xero.errors import AuthExpired, PermanentError, RetryableError
from dxconnector.xero.limits import RateGovernor
from tests.sandboxes import xero_api_config, xero_oauth_config, xero_tokens


@pytest.fixture
def client(sandbox):
    tokens, [tenant_id] = xero_tokens(sandbox)
    return XeroClient(xero_api_config(sandbox), MemoryTokenStore(tokens), tenant_id, governor=RateGovernor())


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def test_it_reads_the_organisation(client, sandbox):
    organisation = client.organisation()
    assert organisation.name == sandbox.xero["organisations"][0]["name"]
    assert organisation.timezone == "NEWZEALANDSTANDARDTIME"


def test_a_batch_of_sixty_takes_two_calls_and_reports_each_element(client):
    names = [unique("Batch Customer") for _ in range(60)]
    calls_before = client.calls
    results = client.write(resources.CONTACTS, [{"Name": name} for name in names])
    assert client.calls - calls_before == 2
    assert [r.index for r in results] == list(range(60))
    assert all(r.ok and r.xero_id for r in results)
    assert [r.record["Name"] for r in results] == names


def test_one_bad_element_fails_alone(client):
    taken = unique("Taken Name")
    client.write(resources.CONTACTS, [{"Name": taken}])
    results = client.write(
        resources.CONTACTS, [{"Name": unique("Fresh")}, {"Name": taken}, {"Name": unique("Fresh")}], create_only=True
    )
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].errors


def test_writing_the_same_batch_again_is_answered_not_repeated(client):
    batch = [{"Name": unique("Idempotent")}]
    first = client.write(resources.CONTACTS, batch, create_only=True)
    second = client.write(resources.CONTACTS, batch, create_only=True)
    assert second[0].ok and second[0].xero_id == first[0].xero_id


def test_the_idempotency_key_depends_only_on_tenant_resource_and_content():
    a = idempotency_key("t1", "Contacts", [{"Name": "A", "X": 1}])
    assert a == idempotency_key("t1", "Contacts", [{"X": 1, "Name": "A"}])
    assert a != idempotency_key("t2", "Contacts", [{"Name": "A", "X": 1}])
    assert a != idempotency_key("t1", "Contacts", [{"Name": "B", "X": 1}])
    assert len(a) <= 128


def test_pages_walk_every_page(client):
    ids = [r.xero_id for r in client.write(resources.CONTACTS, [{"Name": unique("Paged")} for _ in range(7)])]
    pages = list(client.pages(resources.CONTACTS, page_size=3, i_ds=ids))
    assert [len(page) for page in pages] == [3, 3, 1]
    assert sorted(record["ContactID"] for page in pages for record in page) == sorted(ids)


def test_reference_lists_come_in_one_page(client):
    accounts = list(client.records(resources.ACCOUNTS))
    assert any(account.get("Code") == "200" for account in accounts)


def test_an_expiring_token_is_refreshed_and_saved(client):
    store = client.tokens
    store.save(dataclasses.replace(store.load(), expires_at=time.time() + 5))  # inside the SDK's 60 s buffer
    old = store.load()
    client.organisation()
    assert store.load().refresh_token != old.refresh_token
    assert store.load().expires_at > time.time() + 1000


def test_each_client_refreshes_at_its_own_token_url_and_the_sdk_is_left_as_it_was(client):
    from xero_python.api_client.oauth2 import TokenApi

    shipped = TokenApi.refresh_token_url
    elsewhere = XeroClient(
        dataclasses.replace(client.config, token_url="https://127.0.0.1:9/connect/token"),
        MemoryTokenStore(client.tokens.load()),
        client.tenant_id,
        governor=RateGovernor(),
    )
    for each in (client, elsewhere):
        each.tokens.save(dataclasses.replace(each.tokens.load(), expires_at=time.time()))
    client.organisation()  # refreshed at the sandbox, although a client pointing elsewhere was made after it
    with pytest.raises(RetryableError):  # nothing answers on port 9: the refresh fails, and is worth retrying
        elsewhere.refresh_now()
    assert TokenApi.refresh_token_url == shipped


def test_a_lost_refresh_response_is_recovered_through_the_grace_period(client, sandbox):
    from dxconnector.xero import auth

    store = client.tokens
    before = store.load()
    successor = auth.refresh(xero_oauth_config(sandbox), before.refresh_token)  # its response "lost": never saved
    store.save(dataclasses.replace(before, expires_at=time.time()))  # so the next call must refresh with the old token
    client.organisation()
    assert store.load().refresh_token == successor.refresh_token


def test_a_tenant_that_is_not_connected_is_a_permanent_403(client):
    other = XeroClient(client.config, client.tokens, "00000000-0000-0000-0000-000000000000", governor=RateGovernor())
    with pytest.raises(PermanentError) as raised:
        other.organisation()
    assert raised.value.status == 403


def test_a_revoked_grant_reads_as_auth_expired(client, sandbox):
    from dxconnector.xero import auth

    auth.revoke(xero_oauth_config(sandbox), client.tokens.load().refresh_token)
    with pytest.raises(AuthExpired):
        client.organisation()
