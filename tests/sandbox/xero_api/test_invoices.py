"""Invoices: totals, numbering, contacts, lines (items, accounts, tax, discounts, tracking), currencies."""

from __future__ import annotations

import re

import pytest

from tests.sandbox.xero_api.client import unique


def line(**fields):
    return {"Description": "Work", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200", **fields}


def test_it_computes_exclusive_totals_with_gst(api):
    invoice = api.new_invoice(lines=[line(Quantity=3, UnitAmount=33.33), line(UnitAmount=10)])
    assert [item["LineAmount"] for item in invoice["LineItems"]] == [99.99, 10]
    assert [item["TaxAmount"] for item in invoice["LineItems"]] == [15.0, 1.5]
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"], invoice["AmountDue"]) == (109.99, 16.5, 126.49, 126.49)
    assert invoice["LineAmountTypes"] == "Exclusive" and invoice["LineItems"][0]["TaxType"] == "OUTPUT2"


def test_it_computes_inclusive_totals(api):
    invoice = api.new_invoice(LineAmountTypes="Inclusive", lines=[line(UnitAmount=115)])
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == (100, 15, 115)


def test_no_tax_lines_carry_no_tax(api):
    invoice = api.new_invoice(LineAmountTypes="NoTax", lines=[line(UnitAmount=80)])
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"]) == (80, 0, 80)


def test_discounts_reduce_the_line_on_sales_invoices(api):
    invoice = api.new_invoice(lines=[line(Quantity=2, UnitAmount=50, DiscountRate=10), line(UnitAmount=40, DiscountAmount=5)])
    assert [item["LineAmount"] for item in invoice["LineItems"]] == [90, 35]
    assert (invoice["SubTotal"], invoice["TotalTax"], invoice["Total"], invoice["TotalDiscount"]) == (125, 18.75, 143.75, 15)
    assert invoice["IsDiscounted"] is True


def test_bills_cannot_carry_discounts(api):
    response = api.put(
        "/Invoices",
        json={
            "Invoices": [
                {
                    "Type": "ACCPAY",
                    "Contact": {"Name": unique("Supplier")},
                    "LineItems": [line(AccountCode="400", DiscountRate=5)],
                }
            ]
        },
    )
    assert response.status_code == 400 and "only be applied to sales documents" in response.text


def test_it_numbers_sales_invoices_when_no_number_is_given(api, au_api):
    first, second = api.new_invoice(), api.new_invoice()
    assert re.fullmatch(r"INV-\d{4,}", first["InvoiceNumber"])
    assert int(second["InvoiceNumber"][4:]) > int(first["InvoiceNumber"][4:])
    assert au_api.new_invoice(lines=[line(AccountCode="200")])["InvoiceNumber"].startswith("BW-")


def test_it_rejects_a_duplicate_invoice_number(api):
    number = unique("INV")
    api.new_invoice(InvoiceNumber=number)
    response = api.put(
        "/Invoices",
        json={
            "Invoices": [{"Type": "ACCREC", "InvoiceNumber": number, "Contact": {"Name": unique("Dup")}, "LineItems": [line()]}]
        },
    )
    assert response.status_code == 400
    [element] = response.json()["Elements"]
    assert element["ValidationErrors"] == [{"Message": "Invoice # must be unique."}]
    assert (response.json()["ErrorNumber"], response.json()["Type"]) == (10, "ValidationException")


def test_bill_numbers_need_not_be_unique_and_bills_have_no_reference(api):
    supplier = api.new_contact()
    bills = [
        api.new_invoice(
            Type="ACCPAY", contact=supplier, InvoiceNumber="SUP-100", Reference="ignored", lines=[line(AccountCode="400")]
        )
        for _ in range(2)
    ]
    assert [bill["InvoiceNumber"] for bill in bills] == ["SUP-100", "SUP-100"]
    assert "Reference" not in bills[0] and bills[0]["LineItems"][0]["TaxType"] == "INPUT2"


def test_a_bill_without_a_number_gets_none(api):
    bill = api.new_invoice(Type="ACCPAY", lines=[line(AccountCode="400")])
    assert "InvoiceNumber" not in bill


def test_the_due_date_defaults_to_thirty_days_after_the_invoice_date(api):
    invoice = api.new_invoice(Date="2026-01-15")
    assert (invoice["DateString"], invoice["DueDateString"]) == ("2026-01-15T00:00:00", "2026-02-14T00:00:00")
    assert invoice["Date"] == "/Date(1768435200000+0000)/"


def test_the_due_date_follows_the_contacts_sales_terms(api):
    contact = api.new_contact(PaymentTerms={"Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}})
    invoice = api.new_invoice(contact=contact, Date="2026-01-15")
    assert invoice["DueDateString"] == "2026-02-20T00:00:00"


def test_dates_are_accepted_in_every_format_xero_takes(api):
    for given in (
        "2026-04-01",
        "2026-04-01T00:00:00",
        "2026-04-01T09:30:00+12:00",
        "/Date(1775001600000)/",
        "/Date(1775001600000+0000)/",
    ):
        assert api.new_invoice(Date=given)["DateString"] == "2026-04-01T00:00:00", given


def test_a_contact_named_but_unknown_is_created_with_the_invoice(api):
    name = unique("Walk-in")
    invoice = api.new_invoice(Contact={"Name": name, "EmailAddress": "walk@example.com"})
    assert invoice["Contact"]["Name"] == name
    [contact] = api.get("/Contacts", params={"where": f'Name=="{name}"'}).json()["Contacts"]
    assert contact["ContactID"] == invoice["Contact"]["ContactID"] and contact["EmailAddress"] == "walk@example.com"


def test_a_contact_can_be_named_by_contact_number(api):
    contact = api.new_contact(ContactNumber=unique("CN"))
    invoice = api.new_invoice(Contact={"ContactNumber": contact["ContactNumber"]})
    assert invoice["Contact"]["ContactID"] == contact["ContactID"]


def test_an_invoice_needs_a_contact(api):
    response = api.put("/Invoices", json={"Invoices": [{"Type": "ACCREC", "LineItems": [line()]}]})
    assert "A Contact must be specified for this type of transaction" in response.text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ItemCode": "NO-SUCH-ITEM"}, "Item code 'NO-SUCH-ITEM' is not valid."),
        ({"AccountCode": "999"}, "Account code '999' is not a valid code for this document."),
        ({"TaxType": "NOPE"}, "The TaxType code 'NOPE' does not exist or cannot be used for this type of transaction."),
    ],
)
def test_line_references_must_exist(api, change, message):
    response = api.put(
        "/Invoices", json={"Invoices": [{"Type": "ACCREC", "Contact": {"Name": unique("Ref")}, "LineItems": [line(**change)]}]}
    )
    assert response.status_code == 400
    assert {"Message": message} in response.json()["Elements"][0]["ValidationErrors"]


def test_an_item_code_fills_in_the_line(api):
    code = unique("SKU")[:30]
    api.created(
        "Items",
        {
            "Code": code,
            "Name": "Sprocket",
            "Description": "A sprocket",
            "SalesDetails": {"UnitPrice": 12.5, "AccountCode": "260", "TaxType": "OUTPUT2"},
        },
    )
    invoice = api.new_invoice(lines=[{"ItemCode": code, "Quantity": 4}])
    [item_line] = invoice["LineItems"]
    assert (item_line["Description"], item_line["UnitAmount"]) == ("A sprocket", 12.5)
    assert (item_line["AccountCode"], item_line["LineAmount"]) == ("260", 50)
    assert item_line["Item"]["Code"] == code


def test_tracking_is_matched_to_categories_and_options(api):
    invoice = api.new_invoice(lines=[line(Tracking=[{"Name": "Region", "Option": "north"}])])
    [tracking] = invoice["LineItems"][0]["Tracking"]
    assert (tracking["Name"], tracking["Option"]) == ("Region", "North")
    [region] = api.get("/TrackingCategories").json()["TrackingCategories"]
    assert tracking["TrackingCategoryID"] == region["TrackingCategoryID"]


@pytest.mark.parametrize(
    ("tracking", "message"),
    [
        ([{"Name": "Region", "Option": "Atlantis"}], "Tracking option 'Atlantis' does not exist in tracking category 'Region'."),
        ([{"Name": "Department", "Option": "Sales"}], "Tracking category 'Department' does not exist."),
        ([{"Name": "Region", "Option": "North"}] * 3, "A line item can have at most 2 tracking categories."),
    ],
)
def test_tracking_must_match_and_is_limited_to_two(api, tracking, message):
    response = api.put(
        "/Invoices",
        json={"Invoices": [{"Type": "ACCREC", "Contact": {"Name": unique("Track")}, "LineItems": [line(Tracking=tracking)]}]},
    )
    assert {"Message": message} in response.json()["Elements"][0]["ValidationErrors"]


def test_the_default_branding_theme_applies_unless_another_is_given(api):
    themes = api.get("/BrandingThemes").json()["BrandingThemes"]
    assert api.new_invoice()["BrandingThemeID"] == themes[0]["BrandingThemeID"]
    assert api.new_invoice(BrandingThemeID=themes[1]["BrandingThemeID"])["BrandingThemeID"] == themes[1]["BrandingThemeID"]
    unknown = api.put(
        "/Invoices",
        json={
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"Name": unique("Theme")},
                    "BrandingThemeID": "11111111-2222-4333-8444-555555555555",
                }
            ]
        },
    )
    assert unknown.status_code == 400 and "Branding theme" in unknown.text


