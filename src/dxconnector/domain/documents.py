"""A Xero invoice or credit note as Xero answered it, told apart once.

Xero answers invoices and credit notes in the same shape but for their names: `InvoiceID` or `CreditNoteID`,
`InvoiceNumber` or `CreditNoteNumber`, `AmountDue` or `RemainingCredit`, `AmountCredited` or `AppliedAmount`.
`XeroDocument.read` decides which once, at the edge; everything after asks the document. Reading never fails on
a value it doesn't know (a status Xero adds one day is no status here); dates are read when asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from dxconnector.domain.records import ZERO, InvoiceType, XeroStatus
from dxconnector.domain.rules.dates import parse_xero_date, parse_xero_moment

INVOICE_NAMES = {"id": "InvoiceID", "number": "InvoiceNumber", "due": "AmountDue", "credited": "AmountCredited"}
CREDIT_NOTE_NAMES = {"id": "CreditNoteID", "number": "CreditNoteNumber", "due": "RemainingCredit", "credited": "AppliedAmount"}


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _status(value: Any) -> XeroStatus | None:
    try:
        return XeroStatus(str(value))
    except ValueError:
        return None


def _type(value: Any, is_credit_note: bool) -> InvoiceType:
    try:
        return InvoiceType(str(value))
    except ValueError:
        return InvoiceType.ACCRECCREDIT if is_credit_note else InvoiceType.ACCREC


@dataclass(frozen=True)
class XeroDocument:
    is_credit_note: bool
    id: str
    type: InvoiceType
    status: XeroStatus | None
    number: str
    amount_due: Decimal | None  # a credit note's remaining credit; None when Xero's answer has none
    amount_paid: Decimal | None
    amount_credited: Decimal | None  # a credit note's applied amount
    body: Mapping[str, Any]  # the whole answer: its lines for comparisons, what the write-back shows

    @property
    def paid(self) -> Decimal:
        """What was paid on it, nought when Xero doesn't say."""
        return self.amount_paid or ZERO

    @property
    def credited(self) -> Decimal:
        return self.amount_credited or ZERO

    @classmethod
    def read(cls, body: Mapping[str, Any]) -> XeroDocument:
        is_credit_note = "CreditNoteID" in body
        names = CREDIT_NOTE_NAMES if is_credit_note else INVOICE_NAMES
        return cls(
            is_credit_note=is_credit_note,
            id=str(body.get(names["id"]) or ""),
            type=_type(body.get("Type"), is_credit_note),
            status=_status(body.get("Status")),
            number=str(body.get(names["number"]) or ""),
            amount_due=_money(body.get(names["due"])),
            amount_paid=_money(body.get("AmountPaid")),
            amount_credited=_money(body.get(names["credited"])),
            body=body,
        )

    @property
    def id_element(self) -> str:
        return CREDIT_NOTE_NAMES["id"] if self.is_credit_note else INVOICE_NAMES["id"]

    @property
    def url(self) -> str:
        return str(self.body.get("Url") or "")

    @property
    def contact_id(self) -> str:
        return str((self.body.get("Contact") or {}).get("ContactID") or "")

    @property
    def sent_to_contact(self) -> bool:
        return bool(self.body.get("SentToContact"))

    @property
    def is_live(self) -> bool:
        """Neither voided nor deleted: it counts."""
        return self.status not in (XeroStatus.VOIDED, XeroStatus.DELETED)

    @property
    def due_date(self) -> date | None:
        return parse_xero_date(self.body.get("DueDate"))

    @property
    def fully_paid_on(self) -> date | None:
        return parse_xero_date(self.body.get("FullyPaidOnDate"))

    @property
    def updated_at(self) -> datetime | None:
        return parse_xero_moment(self.body.get("UpdatedDateUTC"))
