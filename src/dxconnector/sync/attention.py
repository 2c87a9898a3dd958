"""What a run learns about its connection's health, kept on the connection.

A run that stops for a cause the admin must fix (Xero's consent revoked, Microsoft's sign-in refused, the solution
removed, a privilege lost…) records it on the connection (`attention`, `attention_since`); a run that goes through
clears it. While it is set, a run first checks the side that failed, so that a run with nothing to do on that side
does not pass for a recovery.

The owner hears of it once each way: after each run, when what the owner was last told (`attention_emailed`) differs
from the connection's state, the engine calls the listeners registered here (the portal's, which queues its email job;
the sync imports nothing of the portal). The job claims the change with a conditional update, so however many runs
call, one email goes per change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from dxconnector.connections.clients import NotReady
from dxconnector.connections.models import Connection
from dxconnector.domain.access import all_required_privileges, check_access
from dxconnector.domain.health import Cause
from dxconnector.dynamics import errors as dynamics_errors
from dxconnector.sync.context import SyncContext
from dxconnector.sync.state import LeaseLost
from dxconnector.xero import errors as xero_errors

logger = logging.getLogger(__name__)

RESOURCE_NOT_FOUND = "0x8006088a"  # Dataverse: no such entity set (our tables are gone with the solution)

Listener = Callable[[str], object]
_listeners: list[Listener] = []


class RowsMissing(NotReady):
    """The connection's rows are not in Dynamics (never made, or deleted since)."""


# --- what a failure means ---------------------------------------------------------------------------------


def cause_of(error: BaseException) -> Cause:
    """Why a run stopped, in the terms of the connection's state."""
    if isinstance(error, RowsMissing):
        return Cause.ROWS_MISSING
    if isinstance(error, NotReady):
        return Cause.NOT_CONNECTED
    if isinstance(error, LeaseLost):
        return Cause.INTERRUPTED
    if isinstance(error, xero_errors.XeroError):
        return _xero_cause(error)
    if isinstance(error, dynamics_errors.DynamicsError):
        return _dynamics_cause(error)
    return Cause.UNEXPECTED


def _xero_cause(error: xero_errors.XeroError) -> Cause:
    if isinstance(error, xero_errors.AuthExpired):  # a refresh refused (invalid_grant) or a call answered 401
        return Cause.XERO_CONSENT
    if isinstance(error, xero_errors.RateLimited):
        return Cause.XERO_LIMIT
    if isinstance(error, xero_errors.RetryableError):
        return Cause.XERO_UNAVAILABLE
    if error.status == 403:  # AuthenticationUnsuccessful for this tenant: its connection to the app is gone
        return Cause.XERO_DISCONNECTED
    return Cause.XERO_REFUSED


def _dynamics_cause(error: dynamics_errors.DynamicsError) -> Cause:
    if isinstance(error, dynamics_errors.AuthExpired):
        return Cause.DYNAMICS_SIGN_IN
    if isinstance(error, dynamics_errors.RateLimited):
        return Cause.DYNAMICS_LIMIT
    if isinstance(error, dynamics_errors.RetryableError):
        return Cause.DYNAMICS_UNAVAILABLE
    if error.status == 403:
        return Cause.PRIVILEGE_LOST
    if error.status == 404 and error.code.lower() == RESOURCE_NOT_FOUND:
        return Cause.SOLUTION_REMOVED
    return Cause.DYNAMICS_REFUSED


# --- before the streams: is what needed the admin fixed? ------------------------------------------------------


def check_fixed(ctx: SyncContext, recorded: str) -> None:
    """While the connection needs attention, ask the side that failed first: raises as that side still does.

    Reading the connection's rows in Dynamics (which every run does first) already proves Microsoft's sign-in and the
    solution's tables; Xero and the privileges need a question of their own."""
    if not recorded:
        return
    try:
        cause = Cause(recorded)
    except ValueError:
        return
    if cause.about_xero:
        ctx.xero.organisation()
    elif cause is Cause.PRIVILEGE_LOST:
        user_id = ctx.dynamics.who_am_i()["UserId"]
        missing = [
            check for check in check_access(ctx.dynamics.privileges_held(user_id, all_required_privileges())) if not check.ok
        ]
        if missing:
            raise dynamics_errors.PermanentError(f"The signed-in user lacks {len(missing)} of the access required", 403)


# --- after a run ------------------------------------------------------------------------------------------


def run_failed(connection_id: Any, cause: Cause, now: datetime | None = None) -> None:
    """A run stopped for `cause`: one the admin must fix is recorded (since now, unless it needed attention already)."""
    if cause.needs_attention:
        now = now or timezone.now()
        Connection.objects.filter(pk=connection_id, attention="").update(attention=cause.value, attention_since=now)
        Connection.objects.filter(pk=connection_id).exclude(attention=cause.value).update(attention=cause.value)
    _tell_listeners(connection_id)


def run_succeeded(connection_id: Any) -> None:
    Connection.objects.filter(pk=connection_id).exclude(attention="").update(attention="", attention_since=None)
    _tell_listeners(connection_id)


def on_owner_news(listener: Listener) -> None:
    """Have `listener(connection_id)` called after a run whenever the connection's owner has news: it started needing
    attention, or it recovered, and the owner was not told yet. It may be called more than once for the same news."""
    if listener not in _listeners:
        _listeners.append(listener)


def _tell_listeners(connection_id: Any) -> None:
    try:
        found = Connection.objects.filter(pk=connection_id).values_list("attention", "attention_emailed").first()
    except DatabaseError:
        logger.warning("could not read whether connection %s has news for its owner", connection_id, exc_info=True)
        return
    if found is None or bool(found[0]) == found[1]:
        return
    for listener in list(_listeners):
        try:
            listener(str(connection_id))
        except Exception:  # telling the owner must never fail the run
            logger.warning("could not pass on news of connection %s", connection_id, exc_info=True)
