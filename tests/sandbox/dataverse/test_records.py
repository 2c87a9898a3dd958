"""Creating, updating, upserting and deleting rows: status codes, headers, etags, lookups, validation."""

from __future__ import annotations

import re
import uuid

from tests.sandbox.dataverse.conftest import API


def entity_id(response) -> str:
    match = re.search(r"\(([0-9a-f-]{36})\)$", response.headers["odata-entityid"])
    assert match, response.headers
    return match.group(1)


def test_create_answers_204_with_the_entity_id_or_201_with_the_representation(org):
    client = org.client()
    plain = client.post(f"{API}/accounts", json={"name": "Fjällräven Outlet"})
    assert plain.status_code == 204 and plain.content == b""
    assert plain.headers["odata-entityid"].startswith("https://testserver/api/data/v9.2/accounts(")
    rich = client.post(
        f"{API}/accounts?$select=name,statecode", json={"name": "Ørsted Kiosk"}, headers={"Prefer": "return=representation"}
    )
    assert rich.status_code == 201
    body = rich.json()
    assert (body["name"], body["statecode"]) == ("Ørsted Kiosk", 0)
    assert body["@odata.etag"] == rich.headers["etag"] and rich.headers["preference-applied"] == "return=representation"


def test_a_client_chosen_id_is_kept_and_a_duplicate_id_is_refused(org):
    client = org.client()
    chosen = str(uuid.uuid4())
    assert entity_id(client.post(f"{API}/accounts", json={"accountid": chosen, "name": "Chosen"})) == chosen
    again = client.post(f"{API}/accounts", json={"accountid": chosen, "name": "Again"})
    assert again.status_code == 412 and again.json()["error"]["code"] == "0x80040237"


def test_update_changes_the_etag_every_time_and_if_match_guards_it(org):
    client = org.client()
    account = entity_id(client.post(f"{API}/accounts", json={"name": "Etag GmbH"}))
    first = client.get(f"{API}/accounts({account})?$select=name").json()["@odata.etag"]
    assert client.patch(f"{API}/accounts({account})", json={"telephone1": "1"}, headers={"If-Match": first}).status_code == 204
    second = client.get(f"{API}/accounts({account})?$select=name").json()["@odata.etag"]
    assert second != first
    stale = client.patch(f"{API}/accounts({account})", json={"telephone1": "2"}, headers={"If-Match": first})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "0x80060882"
    assert client.delete(f"{API}/accounts({account})", headers={"If-Match": first}).status_code == 412
    assert client.delete(f"{API}/accounts({account})", headers={"If-Match": second}).status_code == 204


def test_get_with_if_none_match_of_the_current_etag_answers_304(org):
    client = org.client()
    account = entity_id(client.post(f"{API}/accounts", json={"name": "Cache AB"}))
    etag = client.get(f"{API}/accounts({account})?$select=name").json()["@odata.etag"]
    assert client.get(f"{API}/accounts({account})?$select=name", headers={"If-None-Match": etag}).status_code == 304
    client.patch(f"{API}/accounts({account})", json={"name": "Cache AB 2"})
    assert client.get(f"{API}/accounts({account})?$select=name", headers={"If-None-Match": etag}).status_code == 200


