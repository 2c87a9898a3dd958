"""Bank transactions, as far as the sandbox emulates them: the ones that make a prepayment or an overpayment.

PUT /BankTransactions with Type RECEIVE-PREPAYMENT, RECEIVE-OVERPAYMENT, SPEND-PREPAYMENT or SPEND-OVERPAYMENT
records the money in a bank account and creates the Prepayment or Overpayment it stands for (its id is on
the bank transaction: PrepaymentID, OverpaymentID). Every other Type (RECEIVE, SPEND, transfers) is refused,
saying it is not emulated, rather than half done.

Overpayments carry no tax and need no account on their lines (Xero books them to accounts receivable or
payable itself): the sandbox takes them with LineAmountTypes NoTax only.
"""

from __future__ import annotations

import uuid
from typing import Any

from dxsandbox.xero.api.accounting import contacts, prepayments, reference, status
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.dates import date_string, ms_date
from dxsandbox.xero.api.accounting.money import ZERO
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.totals import EXCLUSIVE, LINE_AMOUNT_TYPES, NO_TAX
from dxsandbox.xero.api.accounting.transactions import apply_currency, apply_totals, priced_line, render
from dxsandbox.xero.api.accounting.validation import Problems, boolean, calendar_date, guid, reference_to, text

KIND, COLLECTION = "bank_transaction", "BankTransactions"
ALL_TYPES = ("RECEIVE", "RECEIVE-OVERPAYMENT", "RECEIVE-PREPAYMENT", "SPEND", "SPEND-OVERPAYMENT", "SPEND-PREPAYMENT")
EMULATED_TYPES = tuple(prepayments.INVOICE_TYPE_FOR)


def find(books: Books, key: str) -> Record | None:
    return books.get(KIND, guid(key))


def create(work: Work, element: dict[str, Any]) -> Record:
    books, problems = work.books, Problems()
    bank_type = _type(problems, element)
    credit_kind = prepayments.kind_for_bank_type(bank_type or "")
    record: Record = {
        "BankTransactionID": str(uuid.uuid4()),
        "Type": bank_type,
        "Status": status.AUTHORISED,
        "HasAttachments": False,
        "_created_by": work.client_id,
    }
    if credit_kind is not None:
        _apply_status(problems, element)
        contact = contacts.resolve(work, problems, reference_to(element, "Contact"))
        account = _bank_account(books, problems, reference_to(element, "BankAccount"))
        day = calendar_date(problems, element, "Date") or reference.today(books)
        record.update(Date=ms_date(day), DateString=date_string(day))
        record["LineAmountTypes"] = _line_amount_types(problems, element, credit_kind)
        received = bank_type is not None and bank_type.startswith("RECEIVE")
        _apply_lines(work, problems, element, record, is_sales=received, needs_accounts=credit_kind is prepayments.PREPAYMENTS)
        apply_currency(
            books, problems, {"CurrencyCode": element.get("CurrencyCode") or _currency_of(books, account), **element}, record
        )
        record.update(
            Reference=text(problems, element, "Reference", 255),
            Url=text(problems, element, "Url", 2000),
            IsReconciled=bool(boolean(problems, element, "IsReconciled")),
        )
        if contact is not None:
            record["Contact"] = {"ContactID": contact["ContactID"]}
        if account is not None:
            record["BankAccount"] = {"AccountID": account["AccountID"], "Code": account["Code"], "Name": account["Name"]}
    problems.raise_if_any()
    assert credit_kind is not None

    record[credit_kind.id_field] = record["_credit_id"] = str(uuid.uuid4())
    books.touch(record)
    books.put(KIND, record["BankTransactionID"], record)
    contacts.mark_used(books, record["Contact"]["ContactID"], as_customer=record["Type"].startswith("RECEIVE"))
    prepayments.create(work, credit_kind, record)
    return record


def render_transaction(record: Record, contact_of: Any, *, unitdp: int = 2) -> Record:
    return render(record, contact_of, unitdp=unitdp)


def _type(problems: Problems, element: dict[str, Any]) -> str | None:
    given = str(element.get("Type") or "").strip().upper()
    if not given:
        problems.add(f"A bank transaction Type must be given: one of {', '.join(EMULATED_TYPES)}.")
        return None
    if given not in EMULATED_TYPES:
        problems.add(
            f"Bank transactions of Type {given} are not emulated by the sandbox: it emulates "
            f"{', '.join(EMULATED_TYPES)} (the ones that make prepayments and overpayments)."
            if given in ALL_TYPES or given.endswith("-TRANSFER")
            else f"'{element.get('Type')}' is not a valid value for Type.",
            unechoable="Type",
        )
        return None
    return given


def _apply_status(problems: Problems, element: dict[str, Any]) -> None:
    given = str(element.get("Status") or status.AUTHORISED).upper()
    if given != status.AUTHORISED:
        problems.add(f"Bank transactions are created AUTHORISED; a Status of {given} is not emulated by the sandbox.")


def _bank_account(books: Books, problems: Problems, given: dict[str, Any]) -> Record | None:
    if given.get("AccountID"):
        account = reference.account_by_id(books, guid(given["AccountID"]))
    elif given.get("Code"):
        account = reference.account_by_code(books, given["Code"])
    else:
        problems.add("A bank transaction must name its BankAccount (AccountID or Code).")
        return None
    if account is None:
        problems.add(f"The BankAccount '{given.get('AccountID') or given.get('Code')}' could not be found.")
    elif account["Type"] != "BANK":
        problems.add(f"Account code '{account['Code']}' is not a bank account.")
        return None
    return account


def _currency_of(books: Books, account: Record | None) -> str:
    return str((account or {}).get("CurrencyCode") or reference.base_currency(books))


def _line_amount_types(problems: Problems, element: dict[str, Any], credit_kind: prepayments.CreditKind) -> str:
    given = str(element.get("LineAmountTypes") or "")
    canonical = {value.lower(): value for value in LINE_AMOUNT_TYPES}.get(given.lower())
    if given and canonical is None:
        problems.add(f"'{given}' is not a valid value for LineAmountTypes: use Exclusive, Inclusive or NoTax.")
    if credit_kind is prepayments.OVERPAYMENTS:
        if canonical not in (None, NO_TAX):
            problems.add("Overpayments carry no tax: the sandbox emulates them with LineAmountTypes NoTax only.")
        return NO_TAX
    return canonical or EXCLUSIVE


def _apply_lines(
    work: Work, problems: Problems, element: dict[str, Any], record: Record, *, is_sales: bool, needs_accounts: bool
) -> None:
    given = element.get("LineItems")
    if not isinstance(given, list) or not [raw for raw in given if isinstance(raw, dict)]:
        problems.add("A bank transaction must have at least one line item.")
        return
    lines = [
        priced_line(work.books, problems, raw, is_sales, record["LineAmountTypes"], work.unitdp, set())
        for raw in given
        if isinstance(raw, dict)
    ]
    record["LineItems"] = [line for line, _ in lines]
    record["_line_totals"] = [[str(totals.line_amount), str(totals.tax_amount), str(totals.discount)] for _, totals in lines]
    apply_totals(record)
    if needs_accounts and any(line.get("LineAmount") and not line.get("AccountCode") for line in record["LineItems"]):
        problems.add("Each line item of a prepayment needs an AccountCode.")
    if record["Total"] <= ZERO:
        problems.add("The total of a prepayment or overpayment must be greater than zero.")
