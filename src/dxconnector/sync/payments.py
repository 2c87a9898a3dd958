"""Xero → Dynamics: the money Xero applied to linked invoices, as rows of our Xero payments table.

Read by If-Modified-Since, one moment per collection: payments (a deleted or reversed one comes back with its
status DELETED), credit notes, prepayments and overpayments with their allocations (a removed allocation comes
back marked deleted). What concerns a linked invoice — or, for a credit note made in Xero, a linked customer — is
written in one `$batch` of upserts by an id derived from Xero's key: writing it twice changes nothing, so the
cursor moves only after the rows are written, and a run that stops in between reads them again.

The invoice's own state and amounts come back through `from_xero`; the customers' balances are read again here
for what changed their balance without changing an invoice of ours (a credit note made in Xero, a prepayment).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings

from dxconnector.domain.mapping import payment as mapping
from dxconnector.domain.mapping.invoice import xero_invoice_url
from dxconnector.domain.names import CONNECTOR_ID, XeroPaymentTable, odata_bind
from dxconnector.domain.records import InvoiceType
from dxconnector.domain.rules.dates import parse_xero_moment
from dxconnector.dynamics.batch import BatchRequest, execute
from dxconnector.dynamics.ids import derived_id
from dxconnector.dynamics.solution.definition import CONNECTION, XERO_PAYMENT
from dxconnector.sync import balances, from_xero, state
from dxconnector.sync.batches import run_batches
from dxconnector.sync.context import Progress, SyncContext
from dxconnector.sync.models import Link
from dxconnector.sync.xero_io import SCAN_PAGE_SIZE
from dxconnector.xero.resources import ACCOUNTS, CREDIT_NOTES, OVERPAYMENTS, PAYMENTS, PREPAYMENTS, Resource

if TYPE_CHECKING:
    from dxconnector.sync.streams import Stream

logger = logging.getLogger(__name__)

FOLLOWED = (PAYMENTS, CREDIT_NOTES, PREPAYMENTS, OVERPAYMENTS)
INVOICES_STREAM = "invoices-from-xero"  # its first read of Xero is ours too
BALANCES = "Balances"  # in the cursor: when every linked customer's balances were last read


def row_id(connector_id: str, key: str) -> str:
    """A payment row's id: the same for the same connection and Xero key, so writing it again updates it."""
    return derived_id(connector_id, "xeropayment", key)


def rows_of(resource: Resource, body: Mapping[str, Any]) -> list[mapping.MoneyRow]:
    """The rows one record of a followed collection stands for (before knowing which are ours)."""
    if resource is PAYMENTS:
        row = mapping.payment_row(body)
        return [row] if row else []
    found = list(mapping.allocation_rows(mapping.CREDIT_SOURCES[resource.name], body))
    if resource is CREDIT_NOTES:
        own = mapping.credit_note_row(body)
        found += [own] if own else []
    return found


def start_moment(ctx: SyncContext, position: Mapping[str, str], collection: str) -> datetime:
    """The newest change read of this collection; at first, a little before the connection was made: no money can
    have been applied to an invoice of it before (a connector upgraded to this stream reads its whole past once)."""
    if position.get(collection):
        return datetime.fromisoformat(position[collection])
    return ctx.connection.created_at - from_xero.FIRST_LOOK_BACK


def read_changes(ctx: SyncContext, position: Mapping[str, str]) -> tuple[list[mapping.MoneyRow], dict[str, str]]:
    """Every row whose Xero record changed since the cursor, and the cursor after them."""
    found: list[mapping.MoneyRow] = []
    after = dict(position)
    for resource in FOLLOWED:
        newest = start_moment(ctx, position, resource.name)
        for page in ctx.xero.pages(resource, modified_since=newest - from_xero.OVERLAP, page_size=SCAN_PAGE_SIZE):
            for body in page:
                moment = parse_xero_moment(body.get("UpdatedDateUTC"))
                newest = max(newest, moment or newest)
                found += rows_of(resource, body)
        after[resource.name] = newest.isoformat()
    return found, after


class Ours:
    """What the ledger knows of the rows' invoices and customers: which rows concern this connection."""

    def __init__(self, ctx: SyncContext, rows: Sequence[mapping.MoneyRow]) -> None:
        documents = {row.invoice_id or row.credit_note_id for row in rows} - {""}  # a credit note may be one we sent
        self.invoices = state.links_to(ctx.connection_id, Link.Kind.INVOICE, documents)
        self.customers = state.links_to(ctx.connection_id, Link.Kind.CONTACT, {row.contact_id for row in rows if row.contact_id})

    def concern(self, row: mapping.MoneyRow) -> bool:
        """A row on a linked invoice; or a credit note made in Xero (not one we sent) for a linked customer."""
        if row.invoice_id:
            return row.invoice_id in self.invoices
        return row.contact_id in self.customers and row.credit_note_id not in self.invoices


def bank_account_names(ctx: SyncContext, rows: Iterable[mapping.MoneyRow]) -> dict[str, str]:
    """The names of the bank accounts the payments went to, when Xero's answer named only their ids: one call."""
    if not any(row.bank_account_id and not row.bank_account for row in rows):
        return {}
    return {
        str(account["AccountID"]): str(account.get("Name") or "") for account in ctx.xero.records(ACCOUNTS, where='Type=="BANK"')
    }


