from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.mapping.invoice import (
    dynamics_state,
    invoice_columns_from_xero,
    invoice_hash,
    xero_details_columns,
    xero_invoice,
    xero_invoice_url,
)
from dxconnector.domain.records import (
    BundleRole,
    ConnectionSettings,
    CustomerKind,
    CustomerRef,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
    InvoiceState,
    InvoiceStatusReason,
    InvoiceType,
    LineAmountTypes,
    TrackingChoice,
    XeroStatus,
)
from dxconnector.domain.rules import RuleViolation, Why

SETTINGS = ConnectionSettings(
    connector_id="conn-1", default_sales_account_code="200", default_purchase_account_code="400", time_zone="Pacific/Auckland"
)
WIDGET = DynamicsProduct("p1", "WIDGET-1", "Widget", account_code="210", tax_type="OUTPUT2")
LINE = DynamicsInvoiceLine("l1", 1, product=WIDGET, quantity=D(2), price_per_unit=D("10.00"))
INVOICE = DynamicsInvoice(
    "inv-1",
    name="Order 42",
    invoice_number="INV-01001",
    connector_id="conn-1",
    customer=CustomerRef(CustomerKind.ACCOUNT, "acc-1", "Acme Ltd", "A-100"),
    date_delivered=datetime(2026, 3, 9, 11, 0, tzinfo=UTC),  # 10 March, picked in Auckland
    description="PO 4471",
    currency_code="nzd",
    lines=(LINE,),
    version="100",
)
KEY = b"k"


def body(invoice=INVOICE, settings=SETTINGS, **kwargs):
    return xero_invoice(invoice, settings, "contact-1", **kwargs).to_xero()


def test_a_sales_invoice_becomes_this_exact_xero_body():
    assert body(xero_item_codes={"WIDGET-1"}) == {
        "Type": "ACCREC",
        "Contact": {"ContactID": "contact-1"},
        "Date": "2026-03-10",
        "LineAmountTypes": "Exclusive",
        "Reference": "PO 4471",
        "CurrencyCode": "NZD",
        "Status": "DRAFT",
        "LineItems": [
            {
                "Description": "Widget",
                "Quantity": D(2),
                "UnitAmount": D("10.00"),
                "ItemCode": "WIDGET-1",
                "AccountCode": "210",
                "TaxType": "OUTPUT2",
            }
        ],
    }


@pytest.mark.parametrize(
    ("invoice_type", "collection", "number_element", "has_reference"),
    [
        (InvoiceType.ACCREC, "Invoices", "InvoiceNumber", True),
        (InvoiceType.ACCPAY, "Invoices", "InvoiceNumber", False),
        (InvoiceType.ACCRECCREDIT, "CreditNotes", "CreditNoteNumber", True),
        (InvoiceType.ACCPAYCREDIT, "CreditNotes", "CreditNoteNumber", False),
    ],
)
def test_every_invoice_type_goes_to_its_xero_collection(invoice_type, collection, number_element, has_reference):
    settings = replace(SETTINGS, use_xero_invoice_number=False)
    mapped = xero_invoice(replace(INVOICE, invoice_type=invoice_type), settings, "contact-1", xero_id="x-1")
    sent = mapped.to_xero()
    assert mapped.collection == collection
    assert sent["Type"] == invoice_type.value
    assert sent[number_element] == "INV-01001"
    assert sent[mapped.id_element] == "x-1"
    assert ("Reference" in sent) is has_reference


@pytest.mark.parametrize(
    ("use_xero", "use_name", "expected"),
    [
        (True, False, None),
        (False, False, "INV-01001"),
        (False, True, "Order 42"),
    ],
)
def test_each_numbering_setting(use_xero, use_name, expected):
    sent = body(settings=replace(SETTINGS, use_xero_invoice_number=use_xero, use_invoice_name=use_name))
    assert sent.get("InvoiceNumber") == expected


@pytest.mark.parametrize(
    ("delivered", "time_zone", "expected"),
    [
        (datetime(2026, 3, 9, 11, 0, tzinfo=UTC), "Pacific/Auckland", "2026-03-10"),
        (datetime(2026, 3, 9, 11, 0, tzinfo=UTC), "UTC", "2026-03-09"),
        (datetime(2026, 3, 10, 0, 30, tzinfo=UTC), "America/Los_Angeles", "2026-03-09"),  # differs from UTC's date
        (datetime(2026, 3, 10, 0, 30, tzinfo=UTC), "UTC", "2026-03-10"),
    ],
)
def test_the_xero_date_is_date_delivered_in_the_connections_time_zone(delivered, time_zone, expected):
    sent = body(replace(INVOICE, date_delivered=delivered), replace(SETTINGS, time_zone=time_zone))
    assert sent["Date"] == expected


