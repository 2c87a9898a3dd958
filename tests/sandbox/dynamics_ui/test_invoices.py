"""Invoices with lines through the app: totals are the Web API's own, to the cent."""

from __future__ import annotations

import pytest

from tests.sandbox.dynamics_ui.helpers import (
    Person,
    amount,
    error_text,
    field_value,
    html,
    line_amount,
    line_ids,
    new_id,
    notices,
    options,
    unique,
)


def new_account(seller: Person) -> str:
    return new_id(seller.post("accounts", data={"name": unique("Invoice customer")}))


def new_product(seller: Person, price: str) -> str:
    return new_id(seller.post("products", data={"name": unique("Invoiced product"), "price": price}))


def new_invoice(seller: Person, customer: str, **more: str) -> str:
    form = seller.get("invoices", "new")
    defaults = {name: field_value(form, name) for name in ("pricelevelid", "transactioncurrencyid")}
    return new_id(seller.post("invoices", data={"name": unique("Invoice"), "customerid": customer, **defaults, **more}))


def add_line(seller: Person, invoice_id: str, **values: str) -> None:
    response = seller.post("invoices", invoice_id, "lines", data={"quantity": "1", **values})
    assert response.status_code == 303, error_text(response)


@pytest.fixture
def seller(person) -> Person:
    return person("sales@oakwood.sandbox")


def test_the_new_invoice_form_defaults_to_the_price_list_and_its_currency(seller, web_api):
    form = seller.get("invoices", "new")
    [price_list] = web_api().rows(
        "pricelevels", **{"$select": "name,_transactioncurrencyid_value", "$filter": "name eq 'Default Price List'"}
    )
    assert field_value(form, "pricelevelid") == price_list["pricelevelid"]
    assert field_value(form, "transactioncurrencyid") == price_list["_transactioncurrencyid_value"]
    assert "US Dollar" in options(form, "transactioncurrencyid")


def test_an_invoice_with_a_product_line_and_a_write_in_line_totals_as_the_web_api_does(seller, web_api):
    api = web_api()
    account_id, product_id = new_account(seller), new_product(seller, "19.99")
    invoice_id = new_invoice(
        seller, f"account:{account_id}", duedate="2026-03-31", datedelivered="2026-03-01", description="Autumn order"
    )
    add_line(seller, invoice_id, productid=product_id, quantity="3")
    add_line(
        seller,
        invoice_id,
        productdescription="Delivery to Ōtautahi",
        quantity="2",
        priceperunit="12.345",
        manualdiscountamount="1.50",
    )

    page = seller.get("invoices", invoice_id)
    invoice = api.get(
        f"invoices({invoice_id})",
        **{"$select": "totalamount,totallineitemamount,duedate,datedelivered,description,_customerid_value"},
    )
    lines = {
        line["invoicedetailid"]: line
        for line in api.rows(
            "invoicedetails",
            **{"$select": "extendedamount,priceperunit,isproductoverridden", "$filter": f"_invoiceid_value eq {invoice_id}"},
        )
    }
    assert amount(page) == invoice["totalamount"] == 83.17  # 3 × 19.99 + 2 × 12.35 − 1.50
    assert (
        float(html(page).xpath("//td[@data-field='totallineitemamount']")[0].get("data-amount")) == invoice["totallineitemamount"]
    )
    assert set(line_ids(page)) == set(lines)
    for line_id, line in lines.items():
        assert line_amount(page, line_id, "extendedamount") == line["extendedamount"]
    assert sorted(line["priceperunit"] for line in lines.values()) == [12.35, 19.99]
    assert (invoice["duedate"], invoice["datedelivered"][:10], invoice["description"]) == (
        "2026-03-31",
        "2026-03-01",
        "Autumn order",
    )
    assert invoice["_customerid_value"] == account_id


