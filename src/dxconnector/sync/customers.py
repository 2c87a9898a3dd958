"""Customers both ways: edits of a linked Dynamics account or contact reach its Xero contact, and — with the
connection's "two-way contact sync" on — edits of the Xero contact reach the account or contact. Field by field,
by the conflict rule of `rules.conflicts` (docs/conflicts.md).

What changed comes from Dataverse change tracking on accounts and contacts, and from Xero's contacts modified
since the stream's moment (read when Xero's webhooks told of a change, or every `SYNC_XERO_POLL_SECONDS`, as for
invoices). Only linked customers matter: a customer is linked when its first invoice goes to Xero. Our own writes
come back as changes on both sides and are recognised — Dynamics' by the version we wrote, Xero's by its fields'
hashes — so nothing echoes.

A contact archived in Xero is shown on its Xero contact row in Dynamics; the account or contact is never
deactivated or deleted for it. A customer deactivated in Dynamics has its Xero contact archived (and made active
again when it is).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.conf import settings

from dxconnector.domain.mapping import contact as mapping
from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.mapping.contact import xero_contact_url
from dxconnector.domain.names import CONNECTOR_ID, XeroContactTable, odata_bind
from dxconnector.domain.rules.conflicts import Seen, hashes
from dxconnector.dynamics.batch import BatchRequest
from dxconnector.dynamics.changes import ACCOUNT_COLUMNS, CONTACT_COLUMNS, account, changes_since, contact
from dxconnector.dynamics.customers import customer_table, read_customers
from dxconnector.dynamics.ids import xero_contact_row_id
from dxconnector.dynamics.solution.definition import CONNECTION, XERO_CONTACT
from dxconnector.sync import edits, from_xero, state
from dxconnector.sync.batches import run_batches
from dxconnector.sync.context import Progress, SyncContext
from dxconnector.sync.models import Link
from dxconnector.sync.xero_io import SCAN_PAGE_SIZE, contacts_by_id
from dxconnector.xero.resources import CONTACTS

if TYPE_CHECKING:
    from dxconnector.sync.streams import Stream

KIND = Link.Kind.CONTACT
XERO_CURSOR = "Contacts"
_KEYS = {"accounts": "accountid", "contacts": "contactid"}
_COLUMNS = {"account": ACCOUNT_COLUMNS, "contact": CONTACT_COLUMNS}


def two_way(ctx: SyncContext) -> bool:
    return ctx.settings.two_way_contact_sync


# --- what changed -----------------------------------------------------------------------------------------


def changed_in_xero(ctx: SyncContext, position: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], str]:
    """Linked contacts Xero changed since the stream's moment whose fields are not what the ledger last saw there
    (our own writes are), by Dynamics id with Xero's body; and the moment to read on from."""
    newest = from_xero.start_moment(ctx, position, XERO_CURSOR, KIND)
    found: dict[str, dict[str, Any]] = {}
    for page in ctx.xero.pages(
        CONTACTS, modified_since=newest - from_xero.OVERLAP, include_archived=True, page_size=SCAN_PAGE_SIZE
    ):
        linked = state.links_to(ctx.connection_id, KIND, [str(body["ContactID"]) for body in page])
        for body in page:
            moment = edits.updated_at(body)
            newest = max(newest, moment or newest)
            link = linked.get(str(body["ContactID"]))
            if link is not None and _news(ctx, link, body):
                found[link.dynamics_id] = body
    return found, newest.isoformat()


def _news(ctx: SyncContext, link: Link, body: Mapping[str, Any]) -> bool:
    seen = Seen.from_json(link.seen).xero
    return not seen or hashes(mapping.contact_values(body), ctx.key) != seen


