"""Xero's reference lists → rows of our `stl3_` tables, by the solution's column names.

Each row carries the column and value it is found again by (Xero's id, or the code where Xero has no id),
and the connection it belongs to as a `Lookup`. Statuses the Dynamics column has no option for (a deleted
account, category or option) are shown as Archived: still readable on old invoices, not for new ones. Xero's
branding themes and currencies have no status: the ones Xero lists are Active (one that comes back after being
archived is active again).

Xero's organisation details go onto the connection's own row (`organisation_columns`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.mapping.choices import CHOICES, option_value
from dxconnector.domain.names import (
    STATUS,
    BrandingThemeTable,
    ChartOfAccountsTable,
    ConnectorTable,
    CurrencyTable,
    TaxRateTable,
    TrackingCategoryTable,
    TrackingOptionTable,
)
from dxconnector.domain.records import DynamicsRow, Lookup

CONNECTOR = ConnectorTable.TABLE
NAME_LIMIT = 100  # the primary name column of our tables
ACCOUNT_NAME_LIMIT = 200  # the chart of accounts' primary name column: "code - name"


def _connector(connector_id: str) -> Lookup:
    return Lookup(CONNECTOR, connector_id)


def _status(table: str, status: Any) -> int:
    codes = CHOICES[(table, STATUS)]
    code = str(status or "ACTIVE").upper()
    return option_value(table, STATUS, code if code in codes else "ARCHIVED")


def _name(text: Any, limit: int = NAME_LIMIT) -> str:
    return rules.cut_text(" ".join(str(text or "").split()), limit)


def account_row(account: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    code, name = str(account.get("Code") or "").strip(), str(account.get("Name") or "").strip()
    return DynamicsRow(
        ChartOfAccountsTable.TABLE,
        ChartOfAccountsTable.XERO_ACCOUNT_ID,
        account["AccountID"],
        {
            ChartOfAccountsTable.NAME: _name(f"{code} - {name}" if code else name, ACCOUNT_NAME_LIMIT),
            ChartOfAccountsTable.CODE: code or None,
            ChartOfAccountsTable.ACCOUNT_NAME: _name(name, 150),
            ChartOfAccountsTable.TYPE: account.get("Type"),
            ChartOfAccountsTable.TAX_TYPE: account.get("TaxType"),
            ChartOfAccountsTable.STATUS: _status(ChartOfAccountsTable.TABLE, account.get("Status")),
            ChartOfAccountsTable.XERO_ACCOUNT_ID: account["AccountID"],
            ChartOfAccountsTable.CONNECTOR_ID: _connector(connector_id),
        },
    )


def _rate(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


def tax_rate_row(tax_rate: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    """Xero keys tax rates by their tax type, not an id."""
    return DynamicsRow(
        TaxRateTable.TABLE,
        TaxRateTable.TAX_TYPE,
        tax_rate["TaxType"],
        {
            TaxRateTable.NAME: _name(tax_rate.get("Name")),
            TaxRateTable.TAX_TYPE: tax_rate["TaxType"],
            TaxRateTable.EFFECTIVE_RATE: _rate(tax_rate.get("EffectiveRate", tax_rate.get("DisplayTaxRate"))),
            TaxRateTable.STATUS: _status(TaxRateTable.TABLE, tax_rate.get("Status")),
            TaxRateTable.CAN_APPLY_TO_REVENUE: bool(tax_rate.get("CanApplyToRevenue")),
            TaxRateTable.CAN_APPLY_TO_EXPENSES: bool(tax_rate.get("CanApplyToExpenses")),
            TaxRateTable.CONNECTOR_ID: _connector(connector_id),
        },
    )


def branding_theme_row(theme: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    return DynamicsRow(
        BrandingThemeTable.TABLE,
        BrandingThemeTable.XERO_BRANDING_THEME_ID,
        theme["BrandingThemeID"],
        {
            BrandingThemeTable.NAME: _name(theme.get("Name")),
            BrandingThemeTable.XERO_BRANDING_THEME_ID: theme["BrandingThemeID"],
            BrandingThemeTable.SORT_ORDER: int(theme.get("SortOrder") or 0),
            BrandingThemeTable.STATUS: _status(BrandingThemeTable.TABLE, "ACTIVE"),
            BrandingThemeTable.CONNECTOR_ID: _connector(connector_id),
        },
    )


def tracking_category_row(category: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    return DynamicsRow(
        TrackingCategoryTable.TABLE,
        TrackingCategoryTable.XERO_TRACKING_CATEGORY_ID,
        category["TrackingCategoryID"],
        {
            TrackingCategoryTable.NAME: _name(category.get("Name")),
            TrackingCategoryTable.XERO_TRACKING_CATEGORY_ID: category["TrackingCategoryID"],
            TrackingCategoryTable.STATUS: _status(TrackingCategoryTable.TABLE, category.get("Status")),
            TrackingCategoryTable.CONNECTOR_ID: _connector(connector_id),
        },
    )


def tracking_option_rows(category: Mapping[str, Any], category_row_id: str) -> tuple[DynamicsRow, ...]:
    """The category's options, under the category's Dynamics row (upserted first)."""
    return tuple(
        DynamicsRow(
            TrackingOptionTable.TABLE,
            TrackingOptionTable.XERO_TRACKING_OPTION_ID,
            option["TrackingOptionID"],
            {
                TrackingOptionTable.NAME: _name(option.get("Name")),
                TrackingOptionTable.TRACKING_CATEGORY_ID: Lookup(TrackingCategoryTable.TABLE, category_row_id),
                TrackingOptionTable.XERO_TRACKING_OPTION_ID: option["TrackingOptionID"],
                TrackingOptionTable.STATUS: _status(TrackingOptionTable.TABLE, option.get("Status")),
            },
        )
        for option in category.get("Options") or ()
    )


def currency_row(currency: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    code = str(currency["Code"]).upper()
    description = str(currency.get("Description") or "").strip()
    return DynamicsRow(
        CurrencyTable.TABLE,
        CurrencyTable.CODE,
        code,
        {
            CurrencyTable.NAME: _name(f"{code} - {description}" if description else code),
            CurrencyTable.CODE: code,
            CurrencyTable.STATUS: _status(CurrencyTable.TABLE, "ACTIVE"),
            CurrencyTable.CONNECTOR_ID: _connector(connector_id),
        },
    )


def connection_columns(organisation: Mapping[str, Any]) -> dict[str, Any]:
    """Our connection row's columns from Xero's organisation details."""
    return {ConnectorTable.ORGANISATION_NAME: rules.cut_text(str(organisation.get("Name") or "").strip(), 255)}


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DASHBOARD = "/Dashboard/Default.aspx"


def financial_year_end(day: Any, month: Any) -> str | None:
    """Xero's FinancialYearEndDay and FinancialYearEndMonth as people write the date: "31 March" (None without one)."""
    try:
        day_number, month_number = int(day), int(month)
    except (TypeError, ValueError):
        return None
    if not (1 <= day_number <= 31 and 1 <= month_number <= len(MONTHS)):
        return None
    return f"{day_number} {MONTHS[month_number - 1]}"


