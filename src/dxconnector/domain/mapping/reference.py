"""Xero's reference lists → rows of our `stl3_` tables, by the solution's column names.

Each row carries the column and value it is found again by (Xero's id, or the code where Xero has no id),
and the connection it belongs to as a `Lookup`. Statuses the Dynamics column has no option for (a deleted
account, category or option) are shown as Archived: still readable on old invoices, not for new ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.mapping.choices import CHOICES, option_value
from dxconnector.domain.records import DynamicsRow, Lookup

CONNECTOR = "stl3_dynamicsxeroconnector"
NAME_LIMIT = 100  # the primary name column of our tables
ACCOUNT_NAME_LIMIT = 200  # the chart of accounts' primary name column: "code - name"


def _connector(connector_id: str) -> Lookup:
    return Lookup(CONNECTOR, connector_id)


def _status(table: str, status: Any) -> int:
    codes = CHOICES[(table, "stl3_status")]
    code = str(status or "ACTIVE").upper()
    return option_value(table, "stl3_status", code if code in codes else "ARCHIVED")


def _name(text: Any, limit: int = NAME_LIMIT) -> str:
    return rules.cut_text(" ".join(str(text or "").split()), limit)


def account_row(account: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    code, name = str(account.get("Code") or "").strip(), str(account.get("Name") or "").strip()
    return DynamicsRow(
        "stl3_chartofaccounts",
        "stl3_xeroaccountid",
        account["AccountID"],
        {
            "stl3_name": _name(f"{code} - {name}" if code else name, ACCOUNT_NAME_LIMIT),
            "stl3_code": code or None,
            "stl3_accountname": _name(name, 150),
            "stl3_type": account.get("Type"),
            "stl3_taxtype": account.get("TaxType"),
            "stl3_status": _status("stl3_chartofaccounts", account.get("Status")),
            "stl3_xeroaccountid": account["AccountID"],
            "stl3_connectorid": _connector(connector_id),
        },
    )


def _rate(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.0001"))


def tax_rate_row(tax_rate: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    """Xero keys tax rates by their tax type, not an id."""
    return DynamicsRow(
        "stl3_taxrate",
        "stl3_taxtype",
        tax_rate["TaxType"],
        {
            "stl3_name": _name(tax_rate.get("Name")),
            "stl3_taxtype": tax_rate["TaxType"],
            "stl3_effectiverate": _rate(tax_rate.get("EffectiveRate", tax_rate.get("DisplayTaxRate"))),
            "stl3_status": _status("stl3_taxrate", tax_rate.get("Status")),
            "stl3_canapplytorevenue": bool(tax_rate.get("CanApplyToRevenue")),
            "stl3_canapplytoexpenses": bool(tax_rate.get("CanApplyToExpenses")),
            "stl3_connectorid": _connector(connector_id),
        },
    )


def branding_theme_row(theme: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    return DynamicsRow(
        "stl3_brandingtheme",
        "stl3_xerobrandingthemeid",
        theme["BrandingThemeID"],
        {
            "stl3_name": _name(theme.get("Name")),
            "stl3_xerobrandingthemeid": theme["BrandingThemeID"],
            "stl3_sortorder": int(theme.get("SortOrder") or 0),
            "stl3_connectorid": _connector(connector_id),
        },
    )


def tracking_category_row(category: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    return DynamicsRow(
        "stl3_trackingcategory",
        "stl3_xerotrackingcategoryid",
        category["TrackingCategoryID"],
        {
            "stl3_name": _name(category.get("Name")),
            "stl3_xerotrackingcategoryid": category["TrackingCategoryID"],
            "stl3_status": _status("stl3_trackingcategory", category.get("Status")),
            "stl3_connectorid": _connector(connector_id),
        },
    )


def tracking_option_rows(category: Mapping[str, Any], category_row_id: str) -> tuple[DynamicsRow, ...]:
    """The category's options, under the category's Dynamics row (upserted first)."""
    return tuple(
        DynamicsRow(
            "stl3_trackingoption",
            "stl3_xerotrackingoptionid",
            option["TrackingOptionID"],
            {
                "stl3_name": _name(option.get("Name")),
                "stl3_trackingcategoryid": Lookup("stl3_trackingcategory", category_row_id),
                "stl3_xerotrackingoptionid": option["TrackingOptionID"],
                "stl3_status": _status("stl3_trackingoption", option.get("Status")),
            },
        )
        for option in category.get("Options") or ()
    )


def currency_row(currency: Mapping[str, Any], connector_id: str) -> DynamicsRow:
    code = str(currency["Code"]).upper()
    description = str(currency.get("Description") or "").strip()
    return DynamicsRow(
        "stl3_currency",
        "stl3_code",
        code,
        {
            "stl3_name": _name(f"{code} - {description}" if description else code),
            "stl3_code": code,
            "stl3_connectorid": _connector(connector_id),
        },
    )


def connection_columns(organisation: Mapping[str, Any]) -> dict[str, Any]:
    """Our connection row's columns from Xero's organisation details."""
    return {"stl3_organisationname": rules.cut_text(str(organisation.get("Name") or "").strip(), 255)}