def test_patch_to_a_missing_id_creates_it_unless_if_match_star_forbids_it(org):
    client = org.client()
    new_id = str(uuid.uuid4())
    created = client.patch(f"{API}/accounts({new_id})", json={"name": "Upsert Ltd"}, headers={"Prefer": "return=representation"})
    assert created.status_code == 201 and created.json()["accountid"] == new_id
    updated = client.patch(
        f"{API}/accounts({new_id})", json={"name": "Upsert Ltd 2"}, headers={"Prefer": "return=representation"}
    )
    assert updated.status_code == 200 and updated.json()["name"] == "Upsert Ltd 2"
    missing = client.patch(f"{API}/accounts({uuid.uuid4()})", json={"name": "x"}, headers={"If-Match": "*"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "0x80040217"
    exists = client.patch(f"{API}/accounts({new_id})", json={"name": "x"}, headers={"If-None-Match": "*"})
    assert exists.status_code == 412


def test_alternate_keys_address_rows_and_keep_values_unique(org):
    client = org.client()
    key = client.post(
        f"{API}/EntityDefinitions(LogicalName='account')/Keys",
        json={"SchemaName": "dxc_accountnumber", "KeyAttributes": ["accountnumber"]},
    )
    assert key.status_code == 204 and "/Keys(" in key.headers["odata-entityid"]
    number = f"ALT-{uuid.uuid4().hex[:5]}"
    created = client.patch(f"{API}/accounts(accountnumber='{number}')", json={"name": "Keyed Åkeri"})
    assert created.status_code == 204
    row = client.get(f"{API}/accounts(accountnumber='{number}')?$select=name,accountnumber").json()
    assert (row["name"], row["accountnumber"]) == ("Keyed Åkeri", number)
    duplicate = client.post(f"{API}/accounts", json={"name": "Copy", "accountnumber": number})
    assert duplicate.status_code == 412 and duplicate.json()["error"]["code"] == "0x80060892"
    unknown = client.get(f"{API}/accounts(telephone1='1')")
    assert unknown.status_code == 400


def test_lookups_bind_by_navigation_property_and_read_back_as_value_properties(org):
    client = org.client()
    account = entity_id(client.post(f"{API}/accounts", json={"name": "Parent AG"}))
    contact = entity_id(
        client.post(f"{API}/contacts", json={"lastname": "Kind", "parentcustomerid_account@odata.bind": f"/accounts({account})"})
    )
    row = client.get(f"{API}/contacts({contact})?$select=_parentcustomerid_value,fullname").json()
    assert row["_parentcustomerid_value"] == account
    absolute = client.patch(
        f"{API}/contacts({contact})", json={"parentcustomerid_account@odata.bind": f"https://testserver{API}/accounts({account})"}
    )
    assert absolute.status_code == 204
    cleared = client.patch(f"{API}/contacts({contact})", json={"parentcustomerid_account@odata.bind": None})
    assert cleared.status_code == 204
    assert client.get(f"{API}/contacts({contact})?$select=_parentcustomerid_value").json()["_parentcustomerid_value"] is None
    wrong_case = client.patch(f"{API}/contacts({contact})", json={"ParentCustomerId_Account@odata.bind": f"/accounts({account})"})
    assert wrong_case.status_code == 400
    raw_guid = client.patch(f"{API}/contacts({contact})", json={"parentcustomerid": account})
    assert raw_guid.status_code == 400 and "@odata.bind" in raw_guid.json()["error"]["message"]
    dangling = client.patch(
        f"{API}/contacts({contact})", json={"parentcustomerid_account@odata.bind": f"/accounts({uuid.uuid4()})"}
    )
    assert dangling.status_code == 404


def test_unknown_properties_wrong_types_and_too_long_strings_are_refused(org):
    client = org.client()
    unknown = client.post(f"{API}/accounts", json={"name": "x", "colour": "blue"})
    assert unknown.status_code == 400 and "Invalid property 'colour'" in unknown.json()["error"]["message"]
    wrong = client.post(f"{API}/accounts", json={"name": "x", "numberofemployees": "many"})
    assert wrong.status_code == 400
    long = client.post(f"{API}/accounts", json={"name": "x" * 161})
    assert long.status_code == 400 and long.json()["error"]["code"] == "0x80044331"
    option = client.post(f"{API}/accounts", json={"name": "x", "customertypecode": 999})
    assert option.status_code == 400


def test_system_columns_are_set_by_the_service_and_ignored_on_write(org):
    client = org.client()
    body = client.post(
        f"{API}/contacts",
        json={"firstname": "Jürgen", "lastname": "Groß", "fullname": "ignored", "createdon": "2001-01-01T00:00:00Z"},
        headers={"Prefer": "return=representation"},
    ).json()
    assert body["fullname"] == "Jürgen Groß"
    assert body["createdon"] > "2020" and body["_createdby_value"] == body["_ownerid_value"]
    whoami = client.get(f"{API}/WhoAmI").json()
    assert body["_ownerid_value"] == whoami["UserId"] and body["_owningbusinessunit_value"] == whoami["BusinessUnitId"]


def test_state_and_status_change_together_and_must_match(org):
    client = org.client()
    account = entity_id(client.post(f"{API}/accounts", json={"name": "Stateful"}))
    assert client.patch(f"{API}/accounts({account})", json={"statecode": 1}).status_code == 204
    row = client.get(f"{API}/accounts({account})?$select=statecode,statuscode").json()
    assert (row["statecode"], row["statuscode"]) == (1, 2)
    mismatch = client.patch(f"{API}/accounts({account})", json={"statecode": 0, "statuscode": 2})
    assert mismatch.status_code == 400 and "not a valid status code" in mismatch.json()["error"]["message"]


def test_properties_can_be_read_and_cleared_one_at_a_time(org):
    client = org.client()
    account = entity_id(client.post(f"{API}/accounts", json={"name": "Property Oy", "telephone1": "+358 1"}))
    assert client.get(f"{API}/accounts({account})/telephone1").json()["value"] == "+358 1"
    assert client.get(f"{API}/accounts({account})/telephone1/$value").text == "+358 1"
    assert client.delete(f"{API}/accounts({account})/telephone1").status_code == 204
    assert client.get(f"{API}/accounts({account})/telephone1").status_code == 204


def test_deleting_an_account_clears_references_to_it(org):
    client = org.client()
    account = entity_id(client.post(f"{API}/accounts", json={"name": "Gone Ltd"}))
    contact = entity_id(
        client.post(f"{API}/contacts", json={"lastname": "Left", "parentcustomerid_account@odata.bind": f"/accounts({account})"})
    )
    assert client.delete(f"{API}/accounts({account})").status_code == 204
    assert client.get(f"{API}/accounts({account})").status_code == 404
    assert client.get(f"{API}/contacts({contact})?$select=_parentcustomerid_value").json()["_parentcustomerid_value"] is None


def test_who_am_i_and_unauthenticated_calls(org):
    assert org.client().get(f"{API}/WhoAmI").json()["OrganizationId"] == "7d1d6a52-3f7e-4c43-9d0a-3c1b2f0e5a01"
    anonymous = org.client().get(f"{API}/WhoAmI", headers={"Authorization": ""})
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
    wrong_audience = org.client().get(
        f"{API}/WhoAmI", headers={"Authorization": f"Bearer {org.tokens.issue('x', audience='https://other')}"}
    )
    assert wrong_audience.status_code == 401
    stranger = org.client(str(uuid.uuid4())).get(f"{API}/WhoAmI")
    assert stranger.status_code == 403


def test_an_alternate_key_may_include_a_lookup(org):
    client = org.client()
    client.post(
        f"{API}/EntityDefinitions(LogicalName='contact')/Keys",
        json={"SchemaName": "dxc_account_email", "KeyAttributes": ["parentcustomerid", "emailaddress1"]},
    )
    account = entity_id(client.post(f"{API}/accounts", json={"name": "Key parent"}))
    url = f"{API}/contacts(_parentcustomerid_value={account},emailaddress1='ida@example.com')"
    assert client.patch(url, json={"lastname": "Keyed"}).status_code == 204
    row = client.get(url + "?$select=lastname,_parentcustomerid_value").json()
    assert (row["lastname"], row["_parentcustomerid_value"]) == ("Keyed", account)
