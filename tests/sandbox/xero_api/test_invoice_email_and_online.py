"""POST /Invoices/{id}/Email (204) and GET /Invoices/{id}/OnlineInvoice."""

from __future__ import annotations

import re


def test_emailing_an_approved_invoice_marks_it_sent(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    response = api.post(f"/Invoices/{invoice['InvoiceID']}/Email", json={})
    assert response.status_code == 204 and response.content == b""
    after = api.invoice(invoice["InvoiceID"])
    assert after["SentToContact"] is True and after["UpdatedDateUTC"] > invoice["UpdatedDateUTC"]


def test_a_draft_cannot_be_emailed(api):
    response = api.post(f"/Invoices/{api.new_invoice()['InvoiceID']}/Email", json={})
    assert response.status_code == 400 and "approve it first" in response.text


def test_a_contact_without_an_email_address_cannot_be_emailed(api):
    invoice = api.new_invoice(contact=api.new_contact(EmailAddress=""), Status="AUTHORISED")
    response = api.post(f"/Invoices/{invoice['InvoiceID']}/Email", json={})
    assert response.status_code == 400 and "has no email address" in response.text


def test_an_approved_invoice_has_an_online_link(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    [online] = api.get(f"/Invoices/{invoice['InvoiceID']}/OnlineInvoice").json()["OnlineInvoices"]
    assert re.fullmatch(r"https://in\.xero\.com/[0-9a-f]{32}", online["OnlineInvoiceUrl"])
    assert api.get(f"/Invoices/{invoice['InvoiceID']}/OnlineInvoice").json()["OnlineInvoices"] == [online]


def test_a_draft_has_no_online_link(api):
    assert api.get(f"/Invoices/{api.new_invoice()['InvoiceID']}/OnlineInvoice").status_code == 400


def test_an_unknown_invoice_cannot_be_emailed(api):
    assert api.post("/Invoices/6a1b2c3d-0000-4000-8000-000000000000/Email", json={}).status_code == 404
