"""The API budgets the clients hear of, saved for the connection page.

The page is served by the web process and shows what the APIs last said (the budgets the rate governors spend from are
kept apart: connections/shared_limits.py for Xero's). So each answer's word on what is left (Xero's
`X-MinLimit-Remaining` / `X-DayLimit-Remaining`, Dataverse's `x-ms-ratelimit-burst-remaining-xrm-requests`) is saved in
`ApiBudget`, one row per Xero organisation and per Dataverse organisation and user, shared by every connection that
calls it.

Saving is throttled: at most one write per row every `THROTTLE_SECONDS` in a process. A reading that comes sooner waits
as the row's pending one (a later one replaces it) and is written by the next reading after the interval, or by
`flush()`, which a connection's clients call when they close (the end of a sync run), so a run's last word is kept.
A write is its own short transaction, never part of a caller's: inside one (a durable block refuses to nest), the
reading stays pending, so a rollback cannot take it along nor the row's lock be held for the caller's transaction.
A write that fails is logged and the reading kept pending: a figure for a page never stops a sync.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, transaction
from django.utils import timezone

from dxconnector.connections.models import ApiBudget, DynamicsConnection
from dxconnector.domain.budget import Reading
from dxconnector.dynamics.client import RequestsLeft
from dxconnector.xero.limits import DAY, MINUTE, BudgetSeen

logger = logging.getLogger(__name__)

THROTTLE_SECONDS = 5.0

Key = tuple[str, str]  # (ApiBudget.api, ApiBudget.key)


_lock = threading.Lock()
_last_written: dict[Key, float] = {}  # monotonic time of each row's last write from this process
_pending: dict[Key, dict[str, object]] = {}


def record_xero(seen: BudgetSeen) -> None:
    """The Xero client's observer (`xero.limits.BudgetObserver`)."""
    scale = seen.time_scale or 1.0
    _record(
        (ApiBudget.Api.XERO, seen.tenant_id),
        {
            "window_left": seen.minute_left,
            "window_limit": seen.limits.per_minute,
            "window_seconds": MINUTE / scale,
            "day_left": seen.day_left,
            "day_limit": seen.limits.per_day,
            "day_seconds": DAY / scale,
        },
    )


def dataverse_key(dynamics: DynamicsConnection) -> str:
    """Dataverse counts requests per user: the organisation's URL and who its calls go as (an application user is one
    user for every connection to the organisation)."""
    who = APP_USER if dynamics.mode == DynamicsConnection.Mode.APP else dynamics.home_account_id or dynamics.username
    return dataverse_user_key(dynamics.org_url, who)


APP_USER = "app"


def dataverse_user_key(org_url: str, who: str = APP_USER) -> str:
    """`dataverse_key` before the connection's row says who calls (the onboarding proving the application user)."""
    return f"{org_url.rstrip('/').lower()} {who}"


class DataverseRecorder:
    """The Dataverse client's observer (`dynamics.client.RequestsObserver`) for one organisation and user."""

    def __init__(self, key: str):
        self.key = key

    def __call__(self, seen: RequestsLeft) -> None:
        _record(
            (ApiBudget.Api.DATAVERSE, self.key),
            {"window_left": seen.left, "window_limit": seen.limit, "window_seconds": seen.window_seconds},
        )


def _record(key: Key, fields: dict[str, object]) -> None:
    fields = {**fields, "read_at": timezone.now()}
    now = time.monotonic()
    with _lock:
        _pending[key] = fields
        if now - _last_written.get(key, float("-inf")) < THROTTLE_SECONDS:
            return
    _write(key)


def flush() -> None:
    """Write every reading still pending in this process."""
    with _lock:
        keys = list(_pending)
    for key in keys:
        _write(key)


def _write(key: Key) -> None:
    with _lock:
        fields = _pending.pop(key, None)
        if fields is None:
            return
        _last_written[key] = time.monotonic()
    try:
        with transaction.atomic(durable=True):
            ApiBudget.objects.update_or_create(api=key[0], key=key[1], defaults=fields)
    except RuntimeError:  # inside a caller's transaction (a durable block may not nest): later, outside it
        _keep(key, fields)
    except DatabaseError:
        logger.warning("an API budget could not be saved", exc_info=True)
        _keep(key, fields)


def _keep(key: Key, fields: dict[str, object]) -> None:
    with _lock:
        _pending.setdefault(key, fields)  # unless a newer reading came meanwhile


def reading_of(row: ApiBudget | None, *, day: bool = False) -> Reading | None:
    """A saved row's short window (or, with `day`, its day) as the domain reads it; None when it was never said."""
    if row is None:
        return None
    left, limit, seconds = (
        (row.day_left, row.day_limit, row.day_seconds) if day else (row.window_left, row.window_limit, row.window_seconds)
    )
    if left is None or limit is None or seconds is None:
        return None
    return Reading(left, limit, seconds, row.read_at)


def latest(api: str, key: str) -> ApiBudget | None:
    return ApiBudget.objects.filter(api=api, key=key).first()
