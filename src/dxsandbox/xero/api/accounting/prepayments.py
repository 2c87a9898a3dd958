"""Prepayments and overpayments: money received (or paid) before, or beyond, an invoice, kept as credit.

Xero creates them from a bank transaction of Type RECEIVE-PREPAYMENT, RECEIVE-OVERPAYMENT, SPEND-PREPAYMENT or
SPEND-OVERPAYMENT (bank_transactions.py). They start AUTHORISED with RemainingCredit = Total, are allocated to
invoices of the same contact like credit notes (allocations.py), and become PAID once all the credit is used.
Xero announces no webhook events for them (v16.1.0 has CONTACT, INVOICE and CREDITNOTE only).
"""

from __future__ import annotations

from dataclasses import dataclass

from dxsandbox.xero.api.accounting import status
from dxsandbox.xero.api.accounting.allocations import ContactOf, CreditSource
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.money import ZERO, as_json
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.transactions import outstanding, render
from dxsandbox.xero.api.accounting.validation import guid

# Where a bank transaction's Type sends the invoice side it can be allocated to.
INVOICE_TYPE_FOR = {
    "RECEIVE-PREPAYMENT": "ACCREC",
    "SPEND-PREPAYMENT": "ACCPAY",
    "RECEIVE-OVERPAYMENT": "ACCREC",
    "SPEND-OVERPAYMENT": "ACCPAY",
}


@dataclass(frozen=True)
class CreditKind:
    store_kind: str
    collection: str
    id_field: str
    label: str
    bank_types: tuple[str, str]  # (received, spent)

    def find(self, books: Books, key: str) -> Record | None:
        return books.get(self.store_kind, guid(key))

    def save(self, work: Work, record: Record) -> None:
        """Store the credit after its money changed: RemainingCredit, and PAID once nothing is left."""
        remaining = outstanding(record)
        record["RemainingCredit"] = as_json(remaining)
        if record["Status"] in status.APPROVED:
            record["Status"] = status.PAID if remaining <= ZERO else status.AUTHORISED
        work.books.touch(record, with_string=True)
        work.books.put(self.store_kind, record[self.id_field], record)

    def render(self, record: Record, contact_of: ContactOf, *, unitdp: int = 2) -> Record:
        return render(record, contact_of, unitdp=unitdp)

    def nested(self, record: Record, contact_of: ContactOf) -> Record:
        """The credit as an allocation shows it: its identity and its money, without lines."""
        shown = {
            key: record[key]
            for key in (
                self.id_field,
                "Type",
                "Status",
                "Date",
                "CurrencyCode",
                "CurrencyRate",
                "Total",
                "RemainingCredit",
            )
            if record.get(key) is not None
        }
        contact = contact_of(record["Contact"]["ContactID"])
        if contact is not None:
            shown["Contact"] = {"ContactID": contact["ContactID"], "Name": contact["Name"]}
        shown["LineItems"] = []
        return shown

    def as_credit_source(self) -> CreditSource:
        return CreditSource(
            self.store_kind,
            self.id_field,
            None,
            self.label,
            self.label,
            self.collection,
            {bank_type: INVOICE_TYPE_FOR[bank_type] for bank_type in self.bank_types},
            self.save,
            self.nested,
        )


PREPAYMENTS = CreditKind("prepayment", "Prepayments", "PrepaymentID", "Prepayment", ("RECEIVE-PREPAYMENT", "SPEND-PREPAYMENT"))
OVERPAYMENTS = CreditKind(
    "overpayment", "Overpayments", "OverpaymentID", "Overpayment", ("RECEIVE-OVERPAYMENT", "SPEND-OVERPAYMENT")
)
PREPAYMENT_CREDIT = PREPAYMENTS.as_credit_source()
OVERPAYMENT_CREDIT = OVERPAYMENTS.as_credit_source()


def kind_for_bank_type(bank_type: str) -> CreditKind | None:
    return next((kind for kind in (PREPAYMENTS, OVERPAYMENTS) if bank_type in kind.bank_types), None)


def create(work: Work, kind: CreditKind, bank_transaction: Record) -> Record:
    """The prepayment or overpayment a bank transaction makes: its contact, date, lines and totals, all credit left."""
    record: Record = {
        kind.id_field: bank_transaction["_credit_id"],
        "Type": bank_transaction["Type"],
        "Contact": {"ContactID": bank_transaction["Contact"]["ContactID"]},
        "Date": bank_transaction["Date"],
        "DateString": bank_transaction.get("DateString"),
        "Status": status.AUTHORISED,
        "LineAmountTypes": bank_transaction["LineAmountTypes"],
        "LineItems": bank_transaction["LineItems"],
        "SubTotal": bank_transaction["SubTotal"],
        "TotalTax": bank_transaction["TotalTax"],
        "Total": bank_transaction["Total"],
        "CurrencyCode": bank_transaction["CurrencyCode"],
        "CurrencyRate": bank_transaction["CurrencyRate"],
        "RemainingCredit": bank_transaction["Total"],
        "Allocations": [],
        "Payments": [],
        "HasAttachments": False,
        "Reference": bank_transaction.get("Reference"),
        "_created_by": work.client_id,
    }
    kind.save(work, record)
    return record
