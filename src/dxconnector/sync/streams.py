"""The streams the engine runs, declared as data (ARCHITECTURE principle 3).

A stream names what it syncs and which way, what it follows — Dynamics tables (its cursor holds one position
per table) or Xero collections (one If-Modified-Since moment per collection) — how it reads them on
(`cursor`), how many records go in one batch, and what runs it (`runner`: each stream carries its own; a stream to
Xero also names what syncs one batch and what a run of several does first).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.names import InvoiceColumns, XeroInvoiceTable, lookup_value
from dxconnector.domain.records import ExportStatus
from dxconnector.dynamics.changes import Watch
from dxconnector.dynamics.solution.definition import XERO_INVOICE
from dxconnector.sync import customers, from_xero, invoices, payments, products, reference_lists, to_xero
from dxconnector.sync.context import SyncContext
from dxconnector.xero.resources import (
    ACCOUNTS,
    BRANDING_THEMES,
    CONTACTS,
    CREDIT_NOTES,
    CURRENCIES,
    INVOICES,
    TAX_RATES,
    TRACKING_CATEGORIES,
    Resource,
)


class Direction(enum.StrEnum):
    TO_XERO = "to_xero"
    TO_DYNAMICS = "to_dynamics"


class CursorKind(enum.StrEnum):
    CHANGE_TRACKING = "change_tracking"  # Dataverse delta links; a modifiedon sweep for a table without tracking
    MODIFIED_SINCE = "modified_since"  # Xero's If-Modified-Since: the newest UpdatedDateUTC read
    SNAPSHOT = "snapshot"  # small lists read whole, again once the last read is old enough


Runner = Callable[[SyncContext, "Stream"], None]
BatchSync = Callable[[SyncContext, list[str], Mapping[str, Mapping[str, Any]] | None], None]
FirstPass = Callable[[SyncContext, list[list[str]], str], None]


@dataclass(frozen=True)
class Stream:
    name: str
    direction: Direction
    record_kind: str  # what the stream's records are (the ledger's kind)
    cursor: CursorKind
    batch_size: int
    runner: Runner  # what runs the stream: reads what changed since its cursor and takes it through its batches
    watch: tuple[Watch, ...] = ()  # to Xero: the first is the record's own table; others name it through a lookup
    xero: tuple[Resource, ...] = ()  # to Dynamics: the Xero collections followed
    batch: BatchSync | None = None  # to Xero: what syncs one batch of the changed records' ids
    first: FirstPass | None = None  # to Xero: what a run of several batches does before them


# The Xero details row's Export Status when someone asks in Dynamics for the invoice to be sent again.
_READY_TO_UPDATE = option_value(XeroInvoiceTable.TABLE, XeroInvoiceTable.EXPORT_STATUS, ExportStatus.READY_TO_UPDATE)

INVOICES_TO_XERO = Stream(
    name="invoices-to-xero",
    direction=Direction.TO_XERO,
    record_kind="invoice",
    cursor=CursorKind.CHANGE_TRACKING,
    runner=to_xero.run_stream,
    batch=invoices.sync_batch,
    first=invoices.prepare_run,
    # Read in full by queries of 200 (dynamics.changes.IDS_PER_QUERY), one pass over their customers and products (the
    # fewer passes, the fewer calls making the new ones in Xero), Xero writes of 50 (Xero's advice per request), a
    # `$batch` write-back of 1,000 requests a call; and what a worker killed mid-batch has to redo.
    batch_size=500,
    watch=(
        Watch("invoices", "invoiceid", (lookup_value(InvoiceColumns.CONNECTOR_ID),)),
        Watch("invoicedetails", "_invoiceid_value", one_row_per_key=True),  # a line edited without changing the invoice's totals
        Watch(
            XERO_INVOICE.set_name,
            lookup_value(XeroInvoiceTable.INVOICE_ID),
            (lookup_value(XeroInvoiceTable.CONNECTOR_ID),),  # "send it again", asked in Dynamics
            only=((XeroInvoiceTable.EXPORT_STATUS, (_READY_TO_UPDATE,)),),
        ),
    ),
)

CUSTOMERS = Stream(
    name="customers",
    direction=Direction.TO_XERO,  # and back, with two-way contact sync on
    record_kind="contact",
    cursor=CursorKind.CHANGE_TRACKING,  # and Xero's If-Modified-Since for the way back
    runner=customers.run_stream,
    # Dataverse reads 200 ids a query, Xero writes 50 contacts a call and reads 100 by id; one `$batch` writes back.
    batch_size=500,
    watch=(Watch("accounts", "accountid"), Watch("contacts", "contactid")),
    xero=(CONTACTS,),
)

PRODUCTS_TO_XERO = Stream(
    name="products-to-xero",
    direction=Direction.TO_XERO,
    record_kind="item",
    cursor=CursorKind.CHANGE_TRACKING,
    runner=products.run_stream,
    batch_size=500,
    watch=(Watch("products", "productid"),),
)

INVOICES_FROM_XERO = Stream(
    name="invoices-from-xero",
    direction=Direction.TO_DYNAMICS,
    record_kind="invoice",
    cursor=CursorKind.MODIFIED_SINCE,
    runner=from_xero.run_stream,
    # Read 1,000 a page (summaries, no lines); the ones linked to a Dynamics invoice whose state Xero changed
    # (payments, status, number) are written back 500 at a time: one query reads them, one `$batch` writes them.
    batch_size=500,
    xero=(INVOICES, CREDIT_NOTES),
)

PAYMENTS_FROM_XERO = Stream(
    name="payments-from-xero",
    direction=Direction.TO_DYNAMICS,
    record_kind="payment",
    cursor=CursorKind.MODIFIED_SINCE,
    runner=payments.run_stream,
    # Read 1,000 a page; the rows of linked invoices and customers written 1,000 to a `$batch` call.
    batch_size=1000,
    xero=payments.FOLLOWED,
)

REFERENCE_LISTS_FROM_XERO = Stream(
    name="reference-lists-from-xero",
    direction=Direction.TO_DYNAMICS,
    record_kind="reference",
    cursor=CursorKind.SNAPSHOT,
    runner=reference_lists.run_stream,
    batch_size=1000,  # rows a `$batch` call writes
    xero=(ACCOUNTS, TAX_RATES, BRANDING_THEMES, TRACKING_CATEGORIES, CURRENCIES),
)

# Dynamics → Xero first: what it writes comes back as its own answer, not as a change in Xero. Xero's lists last:
# they are read on Create Connection, and then only every SYNC_REFERENCE_SECONDS.
# Customers and products after invoices: the links their first invoice makes are then shown in Dynamics at once.
STREAMS: tuple[Stream, ...] = (
    INVOICES_TO_XERO,
    CUSTOMERS,
    PRODUCTS_TO_XERO,
    INVOICES_FROM_XERO,
    PAYMENTS_FROM_XERO,  # after the invoices: their customers' balances are then read once
    REFERENCE_LISTS_FROM_XERO,
)


def stream(name: str) -> Stream:
    return next(s for s in STREAMS if s.name == name)
