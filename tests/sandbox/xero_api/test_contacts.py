"""Contacts: create, read, update, uniqueness of Name and ContactNumber, archiving."""

from __future__ import annotations

from tests.sandbox.xero_api.client import unique


def test_it_creates_a_contact_and_reads_it_back_by_id_and_by_number(api):
    number = unique("C")
    created = api.new_contact(
        ContactNumber=number,
        FirstName="Mere",
        LastName="Parata",
        Addresses=[{"AddressType": "STREET", "City": "Wellington"}],
        Phones=[{"PhoneType": "MOBILE", "PhoneNumber": "021 555"}],
    )
    assert created["ContactStatus"] == "ACTIVE" and created["IsCustomer"] is False
    [read] = api.get(f"/Contacts/{created['ContactID']}").json()["Contacts"]
    balances = read.pop("Balances")  # read in full, a contact comes with what it owes: nothing yet
    assert read == created
    assert balances == {side: {"Outstanding": 0.0, "Overdue": 0.0} for side in ("AccountsReceivable", "AccountsPayable")}
    assert api.get(f"/Contacts/{number}").json()["Contacts"][0]["ContactID"] == created["ContactID"]


def test_it_always_lists_both_address_types_and_the_four_usual_phones(api):
    created = api.new_contact(Addresses=[{"AddressType": "STREET", "AddressLine1": "1 Queen St"}])
    assert [address["AddressType"] for address in created["Addresses"]] == ["POBOX", "STREET"]
    assert created["Addresses"][1]["AddressLine1"] == "1 Queen St"
    assert [phone["PhoneType"] for phone in created["Phones"]] == ["DEFAULT", "DDI", "FAX", "MOBILE"]


def test_it_rejects_a_duplicate_name(api):
    name = unique("Twin")
    api.new_contact(Name=name)
    response = api.put("/Contacts", json={"Contacts": [{"Name": name.upper()}]})
    assert response.status_code == 400
    assert response.json()["Elements"][0]["ValidationErrors"][0]["Message"] == (
        f"The contact name {name.upper()} is already assigned to another contact. The contact name must be unique across all active contacts."
    )


def test_it_rejects_a_duplicate_contact_number(api):
    number = unique("N")
    api.new_contact(ContactNumber=number)
    response = api.put("/Contacts", json={"Contacts": [{"Name": unique("Other"), "ContactNumber": number}]})
    assert response.status_code == 400 and "contact number" in response.text


def test_it_requires_a_name(api):
    response = api.put("/Contacts", json={"Contacts": [{"EmailAddress": "nobody@example.com"}]})
    assert response.json()["Elements"][0]["ValidationErrors"] == [{"Message": "The contact name must be specified."}]


def test_it_rejects_an_invalid_email_address(api):
    response = api.put("/Contacts", json={"Contacts": [{"Name": unique("Bad email"), "EmailAddress": "not-an-address"}]})
    assert response.json()["Elements"][0]["ValidationErrors"] == [{"Message": "Email address must be valid."}]


def test_updating_changes_only_the_fields_sent_and_moves_updated_date(api):
    created = api.new_contact(ContactNumber=unique("U"), EmailAddress="old@example.com")
    response = api.post(f"/Contacts/{created['ContactID']}", json={"Contacts": [{"EmailAddress": "new@example.com"}]})
    [updated] = response.json()["Contacts"]
    assert updated["EmailAddress"] == "new@example.com" and updated["Name"] == created["Name"]
    assert updated["ContactNumber"] == created["ContactNumber"]
    assert updated["UpdatedDateUTC"] > created["UpdatedDateUTC"]


def test_post_without_an_id_updates_the_contact_with_that_contact_number(api):
    created = api.new_contact(ContactNumber=unique("P"))
    [updated] = api.post(
        "/Contacts", json={"Contacts": [{"ContactNumber": created["ContactNumber"], "LastName": "Smith"}]}
    ).json()["Contacts"]
    assert (updated["ContactID"], updated["LastName"]) == (created["ContactID"], "Smith")


def test_post_with_an_unknown_contact_id_is_an_error(api):
    response = api.post(
        "/Contacts", json={"Contacts": [{"ContactID": "7d4a6a7c-1c7e-4b2e-9a55-5d4b8f3b0c11", "Name": unique("Ghost")}]}
    )
    assert response.status_code == 400 and "could not be found" in response.text


def test_archived_contacts_are_hidden_unless_asked_for_and_free_their_name(api):
    created = api.new_contact()
    api.post(f"/Contacts/{created['ContactID']}", json={"Contacts": [{"ContactStatus": "ARCHIVED"}]})
    where = {"where": f'Name=="{created["Name"]}"'}
    assert api.get("/Contacts", params=where).json()["Contacts"] == []
    [archived] = api.get("/Contacts", params={**where, "includeArchived": "True"}).json()["Contacts"]
    assert archived["ContactStatus"] == "ARCHIVED"
    assert api.put("/Contacts", json={"Contacts": [{"Name": created["Name"]}]}).status_code == 200


def test_contact_persons_are_limited_to_five(api):
    persons = [{"FirstName": f"P{index}", "EmailAddress": f"p{index}@example.com"} for index in range(6)]
    response = api.put("/Contacts", json={"Contacts": [{"Name": unique("Crowd"), "ContactPersons": persons}]})
    assert "at most 5 contact persons" in response.text


def test_summary_only_leaves_out_the_heavy_parts(api):
    created = api.new_contact()
    [summary] = api.get("/Contacts", params={"IDs": created["ContactID"], "summaryOnly": "True"}).json()["Contacts"]
    assert summary["Name"] == created["Name"] and "Addresses" not in summary and "Phones" not in summary


def test_search_term_matches_name_and_email(api):
    marker = unique("Searchable")
    created = api.new_contact(Name=f"{marker} Ltd")
    found = api.get("/Contacts", params={"searchTerm": marker.lower()}).json()["Contacts"]
    assert [contact["ContactID"] for contact in found] == [created["ContactID"]]


def test_a_customer_is_flagged_once_it_has_a_sales_invoice(api):
    contact = api.new_contact()
    api.new_invoice(contact=contact)
    [after] = api.get(f"/Contacts/{contact['ContactID']}").json()["Contacts"]
    assert (after["IsCustomer"], after["IsSupplier"]) == (True, False)


def test_an_unknown_contact_is_a_404(api):
    assert api.get("/Contacts/0c1d2e3f-0000-4000-8000-000000000000").status_code == 404


def test_a_contacts_balances_are_what_its_approved_invoices_still_owe_less_its_credit(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED", DueDate="2026-03-20")
    owed = invoice["AmountDue"]
    [read] = api.get(f"/Contacts/{contact['ContactID']}").json()["Contacts"]
    assert read["Balances"]["AccountsReceivable"] == {"Outstanding": owed, "Overdue": owed}  # due in March
    listed = api.get("/Contacts", params={"IDs": contact["ContactID"]}).json()["Contacts"]
    assert listed[0]["Balances"] == read["Balances"]
    summary = api.get("/Contacts", params={"IDs": contact["ContactID"], "summaryOnly": "true"}).json()["Contacts"]
    assert "Balances" not in summary[0]
