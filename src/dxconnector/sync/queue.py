"""The marker of a queued sync (`QueuedSync`): while a run is queued and not started, triggers add nothing."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dxconnector.connections.models import Connection
from dxconnector.sync.models import QueuedSync, XeroWebhookEvent


def started(connection_id: Any) -> None:
    """A queued run is starting: later triggers queue the next one, and Xero's events so far are taken."""
    QueuedSync.objects.filter(connection_id=connection_id).delete()
    tenant_ids = Connection.objects.filter(pk=connection_id).values_list("xero__tenant_id", flat=True)
    XeroWebhookEvent.objects.filter(tenant_id__in=[t for t in tenant_ids if t], processed_at__isnull=True).update(
        processed_at=timezone.now()
    )
