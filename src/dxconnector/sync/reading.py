"""Invoices read from Dynamics for the sync, each made sense of on its own: one that can't be read stops no other.

A run of several batches reads its invoices once ahead of them (`read_ahead`, for their customers and products);
what it read is kept for the batches, which then take it rather than read the same rows again. Up to
`READ_AHEAD_LIMIT` invoices are kept (a worker's slice is 2,000); a larger run reads each batch again, so that its
memory does not grow with the run."""

from __future__ import annotations

from collections.abc import Sequence

from dxconnector.dynamics.changes import (
    InvoiceRecord,
    invoice_record,
    read_invoice_rows,
)
from dxconnector.sync import state
from dxconnector.sync.context import SyncContext
from dxconnector.sync.isolation import Fault, guard
from dxconnector.sync.models import Link

KIND = Link.Kind.INVOICE
READ_AHEAD_LIMIT = 5000


def readable(ctx: SyncContext, invoice_ids: list[str]) -> tuple[list[InvoiceRecord], list[state.Attempt]]:
    """The invoices read in full (one query per 200), and a failed attempt for each one that could not be made
    sense of. Ids that no longer exist are left out. Invoices this run read ahead are taken from what it kept."""
    if invoice_ids and all(invoice_id in ctx.read_ahead for invoice_id in invoice_ids):
        return _taken(ctx, invoice_ids)
    return _read(ctx, invoice_ids, keep=False)


def read_ahead(ctx: SyncContext, invoice_ids: list[str], *, keep: bool) -> list[InvoiceRecord]:
    """The invoices that can be read, read ahead of their batch; with `keep`, what was read (records, failed
    attempts, ids not found) is kept for the batch (`readable`)."""
    return _read(ctx, invoice_ids, keep=keep)[0]


def keeps_read_ahead(invoice_ids: Sequence[str]) -> bool:
    """Whether a run of these invoices keeps what it reads ahead of its batches."""
    return len(invoice_ids) <= READ_AHEAD_LIMIT


def _read(ctx: SyncContext, invoice_ids: list[str], *, keep: bool) -> tuple[list[InvoiceRecord], list[state.Attempt]]:
    records, faults = [], []
    for row in read_invoice_rows(ctx.dynamics, invoice_ids):
        invoice_id = str(row.get("invoiceid") or "")
        made = guard("reading the invoice from Dynamics", invoice_id, invoice_record, row, ctx.connector_id)
        read: InvoiceRecord | state.Attempt = made.attempt(KIND, invoice_id) if isinstance(made, Fault) else made
        if isinstance(read, InvoiceRecord):
            records.append(read)
        else:
            faults.append(read)
        if keep:
            ctx.read_ahead[invoice_id] = read
    if keep:  # not found: gone meanwhile; the batch leaves it out as a read would
        for invoice_id in invoice_ids:
            ctx.read_ahead.setdefault(invoice_id, None)
    return records, faults


def _taken(ctx: SyncContext, invoice_ids: list[str]) -> tuple[list[InvoiceRecord], list[state.Attempt]]:
    """What was kept of these invoices, in their order, no longer kept."""
    kept = [ctx.read_ahead.pop(invoice_id) for invoice_id in invoice_ids]
    return (
        [read for read in kept if isinstance(read, InvoiceRecord)],
        [read for read in kept if isinstance(read, state.Attempt)],
    )