def _xero_url(row: mapping.MoneyRow, invoice: Link | None) -> str:
    """The payment's invoice in Xero (it lists its payments and credits), or the credit note on its own."""
    base = settings.XERO_APP_URL
    if row.credit_note_id and not row.invoice_id:
        return xero_invoice_url(InvoiceType.ACCRECCREDIT, row.credit_note_id, base)
    if invoice is not None:
        return xero_invoice_url(InvoiceType(invoice.sent_type or "ACCREC"), invoice.xero_id, base)
    return ""


def row_request(ctx: SyncContext, row: mapping.MoneyRow, ours: Ours, bank_accounts: Mapping[str, str]) -> BatchRequest:
    invoice, customer = ours.invoices.get(row.invoice_id), ours.customers.get(row.contact_id)
    body = mapping.payment_columns(row, bank_account=bank_accounts.get(row.bank_account_id, ""), xero_url=_xero_url(row, invoice))
    body[odata_bind(CONNECTOR_ID)] = f"/{CONNECTION.set_name}({ctx.connector_id})"
    if invoice is not None and not invoice.dynamics_deleted_at:
        body[odata_bind(XeroPaymentTable.INVOICE_ID)] = f"/invoices({invoice.dynamics_id})"
    if customer is not None:
        lookup = XeroPaymentTable.ACCOUNT_ID if customer.sent_type == "account" else XeroPaymentTable.CONTACT_ID
        body[odata_bind(lookup)] = f"/{customer.sent_type or 'account'}s({customer.dynamics_id})"
    return BatchRequest("PATCH", f"{XERO_PAYMENT.set_name}({row_id(ctx.connector_id, row.key)})", body)


def write_rows(ctx: SyncContext, rows: Sequence[mapping.MoneyRow], ours: Ours) -> bool:
    """One batch of rows (and the balances of customers whose money changed outside their invoices) in one `$batch`;
    whether every write settled (a refusal for good counts: a 5xx or a 429 may pass, and is read again)."""
    bank_accounts = bank_account_names(ctx, rows)
    requests = [row_request(ctx, row, ours, bank_accounts) for row in rows]
    requests += balances.requests(ctx, [row.contact_id for row in rows if not row.invoice_id or row.kind != mapping.Kind.PAYMENT])
    answers = execute(ctx.dynamics, requests) if requests else []
    ctx.counts.dynamics_writes += len(requests)
    ctx.counts.payments_written += sum(answer.ok for answer in answers[: len(rows)])
    passing = [answer for answer in answers if not answer.ok and (answer.status >= 500 or answer.status in (408, 429))]
    for answer in answers:
        if not answer.ok:
            logger.info("payment row or balance not written: %s", answer.error)
    return not passing


def worth_reading(ctx: SyncContext, stream: Stream, position: Mapping[str, str]) -> str | None:
    """Why this run would not read Xero's payments (None: it reads them). Money applied to a linked invoice changes
    the invoice, so `from_xero` has just brought news of it back; what changes no invoice of ours (a credit note made
    in Xero for a customer, unallocated) waits for the next poll (`SYNC_XERO_POLL_SECONDS`): four calls a run saved."""
    if not position:
        if state.cursor(ctx.connection_id, INVOICES_STREAM) is None:
            return "Xero is first read with the invoices' changes: nothing can have been paid yet"
        return None  # the first read: everything since the connection was made
    if ctx.counts.brought_back:
        return None
    last = state.cursor_saved_at(ctx.connection_id, stream.name)
    if last is None or last <= ctx.now - timedelta(seconds=settings.SYNC_XERO_POLL_SECONDS):
        return None
    return "no invoice of this connection changed in Xero"


def balances_when_due(ctx: SyncContext, stream: Stream, position: Mapping[str, str]) -> None:
    """Every linked customer's balances read again after the payments' first read, then when the last time was
    `SYNC_REFERENCE_SECONDS` ago (an invoice falls overdue with no change in Xero); the moment is kept in the stream's
    cursor, beside the collections'."""
    last = position.get(BALANCES)
    if not position or (last and datetime.fromisoformat(last) > ctx.now - timedelta(seconds=settings.SYNC_REFERENCE_SECONDS)):
        return  # not read yet (the first read comes with the invoices'), or read lately
    ctx.progress(Progress(stream.name, "reading every linked customer's balances in Xero"))
    balances.refresh_every_one(ctx)
    state.save_cursors(ctx.connection_id, {stream.name: {**position, BALANCES: ctx.now.isoformat()}})


def run_stream(ctx: SyncContext, stream: Stream) -> None:
    read_payments(ctx, stream, state.cursor(ctx.connection_id, stream.name) or {})
    balances_when_due(ctx, stream, state.cursor(ctx.connection_id, stream.name) or {})


def read_payments(ctx: SyncContext, stream: Stream, position: Mapping[str, str]) -> None:
    why_not = worth_reading(ctx, stream, position)
    if why_not:
        ctx.progress(Progress(stream.name, why_not))
        return
    ctx.progress(Progress(stream.name, "reading payments and credits in Xero"))
    rows, after = read_changes(ctx, position)
    ours = Ours(ctx, rows)
    unsettled: list[int] = []  # batches with a write that may pass: the cursor stays, so they are read again

    def batch(ctx: SyncContext, rows: list[mapping.MoneyRow], cursors: Mapping[str, Any] | None) -> None:
        if not write_rows(ctx, rows, ours):  # the ledger read once for the whole run
            unsettled.append(len(rows))
        if cursors and not unsettled:
            state.save_cursors(ctx.connection_id, cursors)

    run_batches(
        ctx,
        stream,
        [row for row in rows if ours.concern(row)],
        batch,
        {stream.name: after},
        said=lambda batch: f"{len(batch)} payments and credits written",
    )
