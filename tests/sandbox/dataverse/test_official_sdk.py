"""The official PowerPlatform-Dataverse-Client SDK works against the emulator over HTTPS, unchanged.

Batches that continue on error and table metadata are driven in test_official_sdk_in_sandbox.py, against the
real sandbox process with an MSAL token."""

from __future__ import annotations

import time
import uuid

import pytest

pytest.importorskip("PowerPlatform.Dataverse", reason="install the test extra: PowerPlatform-Dataverse-Client")

from azure.core.credentials import AccessToken
from PowerPlatform.Dataverse.client import DataverseClient
from PowerPlatform.Dataverse.core.errors import HttpError
from PowerPlatform.Dataverse.models.upsert import UpsertItem

from tests.sandbox.dataverse.conftest import ADMIN, TestTokens, make_org
from tests.sandbox.dataverse.servers import HttpsServer


class StaticCredential:
    """A TokenCredential: the SDK only calls get_token(scope)."""

    def __init__(self, token: str):
        self.token = token
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    org = make_org(tmp_path_factory.mktemp("sdk-org"))
    server = HttpsServer(org.app, tmp_path_factory.mktemp("sdk-tls")).start()
    yield org, server
    server.stop()


@pytest.fixture
def client(served, monkeypatch):
    _org, server = served
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)  # the SDK builds its own requests session
    credential = StaticCredential(TestTokens().issue(ADMIN, audience=server.base_url))
    with DataverseClient(server.base_url, credential) as dataverse:
        yield dataverse
    assert credential.scopes and all(scope == f"{server.base_url}/.default" for scope in credential.scopes)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def test_the_sdk_creates_retrieves_updates_and_deletes_an_account(client):
    name = unique("SDK Ärzte GmbH")
    account_id = client.records.create("account", {"name": name, "telephone1": "+49 30 1234"})
    record = client.records.retrieve("account", account_id, select=["name", "telephone1"])
    assert (record["name"], record["telephone1"]) == (name, "+49 30 1234")
    client.records.update("account", account_id, {"telephone1": "+49 30 9999"})
    assert client.records.retrieve("account", account_id, select=["telephone1"])["telephone1"] == "+49 30 9999"
    client.records.delete("account", account_id)
    assert client.records.retrieve("account", account_id) is None


def test_the_sdk_creates_many_records_with_create_multiple_and_updates_them_with_update_multiple(client):
    names = [unique("Bulk") for _ in range(3)]
    ids = client.records.create("contact", [{"firstname": "Zoë", "lastname": n} for n in names])
    assert len(ids) == 3
    client.records.update("contact", ids, {"jobtitle": "Buyer"})
    rows = client.records.list(
        "contact",
        filter=f"lastname eq '{names[0]}' or lastname eq '{names[1]}' or lastname eq '{names[2]}'",
        select=["jobtitle", "fullname"],
    )
    assert sorted(r["jobtitle"] for r in rows) == ["Buyer"] * 3
    assert {r["fullname"] for r in rows} == {f"Zoë {n}" for n in names}


def test_the_sdk_lists_every_page_by_following_next_links(client):
    tag = unique("Paged")
    client.records.create("account", [{"name": f"{tag} {i:02d}"} for i in range(7)])
    pages = list(
        client.records.list_pages(
            "account", filter=f"startswith(name,'{tag}')", select=["name"], orderby=["name asc"], page_size=3
        )
    )
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [r["name"] for page in pages for r in page] == [f"{tag} {i:02d}" for i in range(7)]


def test_the_sdk_upserts_by_alternate_key_after_creating_the_key(client):
    if not any(key.key_attributes == ["accountnumber"] for key in client.tables.get_alternate_keys("account")):
        key = client.tables.create_alternate_key("account", "dxc_AccountNumberKey", ["accountnumber"])
        assert key.metadata_id
    number = f"UP-{uuid.uuid4().hex[:6]}"
    client.records.upsert("account", [UpsertItem(alternate_key={"accountnumber": number}, record={"name": "Upserted Ōsaka"})])
    client.records.upsert("account", [UpsertItem(alternate_key={"accountnumber": number}, record={"name": "Upserted Ōsaka KK"})])
    rows = client.records.list("account", filter=f"accountnumber eq '{number}'", select=["name"])
    assert [r["name"] for r in rows] == ["Upserted Ōsaka KK"]
    second = f"UP-{uuid.uuid4().hex[:6]}"
    client.records.upsert(
        "account",
        [
            UpsertItem(alternate_key={"accountnumber": number}, record={"name": "Multi one"}),
            UpsertItem(alternate_key={"accountnumber": second}, record={"name": "Multi two"}),
        ],
    )
    rows = client.records.list(
        "account", filter=f"accountnumber eq '{number}' or accountnumber eq '{second}'", select=["name"], orderby=["name"]
    )
    assert [r["name"] for r in rows] == ["Multi one", "Multi two"]


def test_the_sdk_runs_a_batch_with_a_changeset(client):
    batch = client.batch.new()
    name = unique("Batch")
    batch.records.create("account", {"name": name})
    changeset = batch.changeset()
    account_ref = changeset.records.create("account", {"name": name + " parent"})
    changeset.records.create("contact", {"lastname": "Nested", "parentcustomerid_account@odata.bind": account_ref})
    result = batch.execute()
    assert not result.has_errors
    assert len(result.entity_ids) == 3
    contacts = client.records.list(
        "contact", filter=f"lastname eq 'Nested' and parentcustomerid_account/name eq '{name} parent'", select=["lastname"]
    )
    assert len(contacts) == 1


def test_the_sdk_raises_http_errors_the_way_dataverse_answers_them(client):
    with pytest.raises(HttpError) as raised:
        client.records.update("account", str(uuid.uuid4()), {"name": "nobody"})  # If-Match: * prevents the upsert
    assert raised.value.status_code == 404
    assert raised.value.details.get("service_error_code") == "0x80040217"
