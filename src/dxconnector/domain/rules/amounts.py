"""Amounts: a line's quantity, unit amount and discount as Xero takes them, what Xero can hold exactly, Xero's total of
the lines against Dynamics' own, and negative invoices sent as credit notes.

Discounts (docs/amounts.md tells the whole story, with examples). Dynamics has a discount on each line (its manual
discount) and one on the invoice (a percentage and an amount, taken off the lines' total and rounded once). Xero has
discounts on the lines of sales invoices only (DiscountRate or DiscountAmount), works each line out to the cent and
adds the lines up. Every discount is sent, and Xero's lines always come to Dynamics' total before tax, to the cent:

- The invoice's discount is one amount of money, as Dynamics worked it out (its lines less its total before tax).
  It is shared over the lines in proportion to their amounts, each share to the cent by the largest remainder
  method (`shares`), so the shares add up to the discount exactly.
- On a sales invoice each line's share joins its own discount as its DiscountAmount. An invoice percentage alone
  still goes as each line's DiscountRate, as it reads in Dynamics, when Xero's line-by-line rounding of it comes to
  Dynamics' total; otherwise it goes as amounts too.
- Bills and credit notes take no discounts in Xero. A line's own discount is folded into its unit amount when
  that is exact to four places (4 × 10.00 less 0.50 is 4 × 9.875); otherwise the line goes at its price and the
  discount goes apart. What goes apart, with the lines' shares of the invoice's discount, is sent as "Discount"
  lines: one for each account code, tax type and tracking among the lines it reduces, so the accounts, the tax
  and the tracking reports are reduced where Dynamics reduced them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

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
HALF_CENT = Decimal("0.005")
UNIT_PRECISION = Decimal("0.0001")  # Xero keeps unit amounts to 4 places (with unitdp=4)
DISCOUNT_LINE = "Discount"  # the description of a line that carries discounts apart from the lines they reduce


@dataclass(frozen=True)
class LineAmounts:
    quantity: Decimal
    unit_amount: Decimal
    discount_amount: Decimal | None = None
    discount_rate: Decimal | None = None
    separate_discount: Decimal = ZERO  # the part of the line's discount sent on a Discount line, as sent (+ reduces)


@dataclass(frozen=True)
class SendAs:
    type: InvoiceType
    negate: bool = False  # a negative invoice sent as a credit note: amounts change sign


def _tidy(amount: Decimal) -> Decimal:
    """4 places at most, 2 at least: 9.0000 → 9.00, 9.1250 → 9.125."""
    two = amount.quantize(CENT)
    return two if two == amount else amount.normalize()


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def priced_lines(invoice: DynamicsInvoice) -> tuple[DynamicsInvoiceLine, ...]:
    """The lines that carry amounts, in the order they go to Xero."""
    return tuple(line for line in lines_in_order(invoice) if carries_amounts(line))


def line_net(line: DynamicsInvoiceLine) -> Decimal:
    """The line's amount less its own discount: quantity × price to the cent (Dynamics' base amount, and Xero's)."""
    return cents(line.quantity * line.price_per_unit) - line.manual_discount_amount


def invoice_discount(invoice: DynamicsInvoice) -> Decimal:
    """The invoice-level discount, percentage and amount together, in money: Dynamics' lines less its own total
    before tax, which it rounds once; worked out here (to the cent) when Dynamics gives no total, or one that is not
    its lines less its discount (`totals_problem` then holds the invoice)."""
    detail = sum((line_net(line) for line in priced_lines(invoice)), ZERO)
    exact = detail * invoice.discount_percentage / HUNDRED + invoice.discount_amount
    if invoice.total_before_tax is not None:
        dynamics = detail - invoice.total_before_tax
        if abs(dynamics - exact) <= HALF_CENT:
            return dynamics
    return cents(exact)


