"""Dynamics products → Xero items (code = product number)."""

from __future__ import annotations

from collections.abc import Iterable, Set

from dxconnector.domain import rules
from dxconnector.domain.records import (
    ConnectionSettings,
    DynamicsInvoice,
    DynamicsProduct,
    XeroItem,
    XeroItemDetails,
)
from dxconnector.domain.rules import LineKind, Reason, RuleViolation, Why

NAME_LIMIT = 50
DESCRIPTION_LIMIT = 4000


def item_code(product: DynamicsProduct) -> str:
    code = product.number.strip()
    if not code:
        raise RuleViolation(Reason(Why.BAD_ITEM_CODE, "The product has no product ID, which becomes the Xero item "
                                                      "code: fill it in."))
    if rules.utf16_length(code) > rules.ITEM_CODE_LIMIT:
        raise RuleViolation(Reason(Why.BAD_ITEM_CODE, f"The product ID '{code}' is longer than Xero's "
                                                      f"{rules.ITEM_CODE_LIMIT}-character item code: shorten it."))
    return code


def xero_item(product: DynamicsProduct, settings: ConnectionSettings, item_id: str | None = None) -> XeroItem:
    """An untracked Xero item: sales details from the product (its account code and tax rate, else the
    connection's defaults), purchase details from the connection's default purchase account."""
    name = rules.cut_text(" ".join(product.name.split()), NAME_LIMIT) or item_code(product)
    sales = XeroItemDetails(
        unit_price=product.price,
        account_code=product.account_code or settings.default_sales_account_code,
        tax_type=product.tax_type or settings.default_tax_type,
    )
    purchase = XeroItemDetails(account_code=settings.default_purchase_account_code)
    return XeroItem(
        code=item_code(product),
        name=name,
        description=rules.cut_text((product.description or product.name).strip(), DESCRIPTION_LIMIT),
        sales=sales,
        purchase=purchase,
        item_id=item_id,
    )


def catalogue_products(invoices: Iterable[DynamicsInvoice]) -> dict[str, DynamicsProduct]:
    """The catalogue products the invoices' lines go to Xero with (as items), once each, by product id."""
    return {line.product.id: line.product for invoice in invoices for line in rules.lines_in_order(invoice)
            if line.product is not None and rules.line_kind(line) is LineKind.PRODUCT}


def products_to_create(products: Iterable[DynamicsProduct], settings: ConnectionSettings,
                       xero_item_codes: Set[str]) -> tuple[DynamicsProduct, ...]:
    """The products Xero lacks as items, once per code, when the connection creates items; the engine creates
    them before the invoices so their ItemCodes exist."""
    if not rules.may_create_item(settings):
        return ()
    wanted: dict[str, DynamicsProduct] = {}
    for product in products:
        code = rules.product_item_code(product, settings, xero_item_codes)
        if code and code not in xero_item_codes:
            wanted.setdefault(code, product)
    return tuple(wanted.values())


def item_hash(item: XeroItem, key: bytes) -> str:
    body = item.to_xero()
    body.pop("ItemID", None)
    return rules.content_hash(body, key)
