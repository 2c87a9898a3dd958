"""A stream from Dynamics to Xero: what changed since its cursor (Dataverse change tracking), the invoices deleted
in Dynamics noted for `deletions`, the records asked for again (Retry), then the stream's batches through the one
batch loop — after, for a run of several batches, the stream's first pass (`Stream.first`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dxconnector.domain import rules
from dxconnector.domain.names import InvoiceColumns, lookup_value
from dxconnector.domain.records import DynamicsInvoice
from dxconnector.dynamics.changes import Changes, Watch, changes_since
from dxconnector.sync import state
from dxconnector.sync.batches import chunks, run_batches
from dxconnector.sync.context import Progress, SyncContext
from dxconnector.sync.models import Link

if TYPE_CHECKING:
    from dxconnector.sync.streams import Stream

CONNECTOR_COLUMN = lookup_value(InvoiceColumns.CONNECTOR_ID)


def _ours(ctx: SyncContext, row: Mapping[str, Any]) -> bool:
    """Whether a changed row is this connection's business, when the row says (an invoice line does not: its
    invoice is read and decided). `belongs_here` is the rule; the row carries all it looks at."""
    if CONNECTOR_COLUMN not in row:
        return True
    return rules.belongs_here(DynamicsInvoice(id="", connector_id=row[CONNECTOR_COLUMN]), ctx.settings)


def _sent_as_is(link: Link | None, row: Mapping[str, Any]) -> bool:
    """The row is the very version the ledger sent (usually our own write-back's echo): `pick_up` would skip
    it as unchanged, so it is not even read in full."""
    return bool(
        link
        and link.xero_id
        and not link.pending_since
        and link.sent_version
        and link.sent_version == str(row.get("versionnumber"))
    )


def changed_ids(ctx: SyncContext, stream: Stream, changes: Mapping[str, Changes]) -> list[str]:
    """The records that changed, once each, in the order the changes came. A record whose own row is not this
    connection's is left out whatever else of it changed (its lines, say)."""
    own: Watch = stream.watch[0]
    rows = changes[own.entity_set].rows
    links = state.links(ctx.connection_id, stream.record_kind, [str(row[own.key]) for row in rows if row.get(own.key)])
    ids: dict[str, None] = {}
    others: set[str] = set()
    for row in rows:
        key = str(row.get(own.key) or "")
        if not key:
            continue
        if not _ours(ctx, row):
            others.add(key)
        elif _sent_as_is(links.get(key), row):
            ctx.counts.unchanged += 1
        else:
            ids.setdefault(key)
    for watch in stream.watch[1:]:
        for row in changes[watch.entity_set].rows:
            key = str(row.get(watch.key) or "")
            if key and key not in others and _ours(ctx, row) and watch.wants(row):
                ids.setdefault(key)
    return list(ids)


def run_stream(ctx: SyncContext, stream: Stream) -> None:
    assert stream.batch is not None, f"{stream.name} syncs nothing: it names no batch"
    position = state.cursor(ctx.connection_id, stream.name) or {}
    ctx.progress(Progress(stream.name, "reading what changed in Dynamics"))
    changes = {watch.entity_set: changes_since(ctx.dynamics, watch, position.get(watch.entity_set)) for watch in stream.watch}
    after = {stream.name: {entity_set: found.position for entity_set, found in changes.items()}}
    deleted = changes[stream.watch[0].entity_set].deleted
    if deleted:  # recorded before the cursor moves past them: `deletions` acts on them
        ctx.counts.deleted_in_dynamics += state.mark_deleted(ctx.connection_id, deleted)
    ids = list(
        dict.fromkeys([*state.requested(ctx.connection_id, stream.record_kind, ctx.now), *changed_ids(ctx, stream, changes)])
    )
    if ctx.slice_limit is not None and len(ids) > ctx.slice_limit:
        # A slice: the rest is asked for again (as a Retry asks) before the cursor moves past it with the last batch.
        ids, rest = ids[: ctx.slice_limit], ids[ctx.slice_limit :]
        state.carry_over(ctx.connection_id, stream.record_kind, rest, ctx.now)
        ctx.unfinished = True
    if len(ids) > stream.batch_size and stream.first is not None:
        stream.first(ctx, chunks(ids, stream.batch_size), stream.name)
    run_batches(
        ctx,
        stream,
        ids,
        stream.batch,
        after,
        said=lambda batch: f"{len(batch)} {stream.record_kind}s read; so far {ctx.counts.so_far()}",
    )
    state.forget_requested(ctx.connection_id, stream.record_kind, ctx.now, only=ids)
