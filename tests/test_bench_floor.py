"""The floor under `bench sync` makes the connector's own queries: its reads are built from the connector's column
lists, expansions and page sizes, not from copies that could drift from them."""

from __future__ import annotations

from bench.floor import _read_query, chunks, ratio_to_floor
from dxconnector.dynamics import changes


def test_it_reads_invoices_with_the_connectors_columns_expansions_and_headers():
    params, headers = _read_query("invoices", ["a", "b"])
    assert params["$select"] == ",".join(changes.INVOICE_COLUMNS)
    assert params["$expand"] == changes.INVOICE_EXPAND
    assert params["$filter"] == changes.in_filter("invoiceid", ["a", "b"])
    assert headers == {"Prefer": "odata.maxpagesize=2", "If-None-Match": "null"}


def test_it_reads_products_with_their_codes_expanded_and_accounts_without_expansion():
    products, _ = _read_query("products", ["p"])
    accounts, _ = _read_query("accounts", ["a"])
    assert products["$expand"] == changes.PRODUCT_EXPAND
    assert products["$select"].split(",") == ["productid", *changes.PRODUCT_COLUMNS]
    assert "$expand" not in accounts
    assert accounts["$select"].split(",") == ["accountid", *changes.ACCOUNT_COLUMNS]


def test_it_reads_ids_in_the_connectors_queries_of_200():
    assert [len(chunk) for chunk in chunks(list(range(500)), changes.IDS_PER_QUERY)] == [200, 200, 100]


def test_the_ratio_is_the_connectors_rate_over_the_floors():
    assert ratio_to_floor(250.0, 500.0) == 0.5
