"""Xero → Dynamics: Xero's reference lists — chart of accounts, tax rates, branding themes, tracking categories
and their options, currencies — kept current in our `stl3_` tables, so that Dynamics users pick them on
invoices, lines and products.

The lists are small: each is read whole (one call each) and compared with the connection's rows in Dynamics
(one query each); only what differs is written, in one `$batch`. A row Dynamics lacks is made under an id
derived from the connection and Xero's key, so making it twice changes nothing; a row whose columns differ is
updated; a row Xero no longer has is shown Archived (invoices that use it still read it), and Active again when
Xero has it again.

Xero's organisation details (its name, legal name, country, base currency, time zone, financial year end, short
code and a link to it in Xero) are read with the lists (one call) and written onto the connection's own row, in the
same `$batch`, when that row shows anything else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

from dxconnector.domain.mapping import reference
from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.names import (
    CONNECTOR_ID,
    STATUS,
    BrandingThemeTable,
    ChartOfAccountsTable,
    CurrencyTable,
    TaxRateTable,
    TrackingCategoryTable,
    TrackingOptionTable,
    lookup_value,
    odata_bind,
)
from dxconnector.domain.records import DynamicsRow, Lookup
from dxconnector.dynamics.batch import BatchRequest, execute
from dxconnector.dynamics.changes import PAGE_SIZE
from dxconnector.dynamics.ids import derived_id
from dxconnector.dynamics.solution.definition import (
    BRANDING_THEME,
    CHART_OF_ACCOUNTS,
    CONNECTION,
    CURRENCY,
    TAX_RATE,
    TRACKING_CATEGORY,
    TRACKING_OPTION,
)
from dxconnector.dynamics.solution.model import Table
from dxconnector.sync import state
from dxconnector.sync.context import Progress, SyncContext
from dxconnector.sync.isolation import Fault, guard
from dxconnector.xero.resources import (
    ACCOUNTS,
    BRANDING_THEMES,
    CURRENCIES,
    ORGANISATION,
    TAX_RATES,
    TRACKING_CATEGORIES,
    Resource,
)

if TYPE_CHECKING:
    from dxconnector.sync.streams import Stream

logger = logging.getLogger(__name__)
SET_NAMES = {table.name: table.set_name for table in (CONNECTION, TRACKING_CATEGORY)}  # what our rows' lookups point at
ARCHIVED = "ARCHIVED"
RETRYABLE = (408, 429, 500, 502, 503, 504)  # a row refused with one of these is worth asking again soon


@dataclass(frozen=True)
class ReferenceList:
    """A Xero list and the Dynamics table that shows it: `row` maps one of Xero's records to its row, found again
    by `key_column`."""

    resource: Resource
    table: Table
    key_column: str
    row: Callable[[Mapping[str, Any], str], DynamicsRow]


LISTS = (
    ReferenceList(ACCOUNTS, CHART_OF_ACCOUNTS, ChartOfAccountsTable.XERO_ACCOUNT_ID, reference.account_row),
    ReferenceList(TAX_RATES, TAX_RATE, TaxRateTable.TAX_TYPE, reference.tax_rate_row),
    ReferenceList(BRANDING_THEMES, BRANDING_THEME, BrandingThemeTable.XERO_BRANDING_THEME_ID, reference.branding_theme_row),
    ReferenceList(
        TRACKING_CATEGORIES, TRACKING_CATEGORY, TrackingCategoryTable.XERO_TRACKING_CATEGORY_ID, reference.tracking_category_row
    ),
    ReferenceList(CURRENCIES, CURRENCY, CurrencyTable.CODE, reference.currency_row),
)
OPTION_KEY = TrackingOptionTable.XERO_TRACKING_OPTION_ID
# The connection row's text columns' lengths, as the solution makes them: Xero's details are cut to fit.
CONNECTION_LENGTHS = {column.name: column.max_length for column in CONNECTION.columns if column.max_length}


def row_id(connector_id: str, row: DynamicsRow) -> str:
    """The id a row we make gets: the same for the same connection, table and Xero key."""
    return derived_id(connector_id, row.table, row.key)


def _has_status(table: Table) -> bool:
    return any(column.name == STATUS for column in table.columns)


def _body(row: DynamicsRow) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for column, value in row.columns.items():
        if isinstance(value, Lookup):
            body[odata_bind(column)] = f"/{SET_NAMES[value.table]}({value.id})"
        else:
            body[column] = value
    return body


def _same(wanted: Any, have: Any) -> bool:
    if isinstance(wanted, Decimal):
        return have is not None and Decimal(str(have)) == wanted
    return bool(wanted == have)


def _differs(row: DynamicsRow, existing: Mapping[str, Any]) -> bool:
    """Whether the row in Dynamics shows anything else than Xero says (lookups are the ones it was found by)."""
    return any(not _same(value, existing.get(column)) for column, value in row.columns.items() if not isinstance(value, Lookup))


class Writes:
    """The `$batch` requests that bring the tables in line with Xero, and how many rows each kind of change takes."""

    def __init__(self, connector_id: str):
        self.connector_id = connector_id
        self.requests: list[BatchRequest] = []
        self.made = self.updated = self.archived = 0

    def bring_in_line(
        self, table: Table, key_column: str, rows: list[DynamicsRow], existing: list[dict[str, Any]], *, archive: bool = True
    ) -> dict[str, str]:
        """Rows to make, to update, to archive (not when a row of Xero's could not be read: it would look gone).
        Returns Xero key → Dynamics row id for every row Xero has."""
        by_key = {str(found.get(key_column) or ""): found for found in existing}
        ids: dict[str, str] = {}
        for row in rows:
            found = by_key.get(row.key)
            ids[row.key] = str(found[table.primary_id]) if found else row_id(self.connector_id, row)
            if found is None or _differs(row, found):
                self.requests.append(BatchRequest("PATCH", f"{table.set_name}({ids[row.key]})", _body(row)))
                if found:
                    self.updated += 1
                else:
                    self.made += 1
        if archive and _has_status(table):
            archived = option_value(table.name, STATUS, ARCHIVED)
            for key, found in by_key.items():
                if key and key not in ids and found.get(STATUS) != archived:
                    self.requests.append(
                        BatchRequest("PATCH", f"{table.set_name}({found[table.primary_id]})", {STATUS: archived})
                    )
                    self.archived += 1
        return ids

    def bring_row_in_line(self, table: Table, row_id: str, columns: dict[str, Any], existing: Mapping[str, Any]) -> None:
        """One row we did not make here (the connection's own): updated when it shows anything else than `columns`."""
        if any(not _same(value, existing.get(column)) for column, value in columns.items()):
            self.requests.append(BatchRequest("PATCH", f"{table.set_name}({row_id})", columns))
            self.updated += 1


def _rows_in_dynamics(
    ctx: SyncContext, table: Table, key_column: str, rows: list[DynamicsRow], filter_: str
) -> list[dict[str, Any]]:
    """The connection's rows of a table, with the columns Xero's rows set."""
    columns = [column for row in rows for column, value in row.columns.items() if not isinstance(value, Lookup)]
    status = [STATUS] if _has_status(table) else []
    params = {"$select": ",".join(dict.fromkeys((table.primary_id, key_column, *status, *columns))), "$filter": filter_}
    return [
        row
        for page in ctx.dynamics.pages(table.set_name, params=params, headers={"Prefer": f"odata.maxpagesize={PAGE_SIZE}"})
        for row in page.get("value", [])
    ]


def due(ctx: SyncContext, stream: Stream) -> bool:
    """Never read for this connection, or long enough ago (`SYNC_REFERENCE_SECONDS`): the lists change seldom."""
    last = state.cursor_saved_at(ctx.connection_id, stream.name)
    return last is None or last <= ctx.now - timedelta(seconds=settings.SYNC_REFERENCE_SECONDS)


def run_stream(ctx: SyncContext, stream: Stream) -> None:
    if due(ctx, stream):
        bring_in(ctx, stream)


def bring_in(ctx: SyncContext, stream: Stream) -> None:
    """Read every list and write what differs; the stream's cursor says when."""
    ctx.progress(Progress(stream.name, "reading Xero's lists"))
    writes = Writes(ctx.connector_id)
    categories: list[Mapping[str, Any]] = []
    category_ids: dict[str, str] = {}
    for listed in LISTS:
        records = list(ctx.xero.records(listed.resource))
        made = [
            (
                record,
                guard(
                    f"reading Xero's {listed.resource.name}",
                    str(record.get(listed.resource.id_field)),
                    listed.row,
                    record,
                    ctx.connector_id,
                ),
            )
            for record in records
        ]
        rows = [row for _, row in made if not isinstance(row, Fault)]
        mine = f"{lookup_value(CONNECTOR_ID)} eq {ctx.connector_id}"
        existing = _rows_in_dynamics(ctx, listed.table, listed.key_column, rows, mine)
        ids = writes.bring_in_line(listed.table, listed.key_column, rows, existing, archive=len(rows) == len(records))
        if listed.table is TRACKING_CATEGORY:
            categories, category_ids = [record for record, row in made if not isinstance(row, Fault)], ids
        ctx.counts.reference_rows_unreadable += len(records) - len(rows)
    _options(ctx, writes, categories, category_ids)
    _organisation(ctx, writes)
    failed = [answer for answer in execute(ctx.dynamics, writes.requests) if not answer.ok] if writes.requests else []
    for answer in failed:
        logger.warning("a reference row was not written: %s", answer.error)
    # Dynamics refusing a row for good is not asked again at every run (every list read again): the next read is.
    if not any(answer.status in RETRYABLE for answer in failed):
        state.save_cursors(ctx.connection_id, {stream.name: {"read_at": ctx.now.isoformat()}})
    ctx.counts.reference_rows_refused += sum(1 for answer in failed if answer.status not in RETRYABLE)
    ctx.counts.dynamics_writes += len(writes.requests)
    ctx.counts.reference_rows_made += writes.made
    ctx.counts.reference_rows_updated += writes.updated
    ctx.counts.reference_rows_archived += writes.archived
    ctx.progress(
        Progress(stream.name, f"{writes.made} rows made, {writes.updated} rows updated, {writes.archived} rows archived", 1, 1)
    )


def _options(ctx: SyncContext, writes: Writes, categories: list[Mapping[str, Any]], category_ids: Mapping[str, str]) -> None:
    """Each category's options, under its Dynamics row."""
    if not category_ids:
        return
    made = [
        guard(
            "reading Xero's tracking options",
            str(category.get("TrackingCategoryID")),
            reference.tracking_option_rows,
            category,
            category_ids[str(category["TrackingCategoryID"])],
        )
        for category in categories
    ]
    rows = [row for found in made if not isinstance(found, Fault) for row in found]
    category = lookup_value(TrackingOptionTable.TRACKING_CATEGORY_ID)
    under = " or ".join(f"{category} eq {category_row}" for category_row in category_ids.values())
    writes.bring_in_line(
        TRACKING_OPTION,
        OPTION_KEY,
        rows,
        _rows_in_dynamics(ctx, TRACKING_OPTION, OPTION_KEY, rows, under),
        archive=not any(isinstance(found, Fault) for found in made),
    )


def _organisation(ctx: SyncContext, writes: Writes) -> None:
    """Xero's organisation details onto the connection's row, when it shows anything else (one read of that row)."""
    found = list(ctx.xero.records(ORGANISATION))
    if not found:
        return
    columns = reference.organisation_columns(found[0], CONNECTION_LENGTHS, settings.XERO_APP_URL)
    shown = ctx.dynamics.read(f"{CONNECTION.set_name}({ctx.connector_id})", params={"$select": ",".join(columns)})
    writes.bring_row_in_line(CONNECTION, ctx.connector_id, columns, shown)
