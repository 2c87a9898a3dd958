"""The in-process API other parts of the sandbox (a UI) use: rows by table name, in Web API shapes."""

from __future__ import annotations


def test_create_update_get_list_and_delete_by_table_name(org):
    api = org.api
    account = api.create("account", {"name": "Inproc Ångström", "address1_city": "Uppsala"})
    assert account["@odata.etag"].startswith('W/"') and account["address1_composite"] == "Uppsala"
    contact = api.create(
        "contact",
        {"firstname": "Ida", "lastname": "Ek", "parentcustomerid_account@odata.bind": f"/accounts({account['accountid']})"},
    )
    assert contact["_parentcustomerid_value@OData.Community.Display.V1.FormattedValue"] == "Inproc Ångström"
    updated = api.update("account", account["accountid"], {"telephone1": "+46 18"})
    assert updated["telephone1"] == "+46 18" and updated["@odata.etag"] != account["@odata.etag"]
    rows = api.list(
        "contact", filter=f"_parentcustomerid_value eq {account['accountid']}", select=["fullname"], orderby="fullname"
    )
    assert [r["fullname"] for r in rows] == ["Ida Ek"]
    api.delete("account", account["accountid"])
    assert api.get("account", account["accountid"]) is None
    assert "invoice" in api.tables()
