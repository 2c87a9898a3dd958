"""Reference data each organisation starts with, and the lookups transactions validate against.

Organisation, chart of accounts, tax rates, branding themes, tracking categories and currencies come from
`seed.py`. Their ids are derived from the tenant id, so they are the same every time a sandbox starts.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from dxsandbox.xero import seed
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.money import as_json

SEEDED_SETTING = "reference-seeded"

ACCOUNT_CLASSES = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "DEPRECIATN": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "OTHERINCOME": "REVENUE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
}


def stable_id(tenant_id: str, name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(tenant_id), name))


def country_profile(organisation: dict[str, Any]) -> dict[str, Any]:
    return seed.COUNTRY_PROFILES.get(organisation["country_code"], seed.COUNTRY_PROFILES["NZ"])


def numbering(tenant_id: str) -> dict[str, Any]:
    return {**seed.DEFAULT_NUMBERING, **seed.NUMBERING.get(tenant_id, {})}


# --- seeding -----------------------------------------------------------------------------------
def seed_books(books: Books, organisation: dict[str, Any]) -> None:
    """Give an organisation its reference data, once (later starts keep whatever the API changed)."""
    if books.setting(SEEDED_SETTING):
        return
    profile = country_profile(organisation)
    with books.transaction():
        _seed_organisation(books, organisation, profile)
        _seed_tax_rates(books, profile)
        _seed_accounts(books, organisation, profile)
        _seed_branding_themes(books)
        _seed_tracking_categories(books)
        _seed_currencies(books, profile)
        books.set_setting(SEEDED_SETTING, True)


def _seed_organisation(books: Books, org: dict[str, Any], profile: dict[str, Any]) -> None:
    day, month = profile["financial_year_end"]
    record = {
        "OrganisationID": org["tenant_id"],
        "APIKey": "",
        "Name": org["name"],
        "LegalName": org["name"],
        "PaysTax": True,
        "Version": org["version"],
        "OrganisationType": "COMPANY",
        "BaseCurrency": org["base_currency"],
        "CountryCode": org["country_code"],
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "TaxNumber": profile["tax_number"],
        "FinancialYearEndDay": day,
        "FinancialYearEndMonth": month,
        "SalesTaxBasis": profile["sales_tax_basis"],
        "SalesTaxPeriod": profile["sales_tax_period"],
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "Timezone": org["timezone"],
        "OrganisationEntityType": "COMPANY",
        "ShortCode": org["short_code"],
        "Class": "PREMIUM",
        "Edition": "BUSINESS",
        "LineOfBusiness": "Wholesale trade",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }
    books.touch(record)
    record["CreatedDateUTC"] = record.pop("UpdatedDateUTC")
    books.put("organisation", org["tenant_id"], record)


def _seed_tax_rates(books: Books, profile: dict[str, Any]) -> None:
    for name, tax_type, rate, report_tax_type in profile["tax_rates"]:
        percent = Decimal(rate)
        is_sales, is_purchases = report_tax_type.endswith("OUTPUT"), report_tax_type.endswith(("INPUT", "EXPENSES"))
        record = {
            "Name": name,
            "TaxType": tax_type,
            "ReportTaxType": report_tax_type,
            "Status": "ACTIVE",
            "TaxComponents": [
                {"Name": profile["tax_label"], "Rate": as_json(percent), "IsCompound": False, "IsNonRecoverable": False}
            ],
            "CanApplyToAssets": True,
            "CanApplyToEquity": True,
            "CanApplyToLiabilities": True,
            "CanApplyToExpenses": not is_sales,
            "CanApplyToRevenue": not is_purchases,
            "DisplayTaxRate": as_json(percent),
            "EffectiveRate": as_json(percent),
        }
        books.put("tax_rate", tax_type, record, number=tax_type)


def _seed_accounts(books: Books, org: dict[str, Any], profile: dict[str, Any]) -> None:
    for code, name, account_type, tax_kind, extras in seed.CHART_OF_ACCOUNTS:
        if extras.get("SystemAccount") == "GST":
            name = profile["tax_label"]
        record = {
            "AccountID": stable_id(org["tenant_id"], f"account:{code}"),
            "Code": code,
            "Name": name,
            "Status": "ACTIVE",
            "Type": account_type,
            "TaxType": profile["tax_kinds"][tax_kind],
            "Class": ACCOUNT_CLASSES[account_type],
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": False,
            "BankAccountType": "",
            "ReportingCode": f"{ACCOUNT_CLASSES[account_type][:3]}",
            "ReportingCodeName": ACCOUNT_CLASSES[account_type].title(),
            "HasAttachments": False,
            "AddToWatchlist": False,
            **extras,
        }
        if account_type == "BANK":
            record["CurrencyCode"] = org["base_currency"]
        books.touch(record)
        books.put("account", record["AccountID"], record, number=code)


def _seed_branding_themes(books: Books) -> None:
    for name, sort_order in seed.BRANDING_THEMES:
        record = {
            "BrandingThemeID": stable_id(books.tenant_id, f"branding-theme:{name}"),
            "Name": name,
            "Type": "INVOICE",
            "SortOrder": sort_order,
            "LogoUrl": f"https://in.xero.com/logo?id={sort_order}",
        }
        books.touch(record)
        record["CreatedDateUTC"] = record.pop("UpdatedDateUTC")
        books.put("branding_theme", record["BrandingThemeID"], record, number=name)


def _seed_tracking_categories(books: Books) -> None:
    for name, options in seed.TRACKING_CATEGORIES:
        category_id = stable_id(books.tenant_id, f"tracking-category:{name}")
        record = {
            "TrackingCategoryID": category_id,
            "Name": name,
            "Status": "ACTIVE",
            "Options": [
                {
                    "TrackingOptionID": stable_id(books.tenant_id, f"tracking-option:{name}:{option}"),
                    "Name": option,
                    "Status": "ACTIVE",
                }
                for option in options
            ],
        }
        books.put("tracking_category", category_id, record, number=name)


def _seed_currencies(books: Books, profile: dict[str, Any]) -> None:
    for code, description, rate in profile["currencies"]:
        books.put("currency", code, {"Code": code, "Description": description, "_rate": rate}, number=code)


# --- lookups ----------------------------------------------------------------------------------
def organisation(books: Books) -> Record:
    return books.get("organisation", books.tenant_id) or {}


def base_currency(books: Books) -> str:
    return organisation(books).get("BaseCurrency", "NZD")


def today(books: Books) -> date:
    zone = seed.TIMEZONES.get(organisation(books).get("Timezone", ""), "UTC")
    return datetime.now(ZoneInfo(zone)).date()


def account_by_code(books: Books, code: str | None) -> Record | None:
    matches = books.by_number("account", code)
    return matches[0] if matches else None


def account_by_id(books: Books, account_id: str | None) -> Record | None:
    return books.get("account", account_id)


def tax_rate(books: Books, tax_type: str | None) -> Record | None:
    matches = books.by_number("tax_rate", tax_type)
    return matches[0] if matches else None


def effective_tax_rate(rate: Record) -> Decimal:
    return Decimal(str(rate.get("EffectiveRate", 0))) / 100


def currency(books: Books, code: str | None) -> Record | None:
    matches = books.by_number("currency", code)
    return matches[0] if matches else None


def branding_theme(books: Books, theme_id: str | None) -> Record | None:
    return books.get("branding_theme", theme_id)


def default_branding_theme(books: Books) -> Record | None:
    themes = sorted(books.all("branding_theme"), key=lambda theme: theme["SortOrder"])
    return themes[0] if themes else None


def tracking_categories(books: Books) -> list[Record]:
    return books.all("tracking_category")