@pytest.mark.parametrize(("due", "expected"), [(datetime(2026, 4, 20).date(), "2026-04-20"), (None, None)])
def test_the_due_date_is_sent_when_present_and_left_to_xero_when_absent(due, expected):
    assert body(replace(INVOICE, due_date=due)).get("DueDate") == expected


@pytest.mark.parametrize(("currency", "expected"), [("NZD", "NZD"), ("usd", "USD"), (" AUD ", "AUD"), (None, None), ("", None)])
def test_the_currency_code_is_sent_upper_case_or_left_to_the_organisations_base_currency(currency, expected):
    assert body(replace(INVOICE, currency_code=currency)).get("CurrencyCode") == expected


@pytest.mark.parametrize(
    ("amount_types", "expected", "tax_type"),
    [
        (LineAmountTypes.EXCLUSIVE, "Exclusive", "OUTPUT2"),
        (LineAmountTypes.INCLUSIVE, "Inclusive", "OUTPUT2"),
        (LineAmountTypes.NO_TAX, "NoTax", None),
    ],
)
def test_each_line_amount_type(amount_types, expected, tax_type):
    sent = body(replace(INVOICE, line_amount_types=amount_types))
    assert sent["LineAmountTypes"] == expected
    assert sent["LineItems"][0].get("TaxType") == tax_type


@pytest.mark.parametrize(("theme", "expected"), [("5a1f-theme", "5a1f-theme"), (None, None), ("", None)])
def test_the_branding_theme_goes_by_its_xero_id(theme, expected):
    assert body(replace(INVOICE, branding_theme_id=theme)).get("BrandingThemeID") == expected


@pytest.mark.parametrize(
    ("switch", "description", "expected"),
    [
        (True, "PO 4471", "PO 4471"),
        (False, "PO 4471", None),
        (True, "Ōtautahi — " + "ü" * 300, ("Ōtautahi — " + "ü" * 300)[:255]),
        (True, "", None),
    ],
)
def test_the_reference_on_and_off(switch, description, expected):
    sent = body(replace(INVOICE, description=description), replace(SETTINGS, description_to_reference=switch))
    assert sent.get("Reference") == expected


@pytest.mark.parametrize(
    ("invoice_type", "sales", "purchase", "expected"),
    [
        (InvoiceType.ACCREC, XeroStatus.DRAFT, XeroStatus.AUTHORISED, "DRAFT"),
        (InvoiceType.ACCREC, XeroStatus.SUBMITTED, XeroStatus.DRAFT, "SUBMITTED"),
        (InvoiceType.ACCREC, XeroStatus.AUTHORISED, XeroStatus.DRAFT, "AUTHORISED"),
        (InvoiceType.ACCPAY, XeroStatus.AUTHORISED, XeroStatus.DRAFT, "DRAFT"),
        (InvoiceType.ACCPAY, XeroStatus.DRAFT, XeroStatus.SUBMITTED, "SUBMITTED"),
        (InvoiceType.ACCPAY, XeroStatus.DRAFT, XeroStatus.AUTHORISED, "AUTHORISED"),
        (InvoiceType.ACCRECCREDIT, XeroStatus.AUTHORISED, XeroStatus.DRAFT, "AUTHORISED"),
        (InvoiceType.ACCPAYCREDIT, XeroStatus.DRAFT, XeroStatus.SUBMITTED, "SUBMITTED"),
    ],
)
def test_each_status_setting(invoice_type, sales, purchase, expected):
    settings = replace(SETTINGS, default_sales_invoice_status=sales, default_purchase_invoice_status=purchase)
    assert body(replace(INVOICE, invoice_type=invoice_type), settings)["Status"] == expected


@pytest.mark.parametrize(
    ("current", "expected"), [(XeroStatus.DRAFT, "DRAFT"), (XeroStatus.AUTHORISED, "AUTHORISED"), (XeroStatus.PAID, None)]
)
def test_an_update_keeps_xeros_status_when_it_is_further_along(current, expected):
    assert body(xero_id="x-1", current_status=current).get("Status") == expected


