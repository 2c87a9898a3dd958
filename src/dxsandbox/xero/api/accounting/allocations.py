"""Allocations: credit (a credit note, a prepayment, an overpayment) applied to an invoice, and taken back.

One set of rules for the three kinds of credit: the credit must be AUTHORISED, the invoice AUTHORISED, of the
same contact, currency and side (sales credit to sales invoices), and the amount may exceed neither the
remaining credit nor the amount due. The credit lists the allocation (Allocations[], with its AllocationID);
the invoice lists the credit it received (CreditNotes[], Prepayments[] or Overpayments[], with AppliedAmount).

Deleting an allocation gives both amounts back. The credit keeps listing it with IsDeleted true (Xero's
Allocation has that flag); the invoice no longer lists it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dxsandbox.xero.api.accounting import reference, status
from dxsandbox.xero.api.accounting.books import Record
from dxsandbox.xero.api.accounting.dates import ms_date
from dxsandbox.xero.api.accounting.money import ZERO, as_json, cents
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.transactions import CREDIT_NOTES, INVOICES, find, nested, outstanding, save_money_change
from dxsandbox.xero.api.accounting.validation import Problems, ValidationFailure, calendar_date, number, reference_to

ContactOf = Callable[[str], Record | None]


@dataclass(frozen=True)
class CreditSource:
    """One kind of credit that can be allocated to invoices."""

    store_kind: str
    id_field: str  # "CreditNoteID"
    number_field: str | None  # "CreditNoteNumber"; prepayments and overpayments have none
    label: str  # "Credit Note", as Xero's messages name it
    answer_key: str  # where the credit appears in an Allocation: "CreditNote", "Prepayment", "Overpayment"
    invoice_field: str  # where the invoice lists it: "CreditNotes", "Prepayments", "Overpayments"
    invoice_type_for: dict[str, str]  # the credit's Type → the Type of invoice it can go to
    save: Callable[[Work, Record], None]  # store the credit after its money changed (settled, stamped, announced)
    render: Callable[[Record, ContactOf], Record]  # the credit as an Allocation shows it


CREDIT_NOTE_CREDIT = CreditSource(
    CREDIT_NOTES.store_kind,
    "CreditNoteID",
    "CreditNoteNumber",
    "Credit Note",
    "CreditNote",
    "CreditNotes",
    {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"},
    lambda work, credit_note: save_money_change(work, CREDIT_NOTES, credit_note),
    lambda credit_note, contact_of: nested(CREDIT_NOTES, credit_note, contact_of),
)


def allocate(work: Work, source: CreditSource, credit: Record, element: dict[str, Any], contact_of: ContactOf) -> Record:
    """Apply part of an AUTHORISED credit to an AUTHORISED invoice of the same contact, currency and side."""
    books, problems = work.books, Problems()
    invoice_ref = reference_to(element, "Invoice")
    invoice_key = invoice_ref.get("InvoiceID") or invoice_ref.get("InvoiceNumber")
    invoice = find(books, INVOICES, str(invoice_key)) if invoice_key else None
    if invoice is None:
        problems.add(
            f"Invoice '{invoice_key}' could not be found." if invoice_key else "An allocation must name the Invoice (InvoiceID)."
        )
    amount = number(problems, element, "Amount")
    if amount is None or amount <= ZERO:
        problems.add("The allocation Amount must be greater than zero.")
    allocated_on = calendar_date(problems, element, "Date") or reference.today(books)
    if credit["Status"] != status.AUTHORISED:
        problems.add(
            f"Only an AUTHORISED {source.label.lower()} with remaining credit can be allocated; this one is {credit['Status']}."
        )
    if invoice is not None and amount is not None and amount > ZERO:
        _check(problems, source, credit, invoice, cents(amount))
    problems.raise_if_any()
    assert invoice is not None and amount is not None

    allocation_id, applied, on = str(uuid.uuid4()), as_json(cents(amount)), ms_date(allocated_on)
    credit.setdefault("Allocations", []).append(
        {
            "AllocationID": allocation_id,
            "Amount": applied,
            "Date": on,
            "Invoice": {"InvoiceID": invoice["InvoiceID"], "InvoiceNumber": invoice.get("InvoiceNumber")},
            "IsDeleted": False,
        }
    )
    invoice.setdefault(source.invoice_field, []).append(
        {
            source.id_field: credit[source.id_field],
            **({source.number_field: credit.get(source.number_field)} if source.number_field else {}),
            "AppliedAmount": applied,
            "Date": on,
            "Total": credit["Total"],
            "_allocation_id": allocation_id,
        }
    )
    source.save(work, credit)
    save_money_change(work, INVOICES, invoice)
    return answer(source, credit, invoice, credit["Allocations"][-1], contact_of)


def delete(work: Work, source: CreditSource, credit: Record, allocation_id: str, contact_of: ContactOf) -> Record:
    """DELETE …/Allocations/{AllocationID}: the credit and the invoice get their amounts back."""
    allocation = find_allocation(credit, allocation_id)
    if allocation is None:
        raise LookupError(allocation_id)
    if allocation.get("IsDeleted"):
        raise ValidationFailure(["This allocation has already been deleted."])
    allocation["IsDeleted"] = True
    invoice = work.books.get(INVOICES.store_kind, allocation["Invoice"]["InvoiceID"])
    if invoice is not None:
        invoice[source.invoice_field] = [
            entry for entry in invoice.get(source.invoice_field, []) if not _is_entry_of(entry, source, credit, allocation)
        ]
        save_money_change(work, INVOICES, invoice)
    source.save(work, credit)
    return answer(source, credit, invoice, allocation, contact_of)


def find_allocation(credit: Record, allocation_id: str) -> Record | None:
    wanted = allocation_id.strip().lower()
    return next((entry for entry in credit.get("Allocations", []) if entry.get("AllocationID", "").lower() == wanted), None)


def answer(source: CreditSource, credit: Record, invoice: Record | None, allocation: Record, contact_of: ContactOf) -> Record:
    """An allocation as Xero's Allocation schema shows it: the amount, the date, both documents, IsDeleted."""
    shown: Record = {
        "AllocationID": allocation["AllocationID"],
        "Amount": allocation["Amount"],
        "Date": allocation["Date"],
        "Invoice": nested(INVOICES, invoice, contact_of) if invoice is not None else allocation["Invoice"],
        source.answer_key: source.render(credit, contact_of),
        "IsDeleted": bool(allocation.get("IsDeleted")),
    }
    return shown


