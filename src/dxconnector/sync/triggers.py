"""What starts a sync besides "Sync now" (PRODUCT §3.4): Dynamics' webhooks, Xero's webhooks, and the
periodic sweep. Each asks for a sync of a connection; asks made while one is queued and not yet started add
nothing (the queued run will see their changes), so a burst of webhook calls costs one run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dxconnector.connections.models import Connection
from dxconnector.sync.models import (
    QueuedSync,
    RequestedRecord,
    Trigger,
)
from dxconnector.sync.tasks import sync_connection

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=1)  # a marker this old lost its job somehow: queue again rather than wait forever


def request_sync(connection_id: Any, trigger: str, now: datetime | None = None) -> bool:
    """Queue a sync of the connection unless one is queued already. Returns whether one was queued now."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            QueuedSync.objects.filter(connection_id=connection_id, queued_at__lt=now - STALE_AFTER).delete()
            QueuedSync.objects.create(connection_id=connection_id, trigger=trigger, queued_at=now)
            sync_connection.enqueue(str(connection_id), trigger)
    except IntegrityError:
        return False  # queued already
    return True


def retry_invoices(connection_id: Any, invoice_ids: Iterable[str], now: datetime | None = None) -> bool:
    """Sync these invoices again whatever the cursor says (Retry in the history), in the next run: queued now
    unless one is queued already. Returns whether a run was queued now."""
    now = now or timezone.now()
    RequestedRecord.objects.bulk_create(
        [
            RequestedRecord(connection_id=connection_id, record_kind="invoice", dynamics_id=str(invoice_id), requested_at=now)
            for invoice_id in dict.fromkeys(invoice_ids)
        ],
        ignore_conflicts=True,
    )
    return request_sync(connection_id, Trigger.RETRY, now)


def _syncable(connections: Iterable[Connection], now: datetime) -> list[Connection]:
    return [connection for connection in connections if connection.may_sync(now)]


def created_connections() -> Any:
    return Connection.objects.filter(status=Connection.Status.CREATED, xero__isnull=False, dynamics__isnull=False)


def xero_events_arrived(tenant_ids: Iterable[str], now: datetime | None = None) -> int:
    """Queue a sync of every connection of these Xero organisations. Returns how many were queued."""
    now = now or timezone.now()
    wanted = created_connections().filter(xero__tenant_id__in=set(tenant_ids))
    return sum(request_sync(connection.pk, Trigger.XERO_WEBHOOK, now) for connection in _syncable(wanted, now))


def sweep(now: datetime | None = None) -> int:
    """Queue an incremental sync of every created connection that may sync and has none queued."""
    now = now or timezone.now()
    eligible = _syncable(created_connections().exclude(queued_sync__queued_at__gte=now - STALE_AFTER), now)
    queued = sum(request_sync(connection.pk, Trigger.SWEEP, now) for connection in eligible)
    logger.info("sweep queued %d of %d eligible connections", queued, len(eligible))
    return queued
