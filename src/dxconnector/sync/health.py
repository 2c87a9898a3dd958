"""The signals of each connection's state, read in a few queries for any number of connections, and handed to the
pure rule (`domain.health.connection_state`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.domain.health import Cause, ConnectionState, RunOutcome, State, connection_state
from dxconnector.sync.models import Lease, SyncRun

RECENT_RUNS = 5  # how many finished runs, newest first, the state looks at

_OUTCOMES = {SyncRun.Status.SUCCEEDED: RunOutcome.SUCCEEDED, SyncRun.Status.FAILED: RunOutcome.FAILED}


def connection_states(connections: Iterable[Connection], now: datetime | None = None) -> dict[Any, ConnectionState]:
    """Each connection's state, by its primary key."""
    connections = list(connections)
    now = now or timezone.now()
    ids = [connection.pk for connection in connections]
    running = set(
        Lease.objects.filter(connection_id__in=ids, expires_at__gt=now).exclude(holder="").values_list("connection_id", flat=True)
    )
    with_xero = set(
        XeroConnection.objects.filter(connection_id__in=ids).exclude(tenant_id="").values_list("connection_id", flat=True)
    )
    with_dynamics = set(
        DynamicsConnection.objects.filter(connection_id__in=ids).exclude(org_url="").values_list("connection_id", flat=True)
    )
    runs = _recent_runs(ids)
    states = {}
    for connection in connections:
        outcomes = runs.get(connection.pk, [])
        recorded = _cause(connection.attention)
        attention = [recorded] if recorded else []
        if connection.pk not in with_xero or connection.pk not in with_dynamics:
            attention.append(Cause.NOT_CONNECTED)
        states[connection.pk] = connection_state(
            setup_complete=connection.status == Connection.Status.CREATED,
            trial=connection.trial_state(now),
            running=connection.pk in running,
            recent_runs=[outcome for outcome, _ in outcomes],
            latest_failure=next((cause for outcome, cause in outcomes if outcome is RunOutcome.FAILED), None),
            attention=attention,
            attention_since=connection.attention_since,
            paused=connection.paused,
        )
    return states


def connection_state_of(connection: Connection, now: datetime | None = None) -> ConnectionState:
    return connection_states([connection], now)[connection.pk]


def counts_by_state(now: datetime | None = None) -> dict[str, int]:
    """How many connections are in each state (every state named, with 0 when none is)."""
    found = Counter(state.state for state in connection_states(Connection.objects.all(), now).values())
    return {state.value: found.get(state, 0) for state in State}


def _recent_runs(ids: Sequence[Any]) -> dict[Any, list[tuple[RunOutcome, Cause | None]]]:
    """The last finished runs of each connection, newest first: how each ended, and why when it failed."""
    rows = (
        SyncRun.objects.filter(connection_id__in=ids, status__in=list(_OUTCOMES))
        .annotate(newest=Window(RowNumber(), partition_by=[F("connection_id")], order_by=[F("started_at").desc()]))
        .filter(newest__lte=RECENT_RUNS)
        .order_by("connection_id", "newest")
        .values_list("connection_id", "status", "cause")
    )
    runs: dict[Any, list[tuple[RunOutcome, Cause | None]]] = {}
    for connection_id, status, cause in rows:
        runs.setdefault(connection_id, []).append((_OUTCOMES[SyncRun.Status(status)], _cause(cause)))
    return runs


def _cause(value: str) -> Cause | None:
    try:
        return Cause(value) if value else None
    except ValueError:  # a cause from a newer or older version of the connector
        return None
