"""dynamics-web-api (npm, the community JavaScript client for Dataverse's Web API), unchanged, against the running
sandbox: it associates and disassociates rows through a collection-valued navigation and sets, changes and clears a
single-valued one (`$ref`), pages a FetchXML query with its paging cookie (`fetch`, then `fetchAll`) and retrieves a
table's metadata, in Harbour Lights Trading as the organisation's application user.

The client runs in node (dynamics-web-api/run-client.js, installed from its lock by `npm ci`), trusts the sandbox's
CA through NODE_EXTRA_CA_CERTS and takes its token from the caller (`onTokenRefresh`), as with a token from Entra ID;
the token comes from the sandbox's identity host by the client-credentials grant. What the client saw, it prints as
JSON; the rows it left are then read again through the sandbox's HTTP API, independently of the client.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox.node_projects import installed_node_project

PROJECT = Path(__file__).with_name("dynamics-web-api")
HARBOUR = "Harbour Lights Trading"
CLIENT = "dynamics-web-api"
RUN_SECONDS = 120
CONTACTS = 5  # run-client.js makes this many contacts, pages them two at a time


@pytest.fixture(scope="module")
def harbour(sandbox) -> dict[str, Any]:
    if "microsoft" not in sandbox.manifest:
        pytest.skip("this sandbox has no Microsoft side")
    return next(org for org in sandbox.manifest["microsoft"]["organisations"] if org["friendly_name"] == HARBOUR)


@pytest.fixture(scope="module")
def token(sandbox, harbour) -> str:
    """An app-only token for the organisation: the daemon app's client-credentials grant at its tenant's authority."""
    microsoft = sandbox.manifest["microsoft"]
    daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
    tenant = next(tenant for tenant in microsoft["tenants"] if tenant["tenant_id"] == harbour["tenant_id"])
    form = {
        "grant_type": "client_credentials",
        "client_id": daemon["client_id"],
        "client_secret": daemon["client_secret"],
        "scope": f"{harbour['url']}/.default",
    }
    answer = httpx.post(f"{tenant['authority']}/oauth2/v2.0/token", data=form, verify=sandbox.tls, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture(scope="module")
def web_api(sandbox, harbour, token) -> Iterator[httpx.Client]:
    """The sandbox's Web API over plain HTTP, for checking what the client did."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "OData-Version": "4.0"}
    with httpx.Client(base_url=harbour["web_api_url"] + "/", headers=headers, verify=sandbox.tls, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def client_project(tmp_path_factory) -> Path:
    return installed_node_project(PROJECT, ("run-client.js",), tmp_path_factory.mktemp(CLIENT), CLIENT)


@pytest.fixture(scope="module")
def tag() -> str:
    return f"DWA {uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def seen(client_project, sandbox, harbour, token, tag, web_api) -> Iterator[dict[str, Any]]:
    """What dynamics-web-api saw, run once for the module; the rows it made are deleted afterwards."""
    asked = json.dumps({"server_url": harbour["url"], "token": token, "tag": tag})
    ran = subprocess.run(
        ["node", "run-client.js", asked],
        cwd=client_project,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": sandbox.ca_file},
        capture_output=True,
        text=True,
        timeout=RUN_SECONDS,
    )
    assert ran.returncode == 0, f"{ran.stdout}\n{ran.stderr}"
    result = json.loads(ran.stdout.strip().splitlines()[-1])
    yield result
    for contact in result["contacts"]:
        web_api.delete(f"contacts({contact})")
    web_api.delete(f"accounts({result['account']})")


def test_it_associates_existing_contacts_through_the_accounts_collection_and_disassociates_one(seen):
    first, second = seen["contacts"][:2]
    collection = seen["collection_valued"]
    assert collection["associated"] == {"children": sorted([first, second]), "parents": [seen["account"]] * 2}
    assert collection["disassociated"] == {"children": [first], "parents": [seen["account"], None]}


def test_it_sets_changes_and_clears_the_accounts_primary_contact(seen):
    first, second = seen["contacts"][:2]
    assert seen["single_valued"] == {"set": second, "changed": first, "cleared": None, "set_again": first}


def test_it_pages_a_fetchxml_query_with_the_paging_cookie_and_fetch_all_stops_at_the_last_page(seen, tag):
    names = [f"{tag} {index:02d}" for index in range(CONTACTS)]
    pages = seen["fetch_xml"]["pages"]
    assert [page["lastnames"] for page in pages] == [names[0:2], names[2:4], names[4:]]
    assert [(page["next_page"], page["cookie"]) for page in pages] == [(2, True), (3, True), (None, False)]
    assert seen["fetch_xml"]["all"] == names


def test_it_retrieves_the_account_tables_metadata_by_logical_name_and_by_metadata_id(seen):
    account = seen["metadata"]["account"]
    assert (account["LogicalName"], account["EntitySetName"]) == ("account", "accounts")
    assert (account["PrimaryIdAttribute"], account["PrimaryNameAttribute"]) == ("accountid", "name")
    assert account["CanChangeTrackingBeEnabled"]["Value"] is True
    assert seen["metadata"]["by_metadata_id"] == "account"


def test_the_sandboxs_web_api_shows_the_rows_and_links_the_client_left(seen, tag, web_api):
    first, second = seen["contacts"][:2]
    account = web_api.get(f"accounts({seen['account']})", params={"$select": "_primarycontactid_value"})
    assert account.status_code == 200, account.text
    assert account.json()["_primarycontactid_value"] == first
    children = web_api.get(f"accounts({seen['account']})/contact_customer_accounts", params={"$select": "contactid"})
    assert children.status_code == 200, children.text
    assert [row["contactid"] for row in children.json()["value"]] == [first]
    parents = {
        contact: web_api.get(f"contacts({contact})", params={"$select": "_parentcustomerid_value"}).json()
        for contact in (first, second)
    }
    assert parents[first]["_parentcustomerid_value"] == seen["account"]
    assert parents[second]["_parentcustomerid_value"] is None
    tagged = web_api.get("contacts", params={"$filter": f"startswith(lastname,'{tag}')", "$select": "contactid"})
    assert sorted(row["contactid"] for row in tagged.json()["value"]) == sorted(seen["contacts"])