def test_editing_and_removing_lines_recalculates_the_total(seller, web_api):
    api = web_api()
    product_id = new_product(seller, "100.00")
    invoice_id = new_invoice(seller, f"account:{new_account(seller)}")
    add_line(seller, invoice_id, productid=product_id, quantity="2")
    add_line(seller, invoice_id, productdescription="Setup", priceperunit="50")
    page = seller.get("invoices", invoice_id)
    assert amount(page) == 250.0
    product_line, write_in = line_ids(page)

    edit = seller.get("invoices", invoice_id, "lines", product_line)
    assert (field_value(edit, "quantity"), field_value(edit, "priceperunit")) == ("2", "")  # the list price is not overridden
    saved = seller.post(
        "invoices", invoice_id, "lines", product_line, data={"quantity": "5", "priceperunit": "", "manualdiscountamount": "20"}
    )
    page = seller.follow(saved)
    assert notices(page) == ["Invoice product saved; the totals were recalculated."]
    assert amount(page) == api.get(f"invoices({invoice_id})", **{"$select": "totalamount"})["totalamount"] == 530.0

    seller.post(
        "invoices", invoice_id, "lines", product_line, data={"quantity": "5", "priceperunit": "90", "manualdiscountamount": "20"}
    )
    line = api.get(f"invoicedetails({product_line})", **{"$select": "ispriceoverridden,priceperunit,extendedamount"})
    assert (line["ispriceoverridden"], line["priceperunit"], line["extendedamount"]) == (True, 90.0, 430.0)

    page = seller.follow(seller.post("invoices", invoice_id, "lines", write_in, "delete"))
    assert line_ids(page) == [product_line]
    assert amount(page) == api.get(f"invoices({invoice_id})", **{"$select": "totalamount"})["totalamount"] == 430.0


def test_a_contact_can_be_the_customer_and_the_header_can_be_edited(seller, web_api):
    contact_id = new_id(seller.post("contacts", data={"firstname": "Mere", "lastname": unique("Customer")}))
    invoice_id = new_invoice(seller, f"contact:{contact_id}")
    page = seller.get("invoices", invoice_id)
    assert field_value(page, "customerid") == f"contact:{contact_id}"
    form = {
        name: field_value(page, name)
        for name in ("name", "customerid", "pricelevelid", "datedelivered", "duedate", "description")
    }
    seller.post("invoices", invoice_id, data={**form, "name": "Renamed invoice", "duedate": "2026-12-24"})
    invoice = web_api().get(f"invoices({invoice_id})", **{"$select": "name,duedate,_customerid_value"})
    assert (invoice["name"], invoice["duedate"], invoice["_customerid_value"]) == ("Renamed invoice", "2026-12-24", contact_id)


def test_a_write_in_line_needs_a_price(seller):
    invoice_id = new_invoice(seller, f"account:{new_account(seller)}")
    refused = seller.post("invoices", invoice_id, "lines", data={"productdescription": "Mystery box", "quantity": "1"})
    assert refused.status_code == 400
    assert "Price Per Unit: provide a value for a write-in product." in error_text(refused)
    assert field_value(refused, "productdescription") == "Mystery box"


def test_marking_an_invoice_paid_closes_it(seller, web_api):
    invoice_id = new_invoice(seller, f"account:{new_account(seller)}")
    add_line(seller, invoice_id, productdescription="Consulting", priceperunit="180")
    page = seller.follow(seller.post("invoices", invoice_id, "status", data={"status": "2:100001"}))
    assert notices(page) == ["Invoice status changed."]
    assert html(page).xpath("//*[@data-field='statuscode']")[0].text_content() == "Complete"
    invoice = web_api().get(f"invoices({invoice_id})", **{"$select": "statecode,statuscode"})
    assert (invoice["statecode"], invoice["statuscode"]) == (2, 100001)
    assert not html(page).xpath("//form[@id='add-line']")
    refused = seller.post(
        "invoices", invoice_id, "lines", data={"productdescription": "Late extra", "priceperunit": "1", "quantity": "1"}
    )
    assert refused.status_code == 400
    assert "The invoice cannot be changed: it is not active" in error_text(refused)


def test_cancelling_an_invoice(seller, web_api):
    invoice_id = new_invoice(seller, f"account:{new_account(seller)}")
    seller.post("invoices", invoice_id, "status", data={"status": "3:100003"})
    invoice = web_api().get(f"invoices({invoice_id})", **{"$select": "statecode,statuscode"})
    assert (invoice["statecode"], invoice["statuscode"]) == (3, 100003)


def test_the_grid_lists_the_invoice_with_its_customer_total_and_status(seller):
    account_name = unique("Grid customer")
    account_id = new_id(seller.post("accounts", data={"name": account_name}))
    name = unique("Grid invoice")
    invoice_id = new_invoice(seller, f"account:{account_id}", name=name)
    add_line(seller, invoice_id, productdescription="Widget", priceperunit="7.25", quantity="4")
    grid = seller.get("invoices", q=name)
    [row] = html(grid).xpath("//table[@id='records']//tr[@data-id]")
    cells = [cell.text_content() for cell in row.xpath("td")]
    assert row.get("data-id") == invoice_id
    assert (cells[0], cells[2], cells[3], cells[4]) == (name, account_name, "$29.00", "New")
