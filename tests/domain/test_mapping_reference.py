from decimal import Decimal as D

import pytest

from dxconnector.domain.mapping.reference import (
    account_row,
    branding_theme_row,
    connection_columns,
    currency_row,
    tax_rate_row,
    tracking_category_row,
    tracking_option_rows,
)
from dxconnector.domain.records import DynamicsRow, Lookup
from dxconnector.dynamics.solution.definition import DYNAMICS_XERO_CONNECTOR

CONNECTION = Lookup("stl3_dynamicsxeroconnector", "conn-1")
ACTIVE, ARCHIVED = 100_000_000, 100_000_001


def test_an_account_becomes_a_chart_of_accounts_row():
    account = {
        "AccountID": "acc-x",
        "Code": "200",
        "Name": "Sales",
        "Type": "REVENUE",
        "TaxType": "OUTPUT2",
        "Status": "ACTIVE",
        "Class": "REVENUE",
    }
    assert account_row(account, "conn-1") == DynamicsRow(
        "stl3_chartofaccounts",
        "stl3_xeroaccountid",
        "acc-x",
        {
            "stl3_name": "200 - Sales",
            "stl3_code": "200",
            "stl3_accountname": "Sales",
            "stl3_type": "REVENUE",
            "stl3_taxtype": "OUTPUT2",
            "stl3_status": ACTIVE,
            "stl3_xeroaccountid": "acc-x",
            "stl3_connectorid": CONNECTION,
        },
    )


@pytest.mark.parametrize(
    ("account", "name", "status"),
    [
        (
            {"AccountID": "a", "Name": "Business Bank Account", "Type": "BANK", "Status": "ACTIVE"},
            "Business Bank Account",
            ACTIVE,
        ),  # bank accounts may have no code
        ({"AccountID": "a", "Code": "477", "Name": "Salaries", "Status": "ARCHIVED"}, "477 - Salaries", ARCHIVED),
        ({"AccountID": "a", "Code": "478", "Name": "Old", "Status": "DELETED"}, "478 - Old", ARCHIVED),
        (
            {"AccountID": "a", "Code": "479", "Name": "Ventes à l'étranger — Übersee"},
            "479 - Ventes à l'étranger — Übersee",
            ACTIVE,
        ),
    ],
)
def test_account_names_and_statuses(account, name, status):
    row = account_row(account, "conn-1")
    assert (row.columns["stl3_name"], row.columns["stl3_status"]) == (name, status)


def test_a_tax_rate_becomes_a_tax_rate_row_keyed_by_its_tax_type():
    rate = {
        "Name": "15% GST on Income",
        "TaxType": "OUTPUT2",
        "Status": "ACTIVE",
        "EffectiveRate": 15.0,
        "DisplayTaxRate": 15.0,
        "CanApplyToRevenue": True,
        "CanApplyToExpenses": False,
        "TaxComponents": [{"Name": "GST", "Rate": 15.0}],
    }
    assert tax_rate_row(rate, "conn-1") == DynamicsRow(
        "stl3_taxrate",
        "stl3_taxtype",
        "OUTPUT2",
        {
            "stl3_name": "15% GST on Income",
            "stl3_taxtype": "OUTPUT2",
            "stl3_effectiverate": D("15.0000"),
            "stl3_status": ACTIVE,
            "stl3_canapplytorevenue": True,
            "stl3_canapplytoexpenses": False,
            "stl3_connectorid": CONNECTION,
        },
    )


@pytest.mark.parametrize(
    ("status", "value"), [("ACTIVE", 100_000_000), ("ARCHIVED", 100_000_001), ("DELETED", 100_000_002), ("PENDING", 100_000_003)]
)
def test_every_tax_rate_status_has_its_option(status, value):
    row = tax_rate_row({"Name": "x", "TaxType": "T", "Status": status, "EffectiveRate": "12.5"}, "conn-1")
    assert row.columns["stl3_status"] == value


def test_a_branding_theme_becomes_a_branding_theme_row():
    theme = {
        "BrandingThemeID": "bt-1",
        "Name": "Standard",
        "SortOrder": 0,
        "Type": "INVOICE",
        "CreatedDateUTC": "/Date(1773100800000+0000)/",
    }
    assert branding_theme_row(theme, "conn-1") == DynamicsRow(
        "stl3_brandingtheme",
        "stl3_xerobrandingthemeid",
        "bt-1",
        {
            "stl3_name": "Standard",
            "stl3_xerobrandingthemeid": "bt-1",
            "stl3_sortorder": 0,
            "stl3_status": ACTIVE,
            "stl3_connectorid": CONNECTION,
        },
    )


