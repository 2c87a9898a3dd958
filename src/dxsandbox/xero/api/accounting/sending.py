"""Sending sales invoices: the Email action (with Xero's daily quota) and the online invoice link."""

from __future__ import annotations

import uuid

from dxsandbox.xero.api.accounting import reference, status
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.transactions import INVOICES, announce

DAILY_EMAIL_LIMIT = 1000  # a paying organisation's quota


def email_problems(books: Books, invoice: Record, contact: Record | None) -> list[str]:
    problems = []
    if invoice["Type"] != "ACCREC":
        problems.append("Only sales invoices (ACCREC) can be emailed.")
    if invoice["Status"] not in (status.SUBMITTED, *status.APPROVED):
        problems.append(f"A {invoice['Status']} invoice cannot be emailed; approve it first.")
    if not (contact or {}).get("EmailAddress"):
        problems.append(f"The contact {(contact or {}).get('Name', '')} has no email address.".replace("  ", " "))
    if books.setting(_emails_sent_today(books), 0) >= DAILY_EMAIL_LIMIT:
        problems.append(f"The daily limit of {DAILY_EMAIL_LIMIT} invoice emails for this organisation has been reached.")
    return problems


def mark_emailed(work: Work, invoice_id: str) -> None:
    """Xero marks an emailed invoice as sent to the contact (a change, so UpdatedDateUTC moves)."""
    books = work.books
    record = books.get(INVOICES.store_kind, invoice_id)
    assert record is not None
    record["SentToContact"] = True
    books.touch(record, with_string=True)
    books.put(INVOICES.store_kind, record["InvoiceID"], record, number=record.get("InvoiceNumber"))
    announce(work, INVOICES, record, "UPDATE")
    counter = _emails_sent_today(books)
    books.set_setting(counter, books.setting(counter, 0) + 1)


def online_invoice_problem(invoice: Record) -> str | None:
    if invoice["Type"] != "ACCREC" or invoice["Status"] in (status.DRAFT, status.DELETED):
        return "Online invoices are available for approved sales invoices (ACCREC) only."
    return None


def online_invoice_url(invoice: Record) -> str:
    """Stable for an invoice, like Xero's (the sandbox serves no page there)."""
    return f"https://in.xero.com/{uuid.uuid5(uuid.UUID(invoice['InvoiceID']), 'online-invoice').hex}"


def _emails_sent_today(books: Books) -> str:
    return f"emails-sent:{reference.today(books).isoformat()}"
