"""Dynamics products → Xero items (code = product number)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.records import (
    ConnectionSettings,
    DynamicsInvoice,
    DynamicsProduct,
    XeroItem,
    XeroItemDetails,
)
from dxconnector.domain.rules import LineKind, Reason, RuleViolation

NAME_LIMIT = 50
DESCRIPTION_LIMIT = 4000


def item_code(product: DynamicsProduct) -> str:
    problem = rules.item_code_problem(product)
    if problem is not None:
        raise RuleViolation(problem)
    return product.number.strip()


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
    return {
        line.product.id: line.product
        for invoice in invoices
        for line in rules.lines_in_order(invoice)
        if line.product is not None and rules.line_kind(line) is LineKind.PRODUCT
    }


@dataclass(frozen=True)
class ItemPlan:
    """What becomes of the products Xero has no link for yet: matched to Xero's item with their code, created,
    or held back (a product id → the reason)."""

    matched: dict[str, str] = field(default_factory=dict)  # product id → Xero ItemID
    to_create: dict[str, DynamicsProduct] = field(default_factory=dict)
    problems: dict[str, Reason] = field(default_factory=dict)


def item_plan(
    products: Iterable[DynamicsProduct], found: Mapping[str, str], owners: Mapping[str, str], settings: ConnectionSettings
) -> ItemPlan:
    """Unlinked products → Xero items. `found`: Xero's items with their codes, by `rules.item_key`; `owners`: Xero
    ItemID → the Dynamics product already linked to it. An item linked to another product is never taken, and
    two products that would be one item (their numbers equal but for case and spaces) are both held back, naming
    each other. A product that can't be an item, or isn't in Xero while products aren't created, goes as a line
    without one."""
    plan = ItemPlan()
    wanted: dict[str, str] = {}
    candidates = {product.id: product for product in products if rules.item_code_problem(product) is None}
    for product in candidates.values():
        key = rules.item_key(product.number)
        item_id = found.get(key)
        owner = owners.get(item_id or "", product.id)
        if owner != product.id:
            plan.problems[product.id] = rules.item_taken(product.id, owner)
        elif item_id:
            wanted[product.id] = item_id
        elif rules.may_create_item(settings):
            wanted[product.id] = f"new {key}"
    for product_id, others in rules.contested(wanted).items():
        plan.problems[product_id] = rules.item_contested(product_id, others)
    for product_id, target in wanted.items():
        if product_id in plan.problems:
            continue
        if target.startswith("new "):
            plan.to_create[product_id] = candidates[product_id]
        else:
            plan.matched[product_id] = target
    return plan


def item_hash(item: XeroItem, key: bytes) -> str:
    body = item.to_xero()
    body.pop("ItemID", None)
    return rules.content_hash(body, key)


# --- field by field: the product's edits, to Xero (`rules.conflicts`) ----------------------------------------

CODE, NAME, DESCRIPTION, SALES, STATUS = "Code", "Name", "Description", "Sales details", "Status"
ITEM_FIELDS = (CODE, NAME, DESCRIPTION, SALES, STATUS)
ACTIVE, RETIRED = "ACTIVE", "RETIRED"


def _sales_text(sales: Mapping[str, Any] | None) -> str:
    sales = sales or {}
    price = sales.get("UnitPrice")
    return "\n".join(
        (
            rules.plain(Decimal(str(price))) if price is not None else "",
            str(sales.get("AccountCode") or ""),
            str(sales.get("TaxType") or ""),
        )
    )


def item_values(body: Mapping[str, Any]) -> dict[str, str]:
    """The synced fields of a Xero item body (ours or Xero's) as one text each."""
    return {
        CODE: str(body.get("Code") or "").strip(),
        NAME: str(body.get("Name") or "").strip(),
        DESCRIPTION: str(body.get("Description") or "").strip(),
        SALES: _sales_text(body.get("SalesDetails")),
    }


def product_values(product: DynamicsProduct, settings: ConnectionSettings) -> dict[str, str]:
    """The fields a product maps to, as its Xero item would have them, and whether it is active (Xero items have
    no status: a retired product's item stays, and the history says so). Raises `RuleViolation` for a number
    that can't be an item code."""
    return {**item_values(xero_item(product, settings).to_xero()), STATUS: ACTIVE if product.state == 0 else RETIRED}


def item_patch(product: DynamicsProduct, settings: ConnectionSettings, item_id: str, fields: frozenset[str]) -> dict[str, Any]:
    """The update of a Xero item with these fields of the product. Its code always goes (Xero wants one on every
    item it is sent); its sales details go whole when any part changed (price, account, tax rate)."""
    body = xero_item(product, settings, item_id).to_xero()
    patch: dict[str, Any] = {"ItemID": item_id, "Code": body["Code"]}
    if NAME in fields:
        patch["Name"] = body["Name"]
    if DESCRIPTION in fields:
        patch["Description"] = body.get("Description", "")
    if SALES in fields:
        patch["SalesDetails"] = body.get("SalesDetails") or {}
    return patch
