"""A Xero invoice or credit note, told apart once from Xero's answer."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.records import InvoiceType, XeroStatus
from dxconnector.domain.rules import BadXeroDate

INVOICE = {
    "InvoiceID": "inv-1",
    "InvoiceNumber": "INV-7",
    "Type": "ACCREC",
    "Status": "AUTHORISED",
    "AmountDue": D("80"),
    "AmountPaid": D("20"),
    "AmountCredited": D("0"),
    "Url": "https://org/main.aspx?id=d-1",
    "Contact": {"ContactID": "c-1"},
    "DueDate": "/Date(1775692800000+0000)/",
    "UpdatedDateUTC": "/Date(-2208988800000+0000)/",
}
CREDIT_NOTE = {
    "CreditNoteID": "cn-1",
    "CreditNoteNumber": "CN-3",
    "Type": "ACCPAYCREDIT",
    "Status": "PAID",
    "RemainingCredit": 0,
    "AppliedAmount": D("12.5"),
}


def test_an_invoice_is_read_by_its_own_names():
    document = XeroDocument.read(INVOICE)
    assert (document.is_credit_note, document.id, document.number, document.type, document.status) == (
        False,
        "inv-1",
        "INV-7",
        InvoiceType.ACCREC,
        XeroStatus.AUTHORISED,
    )
    assert (document.amount_due, document.paid, document.credited, document.id_element) == (D(80), D(20), D(0), "InvoiceID")
    assert (document.contact_id, document.url, document.due_date) == ("c-1", INVOICE["Url"], date(2026, 4, 9))
    assert document.updated_at == datetime(1900, 1, 1, tzinfo=UTC)


def test_a_credit_note_is_read_by_its_own_names():
    document = XeroDocument.read(CREDIT_NOTE)
    assert (document.is_credit_note, document.id, document.number, document.id_element) == (True, "cn-1", "CN-3", "CreditNoteID")
    assert (document.amount_due, document.credited, document.amount_paid, document.paid) == (D(0), D("12.5"), None, D(0))


def test_a_status_or_type_it_does_not_know_is_no_status_rather_than_an_error():
    document = XeroDocument.read({**INVOICE, "Status": "ARCHIVED_SOMEDAY", "Type": "SOMETHING"})
    assert (document.status, document.type, document.is_live) == (None, InvoiceType.ACCREC, True)


def test_a_date_it_cannot_read_fails_only_when_asked_for():
    document = XeroDocument.read({**INVOICE, "DueDate": "not a date"})
    with pytest.raises(BadXeroDate):
        _ = document.due_date


@pytest.mark.parametrize(("status", "live"), [("VOIDED", False), ("DELETED", False), ("DRAFT", True), ("PAID", True)])
def test_voided_and_deleted_copies_are_not_live(status, live):
    assert XeroDocument.read({**INVOICE, "Status": status}).is_live is live
