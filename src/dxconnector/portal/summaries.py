"""What Home and the connection page say about a connection's state, in words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.timesince import timesince

from dxconnector.connections import budgets
from dxconnector.connections.models import ApiBudget, Connection, DynamicsConnection, XeroConnection
from dxconnector.domain import budget
from dxconnector.domain.health import Cause, ConnectionState, State
from dxconnector.domain.trial import TrialState
from dxconnector.portal import run_words
from dxconnector.sync import api as sync_api
from dxconnector.sync.models import SyncRun


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


def trial_text_on_its_page(connection: Connection, now: datetime | None = None) -> str:
    """The trial as the connection's page says it: when it starts before it has, and when it ends once it has."""
    now = now or timezone.now()
    state = connection.trial_state(now)
    if state is TrialState.NOT_STARTED:
        return "starts when every step is green"
    if state is TrialState.RUNNING and connection.trial_ends_at is not None:
        ends = timezone.localtime(connection.trial_ends_at).strftime("%-d %b %Y")
        return f"{trial_text(connection, now)} (ends {ends})"
    return trial_text(connection, now)


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if (now - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, now)} ago"


def last_sync_text(connection: Connection, now: datetime | None = None) -> str:
    if connection.last_synced_at is None:
        return "Never"
    return time_ago(connection.last_synced_at, now)


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


# --- the API budget: what the rate governors work from ------------------------------------------------------------


def _as_of(left: budget.Left) -> str:
    return timezone.localtime(left.read_at).strftime("%H:%M")


def xero_budget_text(row: ApiBudget | None, now: datetime) -> str:
    """Xero's calls left this minute and today for the organisation, as its last answer said."""
    minute = budget.left_now(budgets.reading_of(row), now)
    day = budget.left_now(budgets.reading_of(row, day=True), now)
    if minute is None and day is None:
        return "Xero: no calls yet"
    parts = []
    if minute is not None:
        parts.append(
            f"{minute.left:,} of {minute.limit:,} calls left this minute"
            if minute.used
            else f"{minute.limit:,} of {minute.limit:,} — no calls this minute"
        )
    if day is not None:
        parts.append(
            f"{day.left:,} of {day.limit:,} left today" if day.used else f"{day.limit:,} of {day.limit:,} — no calls today"
        )
    fresh = next((left for left in (day, minute) if left is not None and left.used), None)
    return f"Xero: {', '.join(parts)}" + (f" (as of {_as_of(fresh)})" if fresh else "")


def dynamics_budget_text(row: ApiBudget | None, now: datetime) -> str:
    """Dataverse's requests left in its 5-minute window for the connection's user, as its last answer said."""
    window = budget.left_now(budgets.reading_of(row), now)
    if window is None:
        return "Dynamics: no calls yet"
    assert row is not None  # a reading came from it
    span = f"current {round(row.window_seconds / 60):g}-minute window"
    if not window.used:
        return f"Dynamics: {window.limit:,} requests left in the {span} — none made in it"
    return f"Dynamics: {window.left:,} requests left in the {span} (as of {_as_of(window)})"


def api_budget(connection: Connection, now: datetime | None = None) -> tuple[str, str]:
    """(Xero's line, Dynamics' line) for the connection page: what is left of each side's budget, which the workers'
    clients record after each answer (connections/budgets.py); a side not connected yet has made no calls."""
    now = now or timezone.now()
    xero = XeroConnection.objects.filter(connection=connection).exclude(tenant_id="").first()
    dynamics = DynamicsConnection.objects.filter(connection=connection).exclude(org_url="").first()
    xero_row = budgets.latest(ApiBudget.Api.XERO, xero.tenant_id) if xero else None
    dynamics_row = budgets.latest(ApiBudget.Api.DATAVERSE, budgets.dataverse_key(dynamics)) if dynamics else None
    return xero_budget_text(xero_row, now), dynamics_budget_text(dynamics_row, now)


# --- the last runs, as the connection page tells them (in the history's words: run_words) -------------------------


@dataclass(frozen=True)
class RunLine:
    run: SyncRun
    started_by: str
    status: run_words.RunStatus
    sentence: str  # what it did with the records
    why: str  # why it stopped early, when it did
    details: list[tuple[str, object]]  # the raw counters, behind a "Details" toggle

    @property
    def when(self) -> datetime:
        return self.run.started_at


def _why_stopped(run: SyncRun) -> str:
    if run.status != SyncRun.Status.FAILED or not run.cause:
        return ""
    try:
        return Cause(run.cause).words
    except ValueError:
        return ""


def run_line(run: SyncRun) -> RunLine:
    counts = run.counts or {}
    return RunLine(
        run,
        run_words.trigger_words(run.trigger),
        run_words.run_status(run),
        run_words.run_sentence(counts),
        _why_stopped(run),
        run_words.counter_rows(counts),
    )


def last_runs(connection: Connection, how_many: int = 5) -> list[RunLine]:
    return [run_line(run) for run in SyncRun.objects.filter(connection=connection).order_by("-started_at")[:how_many]]
