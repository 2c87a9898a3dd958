"""Choosing and ordering rows: `$filter` against a table's rows, `$orderby` with SQL Server's null order,
and the index shortcut for equality terms."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from dxsandbox.microsoft.dataverse.errors import bad_request
from dxsandbox.microsoft.dataverse.odata import Getter, Literal, compile_filter, equality_terms, normalise
from dxsandbox.microsoft.dataverse.storage import Record, RecordStorage, lookup_id
from dxsandbox.microsoft.dataverse.tables import DATETIME, Column, Table

TableResolver = Callable[[str], Table | None]


def column_kind(column: Column) -> str:
    if column.is_lookup:
        return "Uniqueidentifier"
    if column.type == DATETIME and column.date_only:
        return "DateOnly"
    return column.type


def unknown_property(name: str, table: Table) -> Exception:
    return bad_request(f"Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{table.logical_name}'.")


class TableContext:
    """Reads properties of a table's rows for filters and sorting, following single-valued navigations."""

    def __init__(self, table: Table, storage: RecordStorage, tables: TableResolver, user_id: str | None = None):
        self.table = table
        self.storage = storage
        self.tables = tables
        self._user_id = user_id

    def user_id(self) -> str | None:
        return self._user_id

    def getter(self, path: tuple[str, ...]) -> tuple[Getter, str | None]:
        first, rest = path[0], path[1:]
        if not rest:
            column = self.table.by_value_name(first)
            if column is None:
                raise unknown_property(first, self.table)
            name = column.name
            if column.is_lookup:
                return (lambda row: lookup_id(row.get(name)) if row is not None else None), column_kind(column)
            return (lambda row: row.get(name) if row is not None else None), column_kind(column)
        navigation = self.table.navigations.get(first)
        if navigation is None:
            raise unknown_property(first, self.table)
        target = self.tables(navigation.targets[0])
        if target is None:
            raise unknown_property(first, self.table)
        inner, kind = TableContext(target, self.storage, self.tables, self._user_id).getter(rest)
        column, targets, storage = navigation.column, navigation.targets, self.storage

        def follow(row: Record | None) -> Any:
            reference = row.get(column) if row is not None else None
            if not isinstance(reference, dict) or reference["table"] not in targets:
                return None
            return inner(storage.get(reference["table"], reference["id"]))

        return follow, kind


class DictContext:
    """Filters over plain dictionaries (metadata rows): properties by name, `A/B` for nested ones."""

    def user_id(self) -> str | None:
        return None

    def getter(self, path: tuple[str, ...]) -> tuple[Getter, str | None]:
        def read(row: Any) -> Any:
            for name in path:
                if not isinstance(row, dict):
                    return None
                row = row.get(name)
            return row

        return read, None


def candidates(table: Table, storage: RecordStorage, filter_node: Any) -> Iterable[Record]:
    """The rows a filter can only be true for: an index answer for an `eq` term when there is one."""
    for path, literal in equality_terms(filter_node) if filter_node is not None else []:
        if len(path) != 1 or not isinstance(literal, Literal):
            continue
        column = table.by_value_name(path[0])
        if column is None:
            continue
        return storage.equal(table.logical_name, column.name, column_kind(column), literal.value)
    return storage.rows(table.logical_name)


def filter_rows(rows: Iterable[Any], filter_node: Any, context: Any) -> list[Any]:
    if filter_node is None:
        return list(rows)
    predicate = compile_filter(filter_node, context)
    return [row for row in rows if predicate(row) is True]


@functools.total_ordering
class SortKey:
    """Compares term by term; nulls sort first ascending and last descending (SQL Server's order)."""

    __slots__ = ("descending", "values")

    def __init__(self, values: tuple[Any, ...], descending: tuple[bool, ...]):
        self.values = values
        self.descending = descending

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SortKey) and self.values == other.values

    def __lt__(self, other: SortKey) -> bool:
        for mine, theirs, descending in zip(self.values, other.values, self.descending, strict=True):
            if mine == theirs:
                continue
            if mine is None or theirs is None:
                less = mine is None
            else:
                try:
                    less = mine < theirs
                except TypeError:
                    less = str(mine) < str(theirs)
            return not less if descending else less
        return False


def sort_key_function(orderby: list[tuple[str, bool]], context: Any, primary_getter: Getter | None) -> Callable[[Any], SortKey]:
    getters = []
    for name, descending in orderby:
        get, kind = context.getter(tuple(name.split("/")))
        getters.append((get, kind, descending))
    flags = tuple(d for _, _, d in getters) + ((False,) if primary_getter else ())

    def key(row: Any) -> SortKey:
        values = [normalise(get(row), kind) for get, kind, _ in getters]
        if primary_getter is not None:
            values.append(primary_getter(row))
        return SortKey(tuple(values), flags)

    return key


def sort_rows(rows: list[Any], orderby: list[tuple[str, bool]], context: Any, primary_getter: Getter | None) -> list[Any]:
    if not orderby and primary_getter is None:
        return rows
    return sorted(rows, key=sort_key_function(orderby, context, primary_getter))
