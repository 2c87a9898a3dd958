"""Identity is never guessed: records that would become one Xero record, and Xero records already linked to another
Dynamics record, are held back naming each other."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dxconnector.domain.rules.reasons import Reason, Why


def contested(wanted: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Records of one batch that would become the same Xero record (`wanted`: record id → that Xero record's key),
    each with the others: none of them is matched or created, for nothing says which one it is."""
    by_key: dict[str, list[str]] = {}
    for record_id, key in wanted.items():
        by_key.setdefault(key, []).append(record_id)
    return {
        record_id: tuple(other for other in group if other != record_id)
        for group in by_key.values()
        if len(group) > 1
        for record_id in group
    }


def contact_contested(customer_id: str, others: Sequence[str]) -> Reason:
    return Reason(
        Why.AMBIGUOUS_CONTACT,
        f"Dynamics customers {customer_id} and {', '.join(others)} would be one Xero contact "
        "(the same name, or account number), and Xero keeps one contact per name: rename "
        "or renumber one of them in Dynamics, or merge them.",
    )


def item_taken(product_id: str, owner: str) -> Reason:
    return Reason(
        Why.AMBIGUOUS_ITEM,
        f"The Xero item with product {product_id}'s code is already the item of another Dynamics "
        f"product ({owner}), and two products never share one (Xero ignores letter case and "
        "spaces around a code): give this one its own product ID.",
    )


def item_contested(product_id: str, others: Sequence[str]) -> Reason:
    return Reason(
        Why.AMBIGUOUS_ITEM,
        f"Dynamics products {product_id} and {', '.join(others)} would be one Xero item (their "
        "product IDs differ only in letter case or spaces, which Xero ignores): give each its "
        "own product ID.",
    )
