"""Where a Dynamics invoice's state goes as its Xero copy changes (PRODUCT §3.5): the money side is Xero's.

| Xero says | Dynamics invoice moves to |
|---|---|
| paid in full (PAID) | Paid, Complete |
| approved, partly paid or credited, money still owed | Paid, Partial |
| approved, nothing paid — after a payment was removed or reversed | Active, Billed (reopened) when it was Paid |
| voided or deleted | Canceled |
| draft or awaiting approval | Active, Billed when it was Paid; else where it is |

Dataverse takes these as a PATCH of `statecode` and `statuscode` (docs/solution.md, "Invoice states the connector
moves"). A Paid or Canceled invoice takes no other change: the columns Xero's answer fills go with a move to
Active, or wait for the next one. A credit note's Dynamics invoice (a negative invoice sent as a credit note) moves
the same way on Xero's credit note: fully allocated or refunded counts as paid.
"""

from __future__ import annotations

from decimal import Decimal

from dxconnector.domain.records import ZERO, InvoiceState, InvoiceStatusReason, XeroStatus

Move = tuple[InvoiceState, int]

_CANCELLED_IN_XERO = (XeroStatus.VOIDED, XeroStatus.DELETED)
_NOT_YET_APPROVED = (XeroStatus.DRAFT, XeroStatus.SUBMITTED)


def target_state(xero_status: XeroStatus | None, settled: Decimal = ZERO) -> Move | None:
    """Where Xero's state puts the invoice, whatever it is now (None: Xero's state says nothing of it). `settled`:
    what was paid or credited on it."""
    if xero_status is XeroStatus.PAID:
        return InvoiceState.PAID, InvoiceStatusReason.COMPLETE
    if xero_status is XeroStatus.AUTHORISED:
        if settled > 0:
            return InvoiceState.PAID, InvoiceStatusReason.PARTIAL
        return InvoiceState.ACTIVE, InvoiceStatusReason.BILLED
    if xero_status in _CANCELLED_IN_XERO:
        return InvoiceState.CANCELED, InvoiceStatusReason.CANCELED
    if xero_status in _NOT_YET_APPROVED:
        return InvoiceState.ACTIVE, InvoiceStatusReason.BILLED
    return None


def state_move(
    current: InvoiceState, current_status: int | None, xero_status: XeroStatus | None, settled: Decimal
) -> Move | None:
    """The move the invoice makes now, or None to leave it where it is: an active invoice stays active (with whatever
    status reason its users gave it) while nothing is paid; a closed one (deprecated state) is left alone."""
    target = target_state(xero_status, settled)
    if target is None or current is InvoiceState.CLOSED:
        return None
    state, status = target
    if state is InvoiceState.ACTIVE and current is InvoiceState.ACTIVE:
        return None
    if state is current and status == current_status:
        return None
    return target
