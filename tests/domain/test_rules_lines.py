from dataclasses import replace
from decimal import Decimal as D

import pytest

from dxconnector.domain.records import (
    BundleRole,
    ConnectionSettings,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
    InvoiceType,
    LineAmountTypes,
    TrackingChoice,
)
from dxconnector.domain.rules import (
    LineAmounts,
    LineKind,
    RuleViolation,
    SendAs,
    Why,
    account_code,
    item_code,
    line_amounts,
    line_description,
    line_kind,
    line_label,
    line_problems,
    lines_in_order,
    net_total,
    send_as,
    tax_type,
    tracking,
)

PRODUCT = DynamicsProduct("p1", "WIDGET-1", "Widget", account_code="210", tax_type="OUTPUT2")
BARE_PRODUCT = DynamicsProduct("p2", "BOLT", "Bolt")
SETTINGS = ConnectionSettings(default_sales_account_code="200", default_purchase_account_code="400", default_tax_type="OUTPUT")
NO_DEFAULTS = ConnectionSettings()


def line(**changes):
    values = {"id": "l1", "sequence_number": 1, "product": PRODUCT, "quantity": D(2), "price_per_unit": D("10.00")}
    return DynamicsInvoiceLine(**{**values, **changes})


def write_in(**changes):
    return line(**{"product": None, "is_write_in": True, "write_in_description": "Site visit", **changes})


@pytest.mark.parametrize(
    ("the_line", "kind"),
    [
        (line(), LineKind.PRODUCT),
        (write_in(), LineKind.WRITE_IN),
        (line(quantity=D(0), price_per_unit=D(0)), LineKind.DESCRIPTION_ONLY),
        (write_in(quantity=D(0), price_per_unit=D(0)), LineKind.DESCRIPTION_ONLY),
        (write_in(quantity=D(0), price_per_unit=D(0), manual_discount_amount=D("0.01")), LineKind.WRITE_IN),  # a discount
        (line(quantity=D(0)), LineKind.PRODUCT),  # zero quantity alone still carries a price
        (line(price_per_unit=D(0)), LineKind.PRODUCT),
        (line(bundle_role=BundleRole.HEADER), LineKind.PRODUCT),
        (line(bundle_role=BundleRole.COMPONENT, parent_bundle_line_id="h"), LineKind.BUNDLE_COMPONENT),
        (line(is_write_in=True, write_in_description="Overridden"), LineKind.WRITE_IN),
    ],
)
def test_each_line_has_a_kind(the_line, kind):
    assert line_kind(the_line) is kind


def bundle_invoice(header_only):
    return DynamicsInvoice(
        "i",
        bundle_header_only=header_only,
        lines=(
            line(id="c2", sequence_number=4, bundle_role=BundleRole.COMPONENT, parent_bundle_line_id="h"),
            line(id="after", sequence_number=5),
            line(id="h", sequence_number=2, bundle_role=BundleRole.HEADER),
            line(id="first", sequence_number=1),
            line(id="c1", sequence_number=3, bundle_role=BundleRole.COMPONENT, parent_bundle_line_id="h"),
            line(id="unnumbered", sequence_number=None),
        ),
    )


@pytest.mark.parametrize(
    ("header_only", "expected"),
    [
        (False, ["first", "h", "c1", "c2", "after", "unnumbered"]),
        (True, ["first", "h", "after", "unnumbered"]),
    ],
)
def test_bundles_go_as_header_only_or_header_and_components_per_the_invoice_flag(header_only, expected):
    assert [x.id for x in lines_in_order(bundle_invoice(header_only))] == expected


@pytest.mark.parametrize(("header_only", "expected"), [(False, ["a", "orphan"]), (True, ["a"])])
def test_a_component_whose_header_is_missing_stays_in_its_place(header_only, expected):
    invoice = DynamicsInvoice(
        "i",
        bundle_header_only=header_only,
        lines=(
            line(id="a", sequence_number=1),
            line(id="orphan", sequence_number=2, bundle_role=BundleRole.COMPONENT, parent_bundle_line_id="gone"),
        ),
    )
    assert [x.id for x in lines_in_order(invoice)] == expected


