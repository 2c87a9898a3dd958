"""The invoice's header in Xero: its number, reference, link, status and whether it is emailed; what the connection
may create."""

from __future__ import annotations

from dxconnector.domain.records import (
    ConnectionSettings,
    DynamicsInvoice,
    InvoiceType,
    XeroStatus,
)
from dxconnector.domain.rules.reasons import Reason, RuleViolation, Why
from dxconnector.domain.rules.text import cut_text, utf16_length

REFERENCE_LIMIT = 255
INVOICE_NUMBER_LIMIT = 255


def invoice_number(invoice: DynamicsInvoice, settings: ConnectionSettings) -> str | None:
    """None lets Xero number it; otherwise the invoice name or Dynamics' invoice ID, by the settings."""
    if settings.use_xero_invoice_number:
        return None
    if settings.use_invoice_name:
        number, source = invoice.name.strip(), "invoice name"
    else:
        number, source = invoice.invoice_number.strip(), "Dynamics invoice ID"
    if not number:
        raise RuleViolation(
            Reason(
                Why.NO_INVOICE_NUMBER,
                f"The {source} is empty and the connection sends it as the Xero number: fill it in, or let Xero number invoices.",
            )
        )
    if utf16_length(number) > INVOICE_NUMBER_LIMIT:
        raise RuleViolation(
            Reason(
                Why.INVOICE_NUMBER_TOO_LONG, f"The {source} is longer than Xero's {INVOICE_NUMBER_LIMIT} characters: shorten it."
            )
        )
    return number


def reference(description: str | None, settings: ConnectionSettings) -> str | None:
    """The description's first 255 characters on one line, when the connection sends it."""
    if not settings.description_to_reference:
        return None
    one_line = " ".join((description or "").split())
    return cut_text(one_line, REFERENCE_LIMIT) or None


def takes_reference(invoice_type: InvoiceType) -> bool:
    """Xero keeps a Reference on sales invoices and sales credit notes only; a bill's number is its reference."""
    return invoice_type.is_sales


def takes_url(invoice_type: InvoiceType) -> bool:
    """Xero keeps a link to the source document (Url) on invoices and bills only; a credit note has none."""
    return not invoice_type.is_credit_note


STATUS_ORDER = (XeroStatus.DRAFT, XeroStatus.SUBMITTED, XeroStatus.AUTHORISED)


def status_for(invoice_type: InvoiceType, settings: ConnectionSettings) -> XeroStatus:
    """The connection's default status for sales (invoices and credit notes) or purchases."""
    wanted = settings.default_sales_invoice_status if invoice_type.is_sales else settings.default_purchase_invoice_status
    return wanted if wanted in STATUS_ORDER else XeroStatus.DRAFT


def status_for_update(wanted: XeroStatus, current: XeroStatus | None) -> XeroStatus | None:
    """Xero moves an invoice forward only (draft → submitted → authorised): never ask it to go back, and
    leave paid, voided and deleted invoices' status alone (None)."""
    if current is None:
        return wanted
    if current not in STATUS_ORDER:
        return None
    return max(wanted, current, key=STATUS_ORDER.index)


def email_wanted(invoice: DynamicsInvoice, settings: ConnectionSettings) -> bool:
    return settings.send_email_from_xero if invoice.send_email is None else invoice.send_email


def should_email(invoice_type: InvoiceType, status: XeroStatus | None, wanted: bool, already_emailed: bool) -> bool:
    """Xero emails approved sales invoices only; we email once, when the invoice is first approved."""
    return wanted and not already_emailed and invoice_type is InvoiceType.ACCREC and status is XeroStatus.AUTHORISED


def may_create_contact(settings: ConnectionSettings) -> bool:
    return settings.create_new_contacts


def may_create_item(settings: ConnectionSettings) -> bool:
    return settings.create_new_products
