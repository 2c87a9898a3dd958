"""Contacts in the person's app: the list, and editing a contact, checked against the Accounting API."""

from __future__ import annotations

from tests.sandbox.xero_ui.clients import Page, unique

EMPTY_FORM = dict.fromkeys(
    (
        "Name",
        "EmailAddress",
        "AccountNumber",
        "PhoneCountryCode",
        "PhoneAreaCode",
        "PhoneNumber",
        "AttentionTo",
        "AddressLine1",
        "AddressLine2",
        "AddressLine3",
        "AddressLine4",
        "City",
        "Region",
        "PostalCode",
        "Country",
    ),
    "",
)


def contact_path(books: str, contact: dict) -> str:
    return f"{books}/contacts/{contact['ContactID']}"


def of_type(entries: list[dict], type_field: str, wanted: str) -> dict:
    [entry] = [entry for entry in entries if entry[type_field] == wanted]
    return entry


def api_messages(response) -> list[str]:
    return [error["Message"] for element in response.json()["Elements"] for error in element["ValidationErrors"]]


def test_the_list_finds_contacts_and_links_to_them(person, api, books):
    contact = api.new_contact(
        EmailAddress="list@example.com",
        AccountNumber=unique("ACC"),
        Phones=[{"PhoneType": "DEFAULT", "PhoneAreaCode": "9", "PhoneNumber": "300 1000"}],
    )
    page = person.open(books + "/contacts", q=contact["AccountNumber"])
    assert page.texts(f"//tr[@data-contact-id='{contact['ContactID']}']/td") == [
        contact["Name"],
        contact["AccountNumber"],
        "list@example.com",
        "9 300 1000",
    ]
    assert page.tree.xpath("//tr[@data-contact-id]//a/@href") == [contact_path(books, contact)]
    assert person.open(books + "/contacts", q=unique("nobody")).texts("//p[@id='empty']") == ["No contacts found."]


def test_the_contact_page_shows_the_form_filled_in(person, api, books):
    contact = api.new_contact(
        EmailAddress="form@example.com",
        AccountNumber="A-1",
        Addresses=[{"AddressType": "POBOX", "AddressLine1": "PO Box 12", "City": "Nelson"}],
    )
    page = person.open(contact_path(books, contact))
    assert page.status_code == 200 and page.heading == contact["Name"]
    shown = {name: page.field(name) for name in EMPTY_FORM}
    assert shown == {
        **EMPTY_FORM,
        "Name": contact["Name"],
        "EmailAddress": "form@example.com",
        "AccountNumber": "A-1",
        "AddressLine1": "PO Box 12",
        "City": "Nelson",
    }


def test_an_edit_is_what_the_api_then_returns(person, api, books):
    contact = api.new_contact(
        EmailAddress="old@example.com", Addresses=[{"AddressType": "STREET", "AddressLine1": "9 Shop Lane", "City": "Auckland"}]
    )
    new_name = unique("Edited Contact")
    edit = {
        **EMPTY_FORM,
        "Name": new_name,
        "EmailAddress": "new@example.com",
        "AccountNumber": "ACC-77",
        "PhoneCountryCode": "64",
        "PhoneAreaCode": "4",
        "PhoneNumber": "555 0101",
        "AttentionTo": "Accounts payable",
        "AddressLine1": "PO Box 4010",
        "City": "Wellington",
        "Region": "Wellington",
        "PostalCode": "6140",
        "Country": "New Zealand",
    }
    page = person.submit_and_follow(contact_path(books, contact), edit)
    assert page.notices == ["Contact saved."] and page.heading == new_name
    assert {name: page.field(name) for name in EMPTY_FORM} == edit

    read = api.contact(contact["ContactID"])
    assert (read["Name"], read["EmailAddress"], read["AccountNumber"]) == (new_name, "new@example.com", "ACC-77")
    assert of_type(read["Phones"], "PhoneType", "DEFAULT") == {
        "PhoneType": "DEFAULT",
        "PhoneCountryCode": "64",
        "PhoneAreaCode": "4",
        "PhoneNumber": "555 0101",
    }
    assert of_type(read["Addresses"], "AddressType", "POBOX") == {
        "AddressType": "POBOX",
        "AttentionTo": "Accounts payable",
        "AddressLine1": "PO Box 4010",
        "City": "Wellington",
        "Region": "Wellington",
        "PostalCode": "6140",
        "Country": "New Zealand",
    }
    assert of_type(read["Addresses"], "AddressType", "STREET")["AddressLine1"] == "9 Shop Lane"  # not on the form: kept
    assert read["UpdatedDateUTC"] > contact["UpdatedDateUTC"]


def test_emptied_fields_are_cleared(person, api, books):
    contact = api.new_contact(
        EmailAddress="gone@example.com",
        AccountNumber="GONE-1",
        Phones=[{"PhoneType": "DEFAULT", "PhoneNumber": "111"}],
        Addresses=[{"AddressType": "POBOX", "City": "Napier"}],
    )
    person.submit_and_follow(contact_path(books, contact), {**EMPTY_FORM, "Name": contact["Name"]})
    read = api.contact(contact["ContactID"])
    assert "EmailAddress" not in read and "AccountNumber" not in read
    assert of_type(read["Phones"], "PhoneType", "DEFAULT") == {"PhoneType": "DEFAULT"}
    assert of_type(read["Addresses"], "AddressType", "POBOX") == {"AddressType": "POBOX"}


def test_a_name_already_taken_is_refused_with_the_apis_message(person, api, books):
    taken, contact = api.new_contact(), api.new_contact()
    answer = person.submit(
        contact_path(books, contact), {**EMPTY_FORM, "Name": taken["Name"].upper(), "EmailAddress": "kept@example.com"}
    )
    api_answer = api.http.post(f"/Contacts/{contact['ContactID']}", json={"Contacts": [{"Name": taken["Name"].upper()}]})
    assert answer.status_code == 400 and api_answer.status_code == 400
    page = Page(answer)
    assert (
        page.errors
        == api_messages(api_answer)
        == [
            f"The contact name {taken['Name'].upper()} is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        ]
    )
    assert (page.field("Name"), page.field("EmailAddress")) == (taken["Name"].upper(), "kept@example.com")  # as typed
    read = api.contact(contact["ContactID"])
    assert (read["Name"], read["UpdatedDateUTC"]) == (contact["Name"], contact["UpdatedDateUTC"])


def test_other_refusals_show_the_business_rules_messages(person, api, books):
    contact = api.new_contact()
    no_name = Page(person.submit(contact_path(books, contact), {**EMPTY_FORM, "Name": "  "}))
    bad_email = Page(
        person.submit(contact_path(books, contact), {**EMPTY_FORM, "Name": contact["Name"], "EmailAddress": "not-an-email"})
    )
    assert (no_name.status_code, no_name.errors) == (400, ["The contact name must not be empty."])
    assert (bad_email.status_code, bad_email.errors) == (400, ["Email address must be valid."])
    assert api.contact(contact["ContactID"])["UpdatedDateUTC"] == contact["UpdatedDateUTC"]


def test_an_unknown_contact_is_a_404_page(person, books):
    page = person.open(books + "/contacts/00000000-0000-0000-0000-000000000000")
    assert page.status_code == 404 and page.heading == "Contact not found"


def test_the_invoice_page_links_to_its_contact(person, api, books):
    contact = api.new_contact()
    invoice = api.new_invoice(contact)
    page = person.open(f"{books}/invoices/{invoice['InvoiceID']}")
    assert page.tree.xpath("//a[@id='invoice-contact']/@href") == [contact_path(books, contact)]
