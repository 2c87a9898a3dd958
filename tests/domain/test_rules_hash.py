from datetime import date
from decimal import Decimal as D

import pytest

from dxconnector.domain.records import InvoiceType
from dxconnector.domain.rules import content_hash, recognition_hash, xero_state_hash

KEY = b"connection-secret"
BODY = {
    "Type": "ACCREC",
    "Date": "2026-03-10",
    "LineItems": [{"Description": "Widget", "Quantity": D(2), "UnitAmount": D("10.00")}],
}


def test_the_hash_is_keyed_hex_sha256():
    digest = content_hash(BODY, KEY)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(BODY, b"another key") != digest


@pytest.mark.parametrize(
    "same",
    [
        dict(BODY),
        {"LineItems": BODY["LineItems"], "Date": "2026-03-10", "Type": "ACCREC"},  # key order
        {**BODY, "LineItems": [{"Description": "Widget", "Quantity": D("2.0"), "UnitAmount": D("10")}]},  # 10.00 = 10
        {**BODY, "Type": InvoiceType.ACCREC},  # an enum is its value
        {**BODY, "LineItems": [{"Description": "Widget", "Quantity": D(2), "UnitAmount": D("10.00")}]},
    ],
)
def test_the_hash_does_not_change_when_nothing_sent_changes(same):
    assert content_hash(same, KEY) == content_hash(BODY, KEY)


@pytest.mark.parametrize(
    "different",
    [
        {**BODY, "Type": "ACCPAY"},
        {**BODY, "Date": "2026-03-11"},
        {**BODY, "Reference": "PO 1"},
        {**BODY, "LineItems": [{"Description": "Widget", "Quantity": D(3), "UnitAmount": D("10.00")}]},
        {**BODY, "LineItems": [{"Description": "Widget", "Quantity": D(2), "UnitAmount": D("10.01")}]},
        {**BODY, "LineItems": [{"Description": "Widgets", "Quantity": D(2), "UnitAmount": D("10.00")}]},
        {**BODY, "LineItems": BODY["LineItems"] * 2},
    ],
)
def test_the_hash_changes_when_a_sent_field_changes(different):
    assert content_hash(different, KEY) != content_hash(BODY, KEY)


def test_composed_and_decomposed_accents_hash_alike():
    assert content_hash({"Name": "Zoë"}, KEY) == content_hash({"Name": "Zoe\u0308"}, KEY)


def test_dates_hash_as_iso_dates():
    assert content_hash({"Date": date(2026, 3, 10)}, KEY) == content_hash({"Date": "2026-03-10"}, KEY)


def test_a_hash_without_a_key_is_refused():
    with pytest.raises(ValueError):
        content_hash(BODY, b"")


CREDIT_NOTE = {
    "Type": "ACCRECCREDIT",
    "Contact": {"ContactID": "0F2C-AB"},
    "Date": "2026-03-10",
    "LineAmountTypes": "Exclusive",
    "Reference": "Returned goods",
    "LineItems": [{"Description": "Widget", "Quantity": D(2), "UnitAmount": D("10.5")}, {"Description": "Note only"}],
}
XERO_COPY = {
    "CreditNoteID": "c-1",
    "CreditNoteNumber": "CN-0042",
    "Type": "ACCRECCREDIT",
    "Status": "AUTHORISED",
    "Contact": {"ContactID": "0f2c-ab", "Name": "Acme"},
    "Date": "/Date(1773100800000+0000)/",
    "Reference": "Returned goods",
    "LineItems": [
        {"Description": "Note only", "Quantity": 0.0, "UnitAmount": 0.0, "LineAmount": 0.0},
        {"Description": "Widget", "Quantity": 2.0, "UnitAmount": 10.5, "LineAmount": 21.0, "AccountCode": "200"},
    ],
    "SubTotal": 21.0,
    "Total": 25.2,
}


def test_a_credit_note_sent_is_recognised_in_xeros_copy_of_it_numbered_or_not():
    assert recognition_hash(CREDIT_NOTE, KEY) == recognition_hash(XERO_COPY, KEY)
    assert recognition_hash({**CREDIT_NOTE, "CreditNoteNumber": "CN-0042"}, KEY) == recognition_hash(XERO_COPY, KEY)
    assert recognition_hash(CREDIT_NOTE, b"another key") != recognition_hash(XERO_COPY, KEY)


@pytest.mark.parametrize(
    "other",
    [
        {**XERO_COPY, "Contact": {"ContactID": "another"}},
        {**XERO_COPY, "Date": "2026-03-11T00:00:00"},
        {**XERO_COPY, "Type": "ACCPAYCREDIT"},
        {**XERO_COPY, "Reference": ""},
        {**XERO_COPY, "LineItems": XERO_COPY["LineItems"][:1]},
        {**XERO_COPY, "LineItems": [XERO_COPY["LineItems"][0], {**XERO_COPY["LineItems"][1], "Quantity": 3.0}]},
    ],
)
def test_another_credit_note_is_not_taken_for_the_one_sent(other):
    assert recognition_hash(other, KEY) != recognition_hash(CREDIT_NOTE, KEY)


PAID = {
    "InvoiceID": "i-1",
    "InvoiceNumber": "INV-0007",
    "Status": "PAID",
    "DueDate": "/Date(1773100800000+0000)/",
    "FullyPaidOnDate": "/Date(1773187200000+0000)/",
    "AmountDue": 0.0,
    "AmountPaid": 120.0,
    "AmountCredited": 0.0,
    "SentToContact": True,
    "UpdatedDateUTC": "/Date(1773187200123+0000)/",
    "LineItems": [{"Description": "Widget"}],
}


def test_xeros_state_hash_ignores_what_dynamics_is_not_shown():
    same = {
        **PAID,
        "SentToContact": False,
        "UpdatedDateUTC": "/Date(1773190000000+0000)/",
        "LineItems": [],
        "DueDate": "2026-03-10T00:00:00",
        "AmountPaid": D("120.00"),
    }
    assert xero_state_hash(same, KEY) == xero_state_hash(PAID, KEY)


@pytest.mark.parametrize(
    "change",
    [
        {"Status": "AUTHORISED"},
        {"AmountPaid": 60.0},
        {"AmountDue": 60.0},
        {"InvoiceNumber": "INV-0008"},
        {"FullyPaidOnDate": None},
        {"DueDate": "2026-03-11T00:00:00"},
        {"AmountCredited": 10.0},
    ],
)
def test_xeros_state_hash_changes_with_a_payment_a_status_a_number_or_a_date(change):
    assert xero_state_hash({**PAID, **change}, KEY) != xero_state_hash(PAID, KEY)