def run_stream(ctx: SyncContext, stream: Stream) -> None:
    position = state.cursor(ctx.connection_id, stream.name) or {}
    ctx.progress(Progress(stream.name, "reading which customers changed"))
    after: dict[str, Any] = dict(position)
    ids: dict[str, None] = {}
    for watch in stream.watch:
        found = changes_since(ctx.dynamics, watch, position.get(watch.entity_set))
        after[watch.entity_set] = found.position
        changed, own = edits.changed_links(ctx, KIND, found.rows, _KEYS[watch.entity_set])
        ctx.counts.unchanged += own
        ids.update(dict.fromkeys(changed))
    from_xero_bodies: dict[str, dict[str, Any]] = {}
    if two_way(ctx) and from_xero.worth_asking(ctx, stream):
        from_xero_bodies, after[XERO_CURSOR] = changed_in_xero(ctx, position)
        ids.update(dict.fromkeys(from_xero_bodies))
    requested = state.requested(ctx.connection_id, KIND, ctx.now)
    ids.update(dict.fromkeys(requested))
    ids.update(dict.fromkeys(edits.due_links(ctx, KIND)))

    def batch(ctx: SyncContext, batch_ids: list[str], cursors: Mapping[str, Any] | None) -> None:
        sync_batch(ctx, batch_ids, from_xero_bodies, cursors)

    run_batches(ctx, stream, list(ids), batch, {stream.name: after}, said=lambda b: f"{len(b)} customers compared")
    # Those this run read, no others (asked for while it ran, they wait for the next): none read, nothing to delete.
    state.forget_requested(ctx.connection_id, KIND, ctx.now, only=requested)


# --- one batch --------------------------------------------------------------------------------------------


def sync_batch(
    ctx: SyncContext, ids: Sequence[str], xero_bodies: Mapping[str, dict[str, Any]], cursors: Mapping[str, Any] | None
) -> None:
    links = state.links(ctx.connection_id, KIND, ids)
    customers = read_customers(ctx.dynamics, list(links), {i: link.sent_type for i, link in links.items() if link.sent_type})
    bodies = dict(xero_bodies)
    if two_way(ctx):
        missing = {i: links[i].xero_id for i in customers if i not in bodies}
        by_contact = contacts_by_id(ctx.xero, list(missing.values()))
        bodies.update({i: by_contact[xero_id] for i, xero_id in missing.items() if xero_id in by_contact})

    def make(customer_id: str) -> edits.Plan | None:
        customer = customers.get(customer_id)
        if customer is None:  # deleted in Dynamics, or this user can't read it: nothing to send
            return None
        plan = edits.plan_for(
            ctx,
            links[customer_id],
            customer_table(customer),
            customer,
            mapping.customer_values,
            bodies.get(customer_id),
            mapping.contact_values,
            two_way=two_way(ctx),
        )
        if plan.merged.to_xero & {mapping.EMAIL, mapping.ACCOUNT_NUMBER}:  # what went is what the mapping left out
            plan = replace(plan, notes=mapping.xero_contact(customer).notes)
        untaken = plan.merged.to_dynamics - mapping.dynamics_fields(plan.table)
        if untaken:  # the status, a contact's whole name: the history says why Dynamics didn't take them
            plan = replace(plan, untaken=untaken, notes=(*plan.notes, *mapping.untaken_notes(plan.table, untaken)))
        return plan

    def kind_of(customer_id: str) -> str:
        return customer_table(customers[customer_id]) if customer_id in customers else "contact"

    plans, failed = edits.plans([i for i in ids if i in links], make, kind_of)
    outcomes = {plan.link.dynamics_id: edits.Outcome() for plan in plans}
    _to_xero(ctx, plans, outcomes)
    _to_dynamics(ctx, plans, outcomes)
    entries = {plan.link.dynamics_id: _entry(ctx, plan, outcomes[plan.link.dynamics_id]) for plan in plans}
    attempts = [
        attempt
        for plan in plans
        if (attempt := edits.attempt_for(plan, outcomes[plan.link.dynamics_id], plan.table, two_way=two_way(ctx)))
    ]
    edits.commit(ctx, KIND, entries, [*failed, *attempts], cursors)
    ctx.counts.customers_updated += sum(1 for plan in plans if not plan.merged.nothing_to_do)


