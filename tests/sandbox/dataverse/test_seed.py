"""What a new organisation holds, and realistic sales data in quantity."""

from __future__ import annotations

import time

from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft.dataverse.seed import seed_sales_data
from dxsandbox.microsoft.dataverse.service import service_for
from dxsandbox.microsoft.dataverse.settings import DataverseSettings
from tests.sandbox.dataverse.conftest import API, ORG, USERS


def test_a_new_organisation_has_the_reference_rows_a_working_org_needs(org):
    api = org.api
    [currency] = api.list("transactioncurrency")
    assert (currency["isocurrencycode"], currency["currencysymbol"], currency["exchangerate"]) == ("EUR", "€", 1.0)
    assert [u["name"] for u in api.list("uom")] == ["Primary Unit"]
    assert [p["name"] for p in api.list("pricelevel")] == ["Default Price List"]
    assert [b["businessunitid"] for b in api.list("businessunit")] == [ORG["business_unit_id"]]
    users = {u["fullname"] for u in api.list("systemuser")}
    assert {"SYSTEM", "Åsa Admin", "Sam Seller", "# Xero connector"} <= users
    assert {m["name"] for m in api.list("sdkmessage")} >= {"Create", "Update", "Delete"}
    assert len(api.list("sdkmessagefilter", filter="primaryobjecttypecode eq 'invoice'")) == 3


def test_the_default_sales_data_has_non_ascii_names_and_priced_invoices(org):
    names = [a["name"] for a in org.api.list("account")]
    assert any(not name.isascii() for name in names)
    invoices = org.api.list("invoice", select=["totalamount", "invoicenumber", "_customerid_value"])
    assert invoices and all(
        i["totalamount"] > 0 and i["invoicenumber"].startswith("INV-") and i["_customerid_value"] for i in invoices
    )
    body = (
        org.client()
        .get(f"{API}/invoices", params={"$select": "name", "$expand": "invoice_details($select=extendedamount)"})
        .json()
    )
    assert all(len(i["invoice_details"]) == 2 for i in body["value"])


def test_seeding_thousands_of_invoices_is_fast_and_queries_stay_fast(tmp_path):
    store = DocumentStore(tmp_path / "bench.sqlite3")
    service = service_for(ORG, store, settings=DataverseSettings(users=list(USERS), seed=None))
    started = time.perf_counter()
    added = seed_sales_data(store, ORG, accounts=200, products=40, invoices=1000, lines_per_invoice=3, seed=7)
    seeded = time.perf_counter() - started
    assert added["invoicedetails"] == 3000 and service.storage.count("invoice") == 1000
    assert seeded < 30, f"seeding took {seeded:.1f}s"
    account = service.api.list("account", top=1)[0]
    started = time.perf_counter()
    for _ in range(50):
        service.api.list("invoice", filter=f"_customerid_value eq {account['accountid']}", select=["totalamount"])
    assert time.perf_counter() - started < 2.0  # indexed: no scan of every invoice per query


def test_the_store_keeps_an_organisation_across_restarts(tmp_path):
    path = tmp_path / "restart.sqlite3"
    first = DocumentStore(path)
    created = service_for(ORG, first, settings=DataverseSettings(users=list(USERS), seed=None)).api.create(
        "account", {"name": "Persistent Ærø"}
    )
    first.close()
    second = DocumentStore(path)
    again = service_for(ORG, second, settings=DataverseSettings(users=list(USERS), seed=None))
    assert again.api.get("account", created["accountid"])["name"] == "Persistent Ærø"
    assert again.storage.version >= int(created["@odata.etag"].split('"')[1])
