"""Cancelled (or deleted) Dynamics invoices in Xero: deleted while unapproved, voided once approved, refused with
payments."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dxconnector.domain.records import ZERO, InvoiceType, XeroStatus
from dxconnector.domain.rules.edits import has_payments
from dxconnector.domain.rules.reasons import Reason, Why


class CancelAction(enum.StrEnum):
    NOTHING = "nothing"
    DELETE = "delete"  # draft or awaiting approval: Status DELETED
    VOID = "void"  # approved, nothing paid: Status VOIDED
    REFUSE = "refuse"  # has payments: someone must act in Xero first


@dataclass(frozen=True)
class Cancellation:
    action: CancelAction
    reason: Reason | None = None

    def to_xero(self, invoice_type: InvoiceType, xero_id: str) -> dict[str, Any] | None:
        status = {CancelAction.DELETE: XeroStatus.DELETED, CancelAction.VOID: XeroStatus.VOIDED}.get(self.action)
        if status is None:
            return None
        id_element = "CreditNoteID" if invoice_type.is_credit_note else "InvoiceID"
        return {id_element: xero_id, "Status": status.value}


def cancellation(
    xero_status: XeroStatus | None, amount_paid: Decimal = ZERO, amount_credited: Decimal = ZERO, *, deleted: bool = False
) -> Cancellation:
    """A cancelled Dynamics invoice is deleted in Xero while unapproved, voided once approved; Xero voids
    nothing with payments or credit applied, so then we say what to undo in Xero. An invoice deleted in Dynamics
    (`deleted`) goes the same way."""
    if xero_status is None:
        return Cancellation(CancelAction.NOTHING, Reason(Why.NEVER_SENT, "The invoice never reached Xero."))
    if xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
        return Cancellation(
            CancelAction.NOTHING, Reason(Why.ALREADY_CANCELLED, f"The invoice is already {xero_status.lower()} in Xero.")
        )
    if xero_status in (XeroStatus.DRAFT, XeroStatus.SUBMITTED):
        return Cancellation(CancelAction.DELETE)
    if not has_payments(xero_status, amount_paid, amount_credited):
        return Cancellation(CancelAction.VOID)
    what, change = ("was deleted", "deletion") if deleted else ("is cancelled", "cancellation")
    return Cancellation(
        CancelAction.REFUSE,
        Reason(
            Why.HAS_PAYMENTS,
            f"The invoice {what} in Dynamics but has payments "
            "or credit in Xero, and Xero can't void it: remove them "
            f"in Xero (or credit the invoice there); the {change} "
            "then goes across.",
        ),
    )
