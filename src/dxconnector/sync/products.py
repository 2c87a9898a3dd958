"""Products to Xero: edits of a linked Dynamics product (name, description, price, its account code and tax rate,
its number as the item's code) reach its Xero item, only the fields that changed, 50 items a call.

Xero's items have no archived state: a product retired in Dynamics keeps its item, and the history says so.
Items are Dynamics' to describe — an edit made to the item in Xero is overwritten by the product's next edit of
the same field, and otherwise left alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings

from dxconnector.domain.mapping import item as mapping
from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.names import CONNECTOR_ID, XeroItemTable, odata_bind
from dxconnector.domain.rules import Why
from dxconnector.dynamics.batch import BatchRequest
from dxconnector.dynamics.changes import changes_since
from dxconnector.dynamics.customers import read_products
from dxconnector.dynamics.ids import derived_id
from dxconnector.dynamics.solution.definition import CONNECTION, XERO_ITEM
from dxconnector.sync import edits, state
from dxconnector.sync.batches import run_batches
from dxconnector.sync.context import Progress, SyncContext
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.xero.resources import ITEMS

if TYPE_CHECKING:
    from dxconnector.sync.streams import Stream

KIND = Link.Kind.ITEM
RETIRED_NOTE = "The product was retired in Dynamics; Xero's items can't be archived, so its item stays in Xero."


def run_stream(ctx: SyncContext, stream: Stream) -> None:
    position = state.cursor(ctx.connection_id, stream.name) or {}
    ctx.progress(Progress(stream.name, "reading which products changed"))
    watch = stream.watch[0]
    found = changes_since(ctx.dynamics, watch, position.get(watch.entity_set))
    changed, own = edits.changed_links(ctx, KIND, found.rows, watch.key)
    ctx.counts.unchanged += own
    ids = dict.fromkeys(changed)
    requested = state.requested(ctx.connection_id, KIND, ctx.now)
    ids.update(dict.fromkeys(requested))
    ids.update(dict.fromkeys(edits.due_links(ctx, KIND)))
    run_batches(
        ctx,
        stream,
        list(ids),
        sync_batch,
        {stream.name: {**position, watch.entity_set: found.position}},
        said=lambda batch: f"{len(batch)} products compared",
    )
    # Those this run read, no others (asked for while it ran, they wait for the next): none read, nothing to delete.
    state.forget_requested(ctx.connection_id, KIND, ctx.now, only=requested)


def sync_batch(ctx: SyncContext, ids: Sequence[str], cursors: Mapping[str, Any] | None) -> None:
    links = state.links(ctx.connection_id, KIND, ids)
    products = read_products(ctx.dynamics, list(links))
    values = partial(mapping.product_values, settings=ctx.settings)

    def make(product_id: str) -> edits.Plan | None:
        product = products.get(product_id)
        if product is None:  # deleted in Dynamics, or this user can't read it
            return None
        plan = edits.plan_for(ctx, links[product_id], "product", product, values, None, mapping.item_values, two_way=False)
        if mapping.STATUS in plan.merged.to_xero:  # nothing to send for it: said in the history
            to_xero = plan.merged.to_xero - {mapping.STATUS}
            notes = (RETIRED_NOTE,) if product.state != 0 else ()
            plan = replace(plan, merged=replace(plan.merged, to_xero=to_xero), notes=notes)
        return plan

    plans, failed = edits.plans([i for i in ids if i in links], make, lambda _: "product")
    outcomes = {plan.link.dynamics_id: edits.Outcome() for plan in plans}
    patches = {
        plan.link.dynamics_id: mapping.item_patch(plan.record, ctx.settings, plan.link.xero_id, plan.merged.to_xero)
        for plan in plans
        if plan.merged.to_xero
    }
    edits.write_to_xero(ctx, ITEMS, patches, outcomes)
    edits.write_to_dynamics(ctx, [_row_request(ctx, plan, outcomes[plan.link.dynamics_id]) for plan in plans])
    entries = {plan.link.dynamics_id: _entry(ctx, plan, outcomes[plan.link.dynamics_id]) for plan in plans}
    attempts = [_attempt(plan, outcomes[plan.link.dynamics_id]) for plan in plans]
    edits.commit(ctx, KIND, entries, [*failed, *(attempt for attempt in attempts if attempt)], cursors)
    ctx.counts.products_updated += len(patches)


def _attempt(plan: edits.Plan, outcome: edits.Outcome) -> Any:
    attempt = edits.attempt_for(plan, outcome, "product", two_way=False)
    if attempt is not None and plan.notes == (RETIRED_NOTE,) and not plan.merged.to_xero:
        return replace(attempt, outcome=SyncAttempt.Outcome.SKIPPED, reason_code=Why.NOT_ARCHIVABLE.value, reason=RETIRED_NOTE)
    return attempt


def xero_row_id(connector_id: str, product_id: str) -> str:
    return derived_id(connector_id, "xeroitem", product_id)


def item_url() -> str:
    """Xero's list of products and services (an item's own page has no stable address to link to)."""
    return f"{settings.XERO_APP_URL.rstrip('/')}/Accounts/Inventory/"


def _row_request(ctx: SyncContext, plan: edits.Plan, outcome: edits.Outcome) -> BatchRequest:
    table, link = XeroItemTable, plan.link
    body = outcome.xero_body or {}
    code = str(body.get("Code") or plan.dynamics.get(mapping.CODE) or "")
    columns = {
        XERO_ITEM.primary_name: (plan.dynamics.get(mapping.NAME) or code or "Xero item")[:100],
        table.XERO_ITEM_ID: link.xero_id,
        table.XERO_CODE: code[:30] or None,
        table.SYNC_STATUS: option_value(table.TABLE, table.SYNC_STATUS, "FAILED" if outcome.xero_refused else "SYNCED"),
        table.XERO_URL: item_url(),
        table.LAST_SYNCED_ON: ctx.now,
        odata_bind(table.PRODUCT_ID): f"/products({link.dynamics_id})",
        odata_bind(CONNECTOR_ID): f"/{CONNECTION.set_name}({ctx.connector_id})",
    }
    return BatchRequest("PATCH", f"{XERO_ITEM.set_name}({xero_row_id(ctx.connector_id, link.dynamics_id)})", columns)


def _entry(ctx: SyncContext, plan: edits.Plan, outcome: edits.Outcome) -> dict[str, Any]:
    seen = edits.seen_after(ctx, plan, outcome, None, mapping.item_values)
    return {"seen": seen.as_json(), "sent_version": plan.record.version or "", "sent_type": "product", "writeback_due": False}
