"""Products as Xero items: the item code a product goes as, and when it can't be one."""

from __future__ import annotations

from collections.abc import Set

from dxconnector.domain.records import (
    ConnectionSettings,
    DynamicsInvoice,
    DynamicsInvoiceLine,
    DynamicsProduct,
)
from dxconnector.domain.rules.header import may_create_item
from dxconnector.domain.rules.lines import LineKind, line_kind, lines_in_order
from dxconnector.domain.rules.reasons import Reason, Why
from dxconnector.domain.rules.text import text_problem, utf16_length

ITEM_CODE_LIMIT = 30


def item_code(line: DynamicsInvoiceLine, settings: ConnectionSettings, xero_item_codes: Set[str]) -> str | None:
    """The product number, when the item is in Xero or will be created there; otherwise the line goes
    without an item (Xero refuses unknown item codes)."""
    if line_kind(line) is not LineKind.PRODUCT or line.product is None:
        return None
    return product_item_code(line.product, settings, xero_item_codes)


def product_item_code(product: DynamicsProduct, settings: ConnectionSettings, xero_item_codes: Set[str]) -> str | None:
    code = product.number.strip()
    if item_code_problem(product) is not None:
        return None
    return code if code in xero_item_codes or may_create_item(settings) else None


def item_key(code: str) -> str:
    """Xero keeps one item per code, whatever the letter case and surrounding spaces: " PAD-1" and "pad-1" are
    the item "PAD-1". Products whose numbers share a key can't be told apart there."""
    return code.strip().casefold()


def item_code_problem(product: DynamicsProduct) -> Reason | None:
    """Why the product number can't be a Xero item code, if it can't."""
    code = product.number.strip()
    if not code:
        return Reason(Why.BAD_ITEM_CODE, "The product has no product ID, which becomes the Xero item code: fill it in.")
    if utf16_length(code) > ITEM_CODE_LIMIT:
        return Reason(
            Why.BAD_ITEM_CODE, f"The product ID '{code}' is longer than Xero's {ITEM_CODE_LIMIT}-character item code: shorten it."
        )
    return text_problem(code, f"The product ID of product {product.id}")


def item_problems(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[Reason, ...]:
    """With Create New Products on, every catalogue product of the invoice must be able to become a Xero item: a
    line sent without its item would not be what the user asked for."""
    if not may_create_item(settings):
        return ()
    found = {
        line.product.id: item_code_problem(line.product)
        for line in lines_in_order(invoice)
        if line.product is not None and line_kind(line) is LineKind.PRODUCT
    }
    return tuple(dict.fromkeys(problem for problem in found.values() if problem is not None))