@pytest.mark.parametrize(
    ("invoice_type", "has_url"),
    [
        (InvoiceType.ACCREC, True),
        (InvoiceType.ACCPAY, True),
        (InvoiceType.ACCRECCREDIT, False),
        (InvoiceType.ACCPAYCREDIT, False),
    ],
)
def test_the_source_link_is_sent_as_the_url_where_xero_keeps_one(invoice_type, has_url):
    sent = body(replace(INVOICE, invoice_type=invoice_type), source_url="https://org.crm.dynamics.com/main.aspx?id=inv-1")
    assert sent.get("Url", "").endswith("id=inv-1") is has_url  # a credit note has no Url in Xero


BOLT = DynamicsProduct("p2", "BOLT", "Bolt")


def lines_of(*lines, **invoice_changes):
    return body(replace(INVOICE, lines=lines, **invoice_changes), xero_item_codes={"WIDGET-1", "BOLT", "KIT"})["LineItems"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # an existing product: its item code
        (
            LINE,
            {
                "Description": "Widget",
                "Quantity": D(2),
                "UnitAmount": D("10.00"),
                "ItemCode": "WIDGET-1",
                "AccountCode": "210",
                "TaxType": "OUTPUT2",
            },
        ),
        # a write-in product: its description, no item
        (
            DynamicsInvoiceLine(
                "w", 1, is_write_in=True, write_in_description="Site visit", quantity=D("1.5"), price_per_unit=D("80.00")
            ),
            {"Description": "Site visit", "Quantity": D("1.5"), "UnitAmount": D("80.00"), "AccountCode": "200"},
        ),
        # zero quantity and price: a description-only line, with nothing else on it
        (
            DynamicsInvoiceLine("d", 1, is_write_in=True, write_in_description="Delivered to the back door"),
            {"Description": "Delivered to the back door"},
        ),
        (
            replace(LINE, quantity=D(0), price_per_unit=D(0), tracking=(TrackingChoice("Region", "North"),)),
            {"Description": "Widget"},
        ),
    ],
)
def test_every_line_kind_becomes_this_exact_line(line, expected):
    assert lines_of(line) == [expected]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # the account code from the line, the product, the default
        (replace(LINE, account_code="260"), {"AccountCode": "260"}),
        (LINE, {"AccountCode": "210"}),
        (replace(LINE, product=BOLT), {"AccountCode": "200", "ItemCode": "BOLT"}),
        # the tax type from the line
        (replace(LINE, tax_type="EXEMPTOUTPUT"), {"TaxType": "EXEMPTOUTPUT"}),
        # a discount amount
        (replace(LINE, manual_discount_amount=D("2.50")), {"DiscountAmount": D("2.50"), "DiscountRate": None}),
        # tracking 0, 1 and 2
        (LINE, {"Tracking": None}),
        (replace(LINE, tracking=(TrackingChoice("Region", "North"),)), {"Tracking": [{"Name": "Region", "Option": "North"}]}),
        (
            replace(LINE, tracking=(TrackingChoice("Region", "North"), TrackingChoice("Dept", "Sales"))),
            {"Tracking": [{"Name": "Region", "Option": "North"}, {"Name": "Dept", "Option": "Sales"}]},
        ),
    ],
)
def test_line_elements(line, expected):
    sent = lines_of(line)[0]
    assert {key: sent.get(key) for key in expected} == expected


def test_a_discount_percentage_goes_as_each_lines_discount_rate():
    sent = lines_of(LINE, replace(LINE, id="l2", sequence_number=2, product=BOLT), discount_percentage=D("12.5"))
    assert [line["DiscountRate"] for line in sent] == [D("12.5"), D("12.5")]


BUNDLE = (
    replace(
        LINE,
        id="h",
        sequence_number=1,
        product=DynamicsProduct("kit", "KIT", "Starter kit", account_code="220"),
        bundle_role=BundleRole.HEADER,
        quantity=D(1),
        price_per_unit=D("99.00"),
    ),
    replace(
        LINE,
        id="c1",
        sequence_number=2,
        bundle_role=BundleRole.COMPONENT,
        parent_bundle_line_id="h",
        quantity=D(2),
        price_per_unit=D(0),
    ),
    replace(
        LINE,
        id="c2",
        sequence_number=3,
        product=BOLT,
        bundle_role=BundleRole.COMPONENT,
        parent_bundle_line_id="h",
        quantity=D(1),
        price_per_unit=D(0),
    ),
)


