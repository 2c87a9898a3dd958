"""A Dynamics invoice → a Xero invoice or credit note, and what Xero says about it → Dynamics columns."""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.names import InvoiceColumns, XeroInvoiceTable
from dxconnector.domain.records import (
    ZERO,
    ConnectionSettings,
    DynamicsInvoice,
    ExportStatus,
    InvoiceState,
    InvoiceStatusReason,
    InvoiceType,
    XeroInvoice,
    XeroLineItem,
    XeroStatus,
    XeroTracking,
)
from dxconnector.domain.rules import RuleViolation, SendAs
from dxconnector.domain.rules.amounts import DISCOUNT_LINE, invoice_amounts


def xero_line_items(
    invoice: DynamicsInvoice, settings: ConnectionSettings, target: SendAs, xero_item_codes: Set[str] = frozenset()
) -> tuple[XeroLineItem, ...]:
    """The invoice's lines in order, then its Discount lines (what of the discounts can't go on the lines)."""
    amounts = iter(invoice_amounts(invoice, target))
    items: list[XeroLineItem] = []
    apart: list[tuple[XeroLineItem, Decimal]] = []
    for position, line in enumerate(rules.lines_in_order(invoice), start=1):
        label = rules.line_label(position, line)
        description = rules.line_description(line, label)
        if not rules.carries_amounts(line):
            items.append(XeroLineItem(description))
            continue
        sent = next(amounts)
        item = XeroLineItem(
            description=description,
            quantity=sent.quantity,
            unit_amount=sent.unit_amount,
            item_code=rules.item_code(line, settings, xero_item_codes),
            account_code=rules.account_code(line, target.type, settings, label),
            tax_type=rules.tax_type(line, invoice, settings),
            discount_amount=sent.discount_amount,
            discount_rate=sent.discount_rate,
            tracking=tuple(XeroTracking(choice.category, choice.option) for choice in rules.tracking(line, label)),
        )
        items.append(item)
        apart.append((item, sent.separate_discount))
    return (*items, *discount_lines(apart))


def discount_lines(apart: Sequence[tuple[XeroLineItem, Decimal]]) -> tuple[XeroLineItem, ...]:
    """One Discount line (quantity 1, minus the discount) for each account code, tax type and tracking of the lines
    whose discounts go apart, in the order they first come: each account, tax rate and tracking option is reduced
    by what Dynamics took off it, and Xero works the discount's tax out at the rate of the lines it reduces."""
    totals: dict[tuple[str | None, str | None, tuple[XeroTracking, ...]], Decimal] = {}
    for item, discount in apart:
        if discount:
            key = (item.account_code, item.tax_type, item.tracking)
            totals[key] = totals.get(key, ZERO) + discount
    return tuple(
        XeroLineItem(
            DISCOUNT_LINE,
            quantity=Decimal(1),
            unit_amount=-total,
            account_code=account_code,
            tax_type=tax_type,
            tracking=tracking,
        )
        for (account_code, tax_type, tracking), total in totals.items()
        if total
    )


def xero_invoice(
    invoice: DynamicsInvoice,
    settings: ConnectionSettings,
    contact_id: str,
    *,
    xero_item_codes: Set[str] = frozenset(),
    xero_id: str | None = None,
    current_status: XeroStatus | None = None,
    source_url: str | None = None,
) -> XeroInvoice:
    """The Xero invoice (or credit note) for a Dynamics invoice; RuleViolation lists everything in the way.

    `contact_id` is the customer's Xero contact (matched or just created); `xero_item_codes` the item codes
    Xero has; `xero_id` and `current_status` are given when updating what Xero already has.
    """
    problems = rules.invoice_problems(invoice, settings)
    if problems:
        raise RuleViolation(*problems)
    assert invoice.date_delivered is not None  # invoice_problems holds invoices without one back
    target = rules.send_as(invoice, settings)
    wanted = rules.status_for(target.type, settings)
    return XeroInvoice(
        type=target.type,
        contact_id=contact_id,
        date=rules.xero_date(invoice.date_delivered, settings.time_zone),
        due_date=rules.due_date(invoice),
        line_amount_types=invoice.line_amount_types,
        line_items=xero_line_items(invoice, settings, target, xero_item_codes),
        status=rules.status_for_update(wanted, current_status) if xero_id else wanted,
        number=rules.invoice_number(invoice, settings),
        reference=rules.reference(invoice.description, settings) if rules.takes_reference(target.type) else None,
        currency_code=(invoice.currency_code or "").strip().upper() or None,
        branding_theme_id=invoice.branding_theme_id or None,
        url=source_url if rules.takes_url(target.type) else None,
        xero_id=xero_id,
    )


