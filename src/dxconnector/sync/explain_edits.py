"""Why a customer's or a product's edit did or did not cross, reading only (`dxconnector sync --dry-run --customer
ID` / `--product ID`): whether it is linked, what the next run would send which way by the conflict rule, and how
its last attempt ended."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from dxconnector.connections.clients import ClientFactory, connected_clients
from dxconnector.connections.models import Connection
from dxconnector.domain.mapping import contact as contact_mapping
from dxconnector.domain.mapping import item as item_mapping
from dxconnector.domain.rules import RuleViolation
from dxconnector.domain.rules.conflicts import Side
from dxconnector.dynamics.customers import customer_table, read_customers, read_products
from dxconnector.sync import edits, state
from dxconnector.sync.context import SyncContext
from dxconnector.sync.engine import open_context
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.sync.xero_io import contacts_by_id

NOT_LINKED: dict[str, str] = {
    Link.Kind.CONTACT: "a customer is linked to a Xero contact when its first invoice goes to Xero; until then its edits "
    "stay in Dynamics",
    Link.Kind.ITEM: "a product is linked to a Xero item when an invoice first sends one of its lines; until then its "
    "edits stay in Dynamics",
}
NAMES: dict[str, str] = {Link.Kind.CONTACT: "Customer", Link.Kind.ITEM: "Product"}


def explain_record(connection_id: Any, kind: str, dynamics_id: str, *, clients: ClientFactory | None = None) -> list[str]:
    """Lines saying what the next run would do with this customer (`kind` "contact") or product ("item")."""
    name = f"{NAMES[kind]} {dynamics_id}"
    connection = Connection.objects.get(pk=connection_id)
    if not connection.may_sync():
        return [f"Syncing is paused for this connection: nothing crosses until it is resumed ({name})."]
    link = state.links(connection.pk, kind, [dynamics_id]).get(dynamics_id)
    if link is None or not link.xero_id:
        return [f"{name} is not linked to Xero: {NOT_LINKED[kind]}."]
    made = (clients or connected_clients)(connection)
    try:
        ctx = open_context(connection, made)
        plan = _plan(ctx, kind, link)
    except RuleViolation as violation:
        return [f"{name} ↔ Xero {link.xero_id}: its edits can't go to Xero: {violation.reasons[0].text}"]
    finally:
        made.close()
    if plan is None:
        return [f"{name} is not in Dynamics (or this user can't read it)."]
    return [f"{plan.table.capitalize()} {dynamics_id} ↔ Xero {link.xero_id}", *_said(plan, ctx), *_last(connection, dynamics_id)]


def _plan(ctx: SyncContext, kind: str, link: Link) -> edits.Plan | None:
    if kind == Link.Kind.ITEM:
        product = read_products(ctx.dynamics, [link.dynamics_id]).get(link.dynamics_id)
        if product is None:
            return None
        values: Callable[[Any], dict[str, str]] = partial(item_mapping.product_values, settings=ctx.settings)
        return edits.plan_for(ctx, link, "product", product, values, None, item_mapping.item_values, two_way=False)
    customer = read_customers(ctx.dynamics, [link.dynamics_id]).get(link.dynamics_id)
    if customer is None:
        return None
    two_way = ctx.settings.two_way_contact_sync
    body: Mapping[str, Any] | None = contacts_by_id(ctx.xero, [link.xero_id]).get(link.xero_id) if two_way else None
    return edits.plan_for(
        ctx,
        link,
        customer_table(customer),
        customer,
        contact_mapping.customer_values,
        body,
        contact_mapping.contact_values,
        two_way=two_way,
    )


def _said(plan: edits.Plan, ctx: SyncContext) -> list[str]:
    merged = plan.merged
    lines = []
    if merged.to_xero:
        lines.append(f"  the next run sends to Xero: {', '.join(sorted(merged.to_xero))}")
    if merged.to_dynamics:
        lines.append(f"  the next run brings from Xero: {', '.join(sorted(merged.to_dynamics))}")
    for conflict in merged.conflicts:
        kept = "Xero's" if conflict.kept is Side.XERO else "Dynamics'"
        lines.append(f"  {conflict.field} changed on both sides: {kept} change is the later one and is kept")
    if merged.nothing_to_do:
        lines.append("  nothing to send: no field changed on either side since the last sync")
    if plan.table != "product" and not ctx.settings.two_way_contact_sync:
        lines.append("  Two-way Contact Sync is off: edits made in Xero stay in Xero")
    return lines


def _last(connection: Connection, dynamics_id: str) -> list[str]:
    attempt = SyncAttempt.objects.filter(connection=connection, dynamics_id=dynamics_id).order_by("-attempted_at").first()
    if attempt is None:
        return ["  no edit of it has crossed yet"]
    return [f"  last attempt {attempt.attempted_at:%Y-%m-%d %H:%M:%S} UTC: {attempt.get_outcome_display()} — {attempt.reason}"]
