"""Money arithmetic in Decimal, rounded half away from zero as accountants (and Xero) do."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0")


class BadNumber(ValueError):
    pass


def decimal(value: Any, default: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise BadNumber(f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise BadNumber(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise BadNumber(f"{value!r} is not a number")
    return number


def round_to(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def as_json(value: Decimal) -> float:
    """JSON numbers: Xero sends 40.00 as a number, which the SDK reads back as a Decimal."""
    return float(value)
