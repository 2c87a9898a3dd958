"""A contact's Balances, as Xero computes them when it answers a contact in full: what its approved sales invoices
still owe (AccountsReceivable) and what is owed on its approved bills (AccountsPayable), less the credit its credit
notes still hold, each with the part past its due date (Overdue). Raw amounts in the documents' own currencies, as
Xero says of Balances ("not converted to base currency")."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.dates import ms_to_date
from dxsandbox.xero.api.accounting.money import ZERO, as_json
from dxsandbox.xero.api.accounting.transactions import CREDIT_NOTES, INVOICES, outstanding

OWING = ("AUTHORISED",)  # drafts and submitted documents are not owed yet; paid and voided ones no longer
SIDE = {
    "ACCREC": "AccountsReceivable",
    "ACCPAY": "AccountsPayable",
    "ACCRECCREDIT": "AccountsReceivable",
    "ACCPAYCREDIT": "AccountsPayable",
}


def balances_by_contact(books: Books) -> dict[str, Record]:
    """Every contact's Balances, in one pass over the organisation's documents."""
    today = datetime.fromtimestamp(books.now(), UTC).date()
    totals: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(
        lambda: {side: {"Outstanding": ZERO, "Overdue": ZERO} for side in ("AccountsReceivable", "AccountsPayable")}
    )
    for kind, sign in ((INVOICES, 1), (CREDIT_NOTES, -1)):
        for record in books.all(kind.store_kind):
            if record.get("Status") not in OWING or not record.get("Contact"):
                continue
            side = totals[str(record["Contact"]["ContactID"]).lower()][SIDE.get(str(record.get("Type")), "AccountsReceivable")]
            owed = sign * outstanding(record)
            side["Outstanding"] += owed
            if kind is INVOICES and record.get("DueDate") and ms_to_date(str(record["DueDate"])) < today:
                side["Overdue"] += owed
    return {
        contact_id: {side: {name: as_json(amount) for name, amount in amounts.items()} for side, amounts in sides.items()}
        for contact_id, sides in totals.items()
    }


def nothing_owed() -> Record:
    return {side: {"Outstanding": as_json(ZERO), "Overdue": as_json(ZERO)} for side in ("AccountsReceivable", "AccountsPayable")}
