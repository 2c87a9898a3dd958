"""The sandboxes' own storage: JSON documents in a SQLite file, one file per emulated service.

Documents are keyed by (kind, tenant, id) and carry two indexed columns that queries need: a secondary
key (`number`: an invoice number, a contact number, an item code…) and `updated` (a Unix timestamp for
If-Modified-Since and change tracking). The store is shared by the threads of one process behind a lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    tenant TEXT NOT NULL,
    id TEXT NOT NULL,
    number TEXT,
    updated REAL NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (kind, tenant, id)
);
CREATE INDEX IF NOT EXISTS documents_number ON documents (kind, tenant, number);
CREATE INDEX IF NOT EXISTS documents_updated ON documents (kind, tenant, updated);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class DocumentStore:
    def __init__(self, path: Path | str):
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        if self.path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[DocumentStore]:
        """All-or-nothing for the writes inside. Inner blocks are savepoints of the outer one: an inner block
        that fails undoes its own writes only, and the outer one may go on."""
        with self._lock:
            depth = self._depth
            self._db.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT inner{depth}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if depth == 0:
                    self._db.execute("ROLLBACK")
                else:
                    self._db.execute(f"ROLLBACK TO inner{depth}")
                    self._db.execute(f"RELEASE inner{depth}")
                raise
            self._depth -= 1
            self._db.execute("COMMIT" if depth == 0 else f"RELEASE inner{depth}")

    def put(self, kind: str, tenant: str, id: str, body: dict[str, Any], *, number: str | None = None, updated: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO documents (kind, tenant, id, number, updated, body) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, tenant, id) DO UPDATE SET number = excluded.number, updated = excluded.updated, body = excluded.body",
                (kind, tenant, id, number, updated, json.dumps(body, separators=(",", ":"))),
            )

    def get(self, kind: str, tenant: str, id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM documents WHERE kind = ? AND tenant = ? AND id = ?", (kind, tenant, id)
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def get_by_number(self, kind: str, tenant: str, number: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM documents WHERE kind = ? AND tenant = ? AND number = ? ORDER BY seq", (kind, tenant, number)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def list(
        self, kind: str, tenant: str, *, updated_after: float | None = None, offset: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The documents in the order they were first stored; `offset`/`limit` take a window of them."""
        where, args = self._selection(kind, tenant, updated_after)
        window = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        with self._lock:
            rows = self._db.execute(f"SELECT body FROM documents WHERE {where} ORDER BY seq{window}", args).fetchall()
        return [json.loads(row[0]) for row in rows]

    @staticmethod
    def _selection(kind: str, tenant: str, updated_after: float | None) -> tuple[str, list[Any]]:
        where, args = "kind = ? AND tenant = ?", [kind, tenant]
        if updated_after is not None:
            where += " AND updated > ?"
            args.append(updated_after)
        return where, args

    def count(self, kind: str, tenant: str, *, updated_after: float | None = None) -> int:
        where, args = self._selection(kind, tenant, updated_after)
        with self._lock:
            return self._db.execute(f"SELECT COUNT(*) FROM documents WHERE {where}", args).fetchone()[0]

    def delete(self, kind: str, tenant: str, id: str) -> bool:
        with self._lock:
            return (
                self._db.execute("DELETE FROM documents WHERE kind = ? AND tenant = ? AND id = ?", (kind, tenant, id)).rowcount
                > 0
            )

    def get_value(self, key: str, default: Any = None) -> Any:
        with self._lock:
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    def set_value(self, key: str, value: Any) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    def next_sequence(self, name: str) -> int:
        """A counter that survives restarts (invoice numbers, event sequences)."""
        with self.transaction():
            value = int(self.get_value(f"seq:{name}", 0)) + 1
            self.set_value(f"seq:{name}", value)
        return value

    def close(self) -> None:
        with self._lock:
            self._db.close()
