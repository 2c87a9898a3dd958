"""Invoice pricing as Dynamics 365 Sales does it with the built-in pricing engine.

Line (invoicedetail):
    priceperunit     the catalog price of an existing product unless `ispriceoverridden` is set (the
                     product's list price stands in for its price-list item); as given for write-in
                     products (`isproductoverridden`)
    baseamount       = priceperunit × quantity
    extendedamount   = baseamount − manualdiscountamount − volumediscountamount + tax

Invoice (over its billable lines: the products inside a bundle — producttypecode 3 and 4 — are listed with
their own amounts for information, but the bundle's line carries the price the customer pays):
    totallineitemamount          = Σ (baseamount − manualdiscountamount − volumediscountamount)   (before tax)
    totallineitemdiscountamount  = Σ manualdiscountamount
    totaltax                     = Σ tax
    totaldiscountamount          = discountamount + totallineitemamount × discountpercentage / 100
    totalamountlessfreight       = totallineitemamount − totaldiscountamount
    totalamount                  = totalamountlessfreight + freightamount + totaltax

Amounts are rounded half away from zero to the currency's precision (2 unless the currency says
otherwise), as SQL Server rounds money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Record = dict[str, Any]

INVOICE_TOTALS = (
    "totallineitemamount",
    "totallineitemdiscountamount",
    "totaltax",
    "totaldiscountamount",
    "totalamountlessfreight",
    "totalamount",
)


def money(value: Any) -> Decimal:
    return Decimal("0") if value is None else Decimal(str(value))


def rounded(value: Decimal, precision: int = 2) -> float:
    return float(value.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP))


def price_line(line: Record, product: Record | None, precision: int = 2) -> None:
    """Set a line's unit price (for catalog products), base and extended amounts, in place."""
    if product is not None and not line.get("isproductoverridden") and not line.get("ispriceoverridden"):
        line["priceperunit"] = product.get("price") if product.get("price") is not None else line.get("priceperunit")
    line.setdefault("volumediscountamount", 0.0)
    base = money(line.get("priceperunit")) * money(line.get("quantity"))
    extended = base - money(line.get("manualdiscountamount")) - money(line.get("volumediscountamount")) + money(line.get("tax"))
    line["baseamount"] = rounded(base, precision)
    line["extendedamount"] = rounded(extended, precision)


BUNDLE_COMPONENTS = (3, 4)  # producttypecode: Required / Optional Bundle Product


def invoice_totals(invoice: Record, lines: list[Record], precision: int = 2) -> dict[str, float]:
    lines = [line for line in lines if line.get("producttypecode") not in BUNDLE_COMPONENTS]
    detail = sum(
        (
            money(line.get("baseamount")) - money(line.get("manualdiscountamount")) - money(line.get("volumediscountamount"))
            for line in lines
        ),
        Decimal("0"),
    )
    line_discounts = sum((money(line.get("manualdiscountamount")) for line in lines), Decimal("0"))
    tax = sum((money(line.get("tax")) for line in lines), Decimal("0"))
    discount = money(invoice.get("discountamount")) + detail * money(invoice.get("discountpercentage")) / Decimal(100)
    less_freight = detail - discount
    total = less_freight + money(invoice.get("freightamount")) + tax
    return {
        "totallineitemamount": rounded(detail, precision),
        "totallineitemdiscountamount": rounded(line_discounts, precision),
        "totaltax": rounded(tax, precision),
        "totaldiscountamount": rounded(discount, precision),
        "totalamountlessfreight": rounded(less_freight, precision),
        "totalamount": rounded(total, precision),
    }
