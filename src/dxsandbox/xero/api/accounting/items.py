"""Items: products and services, identified by a Code unique in the organisation (≤30 characters)."""

from __future__ import annotations

import uuid
from typing import Any

from dxsandbox.xero.api.accounting import reference
from dxsandbox.xero.api.accounting.books import Books, Record, public
from dxsandbox.xero.api.accounting.money import as_json, decimal, round_to
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.validation import Problems, boolean, guid, number, text

KIND, COLLECTION = "item", "Items"
CODE_LIMIT, NAME_LIMIT, DESCRIPTION_LIMIT = 30, 50, 4000


def find(books: Books, key: str) -> Record | None:
    """By ItemID or by Code (Xero accepts either in the URL)."""
    item_id = guid(key)
    if item_id:
        found = books.get(KIND, item_id)
        if found:
            return found
    return by_code(books, key)


def by_code(books: Books, code: str | None) -> Record | None:
    matches = books.by_number(KIND, code)
    return matches[0] if matches else None


def render(record: Record, *, unitdp: int = 2) -> Record:
    shown = public(record)
    for side in ("SalesDetails", "PurchaseDetails"):
        details = shown.get(side)
        if details and details.get("UnitPrice") is not None:
            shown[side] = {**details, "UnitPrice": as_json(round_to(decimal(details["UnitPrice"]), unitdp))}
    return shown


def save(work: Work, element: dict[str, Any], *, existing: Record | None = None) -> Record:
    books, problems = work.books, Problems()
    record: Record = (
        dict(existing)
        if existing
        else {"ItemID": str(uuid.uuid4()), "IsSold": True, "IsPurchased": True, "IsTrackedAsInventory": False}
    )
    code = text(problems, element, "Code", CODE_LIMIT)
    if code is not None:
        code = code.strip()
        if not code:
            problems.add("Item code must not be empty.")
        owner = by_code(books, code)
        if owner and owner["ItemID"] != record["ItemID"]:
            problems.add(f"Item code '{code}' already exists.")
        record["Code"] = code
    elif not existing:
        problems.add("Item code must be specified.")
    for field, limit in (("Name", NAME_LIMIT), ("Description", DESCRIPTION_LIMIT), ("PurchaseDescription", DESCRIPTION_LIMIT)):
        value = text(problems, element, field, limit)
        if value is not None:
            record[field] = value or None
    for side in ("SalesDetails", "PurchaseDetails"):
        if isinstance(element.get(side), dict):
            record[side] = _details(books, problems, element[side], work.unitdp)
    _apply_flags(problems, element, record)
    _apply_inventory(books, problems, element, record)
    problems.raise_if_any()
    books.touch(record)
    books.put(KIND, record["ItemID"], record, number=record["Code"])
    return record


def _details(books: Books, problems: Problems, given: dict[str, Any], unitdp: int) -> Record:
    details: Record = {}
    price = number(problems, given, "UnitPrice")
    if price is not None:
        details["UnitPrice"] = as_json(round_to(price, unitdp))
    for field in ("AccountCode", "COGSAccountCode"):
        if given.get(field):
            if reference.account_by_code(books, given[field]) is None:
                problems.add(f"Account code '{given[field]}' is not a valid code for this item.")
            details[field] = given[field]
    if given.get("TaxType"):
        if reference.tax_rate(books, given["TaxType"]) is None:
            problems.add(f"The TaxType code '{given['TaxType']}' does not exist or cannot be used for this type of transaction.")
        details["TaxType"] = given["TaxType"]
    return details


def _apply_flags(problems: Problems, element: dict[str, Any], record: Record) -> None:
    """An item no longer sold (or purchased) loses its sales (or purchase) description and details."""
    for flag, description, details in (
        ("IsSold", "Description", "SalesDetails"),
        ("IsPurchased", "PurchaseDescription", "PurchaseDetails"),
    ):
        value = boolean(problems, element, flag)
        if value is not None:
            record[flag] = value
        if record.get(flag) is False:
            record.pop(description, None)
            record.pop(details, None)


def _apply_inventory(books: Books, problems: Problems, element: dict[str, Any], record: Record) -> None:
    code = element.get("InventoryAssetAccountCode")
    if not code:
        return
    account = reference.account_by_code(books, code)
    if account is None or account["Type"] != "INVENTORY":
        problems.add(f"InventoryAssetAccountCode '{code}' must be an inventory account.")
    if not (record.get("PurchaseDetails") or {}).get("COGSAccountCode"):
        problems.add("PurchaseDetails.COGSAccountCode is required for an item tracked as inventory.")
    record.update(InventoryAssetAccountCode=code, IsTrackedAsInventory=True)
    record.setdefault("QuantityOnHand", 0.0)
    record.setdefault("TotalCostPool", 0.0)


def delete(books: Books, record: Record) -> None:
    books.delete(KIND, record["ItemID"])