def xero_organisation_url(short_code: str, base_url: str = "https://go.xero.com") -> str:
    """The organisation's dashboard in Xero. With its short code the link opens this organisation, not whichever one
    the person last used (the same deep link `invoice.xero_invoice_url` makes)."""
    base = base_url.rstrip("/")
    if short_code:
        return f"{base}/organisationlogin/default.aspx?shortcode={short_code}&redirecturl={DASHBOARD}"
    return f"{base}{DASHBOARD}"


def _text(value: Any) -> str | None:
    return " ".join(str(value or "").split()) or None


def organisation_columns(
    organisation: Mapping[str, Any], lengths: Mapping[str, int], base_url: str = "https://go.xero.com"
) -> dict[str, Any]:
    """Our connection row's columns from Xero's organisation details (GET /Organisation), each cut to its column's
    length (`lengths`, by column: the solution's). What Xero leaves out is shown empty."""
    short_code = _text(organisation.get("ShortCode"))
    columns = {
        ConnectorTable.ORGANISATION_NAME: _text(organisation.get("Name")),
        ConnectorTable.LEGAL_NAME: _text(organisation.get("LegalName")),
        ConnectorTable.COUNTRY_CODE: _text(organisation.get("CountryCode")),
        ConnectorTable.BASE_CURRENCY: _text(organisation.get("BaseCurrency")),
        ConnectorTable.XERO_TIME_ZONE: _text(organisation.get("Timezone")),
        ConnectorTable.FINANCIAL_YEAR_END: financial_year_end(
            organisation.get("FinancialYearEndDay"), organisation.get("FinancialYearEndMonth")
        ),
        ConnectorTable.SHORT_CODE: short_code,
        ConnectorTable.XERO_URL: xero_organisation_url(short_code or "", base_url),
    }
    return {
        column: rules.cut_text(value, lengths[column]) if value is not None and column in lengths else value
        for column, value in columns.items()
    }
