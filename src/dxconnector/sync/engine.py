"""The sync engine's entry points: run a connection's streams (`run_sync`), or explain one invoice without
writing anything (`explain`).

A run holds the connection's lease throughout, reads the settings row from Dynamics, first settles what
an interrupted run may have left (creates whose answer was lost, write-backs still due), then runs each
stream: the changes since its cursor, in batches. A connection whose trial ended is paused: nothing is
read or written, and nothing is lost — its cursors wait where they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.utils import timezone

from dxconnector import logs
from dxconnector.connections.clients import (
    ClientFactory,
    Clients,
    NotReady,
    connected_clients,
)
from dxconnector.connections.models import Connection
from dxconnector.domain import rules
from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.health import Cause
from dxconnector.domain.mapping.settings import settings_from_row
from dxconnector.domain.rules import Action, Decision, MatchedBy, Reason
from dxconnector.dynamics.changes import (
    connection_rows,
    customer_ref,
    read_invoices,
)
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.sync import (
    attention,
    batches,
    deletions,
    invoices,
    reference_lists,
    state,
    triggers,
    writeback,
    xero_io,
)
from dxconnector.sync.context import Progress, SyncContext, invoice_id_of
from dxconnector.sync.isolation import guard
from dxconnector.sync.models import Link, SyncRun, Trigger
from dxconnector.sync.prerequisites import Customer, contact_summary
from dxconnector.sync.streams import (
    REFERENCE_LISTS_FROM_XERO,
    STREAMS,
)
from dxconnector.xero.errors import XeroError

logger = logging.getLogger(__name__)
BUSY_RETRY = timedelta(seconds=2)  # a queued run that found its connection busy comes again after this

RECOVERY_MARGIN = timedelta(minutes=5)  # clocks differ: look a little further back for lost creates


def open_context(
    connection: Connection,
    clients: Clients,
    *,
    run: SyncRun | None = None,
    holder: str = "",
    progress: Callable[[Progress], None] | None = None,
    now: datetime | None = None,
) -> SyncContext:
    found = connection_rows(clients.dynamics, str(connection.pk))
    if found is None:
        raise attention.RowsMissing("The connection's rows are not in Dynamics yet: click Create Connection.")
    connector_id, settings_row = found
    settings = replace(settings_from_row(settings_row), sync_from=connection.sync_invoices_from)
    return SyncContext(
        connection,
        clients.dynamics,
        clients.xero,
        settings,
        connector_id,
        now or timezone.now(),
        state.ledger_key(),
        run,
        holder,
        progress=progress or (lambda step: None),
        slice_limit=django_settings.SYNC_SLICE_INVOICES if run is not None and run.trigger in triggers.SLICED else None,
    )


# --- a run -----------------------------------------------------------------------------------------------


@logs.scoped
def run_sync(
    connection_id: Any, trigger: str, *, clients: ClientFactory | None = None, progress: Callable[[Progress], None] | None = None
) -> SyncRun:
    """Sync one connection now. Returns the run: succeeded, failed (the cursor stays where the last committed
    batch left it, so the next run carries on), busy (another run holds the lease) or paused. Its log lines carry the
    run's and the connection's ids, and the last one says how it ended (numbers only)."""
    run = _run_sync(connection_id, trigger, clients, progress)
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
    logger.info(
        "sync run %s%s in %.1f s: %s",
        run.status,
        f" ({run.error})" if run.error else "",
        seconds,
        ", ".join(f"{key} {value}" for key, value in sorted(run.counts.items())) or "nothing to do",
        extra={"trigger": trigger, "status": run.status, "duration_seconds": round(seconds, 3), "counts": run.counts},
    )
    return run


def _run_sync(
    connection_id: Any, trigger: str, clients: ClientFactory | None, progress: Callable[[Progress], None] | None
) -> SyncRun:
    connection = Connection.objects.get(pk=connection_id)
    run = state.start_run(connection.pk, trigger)
    logs.bind(connection_id=connection.pk, run_id=run.pk)
    logger.info("sync run started (%s)", trigger)
    if not connection.may_sync():
        return state.finish_run(run, SyncRun.Status.PAUSED, {})
    holder = f"run:{run.pk}"
    if not state.acquire_lease(connection.pk, holder):
        if trigger in triggers.PRIORITIES:  # a queued run: what started it is not lost, it comes again a moment later
            triggers.request_sync(connection.pk, trigger, run_after=timezone.now() + BUSY_RETRY)
        return state.finish_run(run, SyncRun.Status.BUSY, {})
    _took_lease(run)
    counts: dict[str, int] = {}
    unfinished = False
    stopped: SyncRun | None = None
    keeper = state.LeaseKeeper(connection.pk, holder, state.lease_seconds())
    keeper.start()
    try:
        made = (clients or connected_clients)(connection)
        try:
            ctx = open_context(connection, made, run=run, holder=holder, progress=progress)
            try:
                attention.check_fixed(ctx, connection.attention)
                sync_streams(ctx)
                connection.note_sweep_interval(ctx.settings.sync_interval_minutes)  # its settings' Sync Interval
                unfinished = ctx.unfinished
            finally:
                counts = {**ctx.counts.as_dict(), **ctx.calls()}
        finally:
            made.close()
        run = state.finish_run(run, SyncRun.Status.SUCCEEDED, counts)  # with the lease held, as every end is recorded
    except batches.Stopping as error:  # the worker is stopping: the rest is queued again once the lease is free
        stopped = _stopped(run, counts, error)
    except (XeroError, DynamicsError, state.LeaseLost, NotReady) as error:
        logger.warning("sync of connection %s stopped: %s", connection.pk, error)
        return _failed(run, counts, error)
    except Exception as error:
        _failed(run, counts, error)
        raise
    finally:
        keeper.stop()
        state.release_lease(connection.pk, holder)
    if stopped is not None:
        triggers.request_sync(connection.pk, trigger if trigger in triggers.PRIORITIES else Trigger.CONTINUED)
        return stopped
    Connection.objects.filter(pk=connection.pk).update(last_synced_at=timezone.now())
    if unfinished:  # the rest, queued once the lease is free, behind live work: other connections' changes go first
        triggers.request_sync(connection.pk, Trigger.CONTINUED)
    attention.run_succeeded(connection.pk)
    return run


def _failed(run: SyncRun, counts: dict[str, int], error: Exception) -> SyncRun:
    """The run stopped early: it keeps the kind of failure and its cause, and the connection what the admin must fix."""
    cause = attention.cause_of(error)
    run = state.finish_run(run, SyncRun.Status.FAILED, counts, _kind_of(error), cause.value)
    attention.run_failed(run.connection_id, cause)
    return run


# --- a worker stopping, a worker killed ---------------------------------------------------------------------

STOPPED = "Stopping"  # the error of a run ended early because its worker was told to stop
WORKER_LOST = "WorkerLost"  # the error of a run whose worker died: a later run of the connection found it unfinished


def _stopped(run: SyncRun, counts: dict[str, int], error: batches.Stopping) -> SyncRun:
    """The worker was told to stop (SIGTERM): the run ended at a batch boundary, what it committed stays, its cursor
    where the last committed batch left it. Once its lease is free, the rest is queued again for another worker (behind
    live work unless it was live work itself). Nothing for the connection's admin to fix."""
    logger.info("sync of connection %s stopped early: %s", run.connection_id, error)
    return state.finish_run(run, SyncRun.Status.FAILED, counts, STOPPED, Cause.INTERRUPTED.value)


