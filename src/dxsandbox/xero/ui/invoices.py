"""Invoices and bills: the list (type and status filters, search, newest first, paged), one invoice with its
lines, totals and payments, and what its status allows: approve, record a payment, void, delete.

Every action runs the same business functions as the Accounting API (transactions.save with a Status,
payments.create), so its rules, messages, UpdatedDateUTC and change events are the API's.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from starlette.responses import Response

from dxsandbox.xero.api.accounting import contacts, payments, reference, status, transactions
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.transactions import INVOICES
from dxsandbox.xero.api.accounting.validation import ValidationFailure
from dxsandbox.xero.ui.layout import (
    STATUS_LABELS,
    day,
    figure,
    matches,
    money,
    page_number,
    page_of,
    pager,
    search_box,
    select_field,
    status_badge,
    table,
    tabs,
    text_field,
)
from dxsandbox.xero.ui.web import NotFound, Visit

SALES, BILLS = "ACCREC", "ACCPAY"
LIST_TYPES = ((SALES, "Sales invoices"), (BILLS, "Bills"))
STATUS_FILTERS = (("", "All"), *((value, STATUS_LABELS[value]) for value in status.STATUSES))
PAYMENT_FIELDS = ("amount", "date", "account", "reference")
STATUS_VERBS = {status.AUTHORISED: "approved", status.VOIDED: "voided", status.DELETED: "deleted"}


# --- the list ---------------------------------------------------------------------------------------------
async def invoice_list(visit: Visit) -> Response:
    doc_type = visit.param("type") if visit.param("type") in dict(LIST_TYPES) else SALES
    wanted = visit.param("status") if visit.param("status") in status.STATUSES else ""
    search = visit.param("q").strip()
    names = contact_names(visit.books)
    records = newest_first(
        [
            invoice
            for invoice in visit.books.all(INVOICES.store_kind)
            if listed(invoice, doc_type, wanted) and matches(search, searched_values(invoice, names))
        ]
    )
    shown, number, pages = page_of(records, page_number(visit.param("page")))
    query = {key: value for key, value in {"type": doc_type, "status": wanted, "q": search}.items() if value}
    path = visit.link("invoices")
    body = (
        f"<h1>{'Bills' if doc_type == BILLS else 'Invoices'}</h1>"
        + tabs(path, query, "type", LIST_TYPES, doc_type)
        + tabs(path, query, "status", STATUS_FILTERS, wanted)
        + search_box(path, {"type": doc_type, "status": wanted}, search, "Number, reference or contact")
        + table(
            (
                ("Number", ""),
                ("Contact", ""),
                ("Date", ""),
                ("Due date", ""),
                ("Status", ""),
                ("Total", "num"),
                ("Amount due", "num"),
            ),
            [invoice_row(visit, invoice, names) for invoice in shown],
            empty="No invoices found.",
        )
        + pager(path, query, number, pages, len(records))
    )
    return visit.render("Invoices", body, section="invoices")


def listed(invoice: Record, doc_type: str, wanted: str) -> bool:
    """All shows every status but DELETED, as Xero's own list does; DELETED has its own filter."""
    if invoice["Type"] != doc_type:
        return False
    return invoice["Status"] == wanted if wanted else invoice["Status"] != status.DELETED


def newest_first(invoices: list[Record]) -> list[Record]:
    """By invoice date, the latest first; invoices of one day, the last created first (the store keeps creation order)."""
    dated = [(invoice.get("DateString", ""), position, invoice) for position, invoice in enumerate(invoices)]
    return [invoice for _, _, invoice in sorted(dated, key=lambda entry: (entry[0], entry[1]), reverse=True)]


def contact_names(books: Books) -> dict[str, str]:
    return {contact["ContactID"]: contact.get("Name", "") for contact in books.all(contacts.KIND)}


def searched_values(invoice: Record, names: Mapping[str, str]) -> tuple[Any, ...]:
    return invoice.get("InvoiceNumber"), invoice.get("Reference"), names.get(contact_id(invoice), "")


def contact_id(invoice: Record) -> str:
    return (invoice.get("Contact") or {}).get("ContactID", "")


def invoice_row(visit: Visit, invoice: Record, names: Mapping[str, str]) -> str:
    return (
        f"<tr data-invoice-id='{escape(invoice['InvoiceID'])}'>"
        f"<td><a href='{escape(visit.link('invoices', invoice['InvoiceID']))}'>{escape(document_number(invoice))}</a></td>"
        f"<td>{escape(names.get(contact_id(invoice), ''))}</td><td>{day(invoice.get('Date'))}</td>"
        f"<td>{day(invoice.get('DueDate'))}</td><td>{status_badge(invoice['Status'])}</td>"
        f"<td class='num'>{money(invoice.get('Total'))}</td><td class='num'>{money(invoice.get('AmountDue'))}</td></tr>"
    )


