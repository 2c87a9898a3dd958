"""What starts a sync besides "Sync now" (PRODUCT §3.4): Dynamics' webhooks, Xero's webhooks, and the
periodic sweep. Each asks for a sync of a connection; asks made while one is queued and not yet started add
nothing (the queued run will see their changes), so a burst of webhook calls costs one run.

The sweep looks every SYNC_SWEEP_SECONDS for connections that are due, each at its own cadence: its settings row's
Sync Interval, which every run that goes through notes (`note_sweep_interval`), the next interval starting at its end.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dxconnector.connections.models import Connection, sweep_floor_minutes
from dxconnector.sync import tasks  # the module, not the task: tasks → engine → triggers, whichever is imported first
from dxconnector.sync.models import (
    QueuedSync,
    RequestedRecord,
    Trigger,
)

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=1)  # a marker this old lost its job somehow: queue again rather than wait forever

# Which runs a worker takes first (django-tasks' priority: higher first, then the oldest): someone waiting on a change
# they just made, then the clock's sweeps, then big catch-ups — which go in slices (`Trigger.CONTINUED`), so that other
# connections' live changes interleave with them.
LIVE_PRIORITY, SWEEP_PRIORITY, BACKFILL_PRIORITY = 10, 0, -10
PRIORITIES = {
    Trigger.SYNC_NOW: LIVE_PRIORITY,
    Trigger.RETRY: LIVE_PRIORITY,
    Trigger.DYNAMICS_WEBHOOK: LIVE_PRIORITY,
    Trigger.XERO_WEBHOOK: LIVE_PRIORITY,
    Trigger.SWEEP: SWEEP_PRIORITY,
    Trigger.CREATED: BACKFILL_PRIORITY,
    Trigger.RESUMED: BACKFILL_PRIORITY,
    Trigger.CONTINUED: BACKFILL_PRIORITY,
}
SLICED = frozenset({Trigger.SWEEP, Trigger.CREATED, Trigger.RESUMED, Trigger.CONTINUED})  # runs nobody waits on


def priority(trigger: str) -> int:
    return PRIORITIES.get(Trigger(trigger) if trigger in Trigger.values else Trigger.CLI, SWEEP_PRIORITY)


def request_sync(connection_id: Any, trigger: str, now: datetime | None = None, *, run_after: datetime | None = None) -> bool:
    """Queue a sync of the connection (not before `run_after`, when given) unless one is queued already. Returns whether
    one was queued now."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            QueuedSync.objects.filter(connection_id=connection_id, queued_at__lt=now - STALE_AFTER).delete()
            QueuedSync.objects.create(connection_id=connection_id, trigger=trigger, queued_at=now)
            job = tasks.sync_connection.using(priority=priority(trigger), run_after=run_after)
            job.enqueue(str(connection_id), trigger)
    except IntegrityError:
        return False  # queued already
    return True


# The ledger's kind of the records an attempt names, by the attempt's record kind (its Dynamics table).
RETRY_KINDS = {"invoice": "invoice", "account": "contact", "contact": "contact", "product": "item"}


def retry_records(connection_id: Any, record_kind: str, dynamics_ids: Iterable[str], now: datetime | None = None) -> bool:
    """Sync these records (invoices, accounts, contacts or products, by the attempts' record kind) again whatever the
    cursor says (Retry in the history), in the next run: queued now unless one is queued already. Returns whether a
    run was queued now."""
    now = now or timezone.now()
    RequestedRecord.objects.bulk_create(
        [
            RequestedRecord(
                connection_id=connection_id, record_kind=RETRY_KINDS[record_kind], dynamics_id=str(record_id), requested_at=now
            )
            for record_id in dict.fromkeys(dynamics_ids)
        ],
        ignore_conflicts=True,
    )
    return request_sync(connection_id, Trigger.RETRY, now)


def retry_invoices(connection_id: Any, invoice_ids: Iterable[str], now: datetime | None = None) -> bool:
    return retry_records(connection_id, "invoice", invoice_ids, now)


def _syncable(connections: Iterable[Connection], now: datetime) -> list[Connection]:
    return [connection for connection in connections if connection.may_sync(now)]


def created_connections() -> Any:
    return Connection.objects.filter(status=Connection.Status.CREATED, xero__isnull=False, dynamics__isnull=False)


def xero_events_arrived(tenant_ids: Iterable[str], now: datetime | None = None) -> int:
    """Queue a sync of every connection of these Xero organisations. Returns how many were queued."""
    now = now or timezone.now()
    wanted = created_connections().filter(xero__tenant_id__in=set(tenant_ids))
    return sum(request_sync(connection.pk, Trigger.XERO_WEBHOOK, now) for connection in _syncable(wanted, now))


def note_sweep_interval(connection_id: Any, minutes: int, now: datetime | None = None) -> None:
    """Keep the connection's sweep interval (its settings row's Sync Interval, read by a run; at least the sweep's own
    period, `sweep_floor_minutes`, and never under a minute) and sweep it next an interval after `now`.

    Every run that goes through does the same at its end (the engine, through `Connection.note_sweep_interval`),
    whatever started it — a webhook, Sync now, a retry or the sweep itself — so a connection its webhooks keep busy is
    not swept needlessly on top; a run that fails leaves it, so the sweep tries again a period later. The portal does
    the same when it writes the settings row, so a changed interval counts at once rather than after the next run."""
    Connection(pk=connection_id).note_sweep_interval(minutes, now)


def due_for_sweep(now: datetime) -> Any:
    """The created connections that may sync, are due (`next_sweep_at` empty or past) and have no sync queued: one
    query, whatever the number of connections."""
    return (
        created_connections()
        .filter(Connection.may_sync_filter(now))
        .filter(Q(next_sweep_at__isnull=True) | Q(next_sweep_at__lte=now))
        .exclude(queued_sync__queued_at__gte=now - STALE_AFTER)
    )


def sweep(now: datetime | None = None) -> int:
    """Queue an incremental sync of every connection due for one (`due_for_sweep`): its queries grow with the
    connections it queues, not with the connections there are. Returns how many were queued.

    Any run moves the connection's next sweep on (`note_sweep_interval`), so a connection that webhooks or Sync now
    keep busy is swept only when it has gone its interval without a run."""
    now = now or timezone.now()
    eligible = _syncable(due_for_sweep(now), now)  # `may_sync` stays the rule; the filter only spares the loading
    queued = sum(request_sync(connection.pk, Trigger.SWEEP, now) for connection in eligible)
    logger.info("sweep queued %d of %d due connections (floor %d minutes)", queued, len(eligible), sweep_floor_minutes())
    return queued
