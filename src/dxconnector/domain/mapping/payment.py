"""Money Xero applied to an invoice → rows of our Xero payments table (`stl3_xeropayment`).

One row per Xero payment (on an invoice, or a refund on a credit note), per allocation of a credit note, prepayment
or overpayment to an invoice, and per credit note made in Xero for a linked customer (not one the connector sent:
those are Dynamics invoices already). A row is keyed by what Xero keys it by, so writing it again updates it; a
payment deleted or reversed in Xero, an allocation removed, a credit note voided: the row stays, marked Deleted.

These rows live in Dynamics. The connector's own database keeps none of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.names import XeroPaymentTable
from dxconnector.domain.records import ZERO
from dxconnector.domain.rules.dates import parse_xero_date


class Kind:
    PAYMENT = "PAYMENT"
    CREDIT_NOTE = "CREDIT_NOTE"
    PREPAYMENT = "PREPAYMENT"
    OVERPAYMENT = "OVERPAYMENT"


# What Xero names the documents whose allocations become rows: their collection, id and number fields.
@dataclass(frozen=True)
class CreditSource:
    collection: str  # "CreditNotes", "Prepayments", "Overpayments"
    kind: str
    id_field: str
    number_field: str | None


CREDIT_NOTES = CreditSource("CreditNotes", Kind.CREDIT_NOTE, "CreditNoteID", "CreditNoteNumber")
PREPAYMENTS = CreditSource("Prepayments", Kind.PREPAYMENT, "PrepaymentID", None)
OVERPAYMENTS = CreditSource("Overpayments", Kind.OVERPAYMENT, "OverpaymentID", None)
CREDIT_SOURCES = {source.collection: source for source in (CREDIT_NOTES, PREPAYMENTS, OVERPAYMENTS)}

_GONE = ("DELETED", "VOIDED")
_SHOWN_CREDIT_NOTE_STATES = ("AUTHORISED", "PAID", *_GONE)  # a draft credit note is not money yet


@dataclass(frozen=True)
class MoneyRow:
    """One row of the payments table, as Xero shows it."""

    key: str  # unique within the organisation: the row's id derives from it
    kind: str
    xero_id: str  # PaymentID, AllocationID or CreditNoteID
    amount: Decimal
    day: date | None
    contact_id: str  # the Xero contact: names the Dynamics customer
    invoice_id: str = ""  # the Xero invoice (or credit note) it applies to; "" for a credit note on its own
    currency_code: str = ""
    currency_rate: Decimal | None = None
    reference: str = ""
    payment_type: str = ""
    deleted: bool = False
    bank_account_id: str = ""
    bank_account: str = ""  # the bank account's name, when Xero's answer gives it
    credit_note_number: str = ""
    credit_note_id: str = ""  # for a link to the credit note in Xero

    def label(self) -> str:
        what = {Kind.PAYMENT: "Payment", Kind.CREDIT_NOTE: "Credit note", Kind.PREPAYMENT: "Prepayment"}.get(
            self.kind, "Overpayment"
        )
        return " ".join(
            part for part in (what, self.credit_note_number or self.reference, self.day and self.day.isoformat()) if part
        )


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def _rate(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def _contact_id(body: Mapping[str, Any]) -> str:
    return str((body.get("Contact") or {}).get("ContactID") or "")


def payment_row(body: Mapping[str, Any]) -> MoneyRow | None:
    """A Xero payment (GET /Payments) on an invoice or a credit note; None for one on anything else (a prepayment's
    or an overpayment's refund: its allocations show instead)."""
    target = body.get("Invoice") or body.get("CreditNote") or {}
    target_id = str(target.get("InvoiceID") or target.get("CreditNoteID") or "")
    if not target_id:
        return None
    account = body.get("Account") or {}
    return MoneyRow(
        key=f"payment:{body['PaymentID']}",
        kind=Kind.PAYMENT,
        xero_id=str(body["PaymentID"]),
        amount=_money(body.get("Amount")),
        day=parse_xero_date(body.get("Date")),
        contact_id=_contact_id(target),
        invoice_id=target_id,
        currency_code=str(target.get("CurrencyCode") or ""),
        currency_rate=_rate(body.get("CurrencyRate")),
        reference=str(body.get("Reference") or ""),
        payment_type=str(body.get("PaymentType") or ""),
        deleted=str(body.get("Status") or "") in _GONE,
        bank_account_id=str(account.get("AccountID") or ""),
        bank_account=str(account.get("Name") or ""),
    )


def allocation_rows(source: CreditSource, body: Mapping[str, Any]) -> Iterator[MoneyRow]:
    """Each allocation of a credit note, prepayment or overpayment to an invoice. An allocation Xero shows as
    deleted, or any of a voided or deleted document, is a Deleted row."""
    document_gone = str(body.get("Status") or "") in _GONE
    number = str(body.get(source.number_field) or "") if source.number_field else ""
    document_id = str(body.get(source.id_field) or "")
    for position, allocation in enumerate(body.get("Allocations") or []):
        invoice_id = str((allocation.get("Invoice") or {}).get("InvoiceID") or "")
        if not invoice_id:
            continue
        # Xero gives each allocation an AllocationID; an older answer without one is keyed by its place.
        allocation_id = str(allocation.get("AllocationID") or f"{document_id}:{invoice_id}:{position}")
        yield MoneyRow(
            key=f"allocation:{allocation_id}",
            kind=source.kind,
            xero_id=allocation_id,
            amount=_money(allocation.get("Amount")),
            day=parse_xero_date(allocation.get("Date")),
            contact_id=_contact_id(body),
            invoice_id=invoice_id,
            currency_code=str(body.get("CurrencyCode") or ""),
            currency_rate=_rate(body.get("CurrencyRate")),
            reference=str(body.get("Reference") or ""),
            deleted=document_gone or bool(allocation.get("IsDeleted")),
            credit_note_number=number,
            credit_note_id=document_id if source is CREDIT_NOTES else "",
        )


def credit_note_row(body: Mapping[str, Any]) -> MoneyRow | None:
    """A credit note made in Xero, shown on its customer: its total, whatever of it is allocated (the allocations
    have rows of their own). None for a draft."""
    status = str(body.get("Status") or "")
    if status not in _SHOWN_CREDIT_NOTE_STATES:
        return None
    return MoneyRow(
        key=f"creditnote:{body['CreditNoteID']}",
        kind=Kind.CREDIT_NOTE,
        xero_id=str(body["CreditNoteID"]),
        amount=_money(body.get("Total")),
        day=parse_xero_date(body.get("Date")),
        contact_id=_contact_id(body),
        currency_code=str(body.get("CurrencyCode") or ""),
        currency_rate=_rate(body.get("CurrencyRate")),
        reference=str(body.get("Reference") or ""),
        deleted=status in _GONE,
        credit_note_number=str(body.get("CreditNoteNumber") or ""),
        credit_note_id=str(body["CreditNoteID"]),
    )


def payment_columns(row: MoneyRow, *, bank_account: str = "", xero_url: str = "") -> dict[str, Any]:
    """The row's own columns (lookups apart), lengths as the solution declares them."""
    table = XeroPaymentTable
    return {
        table.NAME: row.label()[:100],
        table.XERO_ID: row.xero_id[:50],
        table.KIND: option_value(table.TABLE, table.KIND, row.kind),
        table.PAYMENT_DATE: row.day.isoformat() if row.day else None,
        table.AMOUNT: row.amount,
        table.CURRENCY_CODE: row.currency_code[:3] or None,
        table.CURRENCY_RATE: row.currency_rate,
        table.REFERENCE: row.reference[:255] or None,
        table.PAYMENT_TYPE: row.payment_type[:50] or None,
        table.STATUS: option_value(table.TABLE, table.STATUS, "DELETED" if row.deleted else "AUTHORISED"),
        table.BANK_ACCOUNT: (row.bank_account or bank_account)[:150] or None,
        table.CREDIT_NOTE_NUMBER: row.credit_note_number[:255] or None,
        table.XERO_URL: xero_url or None,
    }