def _to_xero(ctx: SyncContext, plans: Iterable[edits.Plan], outcomes: dict[str, edits.Outcome]) -> None:
    patches = {
        plan.link.dynamics_id: mapping.contact_patch(plan.record, plan.link.xero_id, plan.merged.to_xero)
        for plan in plans
        if plan.merged.to_xero
    }
    edits.write_to_xero(ctx, CONTACTS, patches, outcomes)


def _to_dynamics(ctx: SyncContext, plans: Sequence[edits.Plan], outcomes: dict[str, edits.Outcome]) -> None:
    """The fields Xero won onto the accounts and contacts, and each compared customer's Xero row, in one `$batch`."""
    requests: list[BatchRequest] = []
    writes: dict[int, str] = {}  # request index → the customer whose own row it writes
    for plan in plans:
        outcome = outcomes[plan.link.dynamics_id]
        if plan.merged.to_dynamics and plan.xero_body is not None:
            columns = mapping.customer_patch(plan.table, plan.xero_body, plan.merged.to_dynamics)
            if columns:
                writes[len(requests)] = plan.link.dynamics_id
                requests.append(_customer_request(plan.table, plan.link.dynamics_id, columns))
        requests.append(_row_request(ctx, plan, outcome))
    answers = edits.write_to_dynamics(ctx, requests)
    for index, customer_id in writes.items():
        answer = answers[index]
        if answer.ok:
            outcomes[customer_id].dynamics_row = edits.representation(answer)
        else:
            outcomes[customer_id].dynamics_failed = answer.error or f"HTTP {answer.status}"


def _customer_request(table: str, customer_id: str, columns: Mapping[str, Any]) -> BatchRequest:
    select = ",".join(_COLUMNS[table])
    return BatchRequest(
        "PATCH",
        f"{table}s({customer_id})?$select={select}",
        dict(columns),
        {"If-Match": "*", "Prefer": "return=representation"},
    )


def _row_request(ctx: SyncContext, plan: edits.Plan, outcome: edits.Outcome) -> BatchRequest:
    table, link = XeroContactTable, plan.link
    body = outcome.xero_body or plan.xero_body or {}
    status = str(body.get("ContactStatus") or plan.dynamics.get(mapping.STATUS) or "ACTIVE")
    failed = bool(outcome.xero_refused or outcome.dynamics_failed)
    lookup = table.ACCOUNT_ID if plan.table == "account" else table.CONTACT_ID
    columns = {
        XERO_CONTACT.primary_name: (plan.dynamics.get(mapping.NAME) or "Xero contact")[:100],
        table.XERO_CONTACT_ID: link.xero_id,
        table.XERO_STATUS: option_value(table.TABLE, table.XERO_STATUS, status if status == "ARCHIVED" else "ACTIVE"),
        table.SYNC_STATUS: option_value(table.TABLE, table.SYNC_STATUS, "FAILED" if failed else "SYNCED"),
        table.XERO_URL: xero_contact_url(link.xero_id, settings.XERO_APP_URL),
        table.LAST_SYNCED_ON: ctx.now,
        odata_bind(lookup): f"/{plan.table}s({link.dynamics_id})",
        odata_bind(CONNECTOR_ID): f"/{CONNECTION.set_name}({ctx.connector_id})",
    }
    return BatchRequest("PATCH", f"{XERO_CONTACT.set_name}({xero_contact_row_id(ctx.connector_id, link.dynamics_id)})", columns)


def _entry(ctx: SyncContext, plan: edits.Plan, outcome: edits.Outcome) -> dict[str, Any]:
    """The customer's ledger entry after the batch."""
    table = plan.table

    def dynamics_after(row: Mapping[str, Any]) -> dict[str, str]:
        return mapping.customer_values(account(row) if table == "account" else contact(row))

    seen = edits.seen_after(ctx, plan, outcome, dynamics_after, mapping.contact_values)
    row = outcome.dynamics_row
    version = str(row.get("versionnumber")) if row and row.get("versionnumber") is not None else plan.record.version
    return {"seen": seen.as_json(), "sent_version": version or "", "sent_type": table, "writeback_due": False}
