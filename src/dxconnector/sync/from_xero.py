"""Xero → Dynamics: what changed in Xero on the invoices and credit notes this connection sent — payments,
status, number, due date — read by If-Modified-Since and written back onto the Dynamics invoice (which moves
to Paid once Xero is paid) and its Xero details row, with a history row each.

Our own writes come back as changes too: a document whose state hashes to what was last written back
(`Link.xero_hash`) is no news. A batch's write-backs are recorded as due, with its attempts and (the last
batch) the cursor, before they are written: a run that stops in between leaves them to the next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings

from dxconnector.domain import rules
from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.records import XeroStatus
from dxconnector.sync import balances, reading, state, writeback
from dxconnector.sync.batches import run_batches
from dxconnector.sync.context import Progress, SyncContext
from dxconnector.sync.isolation import Fault, guard
from dxconnector.sync.models import Link, SyncAttempt, Trigger, XeroWebhookEvent
from dxconnector.sync.xero_io import SCAN_PAGE_SIZE
from dxconnector.xero.resources import INVOICES

if TYPE_CHECKING:
    from dxconnector.sync.streams import Stream

KIND = Link.Kind.INVOICE
EVENT_MARGIN = timedelta(minutes=1)
QUIET_TRIGGERS = frozenset({Trigger.SWEEP, Trigger.DYNAMICS_WEBHOOK})  # runs started by the clock or by a change in Dynamics
OVERLAP = timedelta(seconds=1)  # If-Modified-Since counts whole seconds: read the last one again (the hash skips it)
FIRST_LOOK_BACK = timedelta(minutes=5)  # a first run reads from a little before the oldest invoice sent


def start_moment(ctx: SyncContext, position: Mapping[str, str], collection: str, kind: str = KIND) -> datetime:
    """The newest change read of this Xero collection, or for a first run, a little before the oldest record of this
    kind the ledger links."""
    if position.get(collection):
        return datetime.fromisoformat(position[collection])
    return (state.oldest_link(ctx.connection_id, kind) or ctx.now) - FIRST_LOOK_BACK


def changed_in_xero(
    ctx: SyncContext, stream: Stream, position: Mapping[str, str]
) -> tuple[list[tuple[Link, XeroDocument]], dict[str, str], list[state.Attempt]]:
    """The linked documents whose state differs from what Dynamics was last shown, the cursor after them, and a
    failed attempt for each linked one that could not be read."""
    changed: list[tuple[Link, XeroDocument]] = []
    faults: list[state.Attempt] = []
    after = dict(position)
    for resource in stream.xero:
        newest = start_moment(ctx, position, resource.name)
        extra: dict[str, Any] = {"summary_only": True} if resource is INVOICES else {}  # no lines: only the state is wanted
        for page in ctx.xero.pages(resource, modified_since=newest - OVERLAP, page_size=SCAN_PAGE_SIZE, **extra):
            documents = [XeroDocument.read(body) for body in page]
            links = state.links_to(ctx.connection_id, KIND, [document.id for document in documents])
            for document in documents:
                link = links.get(document.id)
                seen = guard(
                    "reading what changed in Xero", link.dynamics_id if link else document.id, _changed, ctx, document, link
                )
                if isinstance(seen, Fault):
                    if link is not None:
                        faults.append(
                            seen.attempt(
                                KIND, link.dynamics_id, xero_id=link.xero_id, direction=SyncAttempt.Direction.TO_DYNAMICS
                            )
                        )
                    continue
                moment, news_of_it = seen
                newest = max(newest, moment or newest)
                if news_of_it and link is not None:
                    changed.append((link, document))
        after[resource.name] = newest.isoformat()
    return changed, after, faults


def _changed(ctx: SyncContext, document: XeroDocument, link: Link | None) -> tuple[datetime | None, bool]:
    """When Xero last changed the document, and whether that is news for Dynamics. A link whose write-back is still
    due gets Xero's current copy from `flush_due`: no news to tell."""
    return document.updated_at, (
        link is not None and not link.writeback_due and rules.xero_state_hash(document.body, ctx.key) != link.xero_hash
    )


STATUS_NEWS = {
    XeroStatus.DRAFT: "Xero: a draft",
    XeroStatus.SUBMITTED: "Xero: awaiting approval",
    XeroStatus.VOIDED: "Xero: voided",
    XeroStatus.DELETED: "Xero: deleted",
}


