"""Before invoices go to Xero, their customers and products must be there: matched through the ledger, then
looked up in Xero in one query for the whole batch, and created in batches when the settings allow it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.mapping import contact as contact_mapping
from dxconnector.domain.mapping import item as item_mapping
from dxconnector.domain.mapping.contact import contact_values, customer_values
from dxconnector.domain.mapping.item import item_values, product_values
from dxconnector.domain.records import (
    CustomerRef,
    DynamicsAccount,
    DynamicsContact,
    DynamicsProduct,
    XeroContact,
    XeroContactSummary,
)
from dxconnector.domain.rules import ContactMatch, MatchedBy, Reason, RuleViolation, Why
from dxconnector.domain.rules.conflicts import Seen, hashes
from dxconnector.dynamics.changes import customer_ref
from dxconnector.dynamics.customers import customer_table
from dxconnector.sync import state
from dxconnector.sync.context import SyncContext
from dxconnector.sync.isolation import Fault, guard
from dxconnector.sync.models import Link
from dxconnector.sync.xero_io import (
    WHERE_TERMS,
    every_contact,
    every_item,
    find_contacts,
    find_items,
    lookup_calls,
    write,
)
from dxconnector.xero.resources import CONTACTS, ITEMS

CONTACT_REFUSED = "Xero refused to create the customer as a contact; the sync history in Dynamics has Xero's words."
ITEM_REFUSED = "Xero refused to create a product of the invoice as an item; the sync history in Dynamics has Xero's words."

Customer = DynamicsAccount | DynamicsContact


@dataclass(frozen=True)
class ContactOutcome:
    contact_id: str | None
    reason: Reason | None = None
    message: str = ""  # Xero's words when it refused a create: for the history row in Dynamics only
    notes: tuple[str, ...] = ()  # what the new Xero contact left out (an email address Xero can't take)


def contact_summary(contact: Mapping[str, Any]) -> XeroContactSummary:
    return XeroContactSummary(
        str(contact["ContactID"]),
        str(contact.get("Name") or ""),
        str(contact.get("AccountNumber") or ""),
        str(contact.get("ContactNumber") or ""),
        str(contact.get("ContactStatus") or "ACTIVE"),
    )


def ensure_contacts(ctx: SyncContext, customers: Mapping[str, Customer]) -> dict[str, ContactOutcome]:
    """Each customer's Xero contact: by link, else by number or exact name (`match_contact`, never a contact linked
    to another customer), else created when Create New Contacts is on; otherwise the rule's reason. Customers of the
    batch that would be one Xero contact are all held back (`rules.contested`)."""
    if not customers:
        return {}
    linked = state.links(ctx.connection_id, Link.Kind.CONTACT, customers)
    refs = {customer_id: customer_ref(customer) for customer_id, customer in customers.items()}
    unlinked = [ref for customer_id, ref in refs.items() if not (customer_id in linked and linked[customer_id].xero_id)]
    candidates = (
        _contacts_for(ctx, [ref.number for ref in unlinked], [rules.one_line(ref.name) for ref in unlinked]) if unlinked else []
    )
    owners = {
        xero_id: link.dynamics_id
        for xero_id, link in state.links_to(ctx.connection_id, Link.Kind.CONTACT, [c.contact_id for c in candidates]).items()
    }
    outcomes: dict[str, ContactOutcome] = {}
    wanted: dict[str, str] = {}  # customer id → the Xero contact it would be: found (its id) or made (its name)
    to_create: dict[str, XeroContact] = {}
    for customer_id, ref in refs.items():
        link = linked.get(customer_id)
        decided = guard(
            "matching the customer to a Xero contact",
            customer_id,
            _match,
            ctx,
            customers[customer_id],
            ref,
            link.xero_id if link and link.xero_id else None,
            candidates,
            owners,
        )
        if isinstance(decided, Fault):
            outcomes[customer_id] = ContactOutcome(None, Reason(Why.INTERNAL_ERROR, decided.reason), decided.message)
        elif isinstance(decided, ContactOutcome):
            outcomes[customer_id] = decided
        elif isinstance(decided, XeroContact):
            to_create[customer_id], wanted[customer_id] = decided, f"name {decided.name.casefold()}"
        else:
            match = decided
            outcomes[customer_id] = ContactOutcome(match.contact_id)
            if match.matched_by is not MatchedBy.LINK:
                wanted[customer_id] = f"id {match.contact_id}"
    for customer_id, others in rules.contested(wanted).items():
        outcomes[customer_id] = ContactOutcome(None, rules.contact_contested(customer_id, others))
        to_create.pop(customer_id, None)
    new_links = {
        customer_id: str(outcomes[customer_id].contact_id)
        for customer_id in wanted
        if customer_id not in to_create and outcomes[customer_id].contact_id
    }
    answers: dict[str, Mapping[str, Any]] = {}
    outcomes.update(_create_contacts(ctx, to_create, new_links, answers))
    first_seen = {
        customer_id: _first_seen(ctx, customers[customer_id], customer_values, answers.get(customer_id), contact_values)
        for customer_id in new_links
    }
    state.save_links(ctx.connection_id, Link.Kind.CONTACT, new_links, first_seen)
    return outcomes


def _first_seen(
    ctx: SyncContext,
    record: Customer | DynamicsProduct,
    dynamics_values: Callable[[Any], dict[str, str]],
    answer: Mapping[str, Any] | None,
    xero_values: Callable[[Mapping[str, Any]], dict[str, str]],
) -> dict[str, Any]:
    """What the ledger starts a new link from: the record's fields as Dynamics has them now and, for a record we
    just made in Xero, as Xero answered (a contact someone else made is compared when it first changes)."""
    try:
        ours = hashes(dynamics_values(record), ctx.key)
    except RuleViolation:
        ours = {}
    theirs = hashes(xero_values(answer), ctx.key) if answer is not None else {}
    return {
        "seen": Seen(ours, theirs).as_json(),
        "sent_version": record.version or "",
        "sent_type": customer_table(record) if not isinstance(record, DynamicsProduct) else "product",
    }


def _match(
    ctx: SyncContext,
    customer: Customer,
    ref: CustomerRef,
    linked_id: str | None,
    candidates: list[XeroContactSummary],
    owners: Mapping[str, str],
) -> ContactMatch | ContactOutcome | XeroContact:
    """One customer: its match, the contact to make for it, or why neither."""
    match = rules.match_contact(ref, linked_id, candidates, ctx.settings, owners)
    if match.contact_id:
        return match
    if match.matched_by is not MatchedBy.CREATE:
        return ContactOutcome(None, match.reason)
    try:
        return contact_mapping.xero_contact(customer)
    except RuleViolation as violation:
        return ContactOutcome(None, violation.reasons[0])


def _create_contacts(
    ctx: SyncContext, to_create: Mapping[str, XeroContact], new_links: dict[str, str], answers: dict[str, Mapping[str, Any]]
) -> dict[str, ContactOutcome]:
    """Make the contacts in Xero (50 a call); each new one is linked (into `new_links`, Xero's answer into `answers`)
    and added to the run's directory."""
    if not to_create:
        return {}
    outcomes: dict[str, ContactOutcome] = {}
    results = write(ctx.xero, CONTACTS, [contact.to_xero() for contact in to_create.values()], create_only=True)
    for (customer_id, contact), result in zip(to_create.items(), results, strict=True):
        if result.ok:
            if ctx.directory.contacts is not None:
                ctx.directory.contacts.append(contact_summary(result.record))
            outcomes[customer_id] = ContactOutcome(result.xero_id, notes=contact.notes)
            new_links[customer_id] = result.xero_id
            answers[customer_id] = result.record
            ctx.counts.contacts_created += 1
        else:
            outcomes[customer_id] = ContactOutcome(None, Reason(Why.NO_CONTACT, CONTACT_REFUSED), "; ".join(result.errors))
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
    """Xero's items with these codes, ItemID by `rules.item_key` of their code: from the run's directory, read in
    full (one call) the first time a lookup would take more than one call; else looked up."""
    directory = ctx.directory
    if directory.items is None and len(codes) > WHERE_TERMS:
        directory.items = _item_ids(every_item(ctx.xero))
    if directory.items is not None:
        keys = {rules.item_key(code) for code in codes}
        return {key: directory.items[key] for key in keys if key in directory.items}
    return _item_ids(find_items(ctx.xero, codes))


def _item_ids(items: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {rules.item_key(str(item.get("Code") or "")): str(item["ItemID"]) for item in items}


def _linked_items(ctx: SyncContext, products: Mapping[str, DynamicsProduct]) -> set[str]:
    """The ids of these products that the ledger links to a Xero item."""
    return {product_id for product_id, link in state.links(ctx.connection_id, Link.Kind.ITEM, products).items() if link.xero_id}


def linked_item_codes(ctx: SyncContext, products: Mapping[str, DynamicsProduct]) -> set[str]:
    return {products[product_id].number.strip() for product_id in _linked_items(ctx, products)}


@dataclass(frozen=True)
class Items:
    """The item codes a batch's product lines go to Xero with, and the products whose lines can't go, with the
    reason (and Xero's words, when it refused to make the item)."""

    codes: frozenset[str] = frozenset()
    problems: Mapping[str, tuple[Reason, str]] = field(default_factory=dict)


def ensure_items(ctx: SyncContext, products: Mapping[str, DynamicsProduct]) -> Items:
    """The Xero items of these products (of invoices' product lines, by id): linked ones, found ones and (with
    Create New Products) the ones created now (`item_mapping.item_plan`: never an item linked to another product,
    never one for two products). A product missing from Xero otherwise goes as a line without an item."""
    if not products:
        return Items()
    linked = _linked_items(ctx, products)
    known = {products[product_id].number.strip() for product_id in linked}
    unlinked = [product for product_id, product in products.items() if product_id not in linked]
    found = _items_for(ctx, [product.number.strip() for product in unlinked]) if unlinked else {}
    owners = {
        item_id: link.dynamics_id for item_id, link in state.links_to(ctx.connection_id, Link.Kind.ITEM, found.values()).items()
    }
    plan = item_mapping.item_plan(unlinked, found, owners, ctx.settings)
    problems: dict[str, tuple[Reason, str]] = {product_id: (reason, "") for product_id, reason in plan.problems.items()}
    new_links = dict(plan.matched)
    answers: dict[str, Mapping[str, Any]] = {}
    known |= {products[product_id].number.strip() for product_id in plan.matched}
    bodies: dict[str, dict[str, Any]] = {}
    for product_id, product in plan.to_create.items():
        made = guard("making the product a Xero item", product_id, item_mapping.xero_item, product, ctx.settings)
        if isinstance(made, Fault):
            problems[product_id] = (Reason(Why.INTERNAL_ERROR, made.reason), made.message)
        else:
            bodies[product_id] = made.to_xero()
    if bodies:
        # POST finds an item by its code: creating again after a crash updates the one made before.
        for product_id, result in zip(bodies, write(ctx.xero, ITEMS, list(bodies.values()), create_only=False), strict=True):
            code = products[product_id].number.strip()
            if result.ok:
                if ctx.directory.items is not None:
                    ctx.directory.items[rules.item_key(code)] = result.xero_id
                known.add(code)
                new_links[product_id] = result.xero_id
                answers[product_id] = result.record
                ctx.counts.items_created += 1
            else:
                problems[product_id] = (Reason(Why.ITEM_REFUSED, ITEM_REFUSED), "Xero: " + "; ".join(result.errors))
    first_seen = {
        product_id: _first_seen(
            ctx, products[product_id], partial(product_values, settings=ctx.settings), answers.get(product_id), item_values
        )
        for product_id in new_links
    }
    state.save_links(ctx.connection_id, Link.Kind.ITEM, new_links, first_seen)
    return Items(frozenset(known), problems)
