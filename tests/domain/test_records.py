import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest

from dxconnector.domain.records import (
    ConnectionSettings,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
    InvoiceType,
    LineAmountTypes,
    XeroInvoice,
    XeroLineItem,
    XeroStatus,
    XeroTracking,
)

LINE = XeroLineItem(
    "Widget",
    D(2),
    D("10.00"),
    item_code="W",
    account_code="200",
    tax_type="OUTPUT2",
    discount_rate=D(10),
    tracking=(XeroTracking("Region", "North"),),
)
INVOICE = XeroInvoice(
    InvoiceType.ACCREC,
    "c-1",
    date(2026, 3, 10),
    LineAmountTypes.INCLUSIVE,
    (LINE,),
    status=XeroStatus.AUTHORISED,
    number="INV-1",
    due_date=date(2026, 4, 9),
    reference="PO 1",
    currency_code="NZD",
    branding_theme_id="bt-1",
    url="https://example.org/1",
    xero_id="x-1",
)


def test_an_invoice_body_has_every_element_xero_takes():
    assert INVOICE.to_xero() == {
        "InvoiceID": "x-1",
        "Type": "ACCREC",
        "Contact": {"ContactID": "c-1"},
        "Date": "2026-03-10",
        "DueDate": "2026-04-09",
        "LineAmountTypes": "Inclusive",
        "InvoiceNumber": "INV-1",
        "Reference": "PO 1",
        "CurrencyCode": "NZD",
        "BrandingThemeID": "bt-1",
        "Url": "https://example.org/1",
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Widget",
                "Quantity": D(2),
                "UnitAmount": D("10.00"),
                "ItemCode": "W",
                "AccountCode": "200",
                "TaxType": "OUTPUT2",
                "DiscountRate": D(10),
                "Tracking": [{"Name": "Region", "Option": "North"}],
            }
        ],
    }


def test_empty_elements_are_left_out_so_xero_keeps_or_defaults_them():
    bare = XeroInvoice(InvoiceType.ACCPAY, "c-1", date(2026, 3, 10), LineAmountTypes.NO_TAX, (XeroLineItem("Note"),))
    assert bare.to_xero() == {
        "Type": "ACCPAY",
        "Contact": {"ContactID": "c-1"},
        "Date": "2026-03-10",
        "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Note"}],
    }


def test_a_zero_amount_is_sent_not_dropped():
    assert XeroLineItem("Free", D(1), D(0)).to_xero() == {"Description": "Free", "Quantity": D(1), "UnitAmount": D(0)}


@pytest.mark.parametrize(
    ("invoice_type", "id_element", "number_element", "collection"),
    [
        (InvoiceType.ACCREC, "InvoiceID", "InvoiceNumber", "Invoices"),
        (InvoiceType.ACCPAY, "InvoiceID", "InvoiceNumber", "Invoices"),
        (InvoiceType.ACCRECCREDIT, "CreditNoteID", "CreditNoteNumber", "CreditNotes"),
        (InvoiceType.ACCPAYCREDIT, "CreditNoteID", "CreditNoteNumber", "CreditNotes"),
    ],
)
def test_credit_notes_use_their_own_element_names(invoice_type, id_element, number_element, collection):
    body = dataclasses.replace(INVOICE, type=invoice_type).to_xero()
    assert body[id_element] == "x-1" and body[number_element] == "INV-1"
    assert dataclasses.replace(INVOICE, type=invoice_type).collection == collection


def test_the_content_leaves_out_identity_and_status():
    content = INVOICE.content()
    assert "InvoiceID" not in content and "Status" not in content
    assert content["LineItems"] == INVOICE.to_xero()["LineItems"]


@pytest.mark.parametrize(
    ("invoice_type", "sales", "credit", "credit_note"),
    [
        (InvoiceType.ACCREC, True, False, InvoiceType.ACCRECCREDIT),
        (InvoiceType.ACCPAY, False, False, InvoiceType.ACCPAYCREDIT),
        (InvoiceType.ACCRECCREDIT, True, True, InvoiceType.ACCRECCREDIT),
        (InvoiceType.ACCPAYCREDIT, False, True, InvoiceType.ACCPAYCREDIT),
    ],
)
def test_invoice_types_know_their_side(invoice_type, sales, credit, credit_note):
    assert (invoice_type.is_sales, invoice_type.is_credit_note, invoice_type.credit_note) == (sales, credit, credit_note)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        (DynamicsInvoiceLine("l", product=DynamicsProduct("p", "W", "Widget")), "Widget"),
        (DynamicsInvoiceLine("l", is_write_in=True, write_in_description="Labour"), "Labour"),
        (DynamicsInvoiceLine("l", description="Only a description"), "Only a description"),
    ],
)
def test_a_line_is_called_by_its_product_or_its_text(line, name):
    assert line.name == name


@pytest.mark.parametrize("record", [DynamicsInvoice("i"), ConnectionSettings(), LINE, INVOICE])
def test_records_are_frozen(record):
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, None)


def test_money_is_never_float():
    for record in (DynamicsInvoiceLine, DynamicsProduct, DynamicsInvoice, XeroLineItem):
        for field in dataclasses.fields(record):
            assert "float" not in str(field.type), f"{record.__name__}.{field.name}"
