"""Option values of the solution's choice columns that the sync reads or writes, by Xero's code.

The solution numbers options from the publisher's prefix (100000000, 100000001, …) in the order listed
here; a test holds these lists to the solution's definition.
"""

from __future__ import annotations

FIRST_OPTION_VALUE = 100_000_000

INVOICE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
XERO_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
ACTIVE_ARCHIVED = ("ACTIVE", "ARCHIVED")

CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("invoice", "stl3_xeroinvoicetype"): ("ACCREC", "ACCPAY", "ACCRECCREDIT", "ACCPAYCREDIT"),
    ("invoice", "stl3_lineamounttypes"): ("Exclusive", "Inclusive", "NoTax"),
    ("invoice", "stl3_xerostatus"): XERO_STATUSES,
    ("stl3_stellariseconnectorsettings", "stl3_defaultsalesinvoicestatus"): INVOICE_STATUSES,
    ("stl3_stellariseconnectorsettings", "stl3_defaultpurchaseinvoicestatus"): INVOICE_STATUSES,
    ("stl3_xeroinvoice", "stl3_xerostatus"): XERO_STATUSES,
    ("stl3_xeroinvoice", "stl3_exportstatus"): ("NO", "EXPORTED", "READY_TO_UPDATE", "FAILED"),
    ("stl3_chartofaccounts", "stl3_status"): ACTIVE_ARCHIVED,
    ("stl3_taxrate", "stl3_status"): ("ACTIVE", "ARCHIVED", "DELETED", "PENDING"),
    ("stl3_trackingcategory", "stl3_status"): ACTIVE_ARCHIVED,
    ("stl3_trackingoption", "stl3_status"): ACTIVE_ARCHIVED,
    ("stl3_synchistory", "stl3_direction"): ("D365_TO_XERO", "XERO_TO_D365"),
    ("stl3_synchistory", "stl3_recordtype"): (
        "INVOICE",
        "CREDIT_NOTE",
        "ACCOUNT",
        "CONTACT",
        "PRODUCT",
        "PAYMENT",
        "REFERENCE_DATA",
    ),
    ("stl3_synchistory", "stl3_outcome"): ("SUCCEEDED", "FAILED", "SKIPPED", "HELD_BACK"),
}


def option_value(table: str, column: str, code: str) -> int:
    """The option value Dynamics stores for Xero's `code` (ValueError for a code the column lacks)."""
    return FIRST_OPTION_VALUE + CHOICES[(table, column)].index(code)


def option_code(table: str, column: str, value: int | None) -> str | None:
    """Xero's code for an option value Dynamics returned; None for an empty or unknown value."""
    codes = CHOICES[(table, column)]
    if value is None or not 0 <= value - FIRST_OPTION_VALUE < len(codes):
        return None
    return codes[value - FIRST_OPTION_VALUE]