def test_foreign_currency_invoices_carry_a_rate(api):
    invoice = api.new_invoice(CurrencyCode="USD")
    assert invoice["CurrencyCode"] == "USD" and invoice["CurrencyRate"] > 0
    assert api.new_invoice(CurrencyCode="AUD", CurrencyRate=0.9)["CurrencyRate"] == 0.9
    assert api.new_invoice()["CurrencyCode"] == "NZD"
    unknown = api.put(
        "/Invoices", json={"Invoices": [{"Type": "ACCREC", "Contact": {"Name": unique("Fx")}, "CurrencyCode": "JPY"}]}
    )
    assert "The currency JPY is not set up for this organisation." in unknown.text


def test_an_invoice_keeps_its_url_and_reference(api):
    invoice = api.new_invoice(Url="https://shop.example.com/orders/42", Reference="PO 42")
    assert (invoice["Url"], invoice["Reference"]) == ("https://shop.example.com/orders/42", "PO 42")
    relative = api.put(
        "/Invoices", json={"Invoices": [{"Type": "ACCREC", "Contact": {"Name": unique("Url")}, "Url": "orders/42"}]}
    )
    assert "absolute http or https" in relative.text


def test_updating_lines_keeps_the_ids_of_lines_sent_back_and_moves_updated_date(api):
    invoice = api.new_invoice(lines=[line(Description="Keep"), line(Description="Drop")])
    kept = invoice["LineItems"][0]
    response = api.post(
        f"/Invoices/{invoice['InvoiceID']}",
        json={"Invoices": [{"LineItems": [{**kept, "Quantity": 2}, line(Description="New")]}]},
    )
    [updated] = response.json()["Invoices"]
    assert [item["Description"] for item in updated["LineItems"]] == ["Keep", "New"]
    assert updated["LineItems"][0]["LineItemID"] == kept["LineItemID"]
    assert updated["LineItems"][1]["LineItemID"] not in {item["LineItemID"] for item in invoice["LineItems"]}
    assert updated["Total"] == 345 and updated["UpdatedDateUTC"] > invoice["UpdatedDateUTC"]
    assert updated["UpdatedDateUTCString"].endswith("Z")


