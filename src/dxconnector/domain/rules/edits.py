"""Edits of invoices already in Xero: what Xero lets change once there are payments, and the update that sends only
that."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dxconnector.domain import compare
from dxconnector.domain.records import ZERO, InvoiceType, XeroStatus
from dxconnector.domain.rules.reasons import Reason, Why


class EditRule(enum.StrEnum):
    FULL = "full"  # unpaid: every field
    PAID_FIELDS_ONLY = "paid_fields_only"  # with payments: only what Xero accepts on a paid invoice
    NONE = "none"


@dataclass(frozen=True)
class EditPermission:
    rule: EditRule
    reason: Reason | None = None


def has_payments(xero_status: XeroStatus | None, amount_paid: Decimal = ZERO, amount_credited: Decimal = ZERO) -> bool:
    return xero_status is XeroStatus.PAID or amount_paid > 0 or amount_credited > 0


def edit_permission(
    invoice_type: InvoiceType, xero_status: XeroStatus | None, amount_paid: Decimal = ZERO, amount_credited: Decimal = ZERO
) -> EditPermission:
    if xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
        return EditPermission(
            EditRule.NONE, Reason(Why.VOIDED_IN_XERO, f"The invoice is {xero_status.lower()} in Xero; it can't change any more.")
        )
    if not has_payments(xero_status, amount_paid, amount_credited):
        return EditPermission(EditRule.FULL)
    if invoice_type is InvoiceType.ACCREC:
        return EditPermission(EditRule.PAID_FIELDS_ONLY)
    if invoice_type is InvoiceType.ACCPAY:
        return EditPermission(
            EditRule.NONE,
            Reason(
                Why.PAID_BILL,
                "The bill has payments in Xero, and Xero doesn't let a paid bill change: remove the payments in Xero first.",
            ),
        )
    return EditPermission(
        EditRule.NONE,
        Reason(
            Why.ALLOCATED_CREDIT_NOTE,
            "The credit note is allocated or refunded in Xero, so it can't change: remove the allocation in Xero first.",
        ),
    )


PAID_HEADER_FIELDS = frozenset({"Reference", "DueDate", "InvoiceNumber", "BrandingThemeID", "Contact", "Url"})
PAID_LINE_FIELDS = frozenset({"Description", "AccountCode", "Tracking"})


@dataclass(frozen=True)
class PaidUpdate:
    allowed: bool
    body: dict[str, Any] | None = None  # None when allowed: nothing to send
    refused_fields: tuple[str, ...] = ()
    reason: Reason | None = None


def paid_invoice_update(proposed: Mapping[str, Any], current: Mapping[str, Any]) -> PaidUpdate:
    """What of `proposed` (our body) may go onto a paid sales invoice `current` (as read from Xero).

    Xero takes only Reference, DueDate, InvoiceNumber, BrandingThemeID, Contact and Url, and on lines only
    Description, AccountCode and Tracking. Any other change refuses the whole update with the fields named;
    an allowed one goes as Xero's own lines with just those fields replaced.
    """
    header = compare.header_changes(proposed, current)
    refused = [key for key in header if key not in PAID_HEADER_FIELDS]
    ours_lines, theirs_lines = list(proposed.get("LineItems") or []), list(current.get("LineItems") or [])
    line_changes = compare.lines_changes(ours_lines, theirs_lines)
    if line_changes is None:
        refused.append("LineItems")
    else:
        refused += [
            f"LineItems[{n}].{key}" for n, keys in enumerate(line_changes, start=1) for key in keys if key not in PAID_LINE_FIELDS
        ]
    if refused or line_changes is None:
        return PaidUpdate(
            False,
            refused_fields=tuple(refused),
            reason=Reason(
                Why.PAID_FIELDS_ONLY,
                "The invoice has payments in Xero, which then takes changes to the reference, due date, "
                "number, branding theme, contact and link, and to line descriptions, account codes and "
                f"tracking only; these changed too: {', '.join(refused)}. Undo them, or remove the "
                "payments in Xero first.",
            ),
        )
    id_element = "CreditNoteID" if "CreditNoteID" in current else "InvoiceID"
    body: dict[str, Any] = {key: proposed[key] for key in header}
    if any(line_changes):
        body["LineItems"] = [
            {**theirs, **{key: ours[key] for key in keys if key in ours}}
            for ours, theirs, keys in zip(ours_lines, theirs_lines, line_changes, strict=True)
        ]
    if not body:
        return PaidUpdate(True)
    return PaidUpdate(True, {id_element: current.get(id_element), **body})
