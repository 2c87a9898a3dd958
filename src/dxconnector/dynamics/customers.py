"""Customers (accounts and contacts) and products read by id, as `domain.records` — for the sync of their own
edits, and for `verify`. One query per table and 200 ids; ids that no longer exist (or this user can't read)
are left out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dxconnector.domain.records import DynamicsAccount, DynamicsContact, DynamicsProduct
from dxconnector.dynamics.changes import (
    ACCOUNT_COLUMNS,
    CONTACT_COLUMNS,
    IDS_PER_QUERY,
    PRODUCT_COLUMNS,
    PRODUCT_EXPAND,
    account,
    contact,
    in_filter,
    product,
)
from dxconnector.dynamics.client import DataverseClient

Customer = DynamicsAccount | DynamicsContact


def _rows(
    client: DataverseClient, entity_set: str, key: str, ids: Sequence[str], columns: Sequence[str], expand: str = ""
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start : start + IDS_PER_QUERY]
        params = {"$select": ",".join((key, *columns)), "$filter": in_filter(key, chunk)}
        if expand:
            params["$expand"] = expand
        headers = {"Prefer": f"odata.maxpagesize={len(chunk)}"}
        rows += [row for page in client.pages(entity_set, params=params, headers=headers) for row in page.get("value", [])]
    return rows


def _read(
    client: DataverseClient, entity_set: str, key: str, ids: Sequence[str], columns: Sequence[str], make: Callable[..., Any]
) -> dict[str, Any]:
    return {str(row[key]): make(row) for row in _rows(client, entity_set, key, list(dict.fromkeys(ids)), columns)}


def read_customers(client: DataverseClient, ids: Sequence[str], kinds: Mapping[str, str] | None = None) -> dict[str, Customer]:
    """The accounts and contacts with these ids, by id. `kinds` (id → "account" or "contact"), where known,
    spares the query of the other table."""
    kinds = kinds or {}
    accounts = [i for i in ids if kinds.get(i, "account") == "account"]
    found: dict[str, Customer] = _read(client, "accounts", "accountid", accounts, ACCOUNT_COLUMNS, account) if accounts else {}
    contacts = [i for i in ids if i not in found and kinds.get(i, "contact") == "contact"]
    if contacts:
        found.update(_read(client, "contacts", "contactid", contacts, CONTACT_COLUMNS, contact))
    return found


def read_products(client: DataverseClient, ids: Sequence[str]) -> dict[str, DynamicsProduct]:
    """The products with these ids, by id, with their picked account code and tax rate."""
    if not ids:
        return {}
    rows = _rows(client, "products", "productid", list(dict.fromkeys(ids)), PRODUCT_COLUMNS, PRODUCT_EXPAND)
    return {str(row["productid"]): product(row) for row in rows}


def customer_table(customer: Customer) -> str:
    """The Dataverse table a customer lives in: "account" or "contact"."""
    return "account" if isinstance(customer, DynamicsAccount) else "contact"