def _took_lease(run: SyncRun) -> None:
    """The run begins now that it holds the connection's lease: its times (from here to its end, recorded before the
    lease goes) never overlap another run's of the connection. No other run of it is alive, so one still marked
    running lost its worker (killed, or the machine went down) and its lease lapsed: it is marked failed, ended no
    later than this run began."""
    run.started_at = timezone.now()
    SyncRun.objects.filter(pk=run.pk).update(started_at=run.started_at)
    SyncRun.objects.filter(
        connection_id=run.connection_id, status=SyncRun.Status.RUNNING, started_at__lte=run.started_at
    ).exclude(pk=run.pk).update(
        status=SyncRun.Status.FAILED, error=WORKER_LOST, cause=Cause.INTERRUPTED.value, finished_at=run.started_at
    )


def _kind_of(error: Exception) -> str:
    """What the run keeps of a failure: its kind and status, never its message (which may quote a record)."""
    status = getattr(error, "status", None)
    return f"{type(error).__name__}{f' ({status})' if status else ''}"


def sync_streams(ctx: SyncContext) -> None:
    """Each stream in turn; a worker told to stop ends the run between them too (`batches.stop_here`)."""
    recover_pending(ctx)
    for stream in STREAMS:
        batches.stop_here()
        stream.runner(ctx, stream)
    batches.stop_here()
    deletions.act_on_deletions(ctx)
    batches.stop_here()
    writeback.flush_due(ctx)


def recover_pending(ctx: SyncContext) -> None:
    """Creates sent to Xero whose answer never got recorded (the run stopped in between): find them among the
    invoices this app made since (each carries its Dynamics invoice's link in `Url`) and the credit notes changed
    since (by the recognition hash of what was sent), and link them, so they are updated rather than made twice;
    the ones Xero never got are forgotten and go again."""
    pending = state.pending_links(ctx.connection_id)
    if not pending:
        return
    wanted = {link.dynamics_id for link in pending}
    since = min(link.pending_since for link in pending if link.pending_since) - RECOVERY_MARGIN
    documents = xero_io.created_by_us_since(ctx.xero, since)
    found = {invoice_id: document for document in documents if (invoice_id := invoice_id_of(document.url)) in wanted}
    found.update(_recognised(ctx, [link for link in pending if link.sent_hash and link.dynamics_id not in found], documents))
    sent = [state.Sent(invoice_id, document.id, document.type.value, None, None) for invoice_id, document in found.items()]
    state.commit_batch(ctx.connection_id, ctx.run, sent=sent, failed_creates=wanted - set(found), attempts=[])
    ctx.counts.recovered += len(found)