def _is_entry_of(entry: Record, source: CreditSource, credit: Record, allocation: Record) -> bool:
    """The invoice's entry for this allocation (entries made before AllocationIDs were kept: same credit and amount)."""
    if entry.get("_allocation_id"):
        return bool(entry["_allocation_id"] == allocation["AllocationID"])
    return bool(entry.get(source.id_field) == credit[source.id_field] and entry.get("AppliedAmount") == allocation["Amount"])


def _check(problems: Problems, source: CreditSource, credit: Record, invoice: Record, amount: Decimal) -> None:
    label = source.label.lower()
    wanted_type = source.invoice_type_for[credit["Type"]]
    if invoice["Status"] != status.AUTHORISED:
        problems.add(f"Credit can only be allocated to an AUTHORISED invoice; this one is {invoice['Status']}.")
    if invoice["Type"] != wanted_type:
        problems.add(f"A {credit['Type']} {label} can only be allocated to an {wanted_type} invoice.")
    if invoice["Contact"]["ContactID"] != credit["Contact"]["ContactID"]:
        problems.add(f"The {label} and the invoice must belong to the same contact.")
    if invoice.get("CurrencyCode") != credit.get("CurrencyCode"):
        problems.add(f"The {label} and the invoice must be in the same currency.")
    if amount > outstanding(credit):
        problems.add(
            f"{source.label} cannot be allocated as amount is greater than amount outstanding: "
            f"the amount allocated ({amount}) exceeds the remaining credit ({outstanding(credit)}) on the {label}."
        )
    if amount > outstanding(invoice):
        problems.add(f"The amount allocated ({amount}) exceeds the amount due ({outstanding(invoice)}) on the invoice.")
