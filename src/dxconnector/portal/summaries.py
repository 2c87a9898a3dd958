"""What Home and the connection page say about a connection's state, in words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timesince

from dxconnector.connections.models import Connection
from dxconnector.domain.health import ConnectionState, State
from dxconnector.domain.trial import TrialState
from dxconnector.sync import api as sync_api


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


BADGE_CLASSES = {
    State.HEALTHY: "ok",
    State.SYNCING: "info",
    State.DEGRADED: "warn",
    State.NEEDS_ATTENTION: "bad",
    State.SETUP: "warn",
    State.PAUSED: "info",
}


def health(connection: Connection, now: datetime | None = None) -> ConnectionState:
    """The connection's state from its real signals (runs, the engine's findings, the trial), with what to do."""
    return sync_api.connection_state_of(connection, now)


@dataclass(frozen=True)
class ConnectionRow:
    connection: Connection
    trial: str
    last_sync: str
    state: ConnectionState

    @property
    def health(self) -> str:
        return self.state.label

    @property
    def health_class(self) -> str:
        return BADGE_CLASSES[self.state.state]

    @property
    def advice(self) -> str:
        """The most pressing thing to do, for a line on Home (none when all is well)."""
        return self.state.advice[0] if self.state.advice else ""


def rows(connections: Iterable[Connection], now: datetime | None = None) -> list[ConnectionRow]:
    connections = list(connections)
    now = now or timezone.now()
    states = sync_api.connection_states(connections, now)
    return [
        ConnectionRow(connection, trial_text(connection, now), last_sync_text(connection, now), states[connection.pk])
        for connection in connections
    ]