@pytest.mark.parametrize(
    ("the_line", "expected"),
    [
        (line(), "Widget"),
        (line(description="Widget, blue, boxed"), "Widget, blue, boxed"),
        (write_in(), "Site visit"),
        (line(product=DynamicsProduct("p", "ONLY-NUMBER", "")), "ONLY-NUMBER"),
        (line(bundle_role=BundleRole.COMPONENT, quantity=D(1)), "Widget"),
        (line(bundle_role=BundleRole.COMPONENT, quantity=D(3)), "3 × Widget"),
        (line(bundle_role=BundleRole.COMPONENT, quantity=D("2.500")), "2.5 × Widget"),
        (line(bundle_role=BundleRole.COMPONENT, quantity=D(0), price_per_unit=D(0)), "Widget"),
        (write_in(write_in_description="Māori translation — Ōtautahi"), "Māori translation — Ōtautahi"),
    ],
)
def test_the_line_description(the_line, expected):
    assert line_description(the_line) == expected


def test_a_line_with_no_text_at_all_is_refused():
    with pytest.raises(RuleViolation) as refused:
        line_description(write_in(write_in_description=""), "Line 3")
    assert refused.value.reasons[0].code is Why.NO_LINE_DESCRIPTION
    assert refused.value.reasons[0].text.startswith("Line 3 ")


@pytest.mark.parametrize(
    ("the_line", "invoice_type", "settings", "expected"),
    [
        (line(account_code="260"), InvoiceType.ACCREC, SETTINGS, "260"),  # the line's own
        (line(), InvoiceType.ACCREC, SETTINGS, "210"),  # the product's
        (line(product=BARE_PRODUCT), InvoiceType.ACCREC, SETTINGS, "200"),  # the default for sales
        (line(product=BARE_PRODUCT), InvoiceType.ACCRECCREDIT, SETTINGS, "200"),
        (line(product=BARE_PRODUCT), InvoiceType.ACCPAY, SETTINGS, "400"),  # the default for purchases
        (line(product=BARE_PRODUCT), InvoiceType.ACCPAYCREDIT, SETTINGS, "400"),
        (write_in(), InvoiceType.ACCREC, SETTINGS, "200"),
        (write_in(account_code="270"), InvoiceType.ACCPAY, NO_DEFAULTS, "270"),
        (line(), InvoiceType.ACCPAY, NO_DEFAULTS, "210"),
    ],
)
def test_the_account_code_comes_from_the_line_then_the_product_then_the_default(the_line, invoice_type, settings, expected):
    assert account_code(the_line, invoice_type, settings) == expected


@pytest.mark.parametrize(
    ("the_line", "invoice_type", "settings", "says"),
    [
        (
            line(product=BARE_PRODUCT),
            InvoiceType.ACCREC,
            NO_DEFAULTS,
            "on the line, on the product, or set the connection's Default Sales Account Code",
        ),
        (write_in(), InvoiceType.ACCPAY, NO_DEFAULTS, "on the line or set the connection's Default Purchase Account Code"),
        (write_in(), InvoiceType.ACCPAY, ConnectionSettings(default_sales_account_code="200"), "Default Purchase"),
    ],
)
def test_a_line_with_no_account_code_anywhere_is_refused_saying_where_to_set_one(the_line, invoice_type, settings, says):
    with pytest.raises(RuleViolation) as refused:
        account_code(the_line, invoice_type, settings, "Line 2 (product BOLT)")
    reason = refused.value.reasons[0]
    assert reason.code is Why.NO_ACCOUNT_CODE
    assert reason.text.startswith("Line 2 (product BOLT) has no account code")
    assert says in reason.text