def shares(total: Decimal, weights: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """`total` (to the cent) shared in proportion to the positive `weights`, each share to the cent, the shares
    adding up to `total` exactly: every share is first rounded down, then the cents left over go one each to the
    shares that lost most in rounding (the largest remainder method), the earlier first among equals. With no
    positive weight the total is shared equally. Counted in whole cents, so nothing is lost to Decimal's precision."""
    if not weights:
        return ()
    owed = int((total / CENT).to_integral_value(ROUND_HALF_UP))
    sign, owed = (-1 if owed < 0 else 1), abs(owed)
    counted = [max(0, int((weight / CENT).to_integral_value(ROUND_FLOOR))) for weight in weights]
    if not sum(counted):
        counted = [1] * len(weights)
    whole = sum(counted)
    floors = [owed * weight // whole for weight in counted]
    remainders = [owed * weight % whole for weight in counted]
    left = owed - sum(floors)
    for position in sorted(range(len(weights)), key=lambda n: (-remainders[n], n))[:left]:
        floors[position] += 1
    return tuple(Decimal(sign * share) * CENT for share in floors)


def invoice_amounts(invoice: DynamicsInvoice, target: SendAs) -> tuple[LineAmounts, ...]:
    """Each priced line's quantity, unit amount and discount as Xero takes them (in `priced_lines` order), every
    discount included and the total Dynamics' to the cent; what can't go on a line is its `separate_discount`."""
    lines = priced_lines(invoice)
    spread = shares(invoice_discount(invoice), [line_net(line) for line in lines])
    if target.type is InvoiceType.ACCREC:
        return _as_line_discounts(invoice, lines, spread)
    sign = Decimal(-1) if target.negate else Decimal(1)
    return tuple(_folded(line, share, sign) for line, share in zip(lines, spread, strict=True))


def _as_line_discounts(
    invoice: DynamicsInvoice, lines: Sequence[DynamicsInvoiceLine], spread: Sequence[Decimal]
) -> tuple[LineAmounts, ...]:
    """A sales invoice's discounts on its lines: the invoice percentage as each line's DiscountRate while Xero's
    rounding of it line by line comes to Dynamics' total, else every line's own discount and share as one amount.
    A negative invoice discount (a surcharge) can't be a DiscountAmount: it goes on Discount lines."""
    if any(share < 0 for share in spread):
        return tuple(
            LineAmounts(
                line.quantity, line.price_per_unit, discount_amount=line.manual_discount_amount or None, separate_discount=share
            )
            for line, share in zip(lines, spread, strict=True)
        )
    rated = _rated(invoice, lines)
    wanted = sum(map(line_net, lines), ZERO) - sum(spread, ZERO) if invoice.total_before_tax is None else invoice.total_before_tax
    if rated is not None and sum(map(xero_line_amount, rated), ZERO) == wanted:
        return rated
    return tuple(
        LineAmounts(line.quantity, line.price_per_unit, discount_amount=(line.manual_discount_amount + share) or None)
        for line, share in zip(lines, spread, strict=True)
    )


def _rated(invoice: DynamicsInvoice, lines: Sequence[DynamicsInvoiceLine]) -> tuple[LineAmounts, ...] | None:
    """An invoice percentage (and no invoice amount) as Dynamics shows it: each line's DiscountRate, or with the
    line's own discount one DiscountAmount of the two, worked out line by line (None when that can't be)."""
    percent = invoice.discount_percentage
    if invoice.discount_amount or not ZERO < percent <= HUNDRED:
        return None
    rated = []
    for line in lines:
        if not line.manual_discount_amount:
            rated.append(LineAmounts(line.quantity, line.price_per_unit, discount_rate=percent))
            continue
        combined = cents(line.manual_discount_amount + line_net(line) * percent / HUNDRED)
        if combined < 0:  # a refund line's: Xero takes no negative DiscountAmount
            return None
        rated.append(LineAmounts(line.quantity, line.price_per_unit, discount_amount=combined))
    return tuple(rated)


def folded_unit(line: DynamicsInvoiceLine) -> Decimal | None:
    """The unit amount with the line's own discount folded in, when that is exact to four places (None if not)."""
    if not line.manual_discount_amount:
        return line.price_per_unit
    if not line.quantity:
        return None
    net = line_net(line)  # Dynamics rounds quantity × price before taking the discount off; so must the fold
    unit = (net / line.quantity).quantize(UNIT_PRECISION)
    return _tidy(unit) if unit * line.quantity == net else None


def _folded(line: DynamicsInvoiceLine, share: Decimal, sign: Decimal) -> LineAmounts:
    """A bill's or credit note's line (no discounts in Xero): its own discount in its unit amount when exact, and
    what is not, with its share of the invoice's discount, apart on a Discount line."""
    unit = folded_unit(line)
    if unit is None:
        unit, apart = line.price_per_unit, line.manual_discount_amount + share
    else:
        apart = share
    return LineAmounts(line.quantity, sign * unit, separate_discount=sign * apart)


def line_amounts(line: DynamicsInvoiceLine, invoice: DynamicsInvoice, send_as: InvoiceType, negate: bool = False) -> LineAmounts:
    """One priced line's amounts as part of its invoice (`invoice_amounts`): the invoice's discount is shared
    over all its lines."""
    lines = priced_lines(invoice)
    position = next((n for n, priced in enumerate(lines) if priced is line), None)
    if position is None:
        raise ValueError("the line is not a priced line of the invoice")
    return invoice_amounts(invoice, SendAs(send_as, negate))[position]


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


def xero_total(amounts: Sequence[LineAmounts]) -> Decimal:
    """What Xero's lines come to, the Discount lines included (each is minus what goes apart on it)."""
    return sum((xero_line_amount(line) - cents(line.separate_discount) for line in amounts), ZERO)


def totals_problem(invoice: DynamicsInvoice, target: SendAs) -> Reason | None:
    """Sent only when Xero's lines, Discount lines included, come to Dynamics' own total (before tax and freight),
    to the cent. The discounts are shared so that they always do; they don't when Dynamics' total is not its lines
    less its discounts (a total from before the lines last changed, or amounts beyond the cent)."""
    if not priced_lines(invoice) and invoice_discount(invoice):
        return Reason(
            Why.TOTAL_DIFFERS,
            "The invoice has a discount but no line with an amount to take it off: add the lines, or remove the discount.",
        )
    if invoice.total_before_tax is None:
        return None
    theirs = xero_total(invoice_amounts(invoice, target))
    ours = -invoice.total_before_tax if target.negate else invoice.total_before_tax
    if cents(theirs) == cents(ours):
        return None
    return Reason(
        Why.TOTAL_DIFFERS,
        "The invoice's lines less its discounts come to a different total than Dynamics shows for it, and Xero "
        "works its total out from the lines: have Dynamics recalculate the invoice (save it again) so both agree.",
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
