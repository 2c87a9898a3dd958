"""One organisation's records in the sandbox's DocumentStore: documents, number lookups, unique keys.

Records are stored in the shape the API returns (dates already `/Date(ms+0000)/`), plus private fields
whose names start with "_" and never leave the sandbox. The store's `number` column holds each kind's
secondary key case-folded (an invoice number, a contact number, an item code…).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from dxsandbox.common.store import DocumentStore
from dxsandbox.xero.api.accounting.dates import ms_timestamp, utc_string

Record = dict[str, Any]

_clock_lock = threading.Lock()
_last_stamp_ms = 0


def next_stamp_ms(now: Callable[[], float] = time.time) -> int:
    """Wall-clock milliseconds that never repeat, so UpdatedDateUTC moves on every change."""
    global _last_stamp_ms
    with _clock_lock:
        _last_stamp_ms = max(int(now() * 1000), _last_stamp_ms + 1)
        return _last_stamp_ms


def fold(text: str | None) -> str | None:
    return None if text is None else str(text).strip().casefold()


def public(record: Record) -> Record:
    """The record without its private fields and without empty (null) values, at every level."""
    return {key: _public_value(value) for key, value in record.items() if not key.startswith("_") and value is not None}


def leading(record: Record, keys: tuple[str, ...]) -> Record:
    """The same record with `keys` first, in that order (easier to read; clients do not care)."""
    return {**{key: record[key] for key in keys if key in record}, **record}


def _public_value(value: Any) -> Any:
    if isinstance(value, dict):
        return public(value)
    if isinstance(value, list):
        return [_public_value(item) for item in value]
    return value


class Books:
    def __init__(self, store: DocumentStore, tenant_id: str, now: Callable[[], float] = time.time):
        self.store = store
        self.tenant_id = tenant_id
        self.now = now

    # --- documents ---------------------------------------------------------------------
    def get(self, kind: str, record_id: str | None) -> Record | None:
        if not record_id:
            return None
        return self.store.get(kind, self.tenant_id, str(record_id).lower())

    def by_number(self, kind: str, number: str | None) -> list[Record]:
        if number is None or str(number).strip() == "":
            return []
        return self.store.get_by_number(kind, self.tenant_id, fold(number))

    def all(self, kind: str, modified_since_ms: int | None = None, *, offset: int = 0, limit: int | None = None) -> list[Record]:
        return self.store.list(kind, self.tenant_id, updated_after=_after(modified_since_ms), offset=offset, limit=limit)

    def count(self, kind: str, modified_since_ms: int | None = None) -> int:
        return self.store.count(kind, self.tenant_id, updated_after=_after(modified_since_ms))

    def put(self, kind: str, record_id: str, record: Record, *, number: str | None = None) -> None:
        updated_ms = record.get("_updated_ms", 0)
        self.store.put(kind, self.tenant_id, record_id.lower(), record, number=fold(number), updated=updated_ms / 1000)

    def delete(self, kind: str, record_id: str) -> bool:
        return self.store.delete(kind, self.tenant_id, record_id.lower())

    def touch(self, record: Record, *, with_string: bool = False) -> None:
        """Stamp a change: UpdatedDateUTC (and UpdatedDateUTCString where the resource has it)."""
        stamp = next_stamp_ms(self.now)
        record["_updated_ms"] = stamp
        record["UpdatedDateUTC"] = ms_timestamp(stamp)
        if with_string:
            record["UpdatedDateUTCString"] = utc_string(stamp)

    def next_number(self, series: str) -> int:
        return self.store.next_sequence(f"xero:{self.tenant_id}:{series}")

    def transaction(self):
        return self.store.transaction()

    # --- unique keys that are not the number column (a contact's name) ------------------------------
    def key_owner(self, index: str, value: str | None) -> str | None:
        if not value:
            return None
        entry = self.store.get(f"key:{index}", self.tenant_id, fold(value))
        return entry["id"] if entry else None

    def claim_key(self, index: str, value: str, owner_id: str) -> None:
        self.store.put(f"key:{index}", self.tenant_id, fold(value), {"id": owner_id}, updated=0)

    def release_key(self, index: str, value: str | None, owner_id: str) -> None:
        if value and self.key_owner(index, value) == owner_id:
            self.store.delete(f"key:{index}", self.tenant_id, fold(value))

    # --- settings --------------------------------------------------------------------------
    def setting(self, name: str, default: Any = None) -> Any:
        return self.store.get_value(f"xero:{self.tenant_id}:{name}", default)

    def set_setting(self, name: str, value: Any) -> None:
        self.store.set_value(f"xero:{self.tenant_id}:{name}", value)


def _after(modified_since_ms: int | None) -> float | None:
    """The store's filter is strictly-after; half a millisecond earlier makes it "at or after"."""
    return None if modified_since_ms is None else modified_since_ms / 1000 - 0.0005
