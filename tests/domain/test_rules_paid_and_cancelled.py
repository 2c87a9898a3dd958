from decimal import Decimal as D

import pytest

from dxconnector.domain.records import InvoiceType, XeroStatus
from dxconnector.domain.rules import (
    CancelAction,
    EditRule,
    Why,
    cancellation,
    edit_permission,
    has_payments,
    paid_invoice_update,
)


@pytest.mark.parametrize(
    ("invoice_type", "status", "paid", "credited", "rule", "code"),
    [
        (InvoiceType.ACCREC, XeroStatus.DRAFT, D(0), D(0), EditRule.FULL, None),
        (InvoiceType.ACCREC, XeroStatus.AUTHORISED, D(0), D(0), EditRule.FULL, None),
        (InvoiceType.ACCPAY, XeroStatus.AUTHORISED, D(0), D(0), EditRule.FULL, None),
        (InvoiceType.ACCREC, XeroStatus.AUTHORISED, D("10.00"), D(0), EditRule.PAID_FIELDS_ONLY, None),  # part paid
        (InvoiceType.ACCREC, XeroStatus.AUTHORISED, D(0), D("5.00"), EditRule.PAID_FIELDS_ONLY, None),  # credited
        (InvoiceType.ACCREC, XeroStatus.PAID, D(0), D(0), EditRule.PAID_FIELDS_ONLY, None),
        (InvoiceType.ACCPAY, XeroStatus.PAID, D(0), D(0), EditRule.NONE, Why.PAID_BILL),
        (InvoiceType.ACCPAY, XeroStatus.AUTHORISED, D("1.00"), D(0), EditRule.NONE, Why.PAID_BILL),
        (InvoiceType.ACCRECCREDIT, XeroStatus.PAID, D(0), D(0), EditRule.NONE, Why.ALLOCATED_CREDIT_NOTE),
        (InvoiceType.ACCPAYCREDIT, XeroStatus.AUTHORISED, D(0), D("3.00"), EditRule.NONE, Why.ALLOCATED_CREDIT_NOTE),
        (InvoiceType.ACCREC, XeroStatus.VOIDED, D(0), D(0), EditRule.NONE, Why.VOIDED_IN_XERO),
        (InvoiceType.ACCREC, XeroStatus.DELETED, D(0), D(0), EditRule.NONE, Why.VOIDED_IN_XERO),
    ],
)
def test_how_much_of_an_invoice_in_xero_may_still_change(invoice_type, status, paid, credited, rule, code):
    permission = edit_permission(invoice_type, status, paid, credited)
    assert permission.rule is rule
    assert (permission.reason.code if permission.reason else None) == code


@pytest.mark.parametrize(
    ("status", "paid", "credited", "expected"),
    [
        (XeroStatus.AUTHORISED, D(0), D(0), False),
        (XeroStatus.AUTHORISED, D("0.01"), D(0), True),
        (XeroStatus.AUTHORISED, D(0), D("0.01"), True),
        (XeroStatus.PAID, D(0), D(0), True),
        (None, D(0), D(0), False),
    ],
)
def test_has_payments(status, paid, credited, expected):
    assert has_payments(status, paid, credited) is expected


CURRENT = {
    "InvoiceID": "xero-1",
    "Type": "ACCREC",
    "Status": "PAID",
    "Contact": {"ContactID": "c-1", "Name": "Acme Ltd"},
    "Date": "/Date(1773100800000+0000)/",
    "DueDate": "/Date(1775692800000+0000)/",
    "LineAmountTypes": "Exclusive",
    "InvoiceNumber": "INV-0042",
    "Reference": "PO 1",
    "CurrencyCode": "NZD",
    "AmountPaid": 23.0,
    "LineItems": [
        {
            "LineItemID": "li-1",
            "Description": "Widget",
            "Quantity": 2.0,
            "UnitAmount": 10.0,
            "ItemCode": "WIDGET-1",
            "AccountCode": "200",
            "TaxType": "OUTPUT2",
            "LineAmount": 20.0,
            "TaxAmount": 3.0,
            "Tracking": [{"Name": "Region", "Option": "North", "TrackingCategoryID": "t"}],
        }
    ],
}
PROPOSED = {
    "InvoiceID": "xero-1",
    "Type": "ACCREC",
    "Contact": {"ContactID": "c-1"},
    "Date": "2026-03-10",
    "DueDate": "2026-04-09",
    "LineAmountTypes": "Exclusive",
    "InvoiceNumber": "INV-0042",
    "Reference": "PO 1",
    "CurrencyCode": "NZD",
    "Status": "AUTHORISED",
    "LineItems": [
        {
            "Description": "Widget",
            "Quantity": D(2),
            "UnitAmount": D("10.00"),
            "ItemCode": "WIDGET-1",
            "AccountCode": "200",
            "TaxType": "OUTPUT2",
            "Tracking": [{"Name": "Region", "Option": "North"}],
        }
    ],
}


def changed(header=None, line=None, lines=None):
    body = {**PROPOSED, **(header or {})}
    body["LineItems"] = lines if lines is not None else [{**PROPOSED["LineItems"][0], **(line or {})}]
    return body


def test_the_two_bodies_agree_when_nothing_changed():
    assert paid_invoice_update(PROPOSED, CURRENT).allowed
    assert paid_invoice_update(PROPOSED, CURRENT).body is None


