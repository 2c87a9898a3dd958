"""The truth about a connection: its state, worked out from what is known of it, and what its admin should do.

A pure rule: the caller gathers the signals (is it set up, may it sync, is a run under way, how the last runs
ended, what the engine found the admin must fix) and passes the clock's time in; nothing here reads a database
or asks a service.

The states, the most pressing first:

- **setup**: Create Connection has not finished: nothing syncs yet.
- **needs attention**: syncing cannot go on until the admin does something (connect to Xero again, sign in to
  Dynamics again, install the solution again, give back a privilege, start or pay for the trial).
- **degraded**: the last runs stopped early for a reason that may pass (a service down or busy, a refusal): the
  connector keeps trying by itself; the latest reason is told.
- **syncing**: a run is under way.
- **healthy**: the last run went through (or none has run yet and nothing stands in the way).

Besides these, **paused**: the owner paused syncing. Nothing runs until they resume, whatever else is known; what
needs attention is still told, for when they do.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from dxconnector.domain.trial import TrialState


class State(enum.StrEnum):
    SETUP = "setup"
    NEEDS_ATTENTION = "needs_attention"
    DEGRADED = "degraded"
    SYNCING = "syncing"
    HEALTHY = "healthy"
    PAUSED = "paused"  # by the owner


class Cause(enum.StrEnum):
    """Why a run stopped, or why none can run. The first group needs the admin (`needs_attention`); the rest pass
    by themselves, or need the operator."""

    # --- the admin must act ---
    NOT_CONNECTED = "not_connected"  # Xero or Dynamics is no longer connected here
    ROWS_MISSING = "rows_missing"  # the connection's rows are gone from Dynamics
    XERO_CONSENT = "xero_consent"  # Xero refused the sign-in: a refresh answered invalid_grant, or a call 401
    XERO_DISCONNECTED = "xero_disconnected"  # Xero answered 403: the organisation's connection to the app was removed
    DYNAMICS_SIGN_IN = "dynamics_sign_in"  # Microsoft refused the sign-in (no token can be had, or Dynamics answered 401)
    SOLUTION_REMOVED = "solution_removed"  # Dynamics no longer knows the solution's tables
    PRIVILEGE_LOST = "privilege_lost"  # Dynamics answered 403: the signed-in user lost a privilege the sync needs
    TRIAL_NOT_STARTED = "trial_not_started"
    TRIAL_ENDED = "trial_ended"
    # --- passing troubles: the next run tries again ---
    XERO_UNAVAILABLE = "xero_unavailable"
    XERO_LIMIT = "xero_limit"
    XERO_REFUSED = "xero_refused"
    DYNAMICS_UNAVAILABLE = "dynamics_unavailable"
    DYNAMICS_LIMIT = "dynamics_limit"
    DYNAMICS_REFUSED = "dynamics_refused"
    INTERRUPTED = "interrupted"
    UNEXPECTED = "unexpected"

    @property
    def needs_attention(self) -> bool:
        return self in ATTENTION_ORDER

    @property
    def about_xero(self) -> bool:
        return self in (Cause.XERO_CONSENT, Cause.XERO_DISCONNECTED)

    @property
    def words(self) -> str:
        """What happened and what to do, in words for a business admin."""
        return WORDS[self]


# The causes that need the admin, the one to do first first: there is no use signing in again to a side that is not
# connected, nor fixing anything while the trial is over.
ATTENTION_ORDER: tuple[Cause, ...] = (
    Cause.NOT_CONNECTED,
    Cause.XERO_CONSENT,
    Cause.XERO_DISCONNECTED,
    Cause.DYNAMICS_SIGN_IN,
    Cause.SOLUTION_REMOVED,
    Cause.ROWS_MISSING,
    Cause.PRIVILEGE_LOST,
    Cause.TRIAL_NOT_STARTED,
    Cause.TRIAL_ENDED,
)

_TRIES_AGAIN = "The connector tries again at its next sync; nothing is lost meanwhile."
_TELL_OPERATOR = "If it goes on, tell whoever runs the connector: its log says more."

WORDS: dict[Cause, str] = {
    Cause.NOT_CONNECTED: "This connection is no longer connected to both Xero and Dynamics: open it and connect the missing side.",
    Cause.ROWS_MISSING: "The connection's records are gone from Dynamics: open the connection and click Create Connection again.",
    Cause.XERO_CONSENT: "Xero no longer accepts this connection's sign-in: connect to Xero again.",
    Cause.XERO_DISCONNECTED: (
        "Your Xero organisation is no longer connected to the connector (the connection was removed in Xero): "
        "connect to Xero again and choose the same organisation."
    ),
    Cause.DYNAMICS_SIGN_IN: "Microsoft no longer accepts this connection's sign-in to Dynamics: sign in to Dynamics again.",
    Cause.SOLUTION_REMOVED: (
        "The connector's solution is no longer in your Dynamics organisation: install it again, then click Create Connection."
    ),
    Cause.PRIVILEGE_LOST: (
        "The Dynamics user this connection signs in as has lost access the sync needs: give it back its security role "
        "(the connection page lists the access required)."
    ),
    Cause.TRIAL_NOT_STARTED: "Syncing has not started: open the connection and start the free trial.",
    Cause.TRIAL_ENDED: "The free trial has ended, so syncing is paused: subscribe to carry on (nothing is lost meanwhile).",
    Cause.XERO_UNAVAILABLE: f"Xero could not be reached, or had trouble of its own. {_TRIES_AGAIN}",
    Cause.XERO_LIMIT: f"Xero's limit on calls for your organisation was reached. {_TRIES_AGAIN}",
    Cause.XERO_REFUSED: f"Xero refused a request. {_TRIES_AGAIN} {_TELL_OPERATOR}",
    Cause.DYNAMICS_UNAVAILABLE: f"Dynamics could not be reached, or had trouble of its own. {_TRIES_AGAIN}",
    Cause.DYNAMICS_LIMIT: f"Dynamics' limits on requests were reached. {_TRIES_AGAIN}",
    Cause.DYNAMICS_REFUSED: f"Dynamics refused a request. {_TRIES_AGAIN} {_TELL_OPERATOR}",
    Cause.INTERRUPTED: f"The sync was interrupted before it finished. {_TRIES_AGAIN}",
    Cause.UNEXPECTED: f"An unexpected error stopped the sync. {_TRIES_AGAIN} {_TELL_OPERATOR}",
}

LABELS: dict[State, str] = {
    State.SETUP: "Setup incomplete",
    State.NEEDS_ATTENTION: "Needs attention",
    State.DEGRADED: "Degraded",
    State.SYNCING: "Syncing",
    State.HEALTHY: "Healthy",
    State.PAUSED: "Paused by you",
}

PAUSED_WORDS = (
    "Syncing is paused: nothing goes between Dynamics and Xero until you resume. Changes made meanwhile are kept, "
    "and go when you resume."
)


class RunOutcome(enum.StrEnum):
    """How a finished run ended (runs that found the connection busy or paused say nothing of its health)."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class ConnectionState:
    state: State
    advice: tuple[str, ...] = ()  # what to do (or what is going on), the first the most pressing
    causes: tuple[Cause, ...] = ()  # the needs-attention causes, or the latest failure's when degraded
    since: datetime | None = None  # since when it needs attention, when known
    failed_runs: int = 0  # the runs in a row, newest first, that stopped early

    @property
    def label(self) -> str:
        return LABELS[self.state]

    @property
    def needs_attention(self) -> bool:
        return self.state is State.NEEDS_ATTENTION


