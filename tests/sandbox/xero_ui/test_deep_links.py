"""go.xero.com's links to an invoice (/AccountsReceivable/View.aspx?InvoiceID=…, AccountsPayable for a bill) open the
invoice's page in the signed-in person's organisation that holds it, as the connector's history links them."""

from __future__ import annotations

import uuid


def test_an_invoice_link_opens_its_page_in_the_organisation_that_holds_it(person, api, oakwood):
    invoice = api.new_invoice(api.new_contact())
    response = person.http.get("/AccountsReceivable/View.aspx", params={"InvoiceID": invoice["InvoiceID"]})
    assert response.status_code == 303
    assert response.headers["location"] == f"/organisations/{oakwood}/invoices/{invoice['InvoiceID']}"
    page = person.open(response.headers["location"])
    assert page.status_code == 200 and invoice["InvoiceNumber"] in page.heading


def test_a_bill_link_opens_the_same_way(person, api, oakwood):
    bill = api.new_invoice(api.new_contact(), Type="ACCPAY")
    response = person.http.get("/AccountsPayable/View.aspx", params={"InvoiceID": bill["InvoiceID"].upper()})
    assert response.headers["location"] == f"/organisations/{oakwood}/invoices/{bill['InvoiceID']}"


def test_an_invoice_none_of_the_persons_organisations_holds_is_not_found(person):
    for invoice_id in (str(uuid.uuid4()), "INV-0001", ""):
        response = person.http.get("/AccountsReceivable/View.aspx", params={"InvoiceID": invoice_id})
        assert response.status_code == 404 and "Invoice not found" in response.text


def test_someone_not_signed_in_is_asked_to_sign_in_first_and_comes_back(visitor, api, accountant):
    invoice = api.new_invoice(api.new_contact())
    response = visitor.http.get("/AccountsReceivable/View.aspx", params={"InvoiceID": invoice["InvoiceID"]})
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    back = visitor.sign_in(
        accountant["email"], accountant["password"], f"/AccountsReceivable/View.aspx?InvoiceID={invoice['InvoiceID']}"
    )
    assert back.headers["location"] == f"/AccountsReceivable/View.aspx?InvoiceID={invoice['InvoiceID']}"


def test_a_contact_link_opens_its_page_in_the_organisation_that_holds_it(person, api, oakwood):
    contact = api.new_contact()
    response = person.http.get(f"/Contacts/View/{contact['ContactID']}")
    assert response.headers["location"] == f"/organisations/{oakwood}/contacts/{contact['ContactID']}"
    assert person.open(response.headers["location"]).status_code == 200


def test_a_contact_none_of_the_persons_organisations_holds_is_not_found(person):
    response = person.http.get(f"/Contacts/View/{uuid.uuid4()}")
    assert response.status_code == 404 and "Contact not found" in response.text


def test_an_organisation_link_with_its_short_code_opens_that_organisations_invoices(person, oakwood):
    response = person.http.get(
        "/organisationlogin/default.aspx", params={"shortcode": "!Oak01", "redirecturl": "/Dashboard/Default.aspx"}
    )
    assert response.status_code == 303 and response.headers["location"] == f"/organisations/{oakwood}/invoices"


def test_an_organisation_link_to_a_record_goes_on_to_the_records_own_link(person, api, oakwood):
    invoice = api.new_invoice(api.new_contact())
    target = f"/AccountsReceivable/View.aspx?InvoiceID={invoice['InvoiceID']}"
    response = person.http.get("/organisationlogin/default.aspx", params={"shortcode": "!Oak01", "redirecturl": target})
    assert response.headers["location"] == target
    assert person.http.get(target).headers["location"] == f"/organisations/{oakwood}/invoices/{invoice['InvoiceID']}"


def test_an_organisation_link_never_sends_anyone_to_another_site(person, oakwood):
    for target in ("//evil.example/AccountsReceivable/View.aspx", "https://evil.example/", "/somewhere/else"):
        response = person.http.get("/organisationlogin/default.aspx", params={"shortcode": "!Oak01", "redirecturl": target})
        assert response.headers["location"] == f"/organisations/{oakwood}/invoices"


def test_a_short_code_none_of_the_persons_organisations_has_is_not_found(person):
    response = person.http.get("/organisationlogin/default.aspx", params={"shortcode": "!Nope9"})
    assert response.status_code == 404 and "Organisation not found" in response.text
