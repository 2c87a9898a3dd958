"""What Home and the connection page say about a connection's state, in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timesince

from dxconnector.connections.models import Connection
from dxconnector.domain.trial import TrialState


def trial_text(connection: Connection, now: datetime | None = None) -> str:
    now = now or timezone.now()
    state = connection.trial_state(now)
    if state is TrialState.SUBSCRIBED:
        return "Subscribed"
    if state is TrialState.NOT_STARTED:
        return "Not started"
    if state is TrialState.ENDED:
        return "Ended — syncing paused"
    days = connection.trial_days_left(now)
    return f"{days} day{'s' if days != 1 else ''} left"


def last_sync_text(connection: Connection, now: datetime | None = None) -> str:
    if connection.last_synced_at is None:
        return "Never"
    return f"{timesince(connection.last_synced_at, now or timezone.now())} ago"


def health(connection: Connection, now: datetime | None = None) -> tuple[str, str]:
    """(words, css class)."""
    if connection.status == Connection.Status.DRAFT:
        return "Setup incomplete", "warn"
    if not connection.may_sync(now):
        return "Paused", "warn"
    return "Healthy", "ok"


@dataclass(frozen=True)
class ConnectionRow:
    connection: Connection
    trial: str
    last_sync: str
    health: str
    health_class: str


def row(connection: Connection, now: datetime | None = None) -> ConnectionRow:
    words, css = health(connection, now)
    return ConnectionRow(connection, trial_text(connection, now), last_sync_text(connection, now), words, css)
