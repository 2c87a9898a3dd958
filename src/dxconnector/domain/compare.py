"""One notion of "the same" for an invoice as the connector sends it and as Xero holds it, both in Xero's shape
(ours from `XeroInvoice.to_xero`). The paid-invoice rule asks it what changed; `verify` asks it what differs.

- Dates are the same day; ids, item codes, currency codes and tracking compare without regard to letter case;
  amounts as numbers (10, 10.0 and 10.00 are one amount); text exactly.
- On a line, what the connector leaves to Xero when it sends none — the quantity and unit amount of a
  description-only line, the account and tax type — is not compared then; an item code, tracking or discount it
  doesn't send must not be in Xero either. Of the two discounts the one sent is compared, or, none sent, both
  must be nought.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from dxconnector.domain.rules.dates import parse_xero_date

DATES = frozenset({"Date", "DueDate"})
NUMBERS = frozenset({"Quantity", "UnitAmount", "DiscountRate", "DiscountAmount"})
CASELESS = frozenset({"ItemCode", "BrandingThemeID", "CurrencyCode"})
DISCOUNTS = ("DiscountRate", "DiscountAmount")
LINE_FIELDS = ("Description", "Quantity", "UnitAmount", *DISCOUNTS, "AccountCode", "ItemCode", "TaxType", "Tracking")
LINE_WHEN_SENT = frozenset({"Quantity", "UnitAmount", "AccountCode", "TaxType"})
IDENTITY = frozenset({"InvoiceID", "CreditNoteID", "Status", "LineItems"})


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal("NaN")


def _tracking(elements: Any) -> set[tuple[str, str]]:
    return {(_text(element.get("Name")).casefold(), _text(element.get("Option")).casefold()) for element in elements or ()}


def same(field: str, ours: Any, theirs: Any) -> bool:
    """Whether one field holds the same on both sides."""
    if field in DATES:
        return parse_xero_date(ours) == parse_xero_date(theirs)
    if field == "Contact":
        return _text((ours or {}).get("ContactID")).casefold() == _text((theirs or {}).get("ContactID")).casefold()
    if field == "Tracking":
        return _tracking(ours) == _tracking(theirs)
    if field in NUMBERS or isinstance(ours, int | float | Decimal):
        return _number(ours) == _number(theirs)
    if field in CASELESS:
        return _text(ours).casefold() == _text(theirs).casefold()
    return _text(ours) == _text(theirs)


def header_changes(ours: Mapping[str, Any], theirs: Mapping[str, Any], fields: Iterable[str] | None = None) -> list[str]:
    """The header fields that differ: `fields`, or every one we send (but ids, status and lines)."""
    wanted = [key for key in ours if key not in IDENTITY] if fields is None else list(fields)
    return [key for key in wanted if not same(key, ours.get(key), theirs.get(key))]


def line_changes(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[str]:
    """The fields in which Xero's line differs from ours (the rules of the module's docstring)."""
    sent_discounts = [name for name in DISCOUNTS if ours.get(name)]
    keys = [key for key in LINE_FIELDS if key in ours or key not in LINE_WHEN_SENT]
    keys += [key for key in ours if key not in keys]
    if sent_discounts:
        keys = [key for key in keys if key not in DISCOUNTS or key in sent_discounts]
    return [key for key in keys if not same(key, ours.get(key), theirs.get(key))]


def lines_changes(ours: Sequence[Mapping[str, Any]], theirs: Sequence[Mapping[str, Any]]) -> list[list[str]] | None:
    """Each line's changes, in order; None when the number of lines differs."""
    if len(ours) != len(theirs):
        return None
    return [line_changes(mine, other) for mine, other in zip(ours, theirs, strict=True)]


def labelled(changes: list[list[str]] | None) -> list[str]:
    """As fields are named in reasons and reports: `LineItems[2].Quantity`, or `LineItems` when lines were added or
    taken away."""
    if changes is None:
        return ["LineItems"]
    return [f"LineItems[{number}].{key}" for number, keys in enumerate(changes, start=1) for key in keys]
