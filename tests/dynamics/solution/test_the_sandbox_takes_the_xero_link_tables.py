"""The Xero link tables import into the Dataverse sandbox and take the rows the connector writes: an upsert by id
(PATCH) binding the connection and the account, contact or product. Importing the solution again over an install
that predates them adds them, and the connector's user then holds every access the checklist asks for."""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid

import pytest

from dxconnector.domain.access import all_required_privileges, check_access
from dxconnector.domain.names import (
    ConnectorTable,
    SyncHistoryTable,
    XeroContactTable,
    XeroItemTable,
    lookup_value,
    odata_bind,
)
from dxconnector.dynamics.solution import build_solution_zip
from dxconnector.dynamics.solution.definition import (
    DYNAMICS_XERO_CONNECTOR,
    INVOICE,
    INVOICE_LINE,
    PRODUCT,
    SYNC_HISTORY,
    XERO_CONTACT,
    XERO_ITEM,
    XERO_PAYMENT,
)
from tests.sandbox.dataverse.conftest import ADMIN, API, INTEGRATION, Org, make_org

FORMATTED = "@OData.Community.Display.V1.FormattedValue"
ANNOTATIONS = {"Prefer": 'odata.include-annotations="*"'}
FIRST, SECOND = 100000000, 100000001  # the first two option values of every choice of ours


def import_solution(org: Org, zip_bytes: bytes) -> None:
    response = org.client(ADMIN).post(
        f"{API}/ImportSolution",
        json={"CustomizationFile": base64.b64encode(zip_bytes).decode(), "ImportJobId": str(uuid.uuid4())},
    )
    assert response.status_code == 204, response.text


def before_the_xero_link_tables():
    """The solution as it was before this change: no Xero contact or item tables, no product on the history,
    no forms on accounts, contacts and products."""
    history = dataclasses.replace(
        SYNC_HISTORY,
        columns=tuple(c for c in SYNC_HISTORY.columns if c.name != SyncHistoryTable.PRODUCT_ID),
        sections=tuple(
            dataclasses.replace(s, fields=tuple(f for f in s.fields if f != SyncHistoryTable.PRODUCT_ID))
            for s in SYNC_HISTORY.sections
        ),
        views=(),
    )
    tables = tuple(
        history if table is SYNC_HISTORY else table
        for table in DYNAMICS_XERO_CONNECTOR.tables
        if table not in (XERO_CONTACT, XERO_ITEM, XERO_PAYMENT)
    )
    product = dataclasses.replace(PRODUCT, standard_fields=(), forms=())
    invoice = dataclasses.replace(INVOICE, forms=())
    return dataclasses.replace(
        DYNAMICS_XERO_CONNECTOR, version="1.0.0.0", tables=tables, extensions=(invoice, INVOICE_LINE, product)
    )


@pytest.fixture
def installed(tmp_path):
    org = make_org(tmp_path)
    import_solution(org, build_solution_zip(DYNAMICS_XERO_CONNECTOR))
    yield org
    org.service.webhooks.close()


def upsert(org: Org, entity_set: str, row_id: str, values: dict) -> None:
    """As the connector writes: PATCH by a row id of its choosing, creating the row or updating it."""
    response = org.client(INTEGRATION).patch(f"{API}/{entity_set}({row_id})", json=values)
    assert response.status_code == 204, response.text


def read(org: Org, entity_set: str, row_id: str) -> dict:
    response = org.client(INTEGRATION).get(f"{API}/{entity_set}({row_id})", headers=ANNOTATIONS)
    assert response.status_code == 200, response.text
    return response.json()


def a_connection(org: Org) -> str:
    return org.api.create(ConnectorTable.TABLE, {ConnectorTable.NAME: "Demo Company (NZ)"})[ConnectorTable.TABLE + "id"]


