"""GUIDs in list filters are read however they are written, as Xero reads them: with or without dashes, in
either case, in braces. Clients such as pyxero send `IDs=` as `UUID.hex` (no dashes)."""

from __future__ import annotations

import uuid


def invoice_ids(response):
    assert response.status_code == 200, response.text
    return [invoice["InvoiceID"] for invoice in response.json()["Invoices"]]


def test_ids_written_without_dashes_find_their_invoices(api):
    contact = api.new_contact()
    first, second = api.new_invoice(contact=contact), api.new_invoice(contact=contact)
    dashless = ",".join(uuid.UUID(invoice["InvoiceID"]).hex for invoice in (first, second))
    assert sorted(invoice_ids(api.get("/Invoices", params={"IDs": dashless}))) == sorted(
        [first["InvoiceID"], second["InvoiceID"]]
    )


def test_ids_in_capitals_and_braces_find_their_invoice(api):
    invoice = api.new_invoice()
    spelled = "{" + invoice["InvoiceID"].upper() + "}"
    assert invoice_ids(api.get("/Invoices", params={"IDs": spelled})) == [invoice["InvoiceID"]]


def test_contact_ids_written_without_dashes_filter_invoices_by_contact(api):
    contact = api.new_contact()
    invoice = api.new_invoice(contact=contact)
    listed = api.get("/Invoices", params={"ContactIDs": uuid.UUID(contact["ContactID"]).hex})
    assert invoice_ids(listed) == [invoice["InvoiceID"]]


def test_contacts_listed_by_ids_without_dashes(api):
    contact = api.new_contact()
    listed = api.get("/Contacts", params={"IDs": uuid.UUID(contact["ContactID"]).hex})
    assert [found["ContactID"] for found in listed.json()["Contacts"]] == [contact["ContactID"]]


def test_an_id_that_is_no_guid_matches_nothing(api):
    api.new_invoice()
    assert invoice_ids(api.get("/Invoices", params={"IDs": "not-a-guid"})) == []
