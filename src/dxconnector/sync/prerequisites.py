"""Before invoices go to Xero, their customers and products must be there: matched through the ledger, then
looked up in Xero in one query for the whole batch, and created in batches when the settings allow it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.mapping import contact as contact_mapping
from dxconnector.domain.mapping import item as item_mapping
from dxconnector.domain.records import DynamicsAccount, DynamicsContact, DynamicsProduct, XeroContactSummary
from dxconnector.domain.rules import MatchedBy, Reason, RuleViolation, Why
from dxconnector.dynamics.changes import customer_ref
from dxconnector.sync import state
from dxconnector.sync.context import SyncContext
from dxconnector.sync.models import Link
from dxconnector.sync.xero_io import WHERE_TERMS, every_contact, every_item, find_contacts, find_items, lookup_calls, write
from dxconnector.xero.resources import CONTACTS, ITEMS

CONTACT_REFUSED = "Xero refused to create the customer as a contact; the sync history in Dynamics has Xero's words."

Customer = DynamicsAccount | DynamicsContact


@dataclass(frozen=True)
class ContactOutcome:
    contact_id: str | None
    reason: Reason | None = None
    message: str = ""  # Xero's words when it refused a create: for the history row in Dynamics only


def contact_summary(contact: Mapping[str, Any]) -> XeroContactSummary:
    return XeroContactSummary(str(contact["ContactID"]), str(contact.get("Name") or ""), str(contact.get("AccountNumber") or ""),
                              str(contact.get("ContactNumber") or ""), str(contact.get("ContactStatus") or "ACTIVE"))


def ensure_contacts(ctx: SyncContext, customers: Mapping[str, Customer]) -> dict[str, ContactOutcome]:
    """Each customer's Xero contact: by link, else by number or exact name (`match_contact`), else created
    when Create New Contacts is on; otherwise the rule's reason."""
    if not customers:
        return {}
    linked = state.links(ctx.connection_id, Link.Kind.CONTACT, customers)
    refs = {customer_id: customer_ref(customer) for customer_id, customer in customers.items()}
    unlinked = [ref for customer_id, ref in refs.items() if not (customer_id in linked and linked[customer_id].xero_id)]
    candidates = _contacts_for(ctx, [ref.number for ref in unlinked], [ref.name for ref in unlinked]) if unlinked else []
    outcomes: dict[str, ContactOutcome] = {}
    new_links: dict[str, str] = {}
    to_create: dict[str, dict[str, Any]] = {}
    for customer_id, ref in refs.items():
        link = linked.get(customer_id)
        match = rules.match_contact(ref, link.xero_id if link and link.xero_id else None, candidates, ctx.settings)
        if match.contact_id:
            outcomes[customer_id] = ContactOutcome(match.contact_id)
            if match.matched_by is not MatchedBy.LINK:
                new_links[customer_id] = match.contact_id
        elif match.matched_by is MatchedBy.CREATE:
            try:
                to_create[customer_id] = contact_mapping.xero_contact(customers[customer_id]).to_xero()
            except RuleViolation as violation:
                outcomes[customer_id] = ContactOutcome(None, violation.reasons[0])
        else:
            outcomes[customer_id] = ContactOutcome(None, match.reason)
    if to_create:
        results = write(ctx.xero, CONTACTS, list(to_create.values()), create_only=True)
        for customer_id, result in zip(to_create, results, strict=True):
            if result.ok:
                if ctx.directory.contacts is not None:
                    ctx.directory.contacts.append(contact_summary(result.record))
                outcomes[customer_id] = ContactOutcome(result.xero_id)
                new_links[customer_id] = result.xero_id
                ctx.counts["contacts_created"] += 1
            else:
                outcomes[customer_id] = ContactOutcome(None, Reason(Why.NO_CONTACT, CONTACT_REFUSED), "; ".join(result.errors))
    state.save_links(ctx.connection_id, Link.Kind.CONTACT, new_links)
    return outcomes


def _contacts_for(ctx: SyncContext, numbers: list[str], names: list[str]) -> list[XeroContactSummary]:
    """Xero's contacts that may be these customers: from the run's directory, read in full the first time a
    lookup would take more than one call; else looked up."""
    directory = ctx.directory
    if directory.contacts is None and not directory.too_many_contacts and lookup_calls(numbers, names) > 1:
        every = every_contact(ctx.xero)
        directory.contacts = None if every is None else [contact_summary(contact) for contact in every]
        directory.too_many_contacts = every is None
    if directory.contacts is not None:
        return directory.contacts_matching(numbers, names)
    return [contact_summary(contact) for contact in find_contacts(ctx.xero, numbers, names)]


def _items_for(ctx: SyncContext, codes: list[str]) -> dict[str, str]:
    """Code → ItemID of Xero's items with these codes: from the run's directory, read in full (one call) the
    first time a lookup would take more than one call; else looked up."""
    directory = ctx.directory
    if directory.items is None and len(codes) > WHERE_TERMS:
        directory.items = _item_ids(every_item(ctx.xero))
    if directory.items is not None:
        return {code: directory.items[code] for code in codes if code in directory.items}
    return _item_ids(find_items(ctx.xero, codes))


def _item_ids(items: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {str(item.get("Code")): str(item["ItemID"]) for item in items}


def linked_item_codes(ctx: SyncContext, products: Mapping[str, DynamicsProduct]) -> set[str]:
    linked = state.links(ctx.connection_id, Link.Kind.ITEM, products)
    return {product.number.strip() for product_id, product in products.items() if product_id in linked and linked[product_id].xero_id}


def ensure_items(ctx: SyncContext, products: Mapping[str, DynamicsProduct]) -> frozenset[str]:
    """The item codes Xero has for these products (of invoices' product lines, by id): linked ones, found ones,
    and (with Create New Products) the ones created now. A product missing from Xero otherwise goes as a line
    without an item."""
    if not products:
        return frozenset()
    known = linked_item_codes(ctx, products)
    unlinked = {product.number.strip(): product for product in products.values() if product.number.strip() not in known}
    new_links: dict[str, str] = {}
    for code, item_id in (_items_for(ctx, list(unlinked)) if unlinked else {}).items():
        product = unlinked.get(code)
        if product is not None:
            known.add(product.number.strip())
            new_links[product.id] = item_id
    to_create = {product.id: product for product in item_mapping.products_to_create(products.values(), ctx.settings, known)}
    bodies: dict[str, dict[str, Any]] = {}
    for product_id, product in to_create.items():
        try:
            bodies[product_id] = item_mapping.xero_item(product, ctx.settings).to_xero()
        except RuleViolation:
            continue  # a product ID Xero can't take as a code: the line goes without an item
    if bodies:
        # POST finds an item by its code: creating again after a crash updates the one made before.
        for product_id, result in zip(bodies, write(ctx.xero, ITEMS, list(bodies.values()), create_only=False), strict=True):
            if result.ok:
                if ctx.directory.items is not None:
                    ctx.directory.items[to_create[product_id].number.strip()] = result.xero_id
                known.add(to_create[product_id].number.strip())
                new_links[product_id] = result.xero_id
                ctx.counts["items_created"] += 1
    state.save_links(ctx.connection_id, Link.Kind.ITEM, new_links)
    return frozenset(known)
