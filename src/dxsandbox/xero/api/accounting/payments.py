"""Payments against invoices (and refunds of credit notes); credit allocations are in allocations.py.

A payment lowers its document's AmountDue (or RemainingCredit); a document fully covered becomes PAID
with a FullyPaidOnDate. Deleting a payment (POST Status=DELETED) reverses exactly that.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from dxsandbox.xero.api.accounting import reference, status
from dxsandbox.xero.api.accounting.books import Books, Record, leading, public
from dxsandbox.xero.api.accounting.dates import ms_date
from dxsandbox.xero.api.accounting.money import ZERO, as_json, cents
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.transactions import (
    CREDIT_NOTES,
    INVOICES,
    DocumentKind,
    find,
    nested,
    outstanding,
    save_money_change,
)
from dxsandbox.xero.api.accounting.validation import (
    Problems,
    ValidationFailure,
    boolean,
    calendar_date,
    guid,
    number,
    reference_to,
    text,
)

KIND, COLLECTION = "payment", "Payments"
# Xero's words, as its OpenAPI file's example of a refused payment has them.
PAYMENT_EXCEEDS_OUTSTANDING = "Payment amount exceeds the amount outstanding on this document"
PAYMENT_TYPES = {
    "ACCREC": "ACCRECPAYMENT",
    "ACCPAY": "ACCPAYPAYMENT",
    "ACCRECCREDIT": "ARCREDITPAYMENT",
    "ACCPAYCREDIT": "APCREDITPAYMENT",
}


# --- payments ----------------------------------------------------------------------------------------
def render(books: Books, record: Record, contact_of: Callable[[str], Record | None]) -> Record:
    shown = public(record)
    kind = INVOICES if record["_target_kind"] == INVOICES.store_kind else CREDIT_NOTES
    target = books.get(kind.store_kind, record["_target_id"])
    if target is not None:
        shown["Invoice" if kind.is_invoice else "CreditNote"] = nested(kind, target, contact_of)
    return leading(shown, ("PaymentID", "Date", "Amount", "Reference", "Status", "PaymentType"))


def create(work: Work, element: dict[str, Any]) -> Record:
    books, problems = work.books, Problems()
    kind, target = _target(books, problems, element)
    account = _bank_account(books, problems, reference_to(element, "Account"))
    amount = number(problems, element, "Amount")
    if amount is None or amount <= ZERO:
        problems.add("Payment amount must be greater than zero.")
    if target is not None and amount is not None:
        if target["Status"] != status.AUTHORISED:
            problems.add(f"Payments can only be made against AUTHORISED documents; this one is {target['Status']}.")
        elif cents(amount) > outstanding(target):
            problems.add(PAYMENT_EXCEEDS_OUTSTANDING)
    paid_on = calendar_date(problems, element, "Date") or reference.today(books)
    rate = number(problems, element, "CurrencyRate")
    problems.raise_if_any()
    assert kind is not None and target is not None and account is not None and amount is not None

    currency_rate = rate if rate is not None else Decimal(str(target.get("CurrencyRate") or 1))
    record: Record = {
        "PaymentID": str(uuid.uuid4()),
        "Date": ms_date(paid_on),
        "Amount": as_json(cents(amount)),
        "BankAmount": as_json(_bank_amount(books, account, target, cents(amount), currency_rate)),
        "Reference": text(problems, element, "Reference", 255),
        "CurrencyRate": as_json(currency_rate),
        "PaymentType": PAYMENT_TYPES[target["Type"]],
        "Status": "AUTHORISED",
        "IsReconciled": bool(boolean(problems, element, "IsReconciled")),
        "HasAccount": True,
        "HasValidationErrors": False,
        "Account": {"AccountID": account["AccountID"], "Code": account["Code"], "Name": account["Name"]},
        "_target_kind": kind.store_kind,
        "_target_id": target[kind.id_field],
    }
    for field in ("Particulars", "Details", "BankAccountNumber"):
        if element.get(field):
            record[field] = str(element[field])
    books.touch(record, with_string=True)
    books.put(KIND, record["PaymentID"], record)
    target.setdefault("Payments", []).append(
        {
            "PaymentID": record["PaymentID"],
            "Date": record["Date"],
            "Amount": record["Amount"],
            "Reference": record["Reference"],
            "CurrencyRate": record["CurrencyRate"],
            "HasAccount": True,
            "HasValidationErrors": False,
        }
    )
    save_money_change(work, kind, target)
    return record


def delete(work: Work, payment: Record, element: dict[str, Any]) -> Record:
    """POST /Payments/{id} with Status DELETED: the only change a payment accepts."""
    if str(element.get("Status", "")).upper() != "DELETED":
        raise ValidationFailure(["A payment can only be deleted (Status DELETED); other changes are not supported."])
    if payment["Status"] == "DELETED":
        raise ValidationFailure(["This payment has already been deleted."])
    books = work.books
    kind = INVOICES if payment["_target_kind"] == INVOICES.store_kind else CREDIT_NOTES
    target = books.get(kind.store_kind, payment["_target_id"])
    if target is not None:
        target["Payments"] = [entry for entry in target.get("Payments", []) if entry["PaymentID"] != payment["PaymentID"]]
        save_money_change(work, kind, target)
    payment["Status"] = "DELETED"
    books.touch(payment, with_string=True)
    books.put(KIND, payment["PaymentID"], payment)
    return payment


def _target(books: Books, problems: Problems, element: dict[str, Any]) -> tuple[DocumentKind | None, Record | None]:
    if reference_to(element, "Prepayment") or reference_to(element, "Overpayment"):
        problems.add("Payments refunding a prepayment or an overpayment are not emulated by the sandbox.")
        return None, None
    invoice, credit_note = reference_to(element, "Invoice"), reference_to(element, "CreditNote")
    invoice_key = invoice.get("InvoiceID") or invoice.get("InvoiceNumber") or element.get("InvoiceNumber")
    credit_key = credit_note.get("CreditNoteID") or credit_note.get("CreditNoteNumber") or element.get("CreditNoteNumber")
    if invoice_key:
        found = find(books, INVOICES, str(invoice_key))
        if found is None:
            problems.add(f"Invoice '{invoice_key}' could not be found.")
        return INVOICES, found
    if credit_key:
        found = find(books, CREDIT_NOTES, str(credit_key))
        if found is None:
            problems.add(f"Credit note '{credit_key}' could not be found.")
        return CREDIT_NOTES, found
    problems.add("A payment must be applied to an Invoice or a CreditNote (by ID or number).")
    return None, None


def _bank_account(books: Books, problems: Problems, given: dict[str, Any]) -> Record | None:
    account = None
    if given.get("AccountID"):
        account = reference.account_by_id(books, guid(given["AccountID"]))
    elif given.get("Code"):
        account = reference.account_by_code(books, given["Code"])
    else:
        problems.add("A payment must name the Account it is paid from or into (AccountID or Code).")
        return None
    if account is None:
        problems.add(f"Account '{given.get('AccountID') or given.get('Code')}' could not be found.")
    elif account["Type"] != "BANK" and not account.get("EnablePaymentsToAccount"):
        problems.add(f"Account code '{account['Code']}' is not a bank account and does not accept payments.")
        return None
    return account


def _bank_amount(books: Books, account: Record, target: Record, amount: Decimal, rate: Decimal) -> Decimal:
    """What reaches the bank account, converted when the document is in another currency."""
    bank_currency = account.get("CurrencyCode") or reference.base_currency(books)
    if target.get("CurrencyCode", bank_currency) == bank_currency or rate <= ZERO:
        return amount
    return cents(amount / rate)