@pytest.mark.parametrize(
    ("the_line", "amount_types", "settings", "expected"),
    [
        (line(tax_type="INPUT2"), LineAmountTypes.EXCLUSIVE, SETTINGS, "INPUT2"),
        (line(), LineAmountTypes.EXCLUSIVE, SETTINGS, "OUTPUT2"),
        (line(product=BARE_PRODUCT), LineAmountTypes.INCLUSIVE, SETTINGS, "OUTPUT"),
        (line(product=BARE_PRODUCT), LineAmountTypes.EXCLUSIVE, NO_DEFAULTS, None),  # Xero uses the account's
        (line(tax_type="INPUT2"), LineAmountTypes.NO_TAX, SETTINGS, None),
    ],
)
def test_the_tax_type_comes_from_the_line_then_the_product_then_the_default(the_line, amount_types, settings, expected):
    assert tax_type(the_line, DynamicsInvoice("i", line_amount_types=amount_types), settings) == expected


REGION_NORTH, REGION_SOUTH = TrackingChoice("Region", "North"), TrackingChoice("Region", "South")
DEPT_SALES, PROJECT_X = TrackingChoice("Department", "Sales"), TrackingChoice("Project", "X")


@pytest.mark.parametrize("picked", [(), (REGION_NORTH,), (REGION_NORTH, DEPT_SALES)])
def test_up_to_two_tracking_options_go_across(picked):
    assert tracking(line(tracking=picked)) == picked


def test_blank_tracking_options_are_ignored():
    assert tracking(line(tracking=(TrackingChoice("", ""), REGION_NORTH))) == (REGION_NORTH,)


@pytest.mark.parametrize(
    ("picked", "code"),
    [
        ((REGION_NORTH, DEPT_SALES, PROJECT_X), Why.TOO_MANY_TRACKING),
        ((REGION_NORTH, REGION_SOUTH), Why.SAME_TRACKING_CATEGORY),
    ],
)
def test_a_third_tracking_option_or_two_from_one_category_is_refused(picked, code):
    with pytest.raises(RuleViolation) as refused:
        tracking(line(tracking=picked), "Line 1")
    assert refused.value.reasons[0].code is code


INVOICE = DynamicsInvoice("i")
TEN_PERCENT_OFF = DynamicsInvoice("i", discount_percentage=D(10))


@pytest.mark.parametrize(
    ("the_line", "invoice", "send_as_type", "negate", "expected"),
    [
        # no discount
        (line(), INVOICE, InvoiceType.ACCREC, False, LineAmounts(D(2), D("10.00"))),
        (line(), INVOICE, InvoiceType.ACCPAY, False, LineAmounts(D(2), D("10.00"))),
        (line(), INVOICE, InvoiceType.ACCRECCREDIT, True, LineAmounts(D(2), D("-10.00"))),
        # sales invoice: the discount amount, the invoice's percentage, or both as one amount
        (
            line(manual_discount_amount=D("3.00")),
            INVOICE,
            InvoiceType.ACCREC,
            False,
            LineAmounts(D(2), D("10.00"), discount_amount=D("3.00")),
        ),
        (line(), TEN_PERCENT_OFF, InvoiceType.ACCREC, False, LineAmounts(D(2), D("10.00"), discount_rate=D(10))),
        (
            line(manual_discount_amount=D("3.00")),
            TEN_PERCENT_OFF,
            InvoiceType.ACCREC,
            False,
            LineAmounts(D(2), D("10.00"), discount_amount=D("4.70")),
        ),  # 3 + 10% of 17
        # sales invoice: the invoice's discount amount joins the line's own
        (
            line(manual_discount_amount=D("3.00")),
            DynamicsInvoice("i", discount_amount=D("1.50")),
            InvoiceType.ACCREC,
            False,
            LineAmounts(D(2), D("10.00"), discount_amount=D("4.50")),
        ),
        # bills and credit notes: a line's own discount folded into the unit amount when exact
        (line(manual_discount_amount=D("4.00")), INVOICE, InvoiceType.ACCPAY, False, LineAmounts(D(2), D("8.00"))),
        (
            line(quantity=D(4), manual_discount_amount=D("0.50")),
            INVOICE,
            InvoiceType.ACCRECCREDIT,
            False,
            LineAmounts(D(4), D("9.875")),
        ),
        (line(manual_discount_amount=D("4.00")), INVOICE, InvoiceType.ACCRECCREDIT, True, LineAmounts(D(2), D("-8.00"))),
        # ...else apart, on a Discount line
        (
            line(quantity=D(3), manual_discount_amount=D("0.01")),
            INVOICE,
            InvoiceType.ACCPAY,
            False,
            LineAmounts(D(3), D("10.00"), separate_discount=D("0.01")),
        ),  # 29.99 / 3 is not exact
        (
            line(quantity=D(0), manual_discount_amount=D("1.00")),
            INVOICE,
            InvoiceType.ACCPAY,
            False,
            LineAmounts(D(0), D("10.00"), separate_discount=D("1.00")),
        ),
        # the invoice's discount, percentage or amount, always apart
        (line(), TEN_PERCENT_OFF, InvoiceType.ACCPAYCREDIT, False, LineAmounts(D(2), D("10.00"), separate_discount=D(2))),
        (
            line(quantity=D(4), manual_discount_amount=D("0.50")),
            DynamicsInvoice("i", discount_amount=D("0.25")),
            InvoiceType.ACCPAY,
            False,
            LineAmounts(D(4), D("9.875"), separate_discount=D("0.25")),
        ),
        (
            line(manual_discount_amount=D("4.00")),
            DynamicsInvoice("i", discount_amount=D(1)),
            InvoiceType.ACCRECCREDIT,
            True,
            LineAmounts(D(2), D("-8.00"), separate_discount=D(-1)),
        ),  # a negative invoice as a credit note: its discount adds to the credit
    ],
)
def test_line_amounts_and_discounts(the_line, invoice, send_as_type, negate, expected):
    assert line_amounts(the_line, replace(invoice, lines=(the_line,)), send_as_type, negate) == expected