@pytest.mark.parametrize(
    ("header_only", "expected"),
    [
        (
            True,
            [{"Description": "Starter kit", "Quantity": D(1), "UnitAmount": D("99.00"), "ItemCode": "KIT", "AccountCode": "220"}],
        ),
        (
            False,
            [
                {
                    "Description": "Starter kit",
                    "Quantity": D(1),
                    "UnitAmount": D("99.00"),
                    "ItemCode": "KIT",
                    "AccountCode": "220",
                },
                {"Description": "2 × Widget"},
                {"Description": "Bolt"},
            ],
        ),
    ],
)
def test_bundles_header_only_or_with_components_as_text(header_only, expected):
    assert lines_of(*BUNDLE, bundle_header_only=header_only) == expected


def test_a_line_with_no_account_code_anywhere_refuses_the_invoice():
    settings = replace(SETTINGS, default_sales_account_code=None)
    with pytest.raises(RuleViolation) as refused:
        xero_invoice(replace(INVOICE, lines=(replace(LINE, product=BOLT),)), settings, "contact-1")
    assert [reason.code for reason in refused.value.reasons] == [Why.NO_ACCOUNT_CODE]


def test_a_third_tracking_option_refuses_the_invoice():
    three = (TrackingChoice("A", "1"), TrackingChoice("B", "2"), TrackingChoice("C", "3"))
    with pytest.raises(RuleViolation) as refused:
        xero_invoice(replace(INVOICE, lines=(replace(LINE, tracking=three),)), SETTINGS, "contact-1")
    assert refused.value.reasons[0].code is Why.TOO_MANY_TRACKING


def test_a_negative_invoice_goes_as_a_credit_note_with_positive_amounts_when_allowed():
    refund = DynamicsInvoiceLine(
        "r", 1, is_write_in=True, write_in_description="Refund", quantity=D(1), price_per_unit=D("-40.00")
    )
    sent = body(replace(INVOICE, lines=(refund,)), replace(SETTINGS, credit_notes_automatically=True))
    assert sent["Type"] == "ACCRECCREDIT"
    assert sent["LineItems"][0]["UnitAmount"] == D("40.00")


def test_a_bill_discount_is_folded_into_the_unit_amount():
    sent = body(replace(INVOICE, invoice_type=InvoiceType.ACCPAY, lines=(replace(LINE, manual_discount_amount=D(4)),)))
    assert sent["LineItems"][0]["UnitAmount"] == D("8.00") and "DiscountAmount" not in sent["LineItems"][0]


def test_items_unknown_to_xero_are_not_referenced_unless_they_will_be_created():
    assert "ItemCode" not in body(xero_item_codes=set())["LineItems"][0]
    sent = body(settings=replace(SETTINGS, create_new_products=True), xero_item_codes=set())
    assert sent["LineItems"][0]["ItemCode"] == "WIDGET-1"


def mapped_hash(invoice=INVOICE, settings=SETTINGS, **kwargs):
    return invoice_hash(xero_invoice(invoice, settings, "contact-1", **kwargs), KEY)


@pytest.mark.parametrize(
    "change",
    [
        {"description": "PO 4472"},
        {"due_date": datetime(2026, 4, 1).date()},
        {"currency_code": "AUD"},
        {"line_amount_types": LineAmountTypes.INCLUSIVE},
        {"branding_theme_id": "theme-2"},
        {"date_delivered": datetime(2026, 3, 8, 11, 0, tzinfo=UTC)},
        {"lines": (replace(LINE, quantity=D(3)),)},
        {"lines": (replace(LINE, price_per_unit=D("10.01")),)},
        {"lines": (replace(LINE, account_code="260"),)},
        {"lines": (LINE, replace(LINE, id="l2", sequence_number=2))},
    ],
)
def test_the_content_hash_changes_when_a_sent_field_changes(change):
    assert mapped_hash(replace(INVOICE, **change)) != mapped_hash()


@pytest.mark.parametrize(
    ("change", "kwargs"),
    [
        ({"version": "101"}, {}),
        ({"modified_on": datetime(2026, 3, 10, tzinfo=UTC)}, {}),
        ({"lines": (replace(LINE, tax=D("3.00")),)}, {}),  # Xero works tax out itself
        ({"lines": (replace(LINE, price_per_unit=D("10.0000")),)}, {}),
        ({"xero_status": XeroStatus.AUTHORISED}, {}),
        ({}, {"xero_id": "x-1"}),  # identity is not content
        ({}, {"xero_id": "x-1", "current_status": XeroStatus.AUTHORISED}),  # nor is status
    ],
)
def test_the_content_hash_stays_when_nothing_sent_changes(change, kwargs):
    assert mapped_hash(replace(INVOICE, **change), **kwargs) == mapped_hash()


