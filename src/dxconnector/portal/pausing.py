"""Pause and resume a connection's syncing, by its owner.

While paused nothing runs: no sweep, no webhook starts a run, Sync now is off. Xero's webhook events are still
stored and Dynamics' calls still answered, and the cursors stay where they are, so on resume the sync queued then
takes everything changed meanwhile (and asks Xero, whatever its webhooks said).
"""

from __future__ import annotations

from django.utils import timezone

from dxconnector.connections.models import Connection
from dxconnector.sync import api as sync
from dxconnector.sync.models import Trigger

SYNC_NOW_OFF = "Syncing is paused by you: resume it to sync. Nothing is lost meanwhile."


def pause(connection: Connection) -> bool:
    """Pause syncing (a run already under way finishes). Returns whether it was paused now (False when
    it was paused already)."""
    paused = Connection.objects.filter(pk=connection.pk, paused_at__isnull=True).update(paused_at=timezone.now())
    connection.refresh_from_db(fields=["paused_at"])
    return bool(paused)


def resume(connection: Connection) -> bool:
    """Resume syncing and catch up: a sync is queued at once when the connection may sync. Returns whether a sync was
    queued now."""
    Connection.objects.filter(pk=connection.pk).update(paused_at=None)
    connection.refresh_from_db(fields=["paused_at"])
    if connection.status != Connection.Status.CREATED or not connection.may_sync():
        return False
    return sync.request_sync(connection.pk, Trigger.RESUMED)