def test_a_linked_account_gets_its_xero_contact_row_bound_to_the_account_and_the_connection(installed):
    connection = a_connection(installed)
    account = installed.api.create("account", {"name": "Ridgeway University"})["accountid"]
    row_id = str(uuid.uuid4())
    values = {
        XeroContactTable.NAME: "Ridgeway University",
        odata_bind(XeroContactTable.CONNECTOR_ID): f"/stl3_dynamicsxeroconnectors({connection})",
        odata_bind(XeroContactTable.ACCOUNT_ID): f"/accounts({account})",
        XeroContactTable.XERO_CONTACT_ID: "565acaa9-e7f3-4fbf-80c3-16b081ddae10",
        XeroContactTable.XERO_STATUS: FIRST,
        XeroContactTable.SYNC_STATUS: FIRST,
        XeroContactTable.XERO_URL: "https://go.xero.com/Contacts/View/565acaa9-e7f3-4fbf-80c3-16b081ddae10",
        XeroContactTable.LAST_SYNCED_ON: "2025-05-01T09:30:00Z",
    }
    upsert(installed, "stl3_xerocontacts", row_id, values)
    upsert(installed, "stl3_xerocontacts", row_id, {XeroContactTable.SYNC_STATUS: SECOND})  # the same row, updated

    row = read(installed, "stl3_xerocontacts", row_id)
    assert (row[lookup_value(XeroContactTable.ACCOUNT_ID)], row[lookup_value(XeroContactTable.CONNECTOR_ID)]) == (
        account,
        connection,
    )
    assert row[lookup_value(XeroContactTable.CONTACT_ID)] is None
    assert (row[XeroContactTable.XERO_STATUS + FORMATTED], row[XeroContactTable.SYNC_STATUS + FORMATTED]) == (
        "Active",
        "Failed (see Sync History)",
    )
    assert row[XeroContactTable.XERO_CONTACT_ID] == values[XeroContactTable.XERO_CONTACT_ID]
    linked = installed.client(INTEGRATION).get(
        f"{API}/accounts({account})",
        params={"$expand": f"{XeroContactTable.ACCOUNT_RELATIONSHIP}($select={XeroContactTable.XERO_CONTACT_ID})"},
    )
    assert [r[XeroContactTable.XERO_CONTACT_ID] for r in linked.json()[XeroContactTable.ACCOUNT_RELATIONSHIP]] == [
        values[XeroContactTable.XERO_CONTACT_ID]
    ]


def test_a_linked_contact_gets_its_xero_contact_row_bound_to_the_contact(installed):
    connection = a_connection(installed)
    contact = installed.api.create("contact", {"firstname": "Ana", "lastname": "Ngata"})["contactid"]
    row_id = str(uuid.uuid4())
    upsert(
        installed,
        "stl3_xerocontacts",
        row_id,
        {
            XeroContactTable.NAME: "Ana Ngata",
            odata_bind(XeroContactTable.CONNECTOR_ID): f"/stl3_dynamicsxeroconnectors({connection})",
            odata_bind(XeroContactTable.CONTACT_ID): f"/contacts({contact})",
            XeroContactTable.XERO_STATUS: SECOND,
        },
    )
    row = read(installed, "stl3_xerocontacts", row_id)
    assert (row[lookup_value(XeroContactTable.CONTACT_ID)], row[lookup_value(XeroContactTable.ACCOUNT_ID)]) == (contact, None)
    assert row[XeroContactTable.XERO_STATUS + FORMATTED] == "Archived"