def _recognised(ctx: SyncContext, pending: list[Link], documents: list[XeroDocument]) -> dict[str, XeroDocument]:
    """Pending credit notes found among Xero's by their recognition hash. Each Xero credit note answers for one
    create at most, and none already linked to another Dynamics invoice does."""
    if not pending:
        return {}
    credit_notes = [document for document in documents if document.is_credit_note]
    linked = state.links_to(ctx.connection_id, Link.Kind.INVOICE, [document.id for document in credit_notes])
    unclaimed: dict[str, list[XeroDocument]] = {}
    for document in credit_notes:
        if document.id not in linked:
            recognised = guard(
                "recognising a credit note Xero made before", document.id, rules.recognition_hash, document.body, ctx.key
            )
            if isinstance(recognised, str):
                unclaimed.setdefault(recognised, []).append(document)
    found = {}
    for link in pending:
        if unclaimed.get(link.sent_hash):
            found[link.dynamics_id] = unclaimed[link.sent_hash].pop(0)
    return found


def refresh_reference_lists(connection_id: Any, *, clients: ClientFactory | None = None) -> dict[str, int]:
    """Xero's reference lists into Dynamics now, outside a run (Create Connection), so that users can pick
    account codes before the first sync. Every write is an upsert by id: a run doing the same meanwhile is
    harmless. Returns the rows made, updated and archived."""
    connection = Connection.objects.get(pk=connection_id)
    made = (clients or connected_clients)(connection)
    try:
        ctx = open_context(connection, made)
        reference_lists.bring_in(ctx, REFERENCE_LISTS_FROM_XERO)
        return ctx.counts.reference_rows()
    finally:
        made.close()


# --- "why isn't my invoice syncing?" -------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    invoice_id: str
    found: bool = True
    paused: bool = False
    paused_why: str = "its trial ended"
    decision: Decision | None = None
    blockers: tuple[Reason, ...] = field(default=())  # what would stop it once picked up (the customer)

    @property
    def lines(self) -> list[str]:
        if self.paused:
            return [f"Syncing is paused for this connection ({self.paused_why}): nothing goes to Xero until it is resumed."]
        if not self.found or self.decision is None:
            return [f"Invoice {self.invoice_id} is not in Dynamics (or this user can't read it)."]
        decision = self.decision
        lines = [f"Invoice {self.invoice_id}: {decision.action.value.upper()}"]
        lines += [
            f"  held back by {reason.code.value}: {reason.text}"
            if decision.held_back
            else f"  {reason.code.value}: {reason.text}"
            for reason in decision.reasons
        ]
        lines += [f"  would fail on {reason.code.value}: {reason.text}" for reason in self.blockers]
        return lines


def _why_paused(connection: Connection) -> str:
    if connection.deleting:
        return "it is being deleted"
    if connection.paused:
        return "paused by its owner"
    return "its trial has not started" if connection.trial_started_at is None else "its trial ended"


def explain(
    connection_id: Any, invoice_id: str, *, clients: ClientFactory | None = None, now: datetime | None = None
) -> Explanation:
    """The pick-up decision for one invoice, and the customer rule that would stop it, reading only."""
    connection = Connection.objects.get(pk=connection_id)
    if not connection.may_sync():
        return Explanation(invoice_id, paused=True, paused_why=_why_paused(connection))
    made = (clients or connected_clients)(connection)
    try:
        ctx = open_context(connection, made, now=now)
        records = read_invoices(ctx.dynamics, [invoice_id], ctx.connector_id)
        if not records:
            return Explanation(invoice_id, found=False)
        record = records[0]
        links = state.links(ctx.connection_id, Link.Kind.INVOICE, [invoice_id])
        expected = invoices.expected_hashes(ctx, records, links).get(invoice_id)
        decision = rules.pick_up(
            record.invoice, ctx.settings, ctx.now, state.invoice_link(links.get(invoice_id)), sent_fields_hash=expected
        )
        blockers: tuple[Reason, ...] = ()
        if decision.action in (Action.CREATE, Action.UPDATE) and record.customer is not None:
            blockers = _customer_blockers(ctx, record.customer)
        return Explanation(invoice_id, decision=decision, blockers=blockers)
    finally:
        made.close()


def _customer_blockers(ctx: SyncContext, customer: Customer) -> tuple[Reason, ...]:
    linked = state.links(ctx.connection_id, Link.Kind.CONTACT, [customer.id]).get(customer.id)
    if linked and linked.xero_id:
        return ()
    ref = customer_ref(customer)
    candidates = [contact_summary(found) for found in xero_io.find_contacts(ctx.xero, [ref.number], [rules.one_line(ref.name)])]
    owners = {
        xero_id: link.dynamics_id
        for xero_id, link in state.links_to(ctx.connection_id, Link.Kind.CONTACT, [c.contact_id for c in candidates]).items()
    }
    match = rules.match_contact(ref, None, candidates, ctx.settings, owners)
    return (match.reason,) if match.matched_by is MatchedBy.NONE and match.reason else ()
