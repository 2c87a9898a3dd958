"""Discounts reach Xero, every one, and Xero's lines come to Dynamics' total to the cent: the invoice's discount shared
over the lines by the largest remainder, on sales invoices as line discounts, on bills and credit notes folded into
the price or apart on Discount lines (docs/amounts.md).

The property at the end draws invoices as Dynamics prices them (the Dataverse sandbox's pricing) and works out what
Xero makes of the body sent (the Xero sandbox's arithmetic), so neither side's sums are the connector's own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxconnector.domain.mapping.invoice import xero_invoice
from dxconnector.domain.records import (
    ConnectionSettings,
    CustomerKind,
    CustomerRef,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    InvoiceType,
    LineAmountTypes,
)
from dxconnector.domain.rules import LineAmounts, SendAs, Why, invoice_problems
from dxconnector.domain.rules.amounts import invoice_amounts, invoice_discount, shares, xero_total
from dxsandbox.microsoft.dataverse.pricing import invoice_totals, price_line
from dxsandbox.xero.api.accounting.totals import LineFigures, document_totals, line_totals

SETTINGS = ConnectionSettings(default_sales_account_code="200", default_purchase_account_code="300")
CUSTOMER = CustomerRef(CustomerKind.ACCOUNT, "acc-1", "Acme Ltd")
WHEN = datetime(2026, 3, 1, tzinfo=UTC)
SALE = SendAs(InvoiceType.ACCREC)


def line(price: str, quantity: str = "1", discount: str = "0", n: int = 1, **changes: Any) -> DynamicsInvoiceLine:
    return DynamicsInvoiceLine(
        f"l{n}",
        n,
        is_write_in=True,
        write_in_description=f"Line {n}",
        quantity=D(quantity),
        price_per_unit=D(price),
        manual_discount_amount=D(discount),
        **changes,
    )


def lines(*prices: str) -> tuple[DynamicsInvoiceLine, ...]:
    return tuple(line(price, n=n) for n, price in enumerate(prices, start=1))


def invoice(*its_lines: DynamicsInvoiceLine, **changes: Any) -> DynamicsInvoice:
    values: dict[str, Any] = {"id": "i", "customer": CUSTOMER, "date_delivered": WHEN, "lines": its_lines}
    return DynamicsInvoice(**{**values, **changes})


# --- sharing to the cent -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        ("10.00", ["33.33"] * 3, ["3.34", "3.33", "3.33"]),  # the cent left over goes to the first of equals
        ("0.01", ["1.00"] * 7, ["0.01"] + ["0.00"] * 6),
        ("0.01", ["1.00", "5.00", "2.00"], ["0.00", "0.01", "0.00"]),  # ... else to the share that lost most
        ("53.00", ["200.00", "180.00"], ["27.89", "25.11"]),  # 27.894… and 25.105…
        ("100.00", ["0.01", "999999999.99"], ["0.00", "100.00"]),
        ("-0.02", ["1.00"] * 3, ["-0.01", "-0.01", "0.00"]),  # a negative total shares the same way
        ("10.00", ["100.00", "-20.00", "0.00"], ["10.00", "0.00", "0.00"]),  # only positive amounts take a share
        ("5.00", ["0.00", "0.00"], ["2.50", "2.50"]),  # none positive: equal shares
        ("0.00", ["1.00", "2.00"], ["0.00", "0.00"]),
        ("1.00", [], []),
    ],
)
def test_a_total_is_shared_in_proportion_to_the_cent_by_the_largest_remainder(total, weights, expected):
    shared = shares(D(total), [D(weight) for weight in weights])
    assert shared == tuple(D(share) for share in expected)
    assert sum(shared, D(0)) == (D(total) if weights else D(0))


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (invoice(*lines("200", "180"), discount_percentage=D(10), total_before_tax=D(342)), D(38)),
        (invoice(*lines("200", "180"), discount_percentage=D(10), discount_amount=D(15), total_before_tax=D(327)), D(53)),
        (invoice(line("10", "3", "0.01"), discount_amount=D(5)), D(5)),  # no total from Dynamics: worked out here
        # 0.5% of 1.00 is half a cent: Dynamics rounds its total (0.995 → 1.00), so it took nothing off
        (invoice(*lines("1.00"), discount_percentage=D("0.5"), total_before_tax=D("1.00")), D(0)),
        (invoice(*lines("1.00"), discount_percentage=D("0.5")), D("0.01")),  # rounded here, half away from zero
        (invoice(*lines("1.00"), discount_percentage=D("0.5"), total_before_tax=D("0.50")), D("0.01")),  # not Dynamics'
    ],
)
def test_the_invoice_discount_is_the_money_dynamics_took_off_its_lines(document, expected):
    assert invoice_discount(document) == expected


# --- sales invoices: on the lines --------------------------------------------------------------------------------


def sent_discounts(document: DynamicsInvoice, target: SendAs = SALE) -> list[tuple[Any, ...]]:
    return [(sent.discount_amount, sent.discount_rate, sent.separate_discount) for sent in invoice_amounts(document, target)]


@pytest.mark.parametrize(
    ("document", "discounts", "total"),
    [
        # 10.00 off three lines of 33.33: 3.333… each, the odd cent on the first
        (
            invoice(*lines("33.33", "33.33", "33.33"), discount_amount=D(10), total_before_tax=D("89.99")),
            [(D("3.34"), None, 0), (D("3.33"), None, 0), (D("3.33"), None, 0)],
            D("89.99"),
        ),
        # a cent off seven lines: one line takes it
        (
            invoice(*lines(*["1.00"] * 7), discount_amount=D("0.01"), total_before_tax=D("6.99")),
            [(D("0.01"), None, 0)] + [(None, None, 0)] * 6,
            D("6.99"),
        ),
        # the invoice's percentage and amount together, and a line's own discount: 10% of 380 and 15.00 is 53.00
        (
            invoice(
                line("50", "4", n=1),
                line("200", discount="20", n=2),
                discount_percentage=D(10),
                discount_amount=D(15),
                total_before_tax=D(327),
            ),
            [(D("27.89"), None, 0), (D("45.11"), None, 0)],
            D(327),
        ),
        # a percentage alone stays a rate where Xero's rounding of it comes to Dynamics' total
        (
            invoice(line("50", "4", n=1), line("200", discount="20", n=2), discount_percentage=D(10), total_before_tax=D(342)),
            [(None, D(10), 0), (D(38), None, 0)],
            D(342),
        ),
        # ... and becomes amounts where it doesn't: 3 × 0.175 → 0.18 each would be 0.54, Dynamics says 0.53
        (
            invoice(*lines("0.35", "0.35", "0.35"), discount_percentage=D(50), total_before_tax=D("0.53")),
            [(D("0.18"), None, 0), (D("0.17"), None, 0), (D("0.17"), None, 0)],
            D("0.53"),
        ),
        # a refund line takes no share of the discount (a DiscountAmount can't be negative)
        (
            invoice(*lines("100", "-20"), discount_amount=D(10), total_before_tax=D(70)),
            [(D(10), None, 0), (None, None, 0)],
            D(70),
        ),
        # a negative invoice discount (a surcharge) can't be a line discount: it goes apart, on a line of its own
        (
            invoice(line("10", "2", "1"), discount_amount=D(-5), total_before_tax=D(24)),
            [(D(1), None, D(-5))],
            D(24),
        ),
    ],
)
def test_a_sales_invoices_discounts_go_on_its_lines_and_come_to_dynamics_total(document, discounts, total):
    assert sent_discounts(document) == discounts
    assert xero_total(invoice_amounts(document, SALE)) == total
    assert invoice_problems(document, SETTINGS) == ()


# --- bills and credit notes: folded in or apart -------------------------------------------------------------------


@pytest.mark.parametrize(
    "target", [SendAs(InvoiceType.ACCPAY), SendAs(InvoiceType.ACCRECCREDIT), SendAs(InvoiceType.ACCPAYCREDIT)]
)
@pytest.mark.parametrize(
    ("its_lines", "changes", "expected", "total"),
    [
        # a line's own discount that divides evenly: in the price
        ((line("10", "4", "0.50"),), {}, [LineAmounts(D(4), D("9.875"))], D("39.50")),
        # one that doesn't (29.99 / 3): the price as it is, the discount apart
        ((line("10", "3", "0.01"),), {}, [LineAmounts(D(3), D(10), separate_discount=D("0.01"))], D("29.99")),
        # the invoice's discount amount: apart, shared in proportion (10.00 over 3 × 33.33)
        (
            lines("33.33", "33.33", "33.33"),
            {"discount_amount": D(10)},
            [LineAmounts(D(1), D("33.33"), separate_discount=D(share)) for share in ("3.34", "3.33", "3.33")],
            D("89.99"),
        ),
        # a percentage and an amount, and a line's own discount folded in
        (
            (line("50", "4", n=1), line("200", "2", "20", n=2)),
            {"discount_percentage": D("12.5"), "discount_amount": D("0.01")},
            [LineAmounts(D(4), D(50), separate_discount=D("25.00")), LineAmounts(D(2), D(190), separate_discount=D("47.51"))],
            D("507.49"),  # 580 less 72.50 and 0.01: 25.003… and 47.506…
        ),
    ],
)
def test_a_bill_or_credit_notes_discounts_are_folded_into_the_price_or_go_apart(its_lines, changes, expected, total, target):
    document = invoice(*its_lines, invoice_type=target.type, total_before_tax=total, **changes)
    assert list(invoice_amounts(document, target)) == expected
    assert xero_total(invoice_amounts(document, target)) == total
    assert invoice_problems(document, SETTINGS) == ()


def test_a_negative_invoice_sent_as_a_credit_note_adds_its_discount_to_the_credit():
    document = invoice(*lines("-50", "20"), discount_amount=D("5.01"), total_before_tax=D("-35.01"))
    target = SendAs(InvoiceType.ACCRECCREDIT, negate=True)
    assert list(invoice_amounts(document, target)) == [
        LineAmounts(D(1), D(50)),
        LineAmounts(D(1), D(-20), separate_discount=D("-5.01")),  # the Discount line: +5.01 on the credit note
    ]
    assert xero_total(invoice_amounts(document, target)) == D("35.01")
    assert invoice_problems(document, replace(SETTINGS, credit_notes_automatically=True)) == ()


@pytest.mark.parametrize(
    ("invoice_type", "expected"),
    [
        (InvoiceType.ACCREC, LineAmounts(D(0), D(0), discount_amount=D("0.01"))),
        (InvoiceType.ACCPAY, LineAmounts(D(0), D(0), separate_discount=D("0.01"))),
    ],
)
def test_a_line_of_nothing_but_a_discount_goes_for_dynamics_takes_it_off_the_total(invoice_type, expected):
    document = invoice(line("33.33", n=1), line("0", "0", "0.01", n=2), invoice_type=invoice_type, total_before_tax=D("33.32"))
    assert invoice_amounts(document, SendAs(invoice_type))[1] == expected
    assert invoice_problems(document, SETTINGS) == ()


def test_an_invoice_discount_with_no_line_to_go_on_is_held_with_the_total():
    description_only = line("0", "0", n=1)
    document = invoice(description_only, discount_amount=D(5), total_before_tax=D(-5))
    settings = replace(SETTINGS, credit_notes_automatically=True)
    [reason] = invoice_problems(document, settings)
    assert reason.code is Why.TOTAL_DIFFERS and "no line with an amount" in reason.text


# --- the property: Dynamics' pricing in, Xero's arithmetic out -------------------------------------------------------

TAX_RATE = D("0.15")
MONEY = st.decimals(min_value=0, max_value=5000, places=2)
LINES = st.lists(
    st.tuples(
        st.one_of(st.sampled_from([D(1), D(3), D(7)]), st.decimals(min_value=-20, max_value=200, places=4)),  # quantity
        st.one_of(st.sampled_from([D("33.33"), D("0.35"), D("0.01")]), st.decimals(min_value=-50, max_value=5000, places=4)),
        st.one_of(st.just(D(0)), st.decimals(min_value=0, max_value=100, places=2)),  # the line's own discount
        st.sampled_from(["200", "260", "270"]),  # its account code
    ),
    min_size=1,
    max_size=8,
)


def priced(drawn: list[tuple[D, D, D, str]], percent: D, amount: D) -> tuple[list[DynamicsInvoiceLine], dict[str, float]]:
    """The lines, and the invoice's totals as Dynamics works them out."""
    records = [{"isproductoverridden": True, "quantity": float(q), "priceperunit": str(p), "manualdiscountamount": str(m)}
               for q, p, m, _ in drawn]  # fmt: skip
    for record in records:
        price_line(record, None)
    totals = invoice_totals({"discountpercentage": str(percent), "discountamount": str(amount)}, records)
    made = [line(str(p), str(q), str(m), n=n, account_code=code) for n, (q, p, m, code) in enumerate(drawn, start=1)]
    return made, totals