def test_a_linked_product_gets_its_xero_item_row_bound_to_the_product(installed):
    connection = a_connection(installed)
    product = installed.api.create("product", {"name": "Harbour cruise", "productnumber": "CRUISE-2"})["productid"]
    row_id = str(uuid.uuid4())
    upsert(
        installed,
        "stl3_xeroitems",
        row_id,
        {
            XeroItemTable.NAME: "Harbour cruise",
            odata_bind(XeroItemTable.CONNECTOR_ID): f"/stl3_dynamicsxeroconnectors({connection})",
            odata_bind(XeroItemTable.PRODUCT_ID): f"/products({product})",
            XeroItemTable.XERO_ITEM_ID: "9a59ea90-942e-484d-9b71-d00ab607e03b",
            XeroItemTable.XERO_CODE: "CRUISE-2",
            XeroItemTable.SYNC_STATUS: FIRST,
            XeroItemTable.XERO_URL: "https://go.xero.com/Accounts/Inventory/9a59ea90-942e-484d-9b71-d00ab607e03b",
            XeroItemTable.LAST_SYNCED_ON: "2025-05-01T09:31:00Z",
        },
    )
    row = read(installed, "stl3_xeroitems", row_id)
    assert (row[lookup_value(XeroItemTable.PRODUCT_ID)], row[lookup_value(XeroItemTable.CONNECTOR_ID)]) == (product, connection)
    assert (row[XeroItemTable.XERO_CODE], row[XeroItemTable.SYNC_STATUS + FORMATTED]) == ("CRUISE-2", "In step")


def test_a_code_longer_than_xero_takes_is_refused(installed):
    refused = installed.client(INTEGRATION).patch(
        f"{API}/stl3_xeroitems({uuid.uuid4()})", json={XeroItemTable.NAME: "Too long", XeroItemTable.XERO_CODE: "C" * 31}
    )
    assert refused.status_code == 400


def test_a_sync_attempt_about_a_product_is_bound_to_it(installed):
    product = installed.api.create("product", {"name": "Kete", "productnumber": "KETE-1"})["productid"]
    row_id = str(uuid.uuid4())
    upsert(
        installed,
        "stl3_synchistories",
        row_id,
        {SyncHistoryTable.NAME: "Product KETE-1 to Xero", odata_bind(SyncHistoryTable.PRODUCT_ID): f"/products({product})"},
    )
    assert read(installed, "stl3_synchistories", row_id)[lookup_value(SyncHistoryTable.PRODUCT_ID)] == product


def test_importing_again_over_an_install_without_the_xero_link_tables_adds_them(tmp_path):
    org = make_org(tmp_path)
    try:
        import_solution(org, build_solution_zip(before_the_xero_link_tables()))
        assert org.client(INTEGRATION).get(f"{API}/stl3_xerocontacts").status_code == 404
        newer = dataclasses.replace(DYNAMICS_XERO_CONNECTOR, version="1.1.0.0")
        import_solution(org, build_solution_zip(newer))
        for entity_set in ("stl3_xerocontacts", "stl3_xeroitems"):
            assert org.client(INTEGRATION).get(f"{API}/{entity_set}").json()["value"] == []
        history = org.client(ADMIN).get(
            f"{API}/EntityDefinitions(LogicalName='stl3_synchistory')/Attributes", params={"$select": "LogicalName"}
        )
        assert SyncHistoryTable.PRODUCT_ID in {a["LogicalName"] for a in history.json()["value"]}
        [solution] = (
            org.client(ADMIN)
            .get(f"{API}/solutions", params={"$select": "version", "$filter": "uniquename eq 'DynamicsXeroConnector'"})
            .json()["value"]
        )
        assert solution["version"] == "1.1.0.0"
    finally:
        org.service.webhooks.close()


def test_once_installed_the_connectors_user_holds_every_access_the_checklist_asks_for(installed):
    me = installed.client(INTEGRATION).get(f"{API}/WhoAmI").json()["UserId"]
    response = installed.client(INTEGRATION).get(
        f"{API}/systemusers({me})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)",
        params={"@p": json.dumps(all_required_privileges())},
    )
    held = {entry["PrivilegeName"] for entry in response.json()["RolePrivileges"]}
    failing = [check.item.table for check in check_access(held) if not check.ok]
    assert failing == []
    assert {"prvCreatestl3_xerocontact", "prvWritestl3_xeroitem"} <= held
