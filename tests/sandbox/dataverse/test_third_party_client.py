"""Community Dataverse clients from PyPI, unchanged, against the emulator over HTTPS.

- `dataverse-api` discovers a table from its metadata (EntityDefinitions with `$select` of EntitySetName,
  PrimaryIdAttribute and PrimaryImageAttribute, the table's Keys, its sdkmessagefilters and its one-to-many and
  many-to-one relationships), then creates, reads (pages, order, filter), upserts and deletes rows.
- `crmadminbrasil-dataverse-sdk` associates and disassociates existing rows through `$ref`, in a process of its own:
  importing it turns TLS verification off for the whole process (crm_sdk_child.py).

Both take their token from the caller (a `requests.Session` with the header; an authenticator with
`get_token()`), as they do with a token from Entra ID.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

pytest.importorskip("dataverse_api", reason="install the test extra: dataverse-api")
if importlib.util.find_spec("dataverse_sdk") is None:  # never imported here: crm_sdk_child.py says why
    pytest.skip("install the test extra: crmadminbrasil-dataverse-sdk", allow_module_level=True)

from dataverse_api import DataverseClient
from dataverse_api.errors import DataverseAPIError

from tests.sandbox.dataverse.conftest import ADMIN, TestTokens, make_org
from tests.sandbox.dataverse.servers import HttpsServer

CHILD = Path(__file__).with_name("crm_sdk_child.py")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    org = make_org(tmp_path_factory.mktemp("third-party-org"))
    server = HttpsServer(org.app, tmp_path_factory.mktemp("third-party-tls")).start()
    yield org, server
    server.stop()
    org.service.webhooks.close()


@pytest.fixture
def token(served):
    _org, server = served
    return TestTokens().issue(ADMIN, audience=server.base_url)


@pytest.fixture
def dataverse_api(served, token, monkeypatch):
    _org, server = served
    # requests prefers REQUESTS_CA_BUNDLE from the environment over a session's own `verify`
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return DataverseClient(session=session, environment_url=server.base_url + "/")


def run_sdk(served, token, operation: str, account_id: str, contact_id: str) -> dict:
    """One `crmadminbrasil-dataverse-sdk` operation in a process of its own (crm_sdk_child.py says why)."""
    _org, server = served
    asked = {"url": server.base_url, "ca_file": str(server.ca_file), "token": token, "operation": operation}
    asked.update(account=account_id, contact=contact_id)
    ran = subprocess.run([sys.executable, str(CHILD), json.dumps(asked)], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr[-2000:]
    return json.loads(ran.stdout.strip().splitlines()[-1])


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


# --- dataverse-api --------------------------------------------------------------------------------------


def test_dataverse_api_discovers_a_table_from_its_metadata(dataverse_api):
    account = dataverse_api.entity("account")
    assert (account.entity_set_name, account.primary_id_attr, account.primary_img_attr) == ("accounts", "accountid", None)
    assert {"contact_customer_accounts", "invoice_customer_accounts"} <= set(account.relationships.collection_valued)
    assert {"primarycontactid", "parentaccountid"} <= set(account.relationships.single_valued)
    contact = dataverse_api.entity("contact")
    assert "parentcustomerid_account" in contact.relationships.single_valued


def test_dataverse_api_creates_reads_page_by_page_upserts_and_deletes(dataverse_api):
    accounts = dataverse_api.entity("account")
    tag = unique("DVAPI")
    accounts.create([{"name": f"{tag} {n}", "numberofemployees": n} for n in range(5)])
    rows = accounts.read(
        select=["name", "numberofemployees"],
        filter=f"startswith(name,'{tag}')",
        order_by="numberofemployees desc",
        page_size=2,
    )
    assert [row["name"] for row in rows] == [f"{tag} {n}" for n in (4, 3, 2, 1, 0)]
    pages = accounts.read(select=["name"], filter=f"startswith(name,'{tag}')", page_size=2, return_responses=True)
    assert [len(page.json()["value"]) for page in pages] == [2, 2, 1]
    new_id = str(uuid.uuid4())
    accounts.upsert([{"accountid": new_id, "name": f"{tag} upserted"}])
    accounts.upsert([{"accountid": new_id, "name": f"{tag} upserted again"}])
    assert accounts.read(select=["name"], filter=f"accountid eq {new_id}")[0]["name"] == f"{tag} upserted again"
    accounts.delete(ids=[new_id, *(row["accountid"] for row in rows)])
    assert accounts.read(select=["name"], filter=f"startswith(name,'{tag}')") == []


def test_dataverse_api_reports_the_emulators_refusal_with_dataverses_message(dataverse_api):
    accounts = dataverse_api.entity("account")
    with pytest.raises(DataverseAPIError, match="Could not find a property named 'nosuchcolumn'"):
        accounts.read(select=["nosuchcolumn"])


# --- crmadminbrasil-dataverse-sdk -------------------------------------------------------------------------


def test_the_sdk_associates_an_existing_contact_through_ref_and_creates_nothing(served, token):
    org, _server = served
    account = org.api.create("account", {"name": unique("Assoc")})
    lastname = unique("Assoc")
    contact = org.api.create("contact", {"lastname": lastname})
    answer = run_sdk(served, token, "associate", account["accountid"], contact["contactid"])
    assert (answer["parent"], answer["token_asked"] > 0) == (account["accountid"], True)
    assert len(org.api.list("contact", filter=f"lastname eq '{lastname}'")) == 1


def test_the_sdk_disassociates_a_related_row_through_ref(served, token):
    org, _server = served
    account = org.api.create("account", {"name": unique("Disassoc")})
    contact = org.api.create(
        "contact", {"lastname": unique("Disassoc"), "parentcustomerid_account@odata.bind": f"/accounts({account['accountid']})"}
    )
    assert run_sdk(served, token, "disassociate", account["accountid"], contact["contactid"])["parent"] is None
    assert org.api.get("contact", contact["contactid"]) is not None


def test_the_sdk_sees_a_refused_association_as_an_error(served, token):
    org, _server = served
    account = org.api.create("account", {"name": unique("Refused")})
    answer = run_sdk(served, token, "associate", account["accountid"], str(uuid.uuid4()))
    assert "Does Not Exist" in answer["error"]


# --- dynamics365crm-python (Web API v9.0) -------------------------------------------------------------------


@pytest.fixture
def crm(served, token, monkeypatch):
    pytest.importorskip("dynamics365crm", reason="install the test extra: dynamics365crm-python")
    from dynamics365crm.client import Client

    _org, server = served
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
    return Client(server.base_url, access_token=token)


def test_dynamics365crm_python_creates_updates_lists_and_deletes_through_web_api_9_0(crm):
    name = unique("Crm")
    account_id = crm.create_account(name=name, telephone1="+44 20 7946 0000")
    assert isinstance(account_id, str) and len(account_id) == 36
    assert crm.update_account(account_id, telephone1="+44 20 7946 0001") == account_id  # from OData-EntityId
    body = crm.get_accounts(select="name,telephone1", filter=f"name eq '{name}'")
    assert body["@odata.context"].startswith(crm.domain + "/api/data/v9.0/$metadata#accounts")
    assert [(row["name"], row["telephone1"]) for row in body["value"]] == [(name, "+44 20 7946 0001")]
    assert crm.delete_account(account_id) is True
    assert crm.get_accounts(select="name", filter=f"name eq '{name}'")["value"] == []


def test_dynamics365crm_python_runs_fetchxml_passed_as_a_query_parameter(crm):
    name = unique("CrmFetch")
    crm.create_account(name=name)
    xml = f"<fetch><entity name='account'><attribute name='name'/><filter><condition attribute='name' operator='eq' value='{name}'/></filter></entity></fetch>"
    body = crm.get_data("accounts", fetchXml=xml)
    assert [row["name"] for row in body["value"]] == [name]


def test_dynamics365crm_python_sees_skip_refused_as_dataverse_refuses_it(crm):
    with pytest.raises(Exception, match=r"(?s)400 error.*The query parameter \$skip is not supported"):
        crm.get_accounts(select="name", skip="5")