def connection_state(
    *,
    setup_complete: bool,
    trial: TrialState,
    running: bool = False,
    recent_runs: Sequence[RunOutcome] = (),
    latest_failure: Cause | None = None,
    attention: Iterable[Cause] = (),
    attention_since: datetime | None = None,
    paused: bool = False,
) -> ConnectionState:
    """The connection's state from its signals.

    `recent_runs` are the outcomes of its last finished runs, newest first; `latest_failure` is why the newest
    failed run stopped (None when not known); `attention` is what the engine found the admin must fix (and any cause
    the caller saw itself, such as a side no longer connected); `attention_since` is when that was first found;
    `paused` says the owner paused syncing.
    """
    if not setup_complete:
        return ConnectionState(State.SETUP, ("Finish the steps on the connection page, then click Create Connection.",))
    found = set(attention)
    if trial is TrialState.ENDED:
        found.add(Cause.TRIAL_ENDED)
    elif trial is TrialState.NOT_STARTED:
        found.add(Cause.TRIAL_NOT_STARTED)
    needing = tuple(cause for cause in ATTENTION_ORDER if cause in found)
    if paused:
        return ConnectionState(State.PAUSED, (PAUSED_WORDS, *(cause.words for cause in needing)), needing, attention_since)
    if needing:
        return ConnectionState(
            State.NEEDS_ATTENTION, tuple(cause.words for cause in needing), needing, attention_since, failed_in_a_row(recent_runs)
        )
    failed = failed_in_a_row(recent_runs)
    if failed:
        runs = "The last sync" if failed == 1 else f"The last {failed} syncs"
        why = latest_failure.words if latest_failure else _TRIES_AGAIN  # a run from before causes were kept
        advice: tuple[str, ...] = (f"{runs} stopped early. {why}",)
        if running:
            advice += ("A sync is running now.",)
        return ConnectionState(State.DEGRADED, advice, (latest_failure,) if latest_failure else (), failed_runs=failed)
    if running:
        return ConnectionState(State.SYNCING, ("A sync is running now.",))
    return ConnectionState(State.HEALTHY)


def failed_in_a_row(recent_runs: Sequence[RunOutcome]) -> int:
    """How many of the newest runs failed, before one that succeeded."""
    count = 0
    for outcome in recent_runs:
        if outcome is not RunOutcome.FAILED:
            break
        count += 1
    return count
