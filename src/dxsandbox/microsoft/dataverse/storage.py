"""One organisation's rows: in memory for speed, written through to the sandbox's DocumentStore.

Each table's rows load from the store the first time the table is used and stay in a dict by id.
Reverse indexes answer "which rows point at this one" (lines of an invoice, contacts of an account)
without scanning, and equality indexes are built on demand for the columns queries filter on with
`eq`, then kept up to date on every write. So a benchmark that pushes thousands of invoices never
pays for a scan per write.

Writes happen inside `transaction()`: the SQLite transaction makes the stored side all-or-nothing,
and an undo journal puts the in-memory side back when the block fails. Work to do once a transaction
has committed (webhook events) is queued with `after_commit`.

Rows are kept in an internal shape: column logical name → value, lookups as {"id", "table"}.
`versionnumber` is an organisation-wide counter bumped on every write (the row version behind etags
and change tracking). Deleted rows leave a tombstone with the version of their deletion.
"""

from __future__ import annotations

import copy
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft.dataverse.odata import normalise
from dxsandbox.microsoft.dataverse.tables import Table

Record = dict[str, Any]

ROW_KIND = "dv:{table}"
TOMBSTONE_KIND = "dv-deleted:{table}"


def lookup_id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else None


class RecordStorage:
    def __init__(self, store: DocumentStore, tenant: str):
        self.store = store
        self.tenant = tenant
        self.lock = threading.RLock()
        self._rows: dict[str, dict[str, Record]] = {}
        self._tombstones: dict[str, list[tuple[int, str]]] = {}
        self._references: dict[tuple[str, str], dict[str, set[str]]] = {}  # (table, lookup) → target id → row ids
        self._equality: dict[
            tuple[str, str], tuple[str | None, dict[Any, set[str]]]
        ] = {}  # (table, column) → (kind, value → ids)
        self._tables: dict[str, Table] = {}
        self._depth = 0
        self._undo: list[Callable[[], None]] = []
        self._after_commit: list[Callable[[], None]] = []
        self.version = int(store.get_value(self._version_key, 0))
        # Bumped by every change to the rows held, undone ones included (unlike `version`, which a rollback
        # restores): a query's result computed at one generation holds as long as it lasts.
        self.generation = 0

    @property
    def _version_key(self) -> str:
        return f"dv:{self.tenant}:version"

    # --- tables -------------------------------------------------------------------------------
    def register(self, table: Table) -> None:
        """Make a table known (its lookups drive the reverse indexes); new columns rebuild them."""
        with self.lock:
            self._tables[table.logical_name] = table
            for key in [key for key in self._references if key[0] == table.logical_name]:
                del self._references[key]
            if table.logical_name in self._rows:
                self._index_references(table.logical_name)

    def _load(self, table: str) -> dict[str, Record]:
        rows = self._rows.get(table)
        if rows is None:
            rows = {record["__id"]: record for record in self.store.list(ROW_KIND.format(table=table), self.tenant)}
            for record in rows.values():
                record.pop("__id", None)
            self._rows[table] = rows
            self._index_references(table)
        return rows

    def _index_references(self, table: str) -> None:
        definition = self._tables.get(table)
        if definition is None:
            return
        for column in definition.columns.values():
            if column.is_lookup:
                index: dict[str, set[str]] = defaultdict(set)
                for row_id, record in self._rows[table].items():
                    target = lookup_id(record.get(column.name))
                    if target:
                        index[target].add(row_id)
                self._references[(table, column.name)] = index

    # --- reads --------------------------------------------------------------------------------
    def get(self, table: str, row_id: str) -> Record | None:
        with self.lock:
            return self._load(table).get(row_id.lower())

    def rows(self, table: str) -> Iterable[Record]:
        with self.lock:
            return list(self._load(table).values())

    def count(self, table: str) -> int:
        with self.lock:
            return len(self._load(table))

    def referencing(self, table: str, column: str, target_id: str) -> list[Record]:
        """Rows of `table` whose lookup `column` points at `target_id`."""
        with self.lock:
            rows = self._load(table)
            ids = self._references.get((table, column), {}).get(target_id.lower(), set())
            return [rows[row_id] for row_id in sorted(ids) if row_id in rows]

    def equal(self, table: str, column: str, kind: str | None, value: Any) -> list[Record]:
        """Rows whose `column` equals `value` (compared as `normalise` does for that kind of column)."""
        with self.lock:
            rows = self._load(table)
            entry = self._equality.get((table, column))
            if entry is None:
                index: dict[Any, set[str]] = defaultdict(set)
                for row_id, record in rows.items():
                    index[_index_value(record.get(column), kind)].add(row_id)
                entry = (kind, index)
                self._equality[(table, column)] = entry
            ids = entry[1].get(normalise(value, kind), set())
            return [rows[row_id] for row_id in ids if row_id in rows]

    def deleted_since(self, table: str, version: int) -> list[tuple[int, str]]:
        with self.lock:
            tombstones = self._tombstones_of(table)
            return [(v, row_id) for v, row_id in tombstones if v > version]

    def _tombstones_of(self, table: str) -> list[tuple[int, str]]:
        tombstones = self._tombstones.get(table)
        if tombstones is None:
            tombstones = sorted(
                (doc["version"], doc["id"]) for doc in self.store.list(TOMBSTONE_KIND.format(table=table), self.tenant)
            )
            self._tombstones[table] = tombstones
        return tombstones

    # --- writes -------------------------------------------------------------------------------
    def next_version(self) -> int:
        with self.lock:
            self.version += 1
            return self.version

    def put(self, table: str, record: Record) -> None:
        """Insert or replace a row, keyed by the table's primary id column."""
        definition = self._tables[table]
        row_id = str(record[definition.primary_id]).lower()
        with self.lock:
            self._require_transaction()
            rows = self._load(table)
            previous = rows.get(row_id)
            rows[row_id] = record
            self._reindex(table, row_id, previous, record)
            self.generation += 1
            self.store.put(
                ROW_KIND.format(table=table),
                self.tenant,
                row_id,
                {**record, "__id": row_id},
                updated=float(record.get("versionnumber") or 0),
            )

            def undo() -> None:
                if previous is None:
                    rows.pop(row_id, None)
                else:
                    rows[row_id] = previous
                self._reindex(table, row_id, record, previous)
                self.generation += 1

            self._undo.append(undo)

    def delete(self, table: str, row_id: str, version: int) -> Record | None:
        row_id = row_id.lower()
        with self.lock:
            self._require_transaction()
            rows = self._load(table)
            previous = rows.pop(row_id, None)
            if previous is None:
                return None
            self._reindex(table, row_id, previous, None)
            self.generation += 1
            self.store.delete(ROW_KIND.format(table=table), self.tenant, row_id)
            tombstones = self._tombstones_of(table)
            tombstones.append((version, row_id))
            self.store.put(
                TOMBSTONE_KIND.format(table=table),
                self.tenant,
                f"{row_id}:{version}",
                {"id": row_id, "version": version},
                updated=float(version),
            )

            def undo() -> None:
                rows[row_id] = previous
                self._reindex(table, row_id, None, previous)
                self.generation += 1
                tombstones.remove((version, row_id))

            self._undo.append(undo)
            return previous

    def _reindex(self, table: str, row_id: str, old: Record | None, new: Record | None) -> None:
        definition = self._tables.get(table)
        if definition is not None:
            for name in definition.lookup_columns:
                before, after = lookup_id((old or {}).get(name)), lookup_id((new or {}).get(name))
                if before == after:
                    continue
                index = self._references.setdefault((table, name), defaultdict(set))
                if before:
                    index.get(before, set()).discard(row_id)
                if after:
                    index.setdefault(after, set()).add(row_id)
        for (indexed_table, column), (kind, index) in self._equality.items():
            if indexed_table != table:
                continue
            if old is not None:
                index.get(_index_value(old.get(column), kind), set()).discard(row_id)
            if new is not None:
                index[_index_value(new.get(column), kind)].add(row_id)

    # --- transactions -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[RecordStorage]:
        """All-or-nothing for the writes inside, in the store and in memory; nests."""
        with self.lock:
            outermost = self._depth == 0
            version_before = self.version
            self._depth += 1
            try:
                with self.store.transaction():
                    yield self
                    if outermost:
                        self.store.set_value(self._version_key, self.version)
            except BaseException:
                self._depth -= 1
                if outermost:
                    for undo in reversed(self._undo):
                        undo()
                    self._undo.clear()
                    self._after_commit.clear()
                    self.version = version_before
                raise
            self._depth -= 1
            if not outermost:
                return
            self._undo.clear()
            pending, self._after_commit = self._after_commit, []
        for action in pending:
            action()

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once the current transaction commits (dropped if it rolls back)."""
        with self.lock:
            if self._depth == 0:
                action()
            else:
                self._after_commit.append(action)

    def _require_transaction(self) -> None:
        if self._depth == 0:
            raise RuntimeError("writes must happen inside RecordStorage.transaction()")

    def snapshot(self, record: Record) -> Record:
        return copy.deepcopy(record)


def _index_value(value: Any, kind: str | None) -> Any:
    return normalise(lookup_id(value) if isinstance(value, dict) else value, kind)