@pytest.mark.parametrize(
    ("invoice_type", "short_code", "expected"),
    [
        (InvoiceType.ACCREC, "", "https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID=x-1"),
        (InvoiceType.ACCPAY, "", "https://go.xero.com/AccountsPayable/View.aspx?InvoiceID=x-1"),
        (InvoiceType.ACCRECCREDIT, "", "https://go.xero.com/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=x-1"),
        (InvoiceType.ACCPAYCREDIT, "", "https://go.xero.com/AccountsPayable/ViewCreditNote.aspx?creditNoteID=x-1"),
        (
            InvoiceType.ACCREC,
            "!xkzS",
            "https://go.xero.com/organisationlogin/default.aspx?shortcode=!xkzS"
            "&redirecturl=/AccountsReceivable/View.aspx?InvoiceID=x-1",
        ),
    ],
)
def test_the_xero_invoice_url(invoice_type, short_code, expected):
    assert xero_invoice_url(invoice_type, "x-1", short_code=short_code) == expected


XERO_SAYS = {
    "InvoiceID": "x-1",
    "InvoiceNumber": "INV-0042",
    "Type": "ACCREC",
    "Status": "PAID",
    "DueDate": "/Date(1775692800000+0000)/",
    "AmountDue": 0.0,
    "AmountPaid": 23.0,
    "AmountCredited": 0,
    "FullyPaidOnDate": "/Date(1775347200000+0000)/",
}
EXPORTED_ON = datetime(2026, 4, 5, 1, 2, tzinfo=UTC)


def test_the_xero_details_row_gets_xeros_number_status_amounts_and_links():
    columns = xero_details_columns(
        XeroDocument.read(XERO_SAYS),
        exported_on=EXPORTED_ON,
        invoice_url="https://go.xero.com/x",
        online_invoice_url="https://in.xero.com/y",
    )
    assert columns == {
        "stl3_xeroid": "x-1",
        "stl3_xeronumber": "INV-0042",
        "stl3_xerostatus": option_value("stl3_xeroinvoice", "stl3_xerostatus", "PAID"),
        "stl3_amountdue": D("0.0"),
        "stl3_amountpaid": D("23.0"),
        "stl3_amountcredited": D(0),
        "stl3_fullypaidon": "2026-04-05",
        "stl3_exportstatus": option_value("stl3_xeroinvoice", "stl3_exportstatus", "EXPORTED"),
        "stl3_exportedon": EXPORTED_ON,
        "stl3_invoiceurl": "https://go.xero.com/x",
        "stl3_onlineinvoiceurl": "https://in.xero.com/y",
    }


def test_a_credit_notes_details_come_from_its_own_elements():
    columns = xero_details_columns(
        XeroDocument.read(
            {
                "CreditNoteID": "cn-1",
                "CreditNoteNumber": "CN-7",
                "Status": "AUTHORISED",
                "RemainingCredit": 12.5,
                "AppliedAmount": 7.5,
            }
        ),
        exported_on=EXPORTED_ON,
    )
    assert (columns["stl3_xeroid"], columns["stl3_xeronumber"]) == ("cn-1", "CN-7")
    assert (columns["stl3_amountdue"], columns["stl3_amountcredited"]) == (D("12.5"), D("7.5"))


def test_the_invoice_itself_gets_xeros_number_status_and_the_due_date_xero_worked_out():
    assert invoice_columns_from_xero(XeroDocument.read(XERO_SAYS)) == {
        "stl3_xeronumber": "INV-0042",
        "stl3_xerostatus": option_value("invoice", "stl3_xerostatus", "PAID"),
        "duedate": "2026-04-09",
    }


@pytest.mark.parametrize(
    ("status", "paid", "expected"),
    [
        (XeroStatus.PAID, D(0), (InvoiceState.PAID, InvoiceStatusReason.COMPLETE)),
        (XeroStatus.AUTHORISED, D("5.00"), (InvoiceState.PAID, InvoiceStatusReason.PARTIAL)),
        (XeroStatus.AUTHORISED, D(0), None),
        (XeroStatus.DRAFT, D(0), None),
        (None, D(0), None),
    ],
)
def test_the_dynamics_invoice_follows_xeros_payments(status, paid, expected):
    assert dynamics_state(status, paid) == expected


