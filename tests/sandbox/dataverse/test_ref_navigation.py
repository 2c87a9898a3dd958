"""Associating and disassociating existing rows through navigation properties (`$ref`), over raw HTTP."""

from __future__ import annotations

import uuid

import pytest

from tests.sandbox.dataverse.conftest import API, BASE_URL, SALES
from tests.sandbox.dataverse.test_batch import request_part, send, statuses


@pytest.fixture
def pair(org):
    """An account and a contact that has no parent yet, named with a unique tag."""
    tag = uuid.uuid4().hex[:8]
    account = org.api.create("account", {"name": f"Ref {tag}"})
    contact = org.api.create("contact", {"firstname": "Zoë", "lastname": f"Ref {tag}"})
    return tag, account, contact


def contacts_named(org, lastname):
    return [row for row in org.api.list("contact") if row.get("lastname") == lastname]


def parent_of(org, contact):
    """(table, id) of the contact's parent customer, or None."""
    row = org.api.get("contact", contact["contactid"])
    if row["_parentcustomerid_value"] is None:
        return None
    return row["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"], row["_parentcustomerid_value"]


def test_posting_a_reference_to_a_collection_associates_the_existing_row_and_creates_nothing(org, pair):
    tag, account, contact = pair
    client = org.client()
    response = client.post(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref",
        json={"@odata.id": f"{BASE_URL}{API}/contacts({contact['contactid']})"},
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert parent_of(org, contact) == ("account", account["accountid"])
    assert len(contacts_named(org, f"Ref {tag}")) == 1
    listed = client.get(f"{API}/accounts({account['accountid']})/contact_customer_accounts", params={"$select": "lastname"})
    assert [row["lastname"] for row in listed.json()["value"]] == [f"Ref {tag}"]


def test_a_relative_reference_url_is_accepted_too(org, pair):
    _tag, account, contact = pair
    response = org.client().post(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref",
        json={"@odata.id": f"contacts({contact['contactid']})"},
    )
    assert response.status_code == 204, response.text
    assert parent_of(org, contact) == ("account", account["accountid"])


def test_getting_the_references_of_a_collection_lists_their_urls(org, pair):
    _tag, account, contact = pair
    client = org.client()
    client.post(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref",
        json={"@odata.id": f"{BASE_URL}{API}/contacts({contact['contactid']})"},
    )
    body = client.get(f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref").json()
    assert body["@odata.context"].endswith("/$metadata#Collection($ref)")
    assert body["value"] == [{"@odata.id": f"{BASE_URL}{API}/contacts({contact['contactid']})"}]


def test_deleting_a_collection_reference_by_key_disassociates_the_row(org, pair):
    _tag, account, contact = pair
    client = org.client()
    org.api.update("contact", contact["contactid"], {"parentcustomerid_account@odata.bind": f"/accounts({account['accountid']})"})
    response = client.delete(f"{API}/accounts({account['accountid']})/contact_customer_accounts({contact['contactid']})/$ref")
    assert response.status_code == 204, response.text
    assert parent_of(org, contact) is None
    assert org.api.get("contact", contact["contactid"]) is not None  # the row itself stays


def test_deleting_a_collection_reference_named_by_dollar_id_disassociates_the_row(org, pair):
    _tag, account, contact = pair
    org.api.update("contact", contact["contactid"], {"parentcustomerid_account@odata.bind": f"/accounts({account['accountid']})"})
    response = org.client().delete(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref",
        params={"$id": f"{BASE_URL}{API}/contacts({contact['contactid']})"},
    )
    assert response.status_code == 204, response.text
    assert parent_of(org, contact) is None


def test_it_refuses_to_disassociate_a_row_that_is_not_associated(org, pair):
    _tag, account, contact = pair
    response = org.client().delete(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts({contact['contactid']})/$ref"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "0x80040217"


def test_putting_a_single_valued_reference_sets_the_lookup_and_deleting_it_clears_it(org, pair):
    _tag, account, contact = pair
    client = org.client()
    url = f"{API}/accounts({account['accountid']})/primarycontactid/$ref"
    response = client.put(url, json={"@odata.id": f"{BASE_URL}{API}/contacts({contact['contactid']})"})
    assert response.status_code == 204, response.text
    read = client.get(f"{API}/accounts({account['accountid']})", params={"$select": "_primarycontactid_value"}).json()
    assert read["_primarycontactid_value"] == contact["contactid"]
    reference = client.get(url).json()
    assert reference["@odata.id"] == f"{BASE_URL}{API}/contacts({contact['contactid']})"
    assert client.delete(url).status_code == 204
    read = client.get(f"{API}/accounts({account['accountid']})", params={"$select": "_primarycontactid_value"}).json()
    assert read["_primarycontactid_value"] is None
    assert client.get(url).status_code == 204


def test_a_polymorphic_lookup_is_set_through_its_navigation_per_target(org, pair):
    _tag, account, contact = pair
    response = org.client().put(
        f"{API}/contacts({contact['contactid']})/parentcustomerid_account/$ref",
        json={"@odata.id": f"/accounts({account['accountid']})"},
    )
    assert response.status_code == 204, response.text
    assert parent_of(org, contact) == ("account", account["accountid"])


def test_it_refuses_a_reference_to_a_row_of_another_table(org, pair):
    _tag, account, _contact = pair
    other = org.api.create("account", {"name": "Not a contact"})
    client = org.client()
    response = client.post(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref",
        json={"@odata.id": f"/accounts({other['accountid']})"},
    )
    assert response.status_code == 400
    assert "contact" in response.json()["error"]["message"]
    response = client.put(
        f"{API}/accounts({account['accountid']})/primarycontactid/$ref", json={"@odata.id": f"/accounts({other['accountid']})"}
    )
    assert response.status_code == 400
    assert org.api.get("account", account["accountid"])["_primarycontactid_value"] is None


def test_it_refuses_a_reference_to_a_row_that_does_not_exist(org, pair):
    _tag, account, _contact = pair
    response = org.client().post(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref",
        json={"@odata.id": f"/contacts({uuid.uuid4()})"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "0x80040217"


def test_it_refuses_a_body_without_odata_id_and_creates_nothing(org, pair):
    tag, account, _contact = pair
    response = org.client().post(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref",
        json={"lastname": f"Ref {tag}"},
    )
    assert response.status_code == 400
    assert "@odata.id" in response.json()["error"]["message"]
    assert len(contacts_named(org, f"Ref {tag}")) == 1


def test_it_refuses_to_move_a_lookup_that_cannot_change_once_the_row_exists(org):
    invoices = org.api.list("invoice")
    first, second = invoices[0], invoices[1]
    line = next(row for row in org.api.list("invoicedetail") if row["_invoiceid_value"] == first["invoiceid"])
    response = org.client().post(
        f"{API}/invoices({second['invoiceid']})/invoice_details/$ref",
        json={"@odata.id": f"/invoicedetails({line['invoicedetailid']})"},
    )
    assert response.status_code == 400
    assert org.api.get("invoicedetail", line["invoicedetailid"])["_invoiceid_value"] == first["invoiceid"]


def test_associating_needs_write_on_the_row_that_holds_the_lookup(org, pair):
    _tag, account, contact = pair
    auditor = org.client("0f5c1d2e-0000-4000-8000-000000000004")
    response = auditor.post(
        f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref",
        json={"@odata.id": f"/contacts({contact['contactid']})"},
    )
    assert response.status_code == 403
    assert parent_of(org, contact) is None
    seller = org.client(SALES)
    assert seller.get(f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref").status_code == 200


def test_other_methods_on_a_reference_are_refused(org, pair):
    _tag, account, _contact = pair
    client = org.client()
    assert client.patch(f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref", json={}).status_code == 405
    assert client.post(f"{API}/accounts({account['accountid']})/primarycontactid/$ref", json={}).status_code == 405


def test_a_segment_after_a_navigation_other_than_ref_is_not_found(org, pair):
    _tag, account, _contact = pair
    response = org.client().get(f"{API}/accounts({account['accountid']})/contact_customer_accounts/$count/extra")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "0x8006088a"


def test_a_change_set_associates_a_row_it_created_through_its_content_id(org, pair):
    tag, account, _contact = pair
    response = send(
        org,
        [
            [
                request_part("POST", f"{API}/contacts", {"lastname": f"Batch {tag}"}, "1"),
                request_part(
                    "POST", f"{API}/accounts({account['accountid']})/contact_customer_accounts/$ref", {"@odata.id": "$1"}, "2"
                ),
            ]
        ],
    )
    assert response.status_code == 200, response.text
    assert statuses(response) == [204, 204]
    [created] = contacts_named(org, f"Batch {tag}")
    assert parent_of(org, created) == ("account", account["accountid"])


def test_dollar_id_is_refused_on_a_single_valued_reference(org, pair):
    _tag, account, contact = pair
    response = org.client().delete(
        f"{API}/accounts({account['accountid']})/primarycontactid/$ref", params={"$id": f"contacts({contact['contactid']})"}
    )
    assert response.status_code == 400
