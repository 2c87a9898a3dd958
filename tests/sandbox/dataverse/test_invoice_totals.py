"""Invoice lines and invoice totals are calculated as Dynamics 365 Sales calculates them."""

from __future__ import annotations

import pytest

from tests.sandbox.dataverse.conftest import API

TOTALS = "totallineitemamount,totallineitemdiscountamount,totaltax,totaldiscountamount,totalamountlessfreight,totalamount"


@pytest.fixture
def invoice(org):
    account = org.api.create("account", {"name": "Totals Ärzte eG"})
    return org.api.create("invoice", {"name": "Totals", "customerid_account@odata.bind": f"/accounts({account['accountid']})"})


def add_line(org, invoice, **values):
    response = org.client().post(
        f"{API}/invoicedetails",
        json={"invoiceid@odata.bind": f"/invoices({invoice['invoiceid']})", **values},
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 201, response.text
    return response.json()


def totals(org, invoice):
    return org.client().get(f"{API}/invoices({invoice['invoiceid']})", params={"$select": TOTALS}).json()


def test_a_line_extends_quantity_times_price_less_discount_plus_tax(org, invoice):
    line = add_line(
        org, invoice, productdescription="Write-in Beratung", quantity=3, priceperunit=19.99, manualdiscountamount=5, tax=4.2
    )
    assert (line["baseamount"], line["extendedamount"], line["isproductoverridden"]) == (59.97, 59.17, True)


def test_the_invoice_sums_its_lines_then_applies_invoice_discount_freight_and_tax(org, invoice):
    add_line(org, invoice, productdescription="A", quantity=2, priceperunit=100, manualdiscountamount=10, tax=19)
    add_line(org, invoice, productdescription="B", quantity=1, priceperunit=50.5, tax=9.6)
    org.client().patch(
        f"{API}/invoices({invoice['invoiceid']})", json={"discountpercentage": 10, "discountamount": 5, "freightamount": 12}
    )
    body = totals(org, invoice)
    assert body["totallineitemamount"] == 240.5  # 200 - 10 + 50.5, before tax
    assert body["totallineitemdiscountamount"] == 10.0
    assert body["totaltax"] == 28.6
    assert body["totaldiscountamount"] == 29.05  # 5 + 10% of 240.5
    assert body["totalamountlessfreight"] == 211.45
    assert body["totalamount"] == 252.05  # 211.45 + 12 freight + 28.6 tax


def test_catalog_products_take_their_list_price_unless_the_price_is_overridden(org, invoice):
    product = org.api.create("product", {"name": "Stromzähler", "productnumber": "SZ-1", "price": 80.0})
    catalog = add_line(
        org, invoice, **{"productid@odata.bind": f"/products({product['productid']})", "quantity": 2, "priceperunit": 1.0}
    )
    assert (catalog["priceperunit"], catalog["extendedamount"], catalog["productname"]) == (80.0, 160.0, "Stromzähler")
    overridden = add_line(
        org,
        invoice,
        **{
            "productid@odata.bind": f"/products({product['productid']})",
            "quantity": 2,
            "priceperunit": 70.0,
            "ispriceoverridden": True,
        },
    )
    assert overridden["extendedamount"] == 140.0
    assert totals(org, invoice)["totalamount"] == 300.0


def test_updating_and_deleting_lines_moves_the_totals_and_the_invoice_etag(org, invoice):
    line = add_line(org, invoice, productdescription="Move", quantity=1, priceperunit=10)
    before = totals(org, invoice)
    org.client().patch(f"{API}/invoicedetails({line['invoicedetailid']})", json={"quantity": 4})
    after = totals(org, invoice)
    assert (before["totalamount"], after["totalamount"]) == (10.0, 40.0)
    assert before["@odata.etag"] != after["@odata.etag"]
    assert org.client().delete(f"{API}/invoicedetails({line['invoicedetailid']})").status_code == 204
    assert totals(org, invoice)["totalamount"] == 0.0


def test_totals_cannot_be_written_and_paid_invoices_are_read_only(org, invoice):
    org.client().patch(f"{API}/invoices({invoice['invoiceid']})", json={"totalamount": 999})
    assert totals(org, invoice)["totalamount"] == 0.0
    paid = org.client().patch(f"{API}/invoices({invoice['invoiceid']})", json={"statecode": 2, "statuscode": 100001})
    assert paid.status_code == 204
    refused = org.client().post(
        f"{API}/invoicedetails",
        json={
            "invoiceid@odata.bind": f"/invoices({invoice['invoiceid']})",
            "productdescription": "late",
            "quantity": 1,
            "priceperunit": 1,
        },
    )
    assert refused.status_code == 400


def test_an_invoice_with_its_lines_can_be_created_in_one_deep_insert(org):
    account = org.api.create("account", {"name": "Deep Insert SA"})
    response = org.client().post(
        f"{API}/invoices?$select=name,totalamount&$expand=invoice_details($select=extendedamount)",
        json={
            "name": "Deep",
            "customerid_account@odata.bind": f"/accounts({account['accountid']})",
            "invoice_details": [
                {"productdescription": "x", "quantity": 2, "priceperunit": 7.5},
                {"productdescription": "y", "quantity": 1, "priceperunit": 5, "tax": 1},
            ],
        },
        headers={"Prefer": "return=representation"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["totalamount"] == 21.0 and sorted(line["extendedamount"] for line in body["invoice_details"]) == [6.0, 15.0]


def test_the_products_inside_a_bundle_keep_their_own_amounts_but_the_bundle_line_is_what_counts(org, invoice):
    add_line(org, invoice, productdescription="Kit", quantity=1, priceperunit=30, producttypecode=2)
    component = add_line(org, invoice, productdescription="Bolt", quantity=4, priceperunit=1, producttypecode=3)
    add_line(org, invoice, productdescription="Nut", quantity=1, priceperunit=0.5, producttypecode=4)
    assert component["extendedamount"] == 4.0
    assert (totals(org, invoice)["totallineitemamount"], totals(org, invoice)["totalamount"]) == (30.0, 30.0)
