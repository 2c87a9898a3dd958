"""Option values of the solution's choice columns that the sync reads or writes, by Xero's code.

The solution numbers options from the publisher's prefix (100000000, 100000001, …) in the order listed
here; a test holds these lists to the solution's definition.
"""

from __future__ import annotations

from dxconnector.domain.names import (
    BrandingThemeTable,
    ChartOfAccountsTable,
    ConnectorSettingsTable,
    CurrencyTable,
    InvoiceColumns,
    SyncHistoryTable,
    TaxRateTable,
    TrackingCategoryTable,
    TrackingOptionTable,
    XeroContactTable,
    XeroInvoiceTable,
    XeroItemTable,
    XeroPaymentTable,
)

FIRST_OPTION_VALUE = 100_000_000

INVOICE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
XERO_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "DELETED")
ACTIVE_ARCHIVED = ("ACTIVE", "ARCHIVED")
SYNC_STATUSES = ("SYNCED", "FAILED")

CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    (InvoiceColumns.TABLE, InvoiceColumns.XERO_INVOICE_TYPE): ("ACCREC", "ACCPAY", "ACCRECCREDIT", "ACCPAYCREDIT"),
    (InvoiceColumns.TABLE, InvoiceColumns.LINE_AMOUNT_TYPES): ("Exclusive", "Inclusive", "NoTax"),
    (InvoiceColumns.TABLE, InvoiceColumns.XERO_STATUS): XERO_STATUSES,
    (ConnectorSettingsTable.TABLE, ConnectorSettingsTable.DEFAULT_SALES_INVOICE_STATUS): INVOICE_STATUSES,
    (ConnectorSettingsTable.TABLE, ConnectorSettingsTable.DEFAULT_PURCHASE_INVOICE_STATUS): INVOICE_STATUSES,
    (XeroInvoiceTable.TABLE, XeroInvoiceTable.XERO_STATUS): XERO_STATUSES,
    (XeroInvoiceTable.TABLE, XeroInvoiceTable.EXPORT_STATUS): ("NO", "EXPORTED", "READY_TO_UPDATE", "FAILED"),
    (XeroContactTable.TABLE, XeroContactTable.XERO_STATUS): ACTIVE_ARCHIVED,
    (XeroContactTable.TABLE, XeroContactTable.SYNC_STATUS): SYNC_STATUSES,
    (XeroItemTable.TABLE, XeroItemTable.SYNC_STATUS): SYNC_STATUSES,
    (ChartOfAccountsTable.TABLE, ChartOfAccountsTable.STATUS): ACTIVE_ARCHIVED,
    (TaxRateTable.TABLE, TaxRateTable.STATUS): ("ACTIVE", "ARCHIVED", "DELETED", "PENDING"),
    (TrackingCategoryTable.TABLE, TrackingCategoryTable.STATUS): ACTIVE_ARCHIVED,
    (TrackingOptionTable.TABLE, TrackingOptionTable.STATUS): ACTIVE_ARCHIVED,
    (BrandingThemeTable.TABLE, BrandingThemeTable.STATUS): ACTIVE_ARCHIVED,
    (CurrencyTable.TABLE, CurrencyTable.STATUS): ACTIVE_ARCHIVED,
    (XeroPaymentTable.TABLE, XeroPaymentTable.KIND): ("PAYMENT", "CREDIT_NOTE", "PREPAYMENT", "OVERPAYMENT"),
    (XeroPaymentTable.TABLE, XeroPaymentTable.STATUS): ("AUTHORISED", "DELETED"),
    (SyncHistoryTable.TABLE, SyncHistoryTable.DIRECTION): ("D365_TO_XERO", "XERO_TO_D365"),
    (SyncHistoryTable.TABLE, SyncHistoryTable.RECORD_TYPE): (
        "INVOICE",
        "CREDIT_NOTE",
        "ACCOUNT",
        "CONTACT",
        "PRODUCT",
        "PAYMENT",
        "REFERENCE_DATA",
    ),
    (SyncHistoryTable.TABLE, SyncHistoryTable.OUTCOME): ("SUCCEEDED", "FAILED", "SKIPPED", "HELD_BACK"),
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