def test_a_lines_amounts_are_asked_of_its_own_invoice():
    with pytest.raises(ValueError):
        line_amounts(line(), INVOICE, InvoiceType.ACCREC)


@pytest.mark.parametrize(
    ("the_line", "settings", "known", "expected"),
    [
        (line(), NO_DEFAULTS, {"WIDGET-1"}, "WIDGET-1"),  # already in Xero
        (line(), ConnectionSettings(create_new_products=True), set(), "WIDGET-1"),  # will be created first
        (line(), ConnectionSettings(create_new_products=False), set(), None),  # Xero refuses unknown codes
        (write_in(), ConnectionSettings(create_new_products=True), {"WIDGET-1"}, None),
        (line(quantity=D(0), price_per_unit=D(0)), NO_DEFAULTS, {"WIDGET-1"}, None),
        (line(product=DynamicsProduct("p", "X" * 31, "Long")), ConnectionSettings(create_new_products=True), set(), None),
        (line(product=DynamicsProduct("p", " WIDGET-1 ", "Padded")), NO_DEFAULTS, {"WIDGET-1"}, "WIDGET-1"),
    ],
)
def test_the_item_code_is_the_product_number_when_xero_has_or_will_have_the_item(the_line, settings, known, expected):
    assert item_code(the_line, settings, known) == expected


@pytest.mark.parametrize(
    ("position", "the_line", "expected"),
    [
        (1, line(), "Line 1 (product WIDGET-1)"),
        (4, write_in(), "Line 4"),
    ],
)
def test_reasons_name_a_line_by_position_and_product_number_only(position, the_line, expected):
    assert line_label(position, the_line) == expected


NEGATIVE = (line(quantity=D(1), price_per_unit=D("-50.00")), line(id="l2", quantity=D(1), price_per_unit=D("20.00")))


@pytest.mark.parametrize(
    ("lines", "percent", "amount", "expected"),
    [
        ((line(),), D(0), D(0), D(20)),
        (NEGATIVE, D(0), D(0), D(-30)),
        ((line(manual_discount_amount=D(5)),), D(50), D(0), D("7.5")),
        ((line(),), D(0), D(25), D(-5)),
        ((line(quantity=D(0), price_per_unit=D(0)), line(bundle_role=BundleRole.COMPONENT)), D(0), D(0), D(0)),
    ],
)
def test_the_net_total_counts_only_lines_that_carry_amounts(lines, percent, amount, expected):
    invoice = DynamicsInvoice("i", lines=lines, discount_percentage=percent, discount_amount=amount)
    assert net_total(invoice) == expected


