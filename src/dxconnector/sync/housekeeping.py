"""The sync's records over time: everything of one connection forgotten when it is deleted, and the old history
pruned (`RETENTION_DAYS`, `HISTORY_RETENTION_DAYS`: docs/operating.md, "Retention").

Every attempt is recorded in Dynamics (its sync history rows, PRODUCT §3.6): that is the full history, and it is the
customer's, in their organisation; the portal keeps a summary. The summary's old attempts go, but never one whose
history row is not yet in Dynamics, nor a record's latest attempt (verify and the history read it to tell an
invoice held with a reason from one gone missing); old runs go, but never a connection's latest few (its state reads
them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dxconnector.sync import state
from dxconnector.sync.health import RECENT_RUNS
from dxconnector.sync.models import (
    Cursor,
    Lease,
    Link,
    QueuedSync,
    RequestedRecord,
    SyncAttempt,
    SyncRun,
    XeroWebhookEvent,
)

FORGETTING = "forgetting"  # the lease holder while a connection's records are dropped
CHUNK = 500  # rows deleted by id at a time (SQLite caps a statement's parameters)


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


@dataclass(frozen=True)
class Pruned:
    webhook_events: int = 0
    attempts: int = 0
    runs: int = 0


def prune(*, events_days: int, history_days: int, now: datetime | None = None) -> Pruned:
    """Xero's webhook events received more than `events_days` ago, and the runs and attempts more than `history_days`
    old, but for those the module's docstring keeps."""
    now = now or timezone.now()
    events, _ = XeroWebhookEvent.objects.filter(received_at__lt=now - timedelta(days=events_days)).delete()
    cutoff = now - timedelta(days=history_days)
    return Pruned(events, _prune_attempts(cutoff), _prune_runs(cutoff))


def _prune_attempts(cutoff: datetime) -> int:
    newer = SyncAttempt.objects.filter(
        connection_id=OuterRef("connection_id"),
        record_kind=OuterRef("record_kind"),
        direction=OuterRef("direction"),
        dynamics_id=OuterRef("dynamics_id"),
        attempted_at__gt=OuterRef("attempted_at"),
    )
    old = SyncAttempt.objects.filter(attempted_at__lt=cutoff, reported_at__isnull=False).filter(Exists(newer))
    return _delete_by_id(SyncAttempt, list(old.values_list("pk", flat=True)))


def _prune_runs(cutoff: datetime) -> int:
    """Old runs, but a connection's newest RECENT_RUNS that went through or stopped early (those its state reads), and
    any still running."""
    told = [SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED]
    newer = (
        SyncRun.objects.filter(connection_id=OuterRef("connection_id"), started_at__gt=OuterRef("started_at"), status__in=told)
        .order_by()
        .values("connection_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    old = (
        SyncRun.objects.filter(started_at__lt=cutoff)
        .exclude(status=SyncRun.Status.RUNNING)
        .annotate(newer=Coalesce(Subquery(newer, output_field=IntegerField()), Value(0)))
        .filter(Q(newer__gte=RECENT_RUNS) | ~Q(status__in=told))
    )
    return _delete_by_id(SyncRun, list(old.values_list("pk", flat=True)))


def _delete_by_id(model: type[SyncAttempt] | type[SyncRun], ids: list[Any]) -> int:
    deleted = 0
    for start in range(0, len(ids), CHUNK):
        _, by_model = model.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
        deleted += by_model.get(model._meta.label, 0)
    return deleted
