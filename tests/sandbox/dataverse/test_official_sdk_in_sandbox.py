"""The official PowerPlatform-Dataverse-Client SDK against the running sandbox, as the connector's background sync
would use it: an app-only token from the sandbox's identity host through unmodified MSAL, wrapped as an azure.core
TokenCredential, then records, pages, upserts, batches and table metadata in Harbour Lights Trading, as the
organisation's application user (the "Xero Integration" role: full rights on the sales tables, read on reference
tables, alternate keys).

Both HTTP clients trust the sandbox's CA and nothing else: MSAL's session is built here with `trust_env` off, so
a REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE in the environment cannot override its `verify`; the SDK builds its own
requests session, so REQUESTS_CA_BUNDLE points it at the sandbox's CA for the test.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

pytest.importorskip("PowerPlatform.Dataverse", reason="install the test extra: PowerPlatform-Dataverse-Client")
msal = pytest.importorskip("msal", reason="install the test extra: msal")

from azure.core.credentials import AccessToken, TokenCredential  # noqa: E402
from azure.core.exceptions import ClientAuthenticationError  # noqa: E402
from PowerPlatform.Dataverse.client import DataverseClient  # noqa: E402
from PowerPlatform.Dataverse.core.errors import HttpError  # noqa: E402
from PowerPlatform.Dataverse.models.upsert import UpsertItem  # noqa: E402

HARBOUR = "Harbour Lights Trading"
INTEGRATION_ROLE = "Xero Integration"
# What the tests below do, as Dataverse privileges (the changeset binds a contact to an account: Append/AppendTo).
PRIVILEGES_USED = {
    *(f"prv{operation}{table}" for operation in ("Create", "Read", "Write", "Delete") for table in ("Account", "Contact")),
    "prvAppendContact",
    "prvAppendToAccount",
    "prvReadInvoice",
    "prvReadTransactionCurrency",
    "prvCreateEntity",  # alternate keys
}


class MsalCredential:
    """An azure.core TokenCredential over MSAL's client-credentials flow; MSAL caches the token between calls."""

    def __init__(self, app: Any):
        self.app = app
        self.scopes: list[str] = []

    def get_token(
        self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, enable_cae: bool = False, **kwargs: Any
    ) -> AccessToken:
        self.scopes.extend(scopes)
        result = self.app.acquire_token_for_client(list(scopes))
        if "access_token" not in result:
            raise ClientAuthenticationError(message=f"{result.get('error')}: {result.get('error_description')}")
        return AccessToken(result["access_token"], int(time.time()) + int(result["expires_in"]))


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (the sandbox's identity host and Dataverse hosts verify it)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def microsoft(sandbox) -> dict[str, Any]:
    if "microsoft" not in sandbox.manifest:
        pytest.skip("this sandbox has no Microsoft side")
    return sandbox.manifest["microsoft"]


@pytest.fixture(scope="module")
def harbour(microsoft) -> dict[str, Any]:
    return next(org for org in microsoft["organisations"] if org["friendly_name"] == HARBOUR)


@pytest.fixture(scope="module")
def application_user(microsoft, harbour) -> dict[str, Any]:
    return next(user for user in microsoft["application_users"] if user["organisation"] == harbour["unique_name"])


@pytest.fixture(scope="module")
def sandbox_only_http(sandbox) -> Iterator[requests.Session]:
    """A requests session that trusts the sandbox's CA whatever the environment says (and uses no proxy)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = sandbox.ca_file
    yield session
    session.close()  # idle keep-alive connections would hold up the sandbox's shutdown


@pytest.fixture(scope="module")
def credential(microsoft, harbour, sandbox_only_http) -> MsalCredential:
    """The daemon app, signing in to Harbour Lights' tenant with its client secret."""
    daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
    tenant = next(tenant for tenant in microsoft["tenants"] if tenant["tenant_id"] == harbour["tenant_id"])
    app = msal.ConfidentialClientApplication(
        daemon["client_id"],
        client_credential=daemon["client_secret"],
        authority=tenant["authority"],
        instance_discovery=False,
        http_client=sandbox_only_http,
    )
    return MsalCredential(app)


@pytest.fixture
def client(sandbox, harbour, credential, monkeypatch) -> Iterator[DataverseClient]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", sandbox.ca_file)  # the SDK builds its own requests session
    with DataverseClient(harbour["url"], credential) as dataverse:
        yield dataverse
    assert set(credential.scopes) == {f"{harbour['url']}/.default"}


def test_msal_gets_an_app_only_token_for_the_organisation_from_the_sandbox_identity_host(credential, harbour, application_user):
    assert isinstance(credential, TokenCredential)
    token = credential.get_token(f"{harbour['url']}/.default")
    claims = claims_of(token.token)
    assert claims["aud"] == harbour["url"] and claims["tid"] == harbour["tenant_id"]
    assert (claims["idtyp"], claims["oid"]) == ("app", application_user["object_id"])
    assert token.expires_on > time.time() + 60
    assert credential.get_token(f"{harbour['url']}/.default").token == token.token  # MSAL's cache answers the second call


def test_the_application_user_has_the_xero_integration_role_and_every_privilege_these_tests_use(
    credential, harbour, application_user, sandbox_only_http
):
    assert application_user["role"] == INTEGRATION_ROLE
    headers = {
        "Authorization": f"Bearer {credential.get_token(harbour['url'] + '/.default').token}",
        "Accept": "application/json",
    }
    me = sandbox_only_http.get(f"{harbour['web_api_url']}/WhoAmI", headers=headers, timeout=10)
    assert me.status_code == 200, me.text
    assert (me.json()["UserId"], me.json()["OrganizationId"]) == (application_user["systemuser_id"], harbour["id"])
    privileges = sandbox_only_http.get(
        f"{harbour['web_api_url']}/systemusers({application_user['systemuser_id']})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges",
        headers=headers,
        timeout=10,
    )
    assert privileges.status_code == 200, privileges.text
    names = {privilege["PrivilegeName"] for privilege in privileges.json()["RolePrivileges"]}
    assert names >= PRIVILEGES_USED, sorted(PRIVILEGES_USED - names)
    assert "prvWriteTransactionCurrency" not in names  # a custom role, not an administrator's


def test_the_sdk_creates_retrieves_updates_and_deletes_an_account(client):
    name = unique("Harbour SDK Ōtautahi Traders")
    account_id = client.records.create("account", {"name": name, "telephone1": "+64 3 555 0100"})
    record = client.records.retrieve("account", account_id, select=["name", "telephone1"])
    assert (record["name"], record["telephone1"]) == (name, "+64 3 555 0100")
    client.records.update("account", account_id, {"telephone1": "+64 3 555 0199"})
    assert client.records.retrieve("account", account_id, select=["telephone1"])["telephone1"] == "+64 3 555 0199"
    client.records.delete("account", account_id)
    assert client.records.retrieve("account", account_id) is None


def test_the_sdk_lists_contacts_page_by_page_following_the_next_links(client):
    tag = unique("Paged")
    ids = client.records.create("contact", [{"firstname": "Mere", "lastname": f"{tag} {index:02d}"} for index in range(7)])
    try:
        pages = list(
            client.records.list_pages(
                "contact", filter=f"startswith(lastname,'{tag}')", select=["lastname"], orderby=["lastname asc"], page_size=3
            )
        )
        assert [len(page) for page in pages] == [3, 3, 1]
        assert [row["lastname"] for page in pages for row in page] == [f"{tag} {index:02d}" for index in range(7)]
    finally:
        for contact_id in ids:
            client.records.delete("contact", contact_id)


def test_the_sdk_updates_many_contacts_in_one_call(client):
    names = [unique("Bulk") for _ in range(3)]
    ids = client.records.create("contact", [{"firstname": "Tāne", "lastname": name} for name in names])
    try:
        client.records.update("contact", ids, {"jobtitle": "Accounts payable"})
        rows = client.records.list(
            "contact", filter=" or ".join(f"lastname eq '{name}'" for name in names), select=["jobtitle", "fullname"]
        )
        assert sorted(row["jobtitle"] for row in rows) == ["Accounts payable"] * 3
        assert {row["fullname"] for row in rows} == {f"Tāne {name}" for name in names}
    finally:
        for contact_id in ids:
            client.records.delete("contact", contact_id)


def test_the_sdk_upserts_accounts_by_an_alternate_key_the_application_user_creates_and_removes(client):
    key = client.tables.create_alternate_key("account", "dxc_SdkTestAccountNumber", ["accountnumber"])
    try:
        assert [k.key_attributes for k in client.tables.get_alternate_keys("account")] == [["accountnumber"]]
        first, second = f"HL-{uuid.uuid4().hex[:8]}", f"HL-{uuid.uuid4().hex[:8]}"
        client.records.upsert(
            "account", [UpsertItem(alternate_key={"accountnumber": first}, record={"name": "Upserted Wharf Supplies"})]
        )
        client.records.upsert(
            "account", [UpsertItem(alternate_key={"accountnumber": first}, record={"name": "Upserted Wharf Supplies Ltd"})]
        )
        rows = client.records.list("account", filter=f"accountnumber eq '{first}'", select=["name"])
        assert [row["name"] for row in rows] == ["Upserted Wharf Supplies Ltd"]  # updated, not created twice
        client.records.upsert(
            "account",
            [
                UpsertItem(alternate_key={"accountnumber": first}, record={"name": "Multi one"}),
                UpsertItem(alternate_key={"accountnumber": second}, record={"name": "Multi two"}),
            ],
        )
        rows = client.records.list(
            "account",
            filter=f"accountnumber eq '{first}' or accountnumber eq '{second}'",
            select=["name", "accountid"],
            orderby=["name"],
        )
        assert [row["name"] for row in rows] == ["Multi one", "Multi two"]
        for row in rows:
            client.records.delete("account", row["accountid"])
    finally:
        client.tables.delete_alternate_key("account", key.metadata_id)
    assert client.tables.get_alternate_keys("account") == []


def test_the_sdk_runs_a_batch_whose_changeset_links_a_new_contact_to_a_new_account(client):
    name = unique("Batch Harbour")
    batch = client.batch.new()
    batch.records.create("account", {"name": name})
    changeset = batch.changeset()
    parent = changeset.records.create("account", {"name": name + " parent"})
    changeset.records.create("contact", {"lastname": name, "parentcustomerid_account@odata.bind": parent})
    result = batch.execute()
    assert not result.has_errors
    assert len(result.entity_ids) == 3
    contacts = client.records.list(
        "contact", filter=f"lastname eq '{name}' and parentcustomerid_account/name eq '{name} parent'", select=["lastname"]
    )
    assert len(contacts) == 1


def test_the_sdk_reports_each_failed_item_of_a_batch_that_continues_on_error(client):
    batch = client.batch.new()
    batch.records.create("account", {"name": unique("Fine")})
    batch.records.create("account", {"nosuchcolumn": 1})
    batch.records.create("account", {"name": unique("Also fine")})
    result = batch.execute(continue_on_error=True)
    assert [item.status_code for item in result.responses] == [204, 400, 204]
    assert "nosuchcolumn" in result.failed[0].error_message


def test_the_sdk_reads_table_metadata(client):
    info = client.tables.get("invoice")
    assert (info.schema_name, info.logical_name, info.entity_set_name) == ("Invoice", "invoice", "invoices")
    columns = client.tables.list_columns("invoice", select=["LogicalName", "AttributeType"])
    types = {column["LogicalName"]: column["AttributeType"] for column in columns}
    assert types["totalamount"] == "Money" and types["customerid"] == "Customer" and types["statuscode"] == "Status"
    names = {table["LogicalName"] for table in client.tables.list(select=["LogicalName"])}
    assert {"account", "contact", "invoice", "invoicedetail", "product", "transactioncurrency"} <= names


def test_the_sdk_raises_the_missing_privilege_when_the_role_may_only_read_a_table(client):
    [currency] = client.records.list("transactioncurrency", select=["currencyname"], top=1)
    with pytest.raises(HttpError) as refused:
        client.records.update("transactioncurrency", currency["transactioncurrencyid"], {"currencyname": "Not allowed"})
    assert refused.value.status_code == 403
    assert "prvWriteTransactionCurrency" in str(refused.value)
