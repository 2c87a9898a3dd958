"""Amounts: a line's quantity, unit amount and discount as Xero takes them, what Xero can hold exactly, Xero's total of
the lines against Dynamics' own, and negative invoices sent as credit notes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dxconnector.domain.records import (
    ZERO,
    ConnectionSettings,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    InvoiceType,
)
from dxconnector.domain.rules.lines import carries_amounts, lines_in_order
from dxconnector.domain.rules.reasons import Reason, RuleViolation, Why

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
UNIT_PRECISION = Decimal("0.0001")  # Xero keeps unit amounts to 4 places (with unitdp=4)


@dataclass(frozen=True)
class LineAmounts:
    quantity: Decimal
    unit_amount: Decimal
    discount_amount: Decimal | None = None
    discount_rate: Decimal | None = None


def _tidy(amount: Decimal) -> Decimal:
    """4 places at most, 2 at least: 9.0000 → 9.00, 9.1250 → 9.125."""
    two = amount.quantize(CENT)
    return two if two == amount else amount.normalize()


def line_amounts(
    line: DynamicsInvoiceLine, invoice: DynamicsInvoice, send_as: InvoiceType, negate: bool = False, label: str = "A line"
) -> LineAmounts:
    """Quantity, unit amount and discount as Xero takes them.

    Xero takes discounts on sales invoices only. There the line's discount amount goes as DiscountAmount,
    an invoice-level discount % as DiscountRate, and both together as one DiscountAmount. On bills and
    credit notes the discount is folded into the unit amount when that comes out exact to 4 places;
    otherwise the line is refused rather than sent with a different total.
    """
    quantity, price, manual = line.quantity, line.price_per_unit, line.manual_discount_amount
    percent = invoice.discount_percentage
    if not manual and not percent:
        return LineAmounts(quantity, -price if negate else price)
    if send_as is InvoiceType.ACCREC:
        if manual and percent:
            combined = manual + (quantity * price - manual) * percent / HUNDRED
            return LineAmounts(quantity, price, discount_amount=combined.quantize(CENT, ROUND_HALF_UP))
        if manual:
            return LineAmounts(quantity, price, discount_amount=manual)
        return LineAmounts(quantity, price, discount_rate=percent)
    net = (quantity * price - manual) * (HUNDRED - percent) / HUNDRED
    unit = (net / quantity).quantize(UNIT_PRECISION) if quantity else None
    if unit is None or unit * quantity != net:
        raise RuleViolation(
            Reason(
                Why.DISCOUNT_NOT_SUPPORTED,
                f"{label} has a discount, and Xero takes discounts on "
                f"sales invoices only; on a {send_as.label} it can't be "
                "spread exactly over the quantity: put it in the price.",
            )
        )
    unit = _tidy(unit)
    return LineAmounts(quantity, -unit if negate else unit)


QUANTITY_PLACES = 4  # Xero keeps quantities to four decimal places
UNIT_PLACES = 4  # and unit amounts to four (asked with unitdp=4)
MONEY_PLACES = 2  # a discount amount, like every total, to the cent
EXACT_DIGITS = 15  # numbers cross to Xero as JSON numbers made from doubles: 15 significant digits survive the trip


def places(value: Decimal) -> int:
    """How many decimal places the value really has (1.50 has one)."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    exponent = value.normalize().as_tuple().exponent  # trailing zeros are no precision
    return max(0, -exponent) if isinstance(exponent, int) else 0


def more_places_than(value: Decimal, most: int) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent < -most and places(value) > most


def significant_digits(value: Decimal) -> int:
    digits = value.as_tuple().digits
    return len(digits) if len(digits) <= EXACT_DIGITS else len(value.normalize().as_tuple().digits)


