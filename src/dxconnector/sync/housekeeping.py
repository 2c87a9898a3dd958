"""The sync's records over time: everything of one connection forgotten when it is deleted."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dxconnector.sync import state
from dxconnector.sync.models import (
    Cursor,
    Lease,
    Link,
    QueuedSync,
    RequestedRecord,
    SyncAttempt,
    SyncRun,
)

FORGETTING = "forgetting"  # the lease holder while a connection's records are dropped


class Busy(Exception):
    """A run holds the connection's lease: its records are not dropped under it."""


def forget_connection(connection_id: Any) -> dict[str, int]:
    """Drop everything the sync keeps of the connection: the links ledger, cursors, lease, runs, attempts, queued
    runs and retry requests. Refuses (`Busy`) while a run holds the connection; the caller makes sure none starts
    (the connection may not sync). Repeatable. Returns the rows dropped, by kind."""
    if not state.acquire_lease(connection_id, FORGETTING):
        raise Busy("A sync of this connection is running.")
    dropped: dict[str, int] = {}
    with transaction.atomic():
        for model in (Link, Cursor, RequestedRecord, QueuedSync, SyncAttempt, SyncRun, Lease):
            count, _ = model.objects.filter(connection_id=connection_id).delete()
            dropped[model._meta.model_name or model.__name__] = count
    return dropped
