"""Rows as the Web API returns them: `@odata.etag`, the selected columns, lookups as `_x_value`, the
annotations the client asked for with `Prefer: odata.include-annotations`, and expanded navigation
properties (single-valued as an object, collections as arrays with their own options)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from dxsandbox.microsoft.dataverse.catalog import Catalog
from dxsandbox.microsoft.dataverse.errors import bad_request
from dxsandbox.microsoft.dataverse.query_options import Expansion
from dxsandbox.microsoft.dataverse.records import etag
from dxsandbox.microsoft.dataverse.selection import (
    TableContext,
    filter_rows,
    sort_rows,
    unknown_property,
)
from dxsandbox.microsoft.dataverse.storage import Record, RecordStorage
from dxsandbox.microsoft.dataverse.tables import (
    BIGINT,
    BOOLEAN,
    DATETIME,
    DECIMAL,
    DOUBLE,
    INTEGER,
    MONEY,
    OPTION_TYPES,
    Column,
    Table,
)

FORMATTED = "OData.Community.Display.V1.FormattedValue"
LOOKUP_LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname"
ASSOCIATED_NAVIGATION = "Microsoft.Dynamics.CRM.associatednavigationproperty"
MAX_EXPANDED = 5000


class Annotations:
    """Which instance annotations a request asked for (`odata.include-annotations="*"`, a list, or a prefix.*)."""

    def __init__(self, requested: str | None):
        self.patterns = [p.strip().strip('"') for p in (requested or "").split(",") if p.strip().strip('"')]

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def wants(self, name: str) -> bool:
        for pattern in self.patterns:
            if pattern == "*" or pattern == name or (pattern.endswith(".*") and name.startswith(pattern[:-1])):
                return True
        return False


def parse_prefer(header: str | None) -> dict[str, str]:
    """`return=representation,odata.maxpagesize=10,odata.include-annotations="*"` → {name: value}."""
    preferences: dict[str, str] = {}
    for part in _split_preferences(header or ""):
        name, _, value = part.partition("=")
        preferences[name.strip().lower()] = value.strip().strip('"')
    return preferences


def _split_preferences(header: str) -> list[str]:
    parts, current, quoted = [], [], False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char in ",;" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


class Serializer:
    def __init__(self, catalog: Catalog, storage: RecordStorage):
        self.catalog = catalog
        self.storage = storage

    # --- columns ------------------------------------------------------------------------------
    def selected_columns(self, table: Table, select: list[str] | None) -> list[Column]:
        if select is None:
            return list(table.columns.values())
        chosen: dict[str, Column] = {}  # by name: comparing whole columns, row after row, was slow
        for name in select:
            column = table.by_value_name(name)
            if column is None:
                if table.column(name) is not None and table.columns[name].is_lookup:
                    raise bad_request(
                        f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{table.logical_name}'. "
                        f"Select the lookup as '_{name}_value'."
                    )
                raise unknown_property(name, table)
            chosen.setdefault(column.name, column)
        chosen.setdefault(table.primary_id, table.columns[table.primary_id])
        return list(chosen.values())

    def row(
        self,
        table: Table,
        record: Record,
        *,
        select: list[str] | None = None,
        annotations: Annotations | None = None,
        expand: list[Expansion] | None = None,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        annotations = annotations or Annotations(None)
        body: dict[str, Any] = {"@odata.etag": etag(record)}
        for column in self.selected_columns(table, select):
            self._put_column(body, table, column, record, annotations)
        for expansion in expand or []:
            body[expansion.navigation] = self._expanded(table, record, expansion, annotations, user_id)
        return body

    def _put_column(self, body: dict[str, Any], table: Table, column: Column, record: Record, annotations: Annotations) -> None:
        value = record.get(column.name)
        if column.is_lookup:
            name = column.value_name
            body[name] = value["id"] if isinstance(value, dict) else None
            if isinstance(value, dict) and annotations:
                if annotations.wants(FORMATTED):
                    display = self.primary_name(value["table"], value["id"])
                    if display is not None:
                        body[f"{name}@{FORMATTED}"] = display
                if annotations.wants(ASSOCIATED_NAVIGATION):
                    navigation = table.navigation_for(column.name, value["table"])
                    if navigation:
                        body[f"{name}@{ASSOCIATED_NAVIGATION}"] = navigation
                if annotations.wants(LOOKUP_LOGICAL_NAME):
                    body[f"{name}@{LOOKUP_LOGICAL_NAME}"] = value["table"]
            return
        if column.name == "authvalue":
            value = None  # a service endpoint's secret is write-only
        if annotations and value is not None and annotations.wants(FORMATTED):
            text = self.formatted(column, value, record)
            if text is not None:
                body[f"{column.name}@{FORMATTED}"] = text
        body[column.name] = value

    def primary_name(self, table_name: str, record_id: str) -> str | None:
        table = self.catalog.get(table_name)
        record = self.storage.get(table_name, record_id) if table is not None else None
        if record is None or table is None:
            return None
        if table.logical_name == "invoicedetail":
            return record.get("productname") or record.get("productdescription")
        return record.get(table.primary_name) if table.primary_name else None

    def formatted(self, column: Column, value: Any, record: Record) -> str | None:
        if column.type in OPTION_TYPES or column.type == BOOLEAN:
            option = column.option(int(value))
            return option.label if option else None
        if column.type == MONEY:
            return self._currency_symbol(record) + _grouped(value, column.precision or 2)
        if column.type in (DECIMAL, DOUBLE):
            return _grouped(value, column.precision or 2)
        if column.type == INTEGER:
            return f"{value:,}"
        if column.type == BIGINT:
            return None
        if column.type == DATETIME:
            return _us_date(value, column.date_only)
        return None

    def _currency_symbol(self, record: Record) -> str:
        currency = record.get("transactioncurrencyid")
        if isinstance(currency, dict):
            row = self.storage.get("transactioncurrency", currency["id"])
            if row is not None and row.get("currencysymbol"):
                return str(row["currencysymbol"])
        return "$"

    # --- expansion ----------------------------------------------------------------------------
    def _expanded(self, table: Table, record: Record, expansion: Expansion, annotations: Annotations, user_id: str | None) -> Any:
        options = expansion.options
        navigation = table.navigations.get(expansion.navigation)
        if navigation is not None:
            if options.filter is not None or options.orderby or options.top is not None:
                raise bad_request(
                    f"Only $select and $expand can be applied to the single-valued navigation '{expansion.navigation}'."
                )
            reference = record.get(navigation.column)
            if not isinstance(reference, dict) or reference["table"] not in navigation.targets:
                return None
            target = self.catalog.get(reference["table"])
            related = self.storage.get(reference["table"], reference["id"]) if target else None
            if related is None or target is None:
                return None
            return self.row(
                target, related, select=options.select, annotations=annotations, expand=options.expand, user_id=user_id
            )
        collection = table.collections.get(expansion.navigation)
        if collection is None:
            raise unknown_property(expansion.navigation, table)
        target = self.catalog.get(collection.table)
        if target is None:
            return []
        record_id = record[table.primary_id]
        rows = [
            r
            for r in self.storage.referencing(target.logical_name, collection.column, record_id)
            if (r.get(collection.column) or {}).get("table") == table.logical_name
        ]
        context = TableContext(target, self.storage, self.catalog.get, user_id)
        rows = filter_rows(rows, options.filter, context)
        primary = target.primary_id
        rows = sort_rows(rows, options.orderby, context, lambda r: r.get(primary))
        limit = min(options.top if options.top is not None else MAX_EXPANDED, MAX_EXPANDED)
        return [
            self.row(target, r, select=options.select, annotations=annotations, expand=options.expand, user_id=user_id)
            for r in rows[:limit]
        ]


def _grouped(value: Any, precision: int) -> str:
    number = Decimal(str(value))
    sign = "-" if number < 0 else ""
    return f"{sign}{abs(number):,.{precision}f}"


def _us_date(value: str, date_only: bool) -> str | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    day = f"{moment.month}/{moment.day}/{moment.year}"
    if date_only:
        return day
    hour = moment.hour % 12 or 12
    return f"{day} {hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