def test_an_invoice_discount_amount_is_shared_over_a_sales_invoices_lines_as_their_discount_amounts():
    three = [replace(LINE, id=f"l{n}", sequence_number=n, quantity=D(1), price_per_unit=D("33.33")) for n in (1, 2, 3)]
    sent = lines_of(*three, discount_amount=D(10), total_before_tax=D("89.99"))
    assert [line.get("DiscountAmount") for line in sent] == [D("3.34"), D("3.33"), D("3.33")]
    assert all("DiscountRate" not in line for line in sent) and len(sent) == 3


def write_in(n: int, price: str, quantity: str = "1", discount: str = "0", **changes) -> DynamicsInvoiceLine:
    return DynamicsInvoiceLine(
        f"w{n}",
        n,
        is_write_in=True,
        write_in_description=f"Part {n}",
        quantity=D(quantity),
        price_per_unit=D(price),
        manual_discount_amount=D(discount),
        **changes,
    )


def test_a_bills_discounts_that_do_not_fold_go_on_one_discount_line_per_account_code_tax_type_and_tracking():
    north = (TrackingChoice("Region", "North"),)
    bill = replace(
        INVOICE,
        invoice_type=InvoiceType.ACCPAY,
        discount_amount=D(6),
        lines=(
            write_in(1, "10", "3", "0.01", account_code="310", tax_type="INPUT2"),  # 29.99 / 3 doesn't fold
            write_in(2, "20", account_code="310", tax_type="INPUT2"),
            write_in(3, "30", account_code="310", tax_type="NONE"),
            write_in(4, "40", "2", "1", account_code="310", tax_type="INPUT2", tracking=north),  # folds: 2 × 39.50
            write_in(5, "0", "0"),  # text only
        ),
    )
    assert body(bill)["LineItems"] == [
        {"Description": "Part 1", "Quantity": D(3), "UnitAmount": D(10), "AccountCode": "310", "TaxType": "INPUT2"},
        {"Description": "Part 2", "Quantity": D(1), "UnitAmount": D(20), "AccountCode": "310", "TaxType": "INPUT2"},
        {"Description": "Part 3", "Quantity": D(1), "UnitAmount": D(30), "AccountCode": "310", "TaxType": "NONE"},
        {
            "Description": "Part 4",
            "Quantity": D(2),
            "UnitAmount": D("39.50"),
            "AccountCode": "310",
            "TaxType": "INPUT2",
            "Tracking": [{"Name": "Region", "Option": "North"}],
        },
        {"Description": "Part 5"},
        # 6.00 shared over 29.99, 20, 30 and 79: 1.13, 0.76 (0.754…: the odd cent), 1.13 and 2.98; the first two
        # lines share an account and tax type, and the first line's own discount goes with them (1.13 + 0.76 + 0.01)
        {"Description": "Discount", "Quantity": D(1), "UnitAmount": D("-1.90"), "AccountCode": "310", "TaxType": "INPUT2"},
        {"Description": "Discount", "Quantity": D(1), "UnitAmount": D("-1.13"), "AccountCode": "310", "TaxType": "NONE"},
        {
            "Description": "Discount",
            "Quantity": D(1),
            "UnitAmount": D("-2.98"),
            "AccountCode": "310",
            "TaxType": "INPUT2",
            "Tracking": [{"Name": "Region", "Option": "North"}],
        },
    ]


def test_a_negative_invoice_sent_as_a_credit_note_carries_its_discount_as_a_positive_line():
    refund = replace(INVOICE, lines=(write_in(1, "-40.00"),), discount_amount=D("2.50"))
    sent = body(refund, replace(SETTINGS, credit_notes_automatically=True))
    assert sent["Type"] == "ACCRECCREDIT"
    assert [(line["Description"], line["UnitAmount"]) for line in sent["LineItems"]] == [
        ("Part 1", D("40.00")),
        ("Discount", D("2.50")),
    ]


def test_discounts_that_cancel_out_within_a_group_need_no_discount_line():
    plus = replace(LINE, manual_discount_amount=D("0.01"), quantity=D(3), price_per_unit=D(10))
    minus = replace(LINE, id="l2", sequence_number=2, manual_discount_amount=D("-0.01"), quantity=D(3), price_per_unit=D(10))
    sent = body(replace(INVOICE, invoice_type=InvoiceType.ACCPAY, lines=(plus, minus)))
    assert [line["Description"] for line in sent["LineItems"]] == ["Widget", "Widget"]