def document_number(invoice: Record) -> str:
    return invoice.get("InvoiceNumber") or invoice.get("Reference") or "(no number)"


def describe(invoice: Record) -> str:
    return f"{'Bill' if invoice['Type'] == BILLS else 'Invoice'} {document_number(invoice)}"


# --- one invoice ----------------------------------------------------------------------------------------------
async def invoice_page(visit: Visit) -> Response:
    return show_invoice(visit, find_invoice(visit))


def find_invoice(visit: Visit) -> Record:
    invoice = transactions.find(visit.books, INVOICES, visit.path("invoice_id"))
    if invoice is None:
        raise NotFound("Invoice not found")
    return invoice


def show_invoice(
    visit: Visit, invoice: Record, *, errors: list[str] | None = None, entered: Mapping[str, str] | None = None
) -> Response:
    contact = visit.books.get(contacts.KIND, contact_id(invoice))
    body = (
        f"<h1>{escape(describe(invoice))} {status_badge(invoice['Status'])}</h1>"
        + invoice_facts(visit, invoice, contact)
        + lines_table(invoice)
        + totals_table(invoice)
        + payments_table(visit.books, invoice)
        + actions(visit, invoice, entered)
    )
    return visit.render(describe(invoice), body, section="invoices", errors=errors, status_code=400 if errors else 200)


def invoice_facts(visit: Visit, invoice: Record, contact: Record | None) -> str:
    who = (
        f"<a href='{escape(visit.link('contacts', contact['ContactID']))}' id='invoice-contact'>{escape(contact['Name'])}</a>"
        if contact
        else ""
    )
    amounts = {"Exclusive": "Tax exclusive", "Inclusive": "Tax inclusive", "NoTax": "No tax"}.get(
        invoice.get("LineAmountTypes", ""), ""
    )
    facts = (
        ("To" if invoice["Type"] == SALES else "From", who),
        ("Date", day(invoice.get("Date"))),
        ("Due date", day(invoice.get("DueDate"))),
        ("Number", escape(invoice.get("InvoiceNumber") or "")),
        ("Reference", escape(invoice.get("Reference") or "")),
        ("Status", escape(f"{STATUS_LABELS[invoice['Status']]} ({invoice['Status']})")),
        ("Currency", escape(invoice.get("CurrencyCode", ""))),
        ("Amounts are", amounts),
    )
    items = "".join(f"<div><dt>{label}</dt><dd>{value or '&mdash;'}</dd></div>" for label, value in facts)
    updated = escape(invoice.get("UpdatedDateUTCString", ""))
    return (
        f"<dl class='facts' id='invoice-facts' data-status='{escape(invoice['Status'])}'>{items}</dl>"
        f"<p class='muted'>Invoice ID {escape(invoice['InvoiceID'])} · last updated {updated}</p>"
    )


def lines_table(invoice: Record) -> str:
    rows = [
        f"<tr><td>{escape(line.get('Description', ''))}</td><td class='num'>{figure(line.get('Quantity'))}</td>"
        f"<td class='num'>{figure(line.get('UnitAmount'))}</td><td>{escape(line.get('AccountCode', ''))}</td>"
        f"<td>{escape(line.get('TaxType', ''))}</td><td class='num'>{money(line.get('LineAmount'))}</td></tr>"
        for line in invoice.get("LineItems", [])
    ]
    return "<h2>Lines</h2>" + table(
        (("Description", ""), ("Quantity", "num"), ("Unit price", "num"), ("Account", ""), ("Tax rate", ""), ("Amount", "num")),
        rows,
        empty="This invoice has no lines.",
    )


def totals_table(invoice: Record) -> str:
    rows = [
        ("Subtotal", "sub-total", invoice.get("SubTotal")),
        ("Total tax", "total-tax", invoice.get("TotalTax")),
        ("Total", "total", invoice.get("Total")),
        ("Less payments", "amount-paid", invoice.get("AmountPaid")),
    ]
    if invoice.get("AmountCredited"):
        rows.append(("Less credit notes", "amount-credited", invoice["AmountCredited"]))
    cells = "".join(f"<tr><td>{label}</td><td class='num' id='{key}'>{money(value)}</td></tr>" for label, key, value in rows)
    due = f"<tr class='due'><td>Amount due</td><td class='num' id='amount-due'>{money(invoice.get('AmountDue'))}</td></tr>"
    return f"<table class='totals'>{cells}{due}</table>"


def payments_table(books: Books, invoice: Record) -> str:
    rows = []
    for entry in invoice.get("Payments", []):
        account = (books.get(payments.KIND, entry["PaymentID"]) or {}).get("Account", {})
        rows.append(
            f"<tr data-payment-id='{escape(entry['PaymentID'])}'><td>{day(entry.get('Date'))}</td>"
            f"<td>{escape(account_label(account)) if account else ''}</td>"
            f"<td>{escape(entry.get('Reference') or '')}</td><td class='num'>{money(entry.get('Amount'))}</td></tr>"
        )
    return "<h2>Payments</h2>" + table(
        (("Date", ""), ("Bank account", ""), ("Reference", ""), ("Amount", "num")), rows, empty="No payments yet."
    )


