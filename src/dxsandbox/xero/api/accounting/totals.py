"""Line and document totals: discounts, tax per line (Exclusive, Inclusive, NoTax), rounding to cents.

Xero rounds each line's amount and tax to two decimals and adds the rounded figures up, so a document's
TotalTax is the sum of its lines' TaxAmount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dxsandbox.xero.api.accounting.money import ZERO, cents

EXCLUSIVE, INCLUSIVE, NO_TAX = "Exclusive", "Inclusive", "NoTax"
LINE_AMOUNT_TYPES = (EXCLUSIVE, INCLUSIVE, NO_TAX)


@dataclass(frozen=True)
class LineFigures:
    quantity: Decimal
    unit_amount: Decimal
    tax_rate: Decimal = ZERO  # a fraction: 0.15 for 15%
    discount_rate: Decimal | None = None  # a percentage: 10 for 10%
    discount_amount: Decimal | None = None


@dataclass(frozen=True)
class LineTotals:
    line_amount: Decimal
    tax_amount: Decimal
    discount: Decimal  # what the discount took off the line


@dataclass(frozen=True)
class DocumentTotals:
    sub_total: Decimal
    total_tax: Decimal
    total: Decimal
    total_discount: Decimal


def line_totals(line: LineFigures, amount_types: str) -> LineTotals:
    gross = cents(line.quantity * line.unit_amount)
    if line.discount_rate is not None:
        line_amount = cents(line.quantity * line.unit_amount * (1 - line.discount_rate / 100))
    elif line.discount_amount is not None:
        line_amount = cents(gross - line.discount_amount)
    else:
        line_amount = gross
    return LineTotals(line_amount, line_tax(line_amount, line.tax_rate, amount_types), gross - line_amount)


def line_tax(line_amount: Decimal, rate: Decimal, amount_types: str) -> Decimal:
    if amount_types == NO_TAX or rate == ZERO:
        return ZERO.quantize(Decimal("0.01"))
    if amount_types == INCLUSIVE:
        return cents(line_amount * rate / (1 + rate))
    return cents(line_amount * rate)


def document_totals(lines: list[LineTotals], amount_types: str) -> DocumentTotals:
    line_sum = sum((line.line_amount for line in lines), ZERO)
    total_tax = sum((line.tax_amount for line in lines), ZERO)
    sub_total = line_sum - total_tax if amount_types == INCLUSIVE else line_sum
    return DocumentTotals(
        cents(sub_total), cents(total_tax), cents(sub_total + total_tax), cents(sum((line.discount for line in lines), ZERO))
    )
