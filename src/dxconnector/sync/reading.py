"""Invoices read from Dynamics for the sync, each made sense of on its own: one that can't be read stops no other."""

from __future__ import annotations

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


def readable(ctx: SyncContext, invoice_ids: list[str]) -> tuple[list[InvoiceRecord], list[state.Attempt]]:
    """The invoices read in full (one query per 200), and a failed attempt for each one that could not be made
    sense of. Ids that no longer exist are left out."""
    records, faults = [], []
    for row in read_invoice_rows(ctx.dynamics, invoice_ids):
        invoice_id = str(row.get("invoiceid") or "")
        made = guard("reading the invoice from Dynamics", invoice_id, invoice_record, row, ctx.connector_id)
        if isinstance(made, Fault):
            faults.append(made.attempt(KIND, invoice_id))
        else:
            records.append(made)
    return records, faults
