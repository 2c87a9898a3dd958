"""Privileges come from the users' security roles: the functions report them and every call obeys them."""

from __future__ import annotations

import json

import pytest

from tests.sandbox.dataverse.conftest import ADMIN, API, AUDITOR, INTEGRATION, NO_ACCOUNT_WRITE, SALES

CHECKLIST = [
    "prvReadAccount",
    "prvWriteAccount",
    "prvCreateInvoice",
    "prvReadInvoice",
    "prvWriteInvoice",
    "prvReadInvoiceDetail",
    "prvWriteProduct",
    "prvImportCustomization",
    "prvCreateSdkMessageProcessingStep",
]


def user_id(org, oid):
    return org.client(oid).get(f"{API}/WhoAmI").json()["UserId"]


def granted(org, oid):
    """RetrieveUserSetOfPrivilegesByNames for the checklist, asked by the user about themselves."""
    client = org.client(oid)
    response = client.get(
        f"{API}/systemusers({user_id(org, oid)})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)",
        params={"@p": json.dumps(CHECKLIST)},
    )
    assert response.status_code == 200, response.text
    return {entry["PrivilegeName"] for entry in response.json()["RolePrivileges"]}


@pytest.mark.parametrize(
    ("oid", "expected"),
    [
        (ADMIN, set(CHECKLIST)),
        (
            SALES,
            {
                "prvReadAccount",
                "prvWriteAccount",
                "prvCreateInvoice",
                "prvReadInvoice",
                "prvWriteInvoice",
                "prvReadInvoiceDetail",
                "prvWriteProduct",
            },
        ),
        (
            NO_ACCOUNT_WRITE,
            {
                "prvReadAccount",
                "prvCreateInvoice",
                "prvReadInvoice",
                "prvWriteInvoice",
                "prvReadInvoiceDetail",
                "prvWriteProduct",
            },
        ),
        (AUDITOR, {"prvReadAccount", "prvReadInvoice", "prvReadInvoiceDetail"}),
        (INTEGRATION, set(CHECKLIST)),
    ],
)
def test_each_role_has_its_privileges(org, oid, expected):
    assert granted(org, oid) == expected


def test_retrieve_user_privileges_lists_role_privileges_with_depth_and_ids(org):
    me = user_id(org, SALES)
    body = org.client(SALES).get(f"{API}/systemusers({me})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges").json()
    entry = next(p for p in body["RolePrivileges"] if p["PrivilegeName"] == "prvReadInvoice")
    assert entry["Depth"] == "Global" and entry["BusinessUnitId"] and entry["PrivilegeId"]
    assert body["@odata.context"].endswith("RetrieveUserPrivilegesResponse")
    one = org.client(SALES).get(
        f"{API}/systemusers({me})/Microsoft.Dynamics.CRM.RetrieveUserPrivilegeByPrivilegeName(PrivilegeName='prvReadInvoice')"
    )
    assert [p["PrivilegeName"] for p in one.json()["RolePrivileges"]] == ["prvReadInvoice"]
    missing = org.client(SALES).get(
        f"{API}/systemusers({me})/Microsoft.Dynamics.CRM.RetrieveUserPrivilegeByPrivilegeName(PrivilegeName='prvImportCustomization')"
    )
    assert missing.json()["RolePrivileges"] == []


def test_the_missing_account_write_is_enforced_with_a_privilege_error(org):
    account = org.api.create("account", {"name": "Protected AB"})
    refused = org.client(NO_ACCOUNT_WRITE).patch(f"{API}/accounts({account['accountid']})", json={"telephone1": "x"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "0x80040220" and "prvWriteAccount" in refused.json()["error"]["message"]
    # Creating and reading accounts still works for that role.
    assert org.client(NO_ACCOUNT_WRITE).post(f"{API}/accounts", json={"name": "Allowed"}).status_code == 204
    assert org.client(SALES).patch(f"{API}/accounts({account['accountid']})", json={"telephone1": "x"}).status_code == 204


def test_the_auditor_reads_but_cannot_write_and_salespeople_cannot_customise(org):
    auditor = org.client(AUDITOR)
    assert auditor.get(f"{API}/invoices?$select=name").status_code == 200
    assert auditor.post(f"{API}/contacts", json={"lastname": "Nope"}).status_code == 403
    assert org.client(SALES).get(f"{API}/serviceendpoints").status_code == 403
    assert org.client(SALES).post(f"{API}/ImportSolution", json={"CustomizationFile": ""}).status_code == 403


def test_retrieve_principal_access_reports_the_rights_on_a_row(org):
    account = org.api.create("account", {"name": "Access Oy"})
    me = user_id(org, NO_ACCOUNT_WRITE)
    response = org.client(NO_ACCOUNT_WRITE).get(
        f"{API}/systemusers({me})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@t)",
        params={"@t": json.dumps({"@odata.id": f"accounts({account['accountid']})"})},
    )
    rights = response.json()["AccessRights"].split(", ")
    assert "ReadAccess" in rights and "WriteAccess" not in rights


def test_privileges_are_rows_too(org):
    body = (
        org.client().get(f"{API}/privileges", params={"$select": "name", "$filter": "startswith(name,'prvReadInvoice')"}).json()
    )
    assert sorted(p["name"] for p in body["value"]) == ["prvReadInvoice", "prvReadInvoiceDetail"]
    roles = org.client().get(f"{API}/roles", params={"$select": "name"}).json()
    assert {"System Administrator", "Salesperson", "Salesperson (no account write)", "Read Only Auditor", "Xero Integration"} <= {
        r["name"] for r in roles["value"]
    }
