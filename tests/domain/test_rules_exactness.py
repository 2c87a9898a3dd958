"""What Xero can't hold exactly is held back, not rounded: precision, totals, freight, text and item codes; discounts go
with the total Dynamics shows."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from dxconnector.domain.records import (
    ConnectionSettings,
    CustomerKind,
    CustomerRef,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
    InvoiceType,
    TrackingChoice,
)
from dxconnector.domain.rules import (
    LineAmounts,
    SendAs,
    Why,
    invoice_problems,
    item_key,
    places,
    precision_problems,
    text_problem,
    xero_line_amount,
)
from dxconnector.domain.rules.amounts import invoice_amounts, xero_total

SETTINGS = ConnectionSettings(default_sales_account_code="200", default_purchase_account_code="400", create_new_products=True)
CUSTOMER = CustomerRef(CustomerKind.ACCOUNT, "acc-1", "Acme Ltd")
WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def write_in(**changes) -> DynamicsInvoiceLine:
    values = {
        "id": "l1",
        "sequence_number": 1,
        "is_write_in": True,
        "write_in_description": "Work",
        "quantity": D(1),
        "price_per_unit": D(10),
    }
    return DynamicsInvoiceLine(**{**values, **changes})


def invoice(*lines: DynamicsInvoiceLine, **changes) -> DynamicsInvoice:
    values = {"id": "i", "customer": CUSTOMER, "date_delivered": WHEN, "lines": lines or (write_in(),)}
    return DynamicsInvoice(**{**values, **changes})


def codes(problems) -> list[Why]:
    return [problem.code for problem in problems]


@pytest.mark.parametrize(
    ("value", "expected"), [(D("1.123456"), 6), (D("1.50"), 1), (D(10), 0), (D("1E+3"), 0), (D("0.0001"), 4)]
)
def test_places_counts_the_decimal_places_a_value_really_has(value, expected):
    assert places(value) == expected


@pytest.mark.parametrize(
    ("line", "held"),
    [
        (write_in(quantity=D("1.1234")), False),  # four places: Xero keeps them
        (write_in(quantity=D("1.12346")), True),  # Dynamics keeps five
        (write_in(price_per_unit=D("9.9999")), False),
        (write_in(price_per_unit=D("9.99999")), True),
        (write_in(manual_discount_amount=D("0.01")), False),
        (write_in(manual_discount_amount=D("0.001")), True),  # a discount to a tenth of a cent
        (write_in(quantity=D("3.5000")), False),  # trailing zeros are no precision
        (write_in(price_per_unit=D("99999999999.9999")), False),  # 15 digits cross exactly
        (write_in(price_per_unit=D("922337203685477.0001")), True),  # Dynamics' largest money does not
    ],
)
def test_numbers_beyond_xeros_precision_are_held(line, held):
    assert (codes(precision_problems(line, "Line 1")) == [Why.BEYOND_XERO_PRECISION]) is held
    assert (Why.BEYOND_XERO_PRECISION in codes(invoice_problems(invoice(line), SETTINGS))) is held


def test_the_reason_names_the_line_and_what_to_do_without_amounts():
    [reason] = precision_problems(write_in(quantity=D("1.123456")), "Line 3")
    assert reason.text.startswith("Line 3 has a quantity with more decimal places than Xero keeps")
    assert "1.12" not in reason.text


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (LineAmounts(D(3), D("3.3333")), D("10.00")),
        (LineAmounts(D(1), D("0.005")), D("0.01")),  # half a cent rounds away from zero
        (LineAmounts(D(3), D("3.3333"), discount_amount=D("0.01")), D("9.99")),
        (LineAmounts(D(3), D("10"), discount_rate=D("12.5")), D("26.25")),
    ],
)
def test_a_lines_amount_is_worked_out_as_xero_does(amounts, expected):
    assert xero_line_amount(amounts) == expected


def test_lines_that_come_to_dynamics_total_go():
    lines = (write_in(id="a", price_per_unit=D("3.3333"), quantity=D(3)), write_in(id="b", price_per_unit=D("0.005")))
    assert invoice_problems(invoice(*lines, total_before_tax=D("10.01")), SETTINGS) == ()


def test_a_discount_percentage_that_rounds_differently_line_by_line_goes_as_amounts_that_come_to_dynamics_total():
    # Dynamics: (3 × 0.35) less 50% once = 0.525 → 0.53; as rates Xero would make 0.175 → 0.18 of each line = 0.54
    lines = tuple(write_in(id=str(n), sequence_number=n, price_per_unit=D("0.35")) for n in range(3))
    sent = invoice_amounts(invoice(*lines, discount_percentage=D(50), total_before_tax=D("0.53")), SendAs(InvoiceType.ACCREC))
    assert [line.discount_amount for line in sent] == [D("0.18"), D("0.17"), D("0.17")]
    assert xero_total(sent) == D("0.53")
    assert invoice_problems(invoice(*lines, discount_percentage=D(50), total_before_tax=D("0.53")), SETTINGS) == ()


def test_a_discount_percentage_goes_as_rates_when_they_come_to_dynamics_total():
    lines = tuple(write_in(id=str(n), sequence_number=n, price_per_unit=D("0.35")) for n in range(3))
    sent = invoice_amounts(invoice(*lines, discount_percentage=D(50), total_before_tax=D("0.54")), SendAs(InvoiceType.ACCREC))
    assert [line.discount_rate for line in sent] == [D(50)] * 3


@pytest.mark.parametrize(
    ("changes", "total"),
    [
        ({}, D("10.01")),  # Dynamics' total is not its lines' (from before the lines last changed)
        ({"discount_amount": D(1)}, D(10)),  # ... nor its lines less its discount
        ({"discount_percentage": D(10)}, D("9.50")),
    ],
)
def test_an_invoice_whose_dynamics_total_is_not_its_lines_less_its_discounts_is_held(changes, total):
    assert codes(invoice_problems(invoice(**changes, total_before_tax=total), SETTINGS)) == [Why.TOTAL_DIFFERS]


def test_a_negative_invoice_sent_as_a_credit_note_compares_its_turned_total():
    settings = ConnectionSettings(default_sales_account_code="200", credit_notes_automatically=True)
    assert invoice_problems(invoice(write_in(price_per_unit=D(-10)), total_before_tax=D(-10)), settings) == ()
    assert codes(invoice_problems(invoice(write_in(price_per_unit=D(-10)), total_before_tax=D(10)), settings)) == [
        Why.TOTAL_DIFFERS
    ]


def test_a_freight_amount_holds_the_invoice():
    assert codes(invoice_problems(invoice(freight_amount=D(5)), SETTINGS)) == [Why.FREIGHT_AMOUNT]


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("Tab\tnew line\nreturn\r", False),
        ("Café ☕ 😀 抹茶", False),
        ("Bell\x07", True),
        ("Nul\x00", True),
        ("\ufffe", True),
    ],
)
def test_text_with_characters_xero_cannot_store_is_held(text, held):
    assert (text_problem(text, "It") is not None) is held
    problems = invoice_problems(invoice(write_in(write_in_description=text)), SETTINGS)
    assert (Why.TEXT_XERO_CANNOT_STORE in codes(problems)) is held


def test_a_tracking_option_xero_cannot_store_is_held():
    line = write_in(tracking=(TrackingChoice("Region", "North\x1b"),))
    assert codes(invoice_problems(invoice(line), SETTINGS)) == [Why.TEXT_XERO_CANNOT_STORE]


@pytest.mark.parametrize(
    ("number", "settings", "held"),
    [
        ("P-" + "9" * 28, SETTINGS, False),
        ("P-" + "9" * 29, SETTINGS, True),  # 31 characters: can't be an item code
        ("P-" + "9" * 29, ConnectionSettings(default_sales_account_code="200"), False),  # not made an item: goes as a plain line
    ],
)
def test_a_product_that_cannot_become_a_xero_item_holds_the_invoice_when_products_are_created(number, settings, held):
    line = DynamicsInvoiceLine("l", 1, product=DynamicsProduct("p", number, "Pad"), quantity=D(1), price_per_unit=D(5))
    assert (codes(invoice_problems(invoice(line), settings)) == [Why.BAD_ITEM_CODE]) is held


def test_item_codes_are_one_whatever_the_letter_case_and_surrounding_spaces():
    assert item_key(" PAD-1") == item_key("pad-1 ") == item_key("PAD-1")
    assert item_key("PAD-1") != item_key("PAD 1")


def test_a_bill_is_compared_with_its_discount_folded_into_the_price():
    line = write_in(quantity=D(4), price_per_unit=D(10), manual_discount_amount=D(2))
    bill = invoice(line, invoice_type=InvoiceType.ACCPAY, total_before_tax=D(38))
    assert invoice_problems(bill, SETTINGS) == ()


@pytest.mark.parametrize("invoice_type", [InvoiceType.ACCPAY, InvoiceType.ACCRECCREDIT, InvoiceType.ACCPAYCREDIT])
def test_a_bill_or_credit_note_whose_discounts_do_not_divide_evenly_goes_with_its_total(invoice_type):
    lines = (
        write_in(id="a", quantity=D(3), price_per_unit=D(10), manual_discount_amount=D("0.01")),
        write_in(id="b", sequence_number=2, quantity=D(7), price_per_unit=D("1.00")),
    )
    document = invoice(*lines, invoice_type=invoice_type, discount_percentage=D("33.3333"), total_before_tax=D("24.66"))
    assert invoice_problems(document, SETTINGS) == ()
    assert xero_total(invoice_amounts(document, SendAs(invoice_type))) == D("24.66")