def xero_totals(body: dict[str, Any]):
    """What Xero makes of the body: each line worked out to the cent, tax at 15% on every line."""
    sales = body["Type"] == "ACCREC"
    figures = [
        LineFigures(line["Quantity"], line["UnitAmount"], TAX_RATE, line.get("DiscountRate"), line.get("DiscountAmount"))
        for line in body["LineItems"]
        if "UnitAmount" in line
    ]
    for figure in figures:
        assert sales or (figure.discount_rate is None and figure.discount_amount is None), "a discount Xero refuses"
        assert figure.discount_amount is None or figure.discount_amount >= 0, "a negative DiscountAmount"
        assert figure.discount_rate is None or 0 <= figure.discount_rate <= 100
    return document_totals([line_totals(figure, body["LineAmountTypes"]) for figure in figures], body["LineAmountTypes"])


@settings(max_examples=400, deadline=None)
@given(
    LINES,
    st.one_of(st.just(D(0)), st.decimals(min_value=0, max_value=100, places=2)),
    st.one_of(st.just(D(0)), MONEY),
    st.sampled_from(list(InvoiceType)),
    st.sampled_from(list(LineAmountTypes)),
)
def test_every_discounted_invoice_goes_to_xero_with_dynamics_total_to_the_cent(drawn, percent, amount, invoice_type, types):
    made, totals = priced(drawn, percent, amount)
    total = D(str(totals["totalamountlessfreight"]))
    document = invoice(
        *made,
        invoice_type=invoice_type,
        line_amount_types=types,
        discount_percentage=percent,
        discount_amount=amount,
        total_before_tax=total,
    )
    settings_ = replace(SETTINGS, credit_notes_automatically=True)
    problems = [reason.code for reason in invoice_problems(document, settings_)]
    if problems:  # a credit note Dynamics totals below zero is the only thing held
        assert problems == [Why.NEGATIVE_CREDIT_NOTE]
        return
    body = xero_invoice(document, settings_, "contact-1").to_xero()
    found = xero_totals(body)
    lines_total = found.total if types is LineAmountTypes.INCLUSIVE else found.sub_total
    assert lines_total == abs(total)
    sent_lines = [line for line in body["LineItems"] if line["Description"] != "Discount"]
    assert len(sent_lines) == len(made)  # every line, in order, then the Discount lines