# --- what the status allows -----------------------------------------------------------------------------------------
def actions(visit: Visit, invoice: Record, entered: Mapping[str, str] | None) -> str:
    current, base = invoice["Status"], visit.link("invoices", invoice["InvoiceID"])
    if current in (status.DRAFT, status.SUBMITTED):
        return (
            "<div class='panel actions' id='actions'>"
            + action_button(base + "/approve", "Approve")
            + action_button(base + "/delete", "Delete", "danger")
            + "</div>"
        )
    if current == status.AUTHORISED:
        void = (
            action_button(base + "/void", "Void", "danger")
            if transactions.money_applied(invoice) == 0
            else "<span class='muted'>An invoice with payments cannot be voided.</span>"
        )
        return payment_form(visit, invoice, entered) + f"<div class='panel actions' id='actions'>{void}</div>"
    return f"<p class='muted' id='actions'>Nothing more can be done with a {escape(STATUS_LABELS[current].lower())} invoice.</p>"


def action_button(target: str, label: str, css: str = "") -> str:
    return f"<form method='post' action='{escape(target)}'><button type='submit' class='{css}'>{escape(label)}</button></form>"


def bank_accounts(books: Books) -> list[Record]:
    return sorted(
        (account for account in books.all("account") if account["Type"] == "BANK" and account["Status"] == "ACTIVE"),
        key=lambda account: account["Code"],
    )


def account_label(account: Record) -> str:
    return f"{account['Name']} ({account['Code']})"


def payment_form(visit: Visit, invoice: Record, entered: Mapping[str, str] | None) -> str:
    values = (
        dict(entered)
        if entered
        else {
            "amount": str(transactions.outstanding(invoice)),
            "date": reference.today(visit.books).isoformat(),
            "account": "",
            "reference": "",
        }
    )
    accounts = [(account["AccountID"], account_label(account)) for account in bank_accounts(visit.books)]
    return (
        f"<form method='post' action='{escape(visit.link('invoices', invoice['InvoiceID'], 'payments'))}' class='panel' "
        f"id='payment-form'><h2 style='margin-top:0'>Record a payment</h2><div class='grid2'>"
        + text_field("Amount paid", "amount", values["amount"], extra=" inputmode='decimal'")
        + text_field("Date paid", "date", values["date"], kind="date")
        + select_field("Paid to" if invoice["Type"] == SALES else "Paid from", "account", accounts, values["account"] or None)
        + text_field("Reference", "reference", values["reference"])
        + "</div><button type='submit'>Record payment</button></form>"
    )


async def approve(visit: Visit) -> Response:
    return change_status(visit, status.AUTHORISED)


async def void(visit: Visit) -> Response:
    return change_status(visit, status.VOIDED)


async def delete(visit: Visit) -> Response:
    return change_status(visit, status.DELETED)


def change_status(visit: Visit, wanted: str) -> Response:
    """What POST /Invoices/{id} with {"Status": wanted} does, refused when it would change nothing."""
    invoice = find_invoice(visit)
    invoice_id = invoice["InvoiceID"]

    def change(work: Work) -> Record:
        current = work.books.get(INVOICES.store_kind, invoice_id)
        assert current is not None
        if current["Status"] == wanted or (wanted == status.AUTHORISED and current["Status"] == status.PAID):
            raise ValidationFailure([f"This invoice is already {current['Status']}."])
        return transactions.save(work, INVOICES, {"Status": wanted}, existing=current)

    return visit.attempt(
        change,
        done=f"{describe(invoice)} {STATUS_VERBS[wanted]}.",
        then=visit.link("invoices", invoice_id),
        refused=lambda errors: show_invoice(visit, find_invoice(visit), errors=errors),
    )


async def record_payment(visit: Visit) -> Response:
    invoice = find_invoice(visit)
    form = await visit.form()
    entered = {name: str(form.get(name) or "").strip() for name in PAYMENT_FIELDS}
    element = payment_element(invoice["InvoiceID"], entered)
    return visit.attempt(
        lambda work: payments.create(work, element),
        done=lambda payment: f"Payment of {money(payment['Amount'])} recorded.",
        then=visit.link("invoices", invoice["InvoiceID"]),
        refused=lambda errors: show_invoice(visit, find_invoice(visit), errors=errors, entered=entered),
    )


def payment_element(invoice_id: str, entered: Mapping[str, str]) -> dict[str, Any]:
    """The form as a PUT /Payments element would carry it (amounts may be typed with thousands separators)."""
    return {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"AccountID": entered["account"]},
        "Amount": entered["amount"].replace(",", "") or None,
        "Date": entered["date"] or None,
        "Reference": entered["reference"] or None,
    }