def news(document: XeroDocument) -> str:
    """What the history says of a change brought back, as Xero shows the invoice: paid, part paid, approved and
    awaiting payment, voided… Never an amount: the connector keeps none."""
    status = document.status
    if status is XeroStatus.PAID:
        return "Xero: credit used up" if document.is_credit_note else "Xero: paid"
    if status is XeroStatus.AUTHORISED:
        if document.is_credit_note:
            return "Xero: credit partly used" if document.credited + document.paid > 0 else "Xero: approved, credit available"
        return "Xero: part paid" if document.paid > 0 else "Xero: approved, awaiting payment"
    return STATUS_NEWS.get(status, "Xero: changed") if status is not None else "Xero: changed"


def worth_asking(ctx: SyncContext, stream: Stream) -> bool:
    """Whether this run asks Xero what changed. A sweep, or a run a Dynamics change started, asks only when Xero's
    webhooks told of a change since the last time, or that was a while ago (`SYNC_XERO_POLL_SECONDS`): the
    calls count against the organisation's 5,000 a day. Any other run (Xero's webhook, Sync now, the CLI) asks."""
    if ctx.run is None or ctx.run.trigger not in QUIET_TRIGGERS:
        return True
    last = state.cursor_saved_at(ctx.connection_id, stream.name)
    if last is None or last <= ctx.now - timedelta(seconds=settings.SYNC_XERO_POLL_SECONDS):
        return True
    # An event that came while the last run read may not be in what it read: look a little further back.
    return XeroWebhookEvent.objects.filter(tenant_id=ctx.xero.tenant_id, received_at__gte=last - EVENT_MARGIN).exists()


def only_just_sent(ctx: SyncContext, position: Mapping[str, str]) -> bool:
    """Xero has never been read for this connection, and every invoice linked was sent by this very run (an
    initial sync): all Xero could tell now is its answers to our own writes. The first read waits for the next
    run, so that the onboarding minute's 60 calls go to the invoices people are waiting for. Nothing is lost
    meanwhile: without a cursor, that run reads from a little before the oldest invoice sent."""
    if position:
        return False
    oldest = state.oldest_link(ctx.connection_id, KIND)
    return oldest is None or oldest >= ctx.now


def run_stream(ctx: SyncContext, stream: Stream) -> None:
    if not worth_asking(ctx, stream):
        ctx.progress(Progress(stream.name, "Xero told of no change"))
        return
    position = state.cursor(ctx.connection_id, stream.name) or {}
    if only_just_sent(ctx, position):
        ctx.progress(Progress(stream.name, "Xero is first read at the next run: this one sent everything there is to ask about"))
        return
    ctx.progress(Progress(stream.name, "reading what changed in Xero"))
    changed, after, faults = changed_in_xero(ctx, stream, position)
    ctx.counts.outcome("FAILED", len(faults))
    unrecorded = list(faults)  # recorded with the first batch, or with the cursor when nothing changed

    def batch(ctx: SyncContext, documents: list[tuple[Link, XeroDocument]], cursors: Mapping[str, Any] | None) -> None:
        write_back(ctx, documents, cursors, unrecorded)
        unrecorded.clear()

    run_batches(
        ctx,
        stream,
        changed,
        batch,
        {stream.name: after},
        said=lambda _: f"so far {ctx.counts.brought_back} brought back",
        nothing=lambda cursors: state.due_from_xero(ctx.connection_id, ctx.run, [], faults, cursors),
    )


def write_back(
    ctx: SyncContext,
    batch: list[tuple[Link, XeroDocument]],
    cursors: Mapping[str, Any] | None,
    faults: Iterable[state.Attempt] = (),
) -> None:
    records = {record.invoice.id: record for record in reading.readable(ctx, [link.dynamics_id for link, _ in batch])[0]}
    present = [(link, document) for link, document in batch if link.dynamics_id in records]  # not deleted in Dynamics
    # Xero changed the copy of an invoice deleted in Dynamics, perhaps taking off what kept it from being voided.
    state.deletion_due_again(ctx.connection_id, [link.dynamics_id for link, _ in batch if link.dynamics_deleted_at])
    attempts = [
        state.Attempt(
            KIND,
            link.dynamics_id,
            SyncAttempt.Outcome.SUCCEEDED,
            reason=news(document),
            xero_id=link.xero_id,
            direction=SyncAttempt.Direction.TO_DYNAMICS,
            dynamics_number=records[link.dynamics_id].invoice.invoice_number,
            xero_number=document.number,
        )
        for link, document in present
    ]
    state.due_from_xero(ctx.connection_id, ctx.run, [link.dynamics_id for link, _ in present], [*faults, *attempts], cursors)
    exported = [
        writeback.Exported(
            records[link.dynamics_id], document, as_sent=records[link.dynamics_id].invoice.version == link.sent_version
        )
        for link, document in present
    ]
    # What changed an invoice changed its customer's balance.
    writeback.flush(ctx, exported, [], {}, balances.requests(ctx, [document.contact_id for _, document in present]))
    ctx.counts.brought_back += len(present)