def invoice_hash(invoice: XeroInvoice, key: bytes) -> str:
    """The keyed hash the links ledger keeps for what was sent (identity and status left out)."""
    return rules.content_hash(invoice.content(), key)


# --- Xero → Dynamics: what the sync writes back ---------------------------------------------------------

_PATHS = {
    InvoiceType.ACCREC: "AccountsReceivable/View.aspx?InvoiceID=",
    InvoiceType.ACCPAY: "AccountsPayable/View.aspx?InvoiceID=",
    InvoiceType.ACCRECCREDIT: "AccountsReceivable/ViewCreditNote.aspx?creditNoteID=",
    InvoiceType.ACCPAYCREDIT: "AccountsPayable/ViewCreditNote.aspx?creditNoteID=",
}


def xero_invoice_url(invoice_type: InvoiceType, xero_id: str, base_url: str = "https://go.xero.com", short_code: str = "") -> str:
    """The invoice's page in Xero; with the organisation's short code the link opens the right organisation."""
    path = f"/{_PATHS[invoice_type]}{xero_id}"
    if short_code:
        return f"{base_url.rstrip('/')}/organisationlogin/default.aspx?shortcode={short_code}&redirecturl={path}"
    return f"{base_url.rstrip('/')}{path}"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def xero_details_columns(
    xero: XeroDocument, *, exported_on: datetime, invoice_url: str | None = None, online_invoice_url: str | None = None
) -> dict[str, Any]:
    """Columns of our `stl3_xeroinvoice` row from Xero's invoice or credit note as Xero returned it."""
    details = XeroInvoiceTable
    columns: dict[str, Any] = {
        details.XERO_ID: xero.id or None,
        details.XERO_NUMBER: xero.number or None,
        details.XERO_STATUS: option_value(details.TABLE, details.XERO_STATUS, xero.status) if xero.status else None,
        details.AMOUNT_DUE: xero.amount_due,
        details.AMOUNT_PAID: xero.amount_paid,
        details.AMOUNT_CREDITED: xero.amount_credited,
        details.FULLY_PAID_ON: _iso(xero.fully_paid_on),
        details.EXPORT_STATUS: option_value(details.TABLE, details.EXPORT_STATUS, ExportStatus.EXPORTED),
        details.EXPORTED_ON: exported_on,
        details.INVOICE_URL: invoice_url,
        details.ONLINE_INVOICE_URL: online_invoice_url,
    }
    return {key: value for key, value in columns.items() if value is not None}


def invoice_columns_from_xero(xero: XeroDocument) -> dict[str, Any]:
    """Columns of the Dynamics invoice itself: Xero's number and status, and the due date Xero settled on."""
    invoice = InvoiceColumns
    columns = {
        invoice.XERO_NUMBER: xero.number or None,
        invoice.XERO_STATUS: option_value(invoice.TABLE, invoice.XERO_STATUS, xero.status) if xero.status else None,
        "duedate": _iso(xero.due_date),
    }
    return {key: value for key, value in columns.items() if value is not None}


def dynamics_state(xero_status: XeroStatus | None, amount_paid: Decimal = ZERO) -> tuple[InvoiceState, int] | None:
    """The Dynamics state the invoice moves to as Xero is paid (statecode, statuscode); None: leave it."""
    if xero_status is XeroStatus.PAID:
        return InvoiceState.PAID, InvoiceStatusReason.COMPLETE
    if xero_status is XeroStatus.AUTHORISED and amount_paid > 0:
        return InvoiceState.PAID, InvoiceStatusReason.PARTIAL
    return None
