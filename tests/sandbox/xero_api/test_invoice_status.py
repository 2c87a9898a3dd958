"""Invoice status: the transitions Xero allows, PAID through payments, and what a paid invoice still lets change."""

from __future__ import annotations

import pytest


def set_status(api, invoice, status, **fields):
    return api.post(f"/Invoices/{invoice['InvoiceID']}", json={"Invoices": [{"Status": status, **fields}]})


def errors(response):
    return [error["Message"] for error in response.json()["Elements"][0]["ValidationErrors"]]


def test_a_draft_is_submitted_then_approved_then_paid(api):
    invoice = api.new_invoice()
    assert invoice["Status"] == "DRAFT"
    assert set_status(api, invoice, "SUBMITTED").json()["Invoices"][0]["Status"] == "SUBMITTED"
    assert set_status(api, invoice, "AUTHORISED").json()["Invoices"][0]["Status"] == "AUTHORISED"
    assert api.pay(invoice, 115).status_code == 200
    paid = api.invoice(invoice["InvoiceID"])
    assert (paid["Status"], paid["AmountDue"], paid["AmountPaid"]) == ("PAID", 0, 115)
    assert paid["FullyPaidOnDate"] == "/Date(1773100800000+0000)/"


@pytest.mark.parametrize("start", ["DRAFT", "SUBMITTED"])
def test_drafts_and_submitted_invoices_can_be_deleted(api, start):
    invoice = api.new_invoice(Status=start)
    assert set_status(api, invoice, "DELETED").json()["Invoices"][0]["Status"] == "DELETED"


def test_an_approved_invoice_cannot_be_deleted_but_can_be_voided(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    refused = set_status(api, invoice, "DELETED")
    assert refused.status_code == 400 and errors(refused)[0].startswith("Invoice not of valid status for deletion")
    assert set_status(api, invoice, "VOIDED").json()["Invoices"][0]["Status"] == "VOIDED"


def test_a_draft_cannot_be_voided(api):
    response = set_status(api, api.new_invoice(), "VOIDED")
    assert errors(response)[0].startswith("Invoice not of valid status for voiding")


def test_an_invoice_with_a_payment_cannot_be_voided(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    api.pay(invoice, 10)
    assert "cannot be voided as it has payments" in errors(set_status(api, invoice, "VOIDED"))[0]


def test_an_approved_invoice_cannot_go_back_to_draft(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    assert errors(set_status(api, invoice, "DRAFT")) == ["The status of this AUTHORISED invoice cannot be changed to DRAFT."]


@pytest.mark.parametrize("status", ["PAID", "VOIDED", "DELETED"])
def test_invoices_are_created_as_draft_submitted_or_authorised_only(api, status):
    response = api.put("/Invoices", json={"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "Anyone"}, "Status": status}]})
    assert f"cannot be created with a status of {status}" in errors(response)[0]


def test_a_paid_invoice_only_lets_a_few_fields_change(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    api.pay(invoice, 115)
    changed_lines = api.post(
        f"/Invoices/{invoice['InvoiceID']}",
        json={"Invoices": [{"LineItems": [{"Description": "More", "Quantity": 1, "UnitAmount": 500, "AccountCode": "200"}]}]},
    )
    assert errors(changed_lines) == ["This document cannot be edited as it has a payment or credit note allocated to it."]
    [updated] = api.post(f"/Invoices/{invoice['InvoiceID']}", json={"Invoices": [{"Reference": "Paid, thanks"}]}).json()[
        "Invoices"
    ]
    assert (updated["Reference"], updated["Status"]) == ("Paid, thanks", "PAID")


def test_sending_a_paid_invoice_back_unchanged_is_accepted(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    api.pay(invoice, 115)
    paid = api.invoice(invoice["InvoiceID"])
    assert api.post("/Invoices", json={"Invoices": [paid]}).status_code == 200


def test_a_voided_invoice_cannot_be_modified(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    set_status(api, invoice, "VOIDED")
    response = api.post(f"/Invoices/{invoice['InvoiceID']}", json={"Invoices": [{"Date": "2026-05-05"}]})
    assert errors(response) == ["Invoice not of valid status for modification. A VOIDED invoice cannot be changed."]


def test_approval_needs_an_account_on_every_line_with_an_amount(api):
    invoice = api.new_invoice(lines=[{"Description": "No account", "Quantity": 1, "UnitAmount": 10}])
    assert "needs an AccountCode" in errors(set_status(api, invoice, "AUTHORISED"))[0]


def test_sent_to_contact_needs_an_approved_invoice(api):
    assert "approved" in errors(set_status(api, api.new_invoice(), "DRAFT", SentToContact=True))[0]
    approved = api.new_invoice(Status="AUTHORISED")
    assert set_status(api, approved, "AUTHORISED", SentToContact=True).json()["Invoices"][0]["SentToContact"] is True


def test_an_approved_invoice_for_nothing_is_paid_at_once(api):
    invoice = api.new_invoice(
        Status="AUTHORISED", lines=[{"Description": "Free sample", "Quantity": 1, "UnitAmount": 0, "AccountCode": "200"}]
    )
    assert (invoice["Status"], invoice["AmountDue"]) == ("PAID", 0)
