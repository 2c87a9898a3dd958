"""Credit notes: numbered like invoices, allocated to invoices of the same contact, refunded by payment."""

from __future__ import annotations

import re


def allocate(api, credit_note, invoice, amount, **fields):
    return api.put(
        f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations",
        json={
            "Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": amount, "Date": "2026-03-04", **fields}]
        },
    )


def test_a_sales_credit_note_is_numbered_and_totalled(api):
    credit_note = api.new_credit_note(contact=api.new_contact())
    assert re.fullmatch(r"CN-\d{4,}", credit_note["CreditNoteNumber"])
    assert (credit_note["Total"], credit_note["RemainingCredit"], credit_note["Status"]) == (23, 23, "AUTHORISED")
    assert api.get(f"/CreditNotes/{credit_note['CreditNoteID']}").json()["CreditNotes"][0] == credit_note


def test_allocating_credit_lowers_the_invoice_and_the_credit(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    credit_note = api.new_credit_note(contact=contact)
    [allocation] = allocate(api, credit_note, invoice, 20).json()["Allocations"]
    assert allocation["Amount"] == 20 and allocation["Invoice"]["InvoiceID"] == invoice["InvoiceID"]
    after_invoice = api.invoice(invoice["InvoiceID"])
    assert (after_invoice["AmountCredited"], after_invoice["AmountDue"]) == (20, 95)
    assert after_invoice["CreditNotes"][0]["CreditNoteID"] == credit_note["CreditNoteID"]
    [after_credit] = api.get(f"/CreditNotes/{credit_note['CreditNoteID']}").json()["CreditNotes"]
    assert (after_credit["RemainingCredit"], after_credit["Status"]) == (3, "AUTHORISED")


def test_using_all_the_credit_makes_the_credit_note_paid(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    credit_note = api.new_credit_note(contact=contact)
    allocate(api, credit_note, invoice, 23)
    [after] = api.get(f"/CreditNotes/{credit_note['CreditNoteID']}").json()["CreditNotes"]
    assert (after["Status"], after["RemainingCredit"]) == ("PAID", 0)


def test_credit_goes_only_to_the_same_contacts_invoices(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    credit_note = api.new_credit_note(contact=api.new_contact())
    response = allocate(api, credit_note, invoice, 5)
    assert response.status_code == 400 and "must belong to the same contact" in response.text


def test_an_allocation_cannot_exceed_the_remaining_credit(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    response = allocate(api, api.new_credit_note(contact=contact), invoice, 50)
    assert "exceeds the remaining credit (23.00)" in response.text


def test_a_draft_credit_note_cannot_be_allocated(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    response = allocate(
        api,
        api.new_credit_note(contact=contact, Status="DRAFT"),
        invoice,
        5,
    )
    assert "Only an AUTHORISED credit note" in response.text


def test_allocation_errors_can_be_reported_per_element(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact, Status="AUTHORISED")
    credit_note = api.new_credit_note(contact=contact)
    response = api.put(
        f"/CreditNotes/{credit_note['CreditNoteID']}/Allocations",
        params={"summarizeErrors": "False"},
        json={"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 500, "Date": "2026-03-04"}]},
    )
    assert response.status_code == 200 and response.json()["Allocations"][0]["StatusAttributeString"] == "ERROR"


def test_a_credit_note_can_be_refunded_by_payment(api):
    credit_note = api.new_credit_note(contact=api.new_contact())
    response = api.put(
        "/Payments",
        json={
            "Payments": [{"CreditNote": {"CreditNoteID": credit_note["CreditNoteID"]}, "Account": {"Code": "090"}, "Amount": 23}]
        },
    )
    [payment] = response.json()["Payments"]
    assert payment["PaymentType"] == "ARCREDITPAYMENT"
    assert api.get(f"/CreditNotes/{credit_note['CreditNoteID']}").json()["CreditNotes"][0]["Status"] == "PAID"


def test_credit_note_status_follows_the_invoice_rules(api):
    credit_note = api.new_credit_note(contact=api.new_contact(), Status="DRAFT")
    response = api.post(f"/CreditNotes/{credit_note['CreditNoteID']}", json={"CreditNotes": [{"Status": "VOIDED"}]})
    assert response.status_code == 400 and "Credit note not of valid status for voiding" in response.text
    deleted = api.post(f"/CreditNotes/{credit_note['CreditNoteID']}", json={"CreditNotes": [{"Status": "DELETED"}]})
    assert deleted.json()["CreditNotes"][0]["Status"] == "DELETED"


def test_credit_note_numbers_are_unique_for_sales_credit(api):
    credit_note = api.new_credit_note(contact=api.new_contact())
    response = api.put(
        "/CreditNotes",
        json={
            "CreditNotes": [
                {"Type": "ACCRECCREDIT", "Contact": {"Name": "Someone"}, "CreditNoteNumber": credit_note["CreditNoteNumber"]}
            ]
        },
    )
    assert "Credit Note # must be unique." in response.text


def test_credit_notes_are_paged_with_lines(api):
    contact = api.new_contact()
    api.new_credit_note(contact=contact)
    body = api.get("/CreditNotes", params={"where": f'Contact.ContactID==Guid("{contact["ContactID"]}")', "page": 1}).json()
    assert body["pagination"]["itemCount"] == 1 and body["CreditNotes"][0]["LineItems"]