def test_post_can_name_a_sales_invoice_by_its_number(api):
    invoice = api.new_invoice()
    [updated] = api.post(
        "/Invoices", json={"Invoices": [{"InvoiceNumber": invoice["InvoiceNumber"], "Reference": "found"}]}
    ).json()["Invoices"]
    assert (updated["InvoiceID"], updated["Reference"]) == (invoice["InvoiceID"], "found")


def test_an_invoice_can_be_fetched_by_id_or_number(api):
    invoice = api.new_invoice()
    assert api.invoice(invoice["InvoiceID"]) == invoice
    assert api.invoice(invoice["InvoiceNumber"])["InvoiceID"] == invoice["InvoiceID"]
    assert api.get("/Invoices/2f9c0f5e-0000-4000-8000-000000000000").status_code == 404


def test_lists_show_line_items_only_when_paged(api):
    invoice = api.new_invoice()
    unpaged = api.get("/Invoices", params={"IDs": invoice["InvoiceID"]}).json()
    paged = api.get("/Invoices", params={"IDs": invoice["InvoiceID"], "page": 1}).json()
    assert "LineItems" not in unpaged["Invoices"][0] and "pagination" not in unpaged
    assert paged["Invoices"][0]["LineItems"] == invoice["LineItems"]


def test_put_cannot_create_an_invoice_that_already_exists(api):
    invoice = api.new_invoice()
    response = api.put("/Invoices", json={"Invoices": [{"InvoiceID": invoice["InvoiceID"], "Type": "ACCREC"}]})
    assert "already exists; use POST to update it" in response.text