CATEGORY = {
    "TrackingCategoryID": "tc-1",
    "Name": "Region",
    "Status": "ACTIVE",
    "Options": [
        {"TrackingOptionID": "to-1", "Name": "North", "Status": "ACTIVE"},
        {"TrackingOptionID": "to-2", "Name": "Te Waipounamu", "Status": "ARCHIVED"},
        {"TrackingOptionID": "to-3", "Name": "Gone", "Status": "DELETED"},
    ],
}


def test_a_tracking_category_and_its_options_become_rows():
    assert tracking_category_row(CATEGORY, "conn-1") == DynamicsRow(
        "stl3_trackingcategory",
        "stl3_xerotrackingcategoryid",
        "tc-1",
        {"stl3_name": "Region", "stl3_xerotrackingcategoryid": "tc-1", "stl3_status": ACTIVE, "stl3_connectorid": CONNECTION},
    )
    rows = tracking_option_rows(CATEGORY, "row-of-region")
    assert [row.key for row in rows] == ["to-1", "to-2", "to-3"]
    assert rows[0] == DynamicsRow(
        "stl3_trackingoption",
        "stl3_xerotrackingoptionid",
        "to-1",
        {
            "stl3_name": "North",
            "stl3_trackingcategoryid": Lookup("stl3_trackingcategory", "row-of-region"),
            "stl3_xerotrackingoptionid": "to-1",
            "stl3_status": ACTIVE,
        },
    )
    assert [row.columns["stl3_status"] for row in rows] == [ACTIVE, ARCHIVED, ARCHIVED]


def test_a_category_without_options_has_no_option_rows():
    assert tracking_option_rows({"TrackingCategoryID": "tc", "Name": "Empty"}, "row") == ()


@pytest.mark.parametrize(
    ("currency", "key", "name"),
    [
        ({"Code": "NZD", "Description": "New Zealand Dollar"}, "NZD", "NZD - New Zealand Dollar"),
        ({"Code": "eur"}, "EUR", "EUR"),
    ],
)
def test_a_currency_becomes_a_currency_row(currency, key, name):
    row = currency_row(currency, "conn-1")
    assert (row.table, row.key_column, row.key) == ("stl3_currency", "stl3_code", key)
    assert row.columns == {"stl3_name": name, "stl3_code": key, "stl3_status": ACTIVE, "stl3_connectorid": CONNECTION}


def test_long_names_are_cut_to_the_primary_name_column():
    row = tracking_category_row({"TrackingCategoryID": "t", "Name": "Ä" * 150}, "conn-1")
    assert row.columns["stl3_name"] == "Ä" * 100


def test_the_organisation_name_goes_on_the_connection_row():
    assert connection_columns({"Name": "Demo Company (NZ)", "ShortCode": "!x"}) == {"stl3_organisationname": "Demo Company (NZ)"}


ROWS = [
    account_row({"AccountID": "a", "Code": "200", "Name": "Sales", "Type": "REVENUE", "TaxType": "OUTPUT2"}, "c"),
    tax_rate_row({"Name": "GST", "TaxType": "OUTPUT2", "EffectiveRate": 15}, "c"),
    branding_theme_row({"BrandingThemeID": "b", "Name": "Standard"}, "c"),
    tracking_category_row(CATEGORY, "c"),
    *tracking_option_rows(CATEGORY, "r"),
    currency_row({"Code": "NZD", "Description": "New Zealand Dollar"}, "c"),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.table)
def test_every_row_uses_the_solutions_own_column_names(row):
    table = DYNAMICS_XERO_CONNECTOR.table(row.table)
    names = {column.name for column in table.columns} | {table.primary_name}
    assert set(row.columns) <= names
    assert row.key_column in names
    for name, value in row.columns.items():
        if isinstance(value, Lookup):
            assert table.column(name).target == value.table


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.table)
def test_every_status_value_is_an_option_of_its_column(row):
    if "stl3_status" in row.columns:
        column = DYNAMICS_XERO_CONNECTOR.table(row.table).column("stl3_status")
        assert row.columns["stl3_status"] in {choice.value for choice in column.choices}