@pytest.mark.parametrize(
    ("proposed", "sent"),
    [
        (changed(header={"Reference": "PO 2"}), {"Reference": "PO 2"}),
        (changed(header={"DueDate": "2026-05-01"}), {"DueDate": "2026-05-01"}),
        (changed(header={"InvoiceNumber": "INV-0042A"}), {"InvoiceNumber": "INV-0042A"}),
        (changed(header={"BrandingThemeID": "theme-2"}), {"BrandingThemeID": "theme-2"}),
        (changed(header={"Contact": {"ContactID": "c-2"}}), {"Contact": {"ContactID": "c-2"}}),
        (changed(header={"Url": "https://example.org/inv/1"}), {"Url": "https://example.org/inv/1"}),
    ],
)
def test_a_paid_invoice_takes_changes_to_the_header_fields_xero_allows(proposed, sent):
    update = paid_invoice_update(proposed, CURRENT)
    assert update.allowed
    assert update.body == {"InvoiceID": "xero-1", **sent}


@pytest.mark.parametrize(
    ("line", "field", "value"),
    [
        ({"Description": "Widget, blue"}, "Description", "Widget, blue"),
        ({"AccountCode": "210"}, "AccountCode", "210"),
        ({"Tracking": [{"Name": "Region", "Option": "South"}]}, "Tracking", [{"Name": "Region", "Option": "South"}]),
    ],
)
def test_a_paid_invoice_takes_line_description_account_code_and_tracking_on_xeros_own_lines(line, field, value):
    update = paid_invoice_update(changed(line=line), CURRENT)
    assert update.allowed
    sent_line = update.body["LineItems"][0]
    assert sent_line[field] == value
    assert sent_line["LineItemID"] == "li-1" and sent_line["UnitAmount"] == 10.0 and sent_line["Quantity"] == 2.0


@pytest.mark.parametrize(
    ("proposed", "refused"),
    [
        (changed(header={"Date": "2026-03-11"}), ("Date",)),
        (changed(header={"CurrencyCode": "AUD"}), ("CurrencyCode",)),
        (changed(header={"LineAmountTypes": "Inclusive"}), ("LineAmountTypes",)),
        (changed(line={"UnitAmount": D("12.00")}), ("LineItems[1].UnitAmount",)),
        (changed(line={"Quantity": D(3)}), ("LineItems[1].Quantity",)),
        (changed(line={"TaxType": "NONE"}), ("LineItems[1].TaxType",)),
        (changed(line={"ItemCode": "OTHER"}), ("LineItems[1].ItemCode",)),
        (changed(line={"DiscountRate": D(10)}), ("LineItems[1].DiscountRate",)),
        (changed(lines=[PROPOSED["LineItems"][0], {"Description": "Extra"}]), ("LineItems",)),
        (
            changed(header={"Reference": "PO 2", "Date": "2026-03-11"}, line={"UnitAmount": D(11), "Description": "x"}),
            ("Date", "LineItems[1].UnitAmount"),
        ),
    ],
)
def test_any_other_change_to_a_paid_invoice_is_refused_naming_the_fields(proposed, refused):
    update = paid_invoice_update(proposed, CURRENT)
    assert not update.allowed and update.body is None
    assert update.refused_fields == refused
    assert update.reason.code is Why.PAID_FIELDS_ONLY
    for field in refused:
        assert field in update.reason.text


def test_a_removed_discount_counts_as_an_amount_change():
    current = {**CURRENT, "LineItems": [{**CURRENT["LineItems"][0], "DiscountRate": 10.0}]}
    assert paid_invoice_update(PROPOSED, current).refused_fields == ("LineItems[1].DiscountRate",)


def test_the_same_amount_written_differently_is_no_change():
    proposed = changed(line={"UnitAmount": D("10.0000"), "Quantity": D("2.0")})
    assert paid_invoice_update(proposed, CURRENT) == paid_invoice_update(PROPOSED, CURRENT)


@pytest.mark.parametrize(
    ("status", "paid", "credited", "action", "body"),
    [
        (XeroStatus.DRAFT, D(0), D(0), CancelAction.DELETE, {"InvoiceID": "x-1", "Status": "DELETED"}),
        (XeroStatus.SUBMITTED, D(0), D(0), CancelAction.DELETE, {"InvoiceID": "x-1", "Status": "DELETED"}),
        (XeroStatus.AUTHORISED, D(0), D(0), CancelAction.VOID, {"InvoiceID": "x-1", "Status": "VOIDED"}),
        (XeroStatus.AUTHORISED, D("5.00"), D(0), CancelAction.REFUSE, None),
        (XeroStatus.AUTHORISED, D(0), D("5.00"), CancelAction.REFUSE, None),
        (XeroStatus.PAID, D(0), D(0), CancelAction.REFUSE, None),
        (XeroStatus.VOIDED, D(0), D(0), CancelAction.NOTHING, None),
        (XeroStatus.DELETED, D(0), D(0), CancelAction.NOTHING, None),
        (None, D(0), D(0), CancelAction.NOTHING, None),
    ],
)
def test_a_cancelled_invoice_is_deleted_while_unapproved_and_voided_once_approved(status, paid, credited, action, body):
    result = cancellation(status, paid, credited)
    assert result.action is action
    assert result.to_xero(InvoiceType.ACCREC, "x-1") == body


def test_a_cancelled_credit_note_is_voided_by_its_own_id():
    assert cancellation(XeroStatus.AUTHORISED).to_xero(InvoiceType.ACCRECCREDIT, "cn-1") == {
        "CreditNoteID": "cn-1",
        "Status": "VOIDED",
    }


@pytest.mark.parametrize("status", [XeroStatus.AUTHORISED, XeroStatus.PAID])
def test_a_cancelled_invoice_with_payments_says_what_to_undo_in_xero(status):
    result = cancellation(status, D("1.00"))
    assert result.reason.code is Why.HAS_PAYMENTS
    assert "remove them in Xero" in result.reason.text