def precision_problems(line: DynamicsInvoiceLine, label: str = "A line") -> tuple[Reason, ...]:
    """A line whose numbers Xero would round is held back, not sent with a different total: Dynamics keeps
    quantities to five places and prices to four, Xero quantities and prices to four and discounts to the cent."""
    figures = (
        ("quantity", line.quantity, QUANTITY_PLACES),
        ("price", line.price_per_unit, UNIT_PLACES),
        ("discount", line.manual_discount_amount, MONEY_PLACES),
    )
    beyond = [name for name, value, most in figures if more_places_than(value, most)]
    problems: list[Reason] = []
    if beyond:
        problems.append(
            Reason(
                Why.BEYOND_XERO_PRECISION,
                f"{label} has a {' and a '.join(beyond)} with more decimal places than "
                "Xero keeps (four for quantities and prices, two for discounts): "
                "round it in Dynamics so both totals agree.",
            )
        )
    if any(significant_digits(value) > EXACT_DIGITS for _, value, _ in figures):
        problems.append(
            Reason(
                Why.BEYOND_XERO_PRECISION,
                f"{label} has a number with more than {EXACT_DIGITS} digits, more than reaches Xero exactly: split the line.",
            )
        )
    return tuple(problems)


def xero_line_amount(amounts: LineAmounts) -> Decimal:
    """The line's amount as Xero works it out: quantity × unit amount less the discount, to the cent."""
    gross = amounts.quantity * amounts.unit_amount
    if amounts.discount_rate:
        return cents(gross * (1 - amounts.discount_rate / HUNDRED))
    if amounts.discount_amount:
        return cents(cents(gross) - amounts.discount_amount)
    return cents(gross)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def totals_problem(invoice: DynamicsInvoice, target: SendAs) -> Reason | None:
    """Xero works each line out to the cent and adds them up; Dynamics rounds its invoice discount once, on the
    whole. Sent only when Xero's lines come to Dynamics' own total (before tax and freight), to the cent."""
    if invoice.total_before_tax is None:
        return None
    lines = [line_amounts(line, invoice, target.type, target.negate) for line in lines_in_order(invoice) if carries_amounts(line)]
    theirs = sum((xero_line_amount(amounts) for amounts in lines), ZERO)
    ours = -invoice.total_before_tax if target.negate else invoice.total_before_tax
    if cents(theirs) == cents(ours):
        return None
    return Reason(
        Why.TOTAL_DIFFERS,
        "Xero works out each line to the cent, discount included, and here the lines come to a "
        "different total than Dynamics shows (a discount percentage spread over several lines "
        "rounds differently): adjust a line so both agree, or give the discount as line amounts.",
    )


def net_total(invoice: DynamicsInvoice) -> Decimal:
    """The invoice's total before tax, as far as its sign goes."""
    lines = sum(
        (
            line.quantity * line.price_per_unit - line.manual_discount_amount
            for line in lines_in_order(invoice)
            if carries_amounts(line)
        ),
        ZERO,
    )
    return lines * (HUNDRED - invoice.discount_percentage) / HUNDRED - invoice.discount_amount


@dataclass(frozen=True)
class SendAs:
    type: InvoiceType
    negate: bool = False  # a negative invoice sent as a credit note: amounts change sign


def send_as(invoice: DynamicsInvoice, settings: ConnectionSettings) -> SendAs:
    """Xero refuses negative totals. With "Create credit notes automatically" a negative invoice or bill goes
    as the matching credit note with its amounts turned positive; without it, it is held back."""
    chosen = invoice.invoice_type
    if net_total(invoice) >= 0:
        return SendAs(chosen)
    if chosen.is_credit_note:
        raise RuleViolation(
            Reason(Why.NEGATIVE_CREDIT_NOTE, f"The {chosen.label} totals less than zero: enter its amounts as positive numbers.")
        )
    if settings.credit_notes_automatically:
        return SendAs(chosen.credit_note, negate=True)
    raise RuleViolation(
        Reason(
            Why.NEGATIVE_TOTAL,
            f"The {chosen.label} totals less than zero, which Xero refuses: "
            f"set the Xero Invoice Type to {chosen.credit_note.label.capitalize()}, "
            "or turn on Create Credit Notes Automatically.",
        )
    )
