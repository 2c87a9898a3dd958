"""The reference data every organisation starts with: accounts, tax rates, themes, tracking, currencies."""

from __future__ import annotations

import pytest


def test_the_chart_of_accounts_has_the_usual_codes(api):
    accounts = {account["Code"]: account for account in api.get("/Accounts").json()["Accounts"]}
    assert (accounts["200"]["Name"], accounts["200"]["Type"], accounts["200"]["TaxType"]) == ("Sales", "REVENUE", "OUTPUT2")
    assert (accounts["400"]["Name"], accounts["400"]["Type"], accounts["400"]["TaxType"]) == (
        "Advertising",
        "OVERHEADS",
        "INPUT2",
    )
    assert (accounts["090"]["Type"], accounts["090"]["CurrencyCode"], accounts["090"]["BankAccountType"]) == (
        "BANK",
        "NZD",
        "BANK",
    )
    assert accounts["610"]["SystemAccount"] == "DEBTORS" and accounts["820"]["Name"] == "GST"


def test_an_account_can_be_fetched_by_its_id(api):
    sales = api.get("/Accounts", params={"where": 'Code=="200"'}).json()["Accounts"][0]
    assert api.get(f"/Accounts/{sales['AccountID']}").json()["Accounts"] == [sales]


def test_accounts_filter_by_type_and_status(api):
    banks = api.get("/Accounts", params={"where": 'Status=="ACTIVE" AND Type=="BANK"', "order": "Code DESC"}).json()["Accounts"]
    assert [account["Code"] for account in banks] == ["091", "090"]


def test_new_zealand_has_gst_at_fifteen_percent(api):
    rates = {rate["TaxType"]: rate for rate in api.get("/TaxRates").json()["TaxRates"]}
    assert rates["OUTPUT2"]["EffectiveRate"] == 15 and rates["INPUT2"]["EffectiveRate"] == 15
    assert rates["OUTPUT2"]["TaxComponents"][0]["Name"] == "GST" and rates["NONE"]["EffectiveRate"] == 0


def test_australia_has_gst_at_ten_percent(au_api):
    rates = {rate["TaxType"]: rate for rate in au_api.get("/TaxRates").json()["TaxRates"]}
    assert rates["OUTPUT"]["EffectiveRate"] == 10 and "BASEXCLUDED" in rates and "OUTPUT2" not in rates


def test_a_tax_rate_can_be_fetched_by_its_tax_type(api):
    [rate] = api.get("/TaxRates/OUTPUT2").json()["TaxRates"]
    assert rate["Name"] == "15% GST on Income"


def test_there_are_two_branding_themes_the_first_being_the_default(api):
    themes = api.get("/BrandingThemes").json()["BrandingThemes"]
    assert [(theme["Name"], theme["SortOrder"]) for theme in themes] == [("Standard", 0), ("Special Projects", 1)]
    assert api.get(f"/BrandingThemes/{themes[1]['BrandingThemeID']}").json()["BrandingThemes"] == [themes[1]]


def test_the_region_tracking_category_has_options(api):
    [region] = api.get("/TrackingCategories").json()["TrackingCategories"]
    assert region["Name"] == "Region" and [option["Name"] for option in region["Options"]] == ["North", "South", "East", "West"]
    assert api.get(f"/TrackingCategories/{region['TrackingCategoryID']}").json()["TrackingCategories"] == [region]


def test_currencies_include_the_base_currency(api, au_api):
    assert [currency["Code"] for currency in api.get("/Currencies").json()["Currencies"]] == ["NZD", "AUD", "USD"]
    assert "AUD" in [
        currency["Code"] for currency in au_api.get("/Currencies", params={"where": 'Code=="AUD"'}).json()["Currencies"]
    ]


@pytest.mark.parametrize(
    "path",
    ["/Accounts/00000000-0000-0000-0000-000000000000", "/TaxRates/NOPE", "/BrandingThemes/00000000-0000-0000-0000-000000000000"],
)
def test_an_unknown_record_is_a_404(api, path):
    assert api.get(path).status_code == 404


def test_resource_names_are_case_insensitive(api):
    assert api.http.get("/taxrates").json()["TaxRates"] == api.get("/TaxRates").json()["TaxRates"]