@pytest.mark.parametrize(
    ("invoice_type", "lines", "automatic", "expected"),
    [
        (InvoiceType.ACCREC, (line(),), False, SendAs(InvoiceType.ACCREC)),
        (InvoiceType.ACCPAY, (line(),), False, SendAs(InvoiceType.ACCPAY)),
        (InvoiceType.ACCRECCREDIT, (line(),), False, SendAs(InvoiceType.ACCRECCREDIT)),
        (InvoiceType.ACCPAYCREDIT, (line(),), False, SendAs(InvoiceType.ACCPAYCREDIT)),
        (InvoiceType.ACCREC, NEGATIVE, True, SendAs(InvoiceType.ACCRECCREDIT, negate=True)),
        (InvoiceType.ACCPAY, NEGATIVE, True, SendAs(InvoiceType.ACCPAYCREDIT, negate=True)),
        (InvoiceType.ACCREC, (line(price_per_unit=D(0), quantity=D(0)),), False, SendAs(InvoiceType.ACCREC)),
    ],
)
def test_each_invoice_type_goes_as_itself_and_a_negative_one_as_a_credit_note_when_allowed(
    invoice_type, lines, automatic, expected
):
    invoice = DynamicsInvoice("i", invoice_type=invoice_type, lines=lines)
    assert send_as(invoice, ConnectionSettings(credit_notes_automatically=automatic)) == expected


@pytest.mark.parametrize(
    ("invoice_type", "automatic", "code"),
    [
        (InvoiceType.ACCREC, False, Why.NEGATIVE_TOTAL),
        (InvoiceType.ACCPAY, False, Why.NEGATIVE_TOTAL),
        (InvoiceType.ACCRECCREDIT, True, Why.NEGATIVE_CREDIT_NOTE),
        (InvoiceType.ACCPAYCREDIT, False, Why.NEGATIVE_CREDIT_NOTE),
    ],
)
def test_a_negative_total_xero_would_refuse_is_held_back(invoice_type, automatic, code):
    invoice = DynamicsInvoice("i", invoice_type=invoice_type, lines=NEGATIVE)
    with pytest.raises(RuleViolation) as refused:
        send_as(invoice, ConnectionSettings(credit_notes_automatically=automatic))
    assert refused.value.reasons[0].code is code


def test_every_line_problem_is_reported_not_just_the_first():
    invoice = DynamicsInvoice(
        "i",
        invoice_type=InvoiceType.ACCPAY,
        lines=(
            line(id="a", sequence_number=1, product=BARE_PRODUCT),
            line(id="b", sequence_number=2, tracking=(REGION_NORTH, DEPT_SALES, PROJECT_X)),
            line(id="c", sequence_number=3, quantity=D(3), manual_discount_amount=D("0.01")),  # goes, on a Discount line
            line(id="d", sequence_number=4, product=BARE_PRODUCT, quantity=D(0), price_per_unit=D(0)),  # text only: fine
        ),
    )
    problems = line_problems(invoice, NO_DEFAULTS)
    assert [(p.code, p.text.split(" has")[0]) for p in problems] == [
        (Why.NO_ACCOUNT_CODE, "Line 1 (product BOLT)"),
        (Why.TOO_MANY_TRACKING, "Line 2 (product WIDGET-1)"),
    ]


def test_a_default_account_code_xero_can_never_take_holds_the_line_naming_the_setting():
    settings = ConnectionSettings(default_sales_account_code="abc def gh")
    with pytest.raises(RuleViolation) as refused:
        account_code(line(product=BARE_PRODUCT), InvoiceType.ACCREC, settings)
    assert refused.value.reasons[0].code is Why.NO_ACCOUNT_CODE
    assert "Default Sales Account Code is “abc def gh”" in refused.value.reasons[0].text
    assert account_code(line(account_code="260"), InvoiceType.ACCREC, settings) == "260"  # not needed, not checked
