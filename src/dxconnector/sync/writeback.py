"""Xero's answer, back in Dynamics, in one `$batch`: on each invoice its Xero number, status and due date;
on its Xero details row (`stl3_xeroinvoice`) the id, number, status, URLs, export status and date; and one
`stl3_synchistory` row per attempt.

Every write is repeatable (PATCH by id: an upsert), so a batch sent twice changes nothing more. The
invoice is written only onto the version the sync read (`If-Match`): its new version is then our own
write-back, which the ledger records so it is not mistaken for an edit. What did not reach Dynamics stays
due — `Link.writeback_due`, `SyncAttempt.reported_at` — and the next run writes it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.mapping.invoice import (
    invoice_columns_from_xero,
    xero_details_columns,
    xero_invoice_url,
)
from dxconnector.domain.names import CONNECTOR_ID, SyncHistoryTable, XeroInvoiceTable, odata_bind
from dxconnector.domain.records import (
    ExportStatus,
    InvoiceState,
    InvoiceStatusReason,
    InvoiceType,
    XeroStatus,
)
from dxconnector.domain.rules import states
from dxconnector.dynamics.batch import BatchRequest, BatchResponse, execute
from dxconnector.dynamics.changes import InvoiceRecord
from dxconnector.dynamics.ids import derived_id
from dxconnector.dynamics.solution.definition import (
    CONNECTION,
    SYNC_HISTORY,
    XERO_INVOICE,
)
from dxconnector.sync import reading, state
from dxconnector.sync.context import SyncContext
from dxconnector.sync.isolation import Fault, guard
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.sync.xero_io import current_copies, online_invoice_url, resource_of
from dxconnector.xero.errors import XeroError
from dxconnector.xero.resources import Resource

logger = logging.getLogger(__name__)

ONLINE_INVOICE_STATUSES = (XeroStatus.SUBMITTED, XeroStatus.AUTHORISED, XeroStatus.PAID)
KIND = Link.Kind.INVOICE


@dataclass(frozen=True)
class Exported:
    """One invoice Xero accepted (or already had), with what it answered. `as_sent`: the invoice was read at
    the version the ledger sent, so the version our write-back makes of it may stand for that one (an edit
    made since is never hidden that way)."""

    record: InvoiceRecord
    xero: XeroDocument
    as_sent: bool = True


def details_row_id(connector_id: str, invoice_id: str) -> str:
    """Our details row's id when we make it: the same for the same connection and invoice, so making it
    again after a crash updates it."""
    return derived_id(connector_id, "xeroinvoice", invoice_id)


def _online_url(ctx: SyncContext, exported: Exported) -> str | None:
    """Asked of Xero once per invoice, when it is an approved sales invoice (Xero has none for drafts)."""
    xero = exported.xero
    if exported.record.online_invoice_url or xero.is_credit_note or xero.type is not InvoiceType.ACCREC:
        return None
    if xero.status not in ONLINE_INVOICE_STATUSES:
        return None
    try:
        return online_invoice_url(ctx.xero, xero.id) or None
    except XeroError as error:  # the link is a nicety: the rest of the write-back goes on
        logger.warning("online invoice link not read: %s", error)
        return None


def _connector_bind(ctx: SyncContext) -> dict[str, str]:
    return {odata_bind(CONNECTOR_ID): f"/{CONNECTION.set_name}({ctx.connector_id})"}


def _details_request(ctx: SyncContext, record: InvoiceRecord, columns: Mapping[str, Any]) -> BatchRequest:
    row_id = record.details_row_id or details_row_id(ctx.connector_id, record.invoice.id)
    body = {
        **columns,
        XERO_INVOICE.primary_name: columns.get(XeroInvoiceTable.XERO_NUMBER) or record.invoice.invoice_number or "Xero invoice",
        odata_bind(XeroInvoiceTable.INVOICE_ID): f"/invoices({record.invoice.id})",
        **_connector_bind(ctx),
    }
    return BatchRequest("PATCH", f"{XERO_INVOICE.set_name}({row_id})", body)


def _invoice_requests(record: InvoiceRecord, xero: XeroDocument) -> list[BatchRequest]:
    """The invoice's own writes: an active invoice takes Xero's number, status and due date, and its state follows
    Xero's (`rules.states`: paid, part paid, voided; reopened when money is owed again). A Paid or Canceled invoice
    takes no change but its state, and Dataverse moves it between those only through Active: it is reopened first,
    takes the columns, then (unless it stays Active) moves on, each a request of the same batch in order (the version
    the last one makes is our own write's). Otherwise nothing: the details row alone shows Xero's state."""
    invoice = record.invoice
    move = states.state_move(invoice.state, invoice.status_code, xero.status, xero.paid + xero.credited)
    path = f"invoices({invoice.id})?$select=versionnumber"
    version_read = {"If-Match": record.etag or "*", "Prefer": "return=representation"}
    ours = {"If-Match": "*", "Prefer": "return=representation"}
    if invoice.state is InvoiceState.ACTIVE:
        return [BatchRequest("PATCH", path, {**invoice_columns_from_xero(xero), **_state(move)}, version_read)]
    if not move:
        return []
    requests = [
        BatchRequest("PATCH", path, _state((InvoiceState.ACTIVE, InvoiceStatusReason.BILLED)), version_read),
        BatchRequest("PATCH", path, invoice_columns_from_xero(xero), ours),
    ]
    if move[0] is not InvoiceState.ACTIVE:
        requests.append(BatchRequest("PATCH", path, _state(move), ours))
    return requests


def _state(move: tuple[InvoiceState, int] | None) -> dict[str, int]:
    return {"statecode": int(move[0]), "statuscode": int(move[1])} if move else {}


def failed_details(ctx: SyncContext, record: InvoiceRecord) -> BatchRequest:
    """An invoice that never reached Xero shows Export Status Failed; the history row says why."""
    failed = option_value(XeroInvoiceTable.TABLE, XeroInvoiceTable.EXPORT_STATUS, ExportStatus.FAILED)
    return _details_request(ctx, record, {XeroInvoiceTable.EXPORT_STATUS: failed})


# A history row's record type and the lookup naming its record, by the attempt's record kind (its Dynamics table).
_HISTORY_RECORDS = {
    "invoice": ("INVOICE", SyncHistoryTable.INVOICE_ID, "Invoice"),
    "account": ("ACCOUNT", SyncHistoryTable.ACCOUNT_ID, "Account"),
    "contact": ("CONTACT", SyncHistoryTable.CONTACT_ID, "Contact"),
    "product": ("PRODUCT", SyncHistoryTable.PRODUCT_ID, "Product"),
}


def history_request(ctx: SyncContext, attempt: SyncAttempt, message: str = "", *, invoice_exists: bool = True) -> BatchRequest:
    outcome = attempt.outcome
    towards = "from" if attempt.direction == SyncAttempt.Direction.TO_DYNAMICS else "to"
    history = SyncHistoryTable
    record_type, lookup, label = _HISTORY_RECORDS.get(attempt.record_kind, _HISTORY_RECORDS["invoice"])
    body = {
        SYNC_HISTORY.primary_name: f"{label} {towards} Xero: {SyncAttempt.Outcome(outcome).label}",
        history.DIRECTION: option_value(history.TABLE, history.DIRECTION, attempt.direction),
        history.RECORD_TYPE: option_value(history.TABLE, history.RECORD_TYPE, record_type),
        history.RECORD_ID: attempt.dynamics_id,
        history.XERO_ID: attempt.xero_id or None,
        history.OUTCOME: option_value(history.TABLE, history.OUTCOME, outcome),
        history.MESSAGE: (message or attempt.reason or "")[:4000] or None,
        history.ATTEMPTED_ON: attempt.attempted_at,
        **_connector_bind(ctx),
    }
    if invoice_exists:  # a row about a record deleted in Dynamics names it by id alone
        body[odata_bind(lookup)] = (
            f"/{attempt.record_kind if attempt.record_kind in _HISTORY_RECORDS else 'invoice'}s({attempt.dynamics_id})"
        )
    return BatchRequest("PATCH", f"{SYNC_HISTORY.set_name}({attempt.pk})", body)


def _new_version(answer: BatchResponse) -> str | None:
    body = answer.body if isinstance(answer.body, dict) else {}
    return str(body["versionnumber"]) if body.get("versionnumber") is not None else None


def leftovers(ctx: SyncContext) -> list[Exported]:
    """Invoices whose write-back is still due: read again from both sides (rare: a run stopped before its
    write-back, or the invoice was edited in Dynamics while the run was writing back)."""
    due = state.due_writebacks(ctx.connection_id)
    if not due:
        return []
    records = {record.invoice.id: record for record in reading.readable(ctx, [link.dynamics_id for link in due])[0]}
    by_resource: dict[Resource, list[Link]] = {}
    for link in due:
        if link.dynamics_id in records:
            by_resource.setdefault(resource_of(InvoiceType(link.sent_type or "ACCREC")), []).append(link)
    copies: dict[str, XeroDocument] = {}
    for resource, links in by_resource.items():
        copies.update(current_copies(ctx.xero, resource, [link.xero_id for link in links]))
    gone = {link.dynamics_id: None for link in due if link.dynamics_id not in records or link.xero_id not in copies}
    state.written_back(ctx.connection_id, gone)  # deleted on one side or the other: nothing to write
    return [
        Exported(
            records[link.dynamics_id],
            copies[link.xero_id],
            as_sent=records[link.dynamics_id].invoice.version == link.sent_version,
        )
        for link in due
        if link.dynamics_id not in gone
    ]


def _settled(answer: BatchResponse) -> bool:
    """Written, or refused for good (e.g. its invoice was deleted meanwhile): either way not tried again."""
    return answer.ok or (400 <= answer.status < 500 and answer.status not in (408, 429))


def _requests_for(ctx: SyncContext, item: Exported) -> tuple[list[tuple[BatchRequest, bool]], str]:
    """One invoice's write-back: its details row and (when it moves) the invoice itself, each with whether it is
    the invoice; and the hash of the state of Xero's copy these show."""
    xero = item.xero
    columns = xero_details_columns(
        xero, exported_on=ctx.now, online_invoice_url=_online_url(ctx, item), invoice_url=xero_invoice_url(xero.type, xero.id)
    )
    requests = [(_details_request(ctx, item.record, columns), False)]
    own = _invoice_requests(item.record, xero)
    requests += [(request, index == len(own) - 1) for index, request in enumerate(own)]  # the last write's version is ours
    return requests, rules.xero_state_hash(xero.body, ctx.key)


def flush_due(ctx: SyncContext) -> None:
    """What earlier batches or runs left due: their invoices' write-backs and their history rows."""
    flush(ctx, leftovers(ctx), [], {})


def flush(
    ctx: SyncContext,
    exported: list[Exported],
    failed: list[InvoiceRecord],
    messages: Mapping[Any, str],
    also: Sequence[BatchRequest] = (),
) -> None:
    """Write what is due to Dynamics in one `$batch` call (more past 1,000 requests). `also`: repeatable writes
    that go with it (the customers' balances), whose answers nothing waits for."""
    requests: list[BatchRequest] = []
    invoice_parts: dict[str, list[tuple[int, bool]]] = {}  # invoice id → (request index, is the invoice itself)
    as_sent = {item.record.invoice.id: item.as_sent for item in exported}
    shown: dict[str, str] = {}  # invoice id → the hash of Xero's state it is shown
    unwritable: list[state.Attempt] = []
    for item in exported:
        invoice_id = item.record.invoice.id
        made = guard("writing Xero's answer back to Dynamics", invoice_id, _requests_for, ctx, item)
        if isinstance(made, Fault):
            unwritable.append(made.attempt(KIND, invoice_id, xero_id=item.xero.id, direction=SyncAttempt.Direction.TO_DYNAMICS))
            tried = guard("noting Xero's state", invoice_id, rules.xero_state_hash, item.xero.body, ctx.key)
            if isinstance(tried, str):  # this state is not tried again: a change in Xero is
                shown[invoice_id] = tried
            continue
        parts, shown[invoice_id] = [], made[1]
        for request, is_invoice in made[0]:
            parts.append((len(requests), is_invoice))
            requests.append(request)
        invoice_parts[invoice_id] = parts
    if unwritable:  # not tried again by every run: the invoice's next change, or Xero's, brings it
        state.written_back(
            ctx.connection_id,
            {attempt.dynamics_id: None for attempt in unwritable},
            {attempt.dynamics_id: shown[attempt.dynamics_id] for attempt in unwritable if attempt.dynamics_id in shown},
        )
        state.record_attempts(ctx.connection_id, ctx.run, unwritable)
        messages = {**messages, **{attempt.id: attempt.message for attempt in unwritable}}
        ctx.counts.outcome("FAILED", len(unwritable))
    requests += [failed_details(ctx, record) for record in failed]
    requests += also
    attempts = state.unreported_attempts(ctx.connection_id)
    gone = state.deleted_in_dynamics(ctx.connection_id, {attempt.dynamics_id for attempt in attempts})
    first_history = len(requests)
    requests += [
        history_request(ctx, attempt, messages.get(attempt.pk, ""), invoice_exists=attempt.dynamics_id not in gone)
        for attempt in attempts
    ]
    if not requests:
        return
    answers = execute(ctx.dynamics, requests)
    versions: dict[str, str | None] = {}
    for invoice_id, parts in invoice_parts.items():
        # A 412 on a batch sent again after its answer was lost is our own write, applied the first time: done,
        # its new version unknown (the next run reads the invoice once and finds nothing changed).
        if all(answers[index].ok or answers[index].maybe_own_write for index, _ in parts):
            own = [_new_version(answers[index]) for index, is_invoice in parts if is_invoice and as_sent[invoice_id]]
            versions[invoice_id] = own[0] if own else None
        else:
            logger.info(
                "write-back of invoice %s left due: %s",
                invoice_id,
                "; ".join(answers[index].error for index, _ in parts if not answers[index].ok),
            )
    state.written_back(ctx.connection_id, versions, {invoice_id: shown[invoice_id] for invoice_id in versions})
    state.reported(attempt.pk for attempt, answer in zip(attempts, answers[first_history:], strict=True) if _settled(answer))
    ctx.counts.dynamics_writes += len(requests)
