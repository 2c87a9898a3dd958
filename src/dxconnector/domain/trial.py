"""The free trial and subscription as pure rules: the clock is always an argument."""

from __future__ import annotations

import enum
import math
from datetime import datetime, timedelta


class TrialState(enum.StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    ENDED = "ended"
    SUBSCRIBED = "subscribed"


def trial_end(started_at: datetime, days: int) -> datetime:
    return started_at + timedelta(days=days)


def trial_state(started_at: datetime | None, ends_at: datetime | None, subscribed: bool, now: datetime) -> TrialState:
    if subscribed:
        return TrialState.SUBSCRIBED
    if started_at is None or ends_at is None:
        return TrialState.NOT_STARTED
    return TrialState.RUNNING if now < ends_at else TrialState.ENDED


def days_left(ends_at: datetime | None, now: datetime) -> int:
    """Whole days left, counting a started day as a day (29.2 days left shows as 30)."""
    if ends_at is None or now >= ends_at:
        return 0
    return math.ceil((ends_at - now) / timedelta(days=1))


def may_sync(state: TrialState) -> bool:
    """Syncing runs during the trial and under a subscription; it pauses (losing nothing) otherwise."""
    return state in (TrialState.RUNNING, TrialState.SUBSCRIBED)


def trial_available(uses: list[tuple[int, int]]) -> bool:
    """Whether a new free trial may start for a connection whose organisations have had (used, allowed) trials each: one
    per Xero organisation and one per Dynamics organisation, whatever connection they were in, unless the operator
    allowed more. A connection with no organisation known yet has nothing to count against."""
    return all(used < allowed for used, allowed in uses)


def trial_for_new_connection(uses: list[tuple[int, int, datetime | None]], now: datetime, days: int) -> datetime | None:
    """When the free trial of a connection closing its pop-up `now` ends, or None when it gets none.

    `uses` holds, per organisation of the connection (its Xero one, its Dynamics one), the trials it has had, the
    trials it may have, and when its latest trial ends. The trial is the organisations': organisations that may have
    another get a new one of `days`; a connection to an organisation whose trial is still running joins that trial
    and ends with it (a Dynamics organisation adding a second Xero organisation is still trying the product), never
    later; one whose trial has ended gets none, unless the operator allowed more."""
    used_up = [ends_at for used, allowed, ends_at in uses if used >= allowed]
    if not used_up:
        return trial_end(now, days)
    if all(ends_at is not None and ends_at > now for ends_at in used_up):
        return min(ends_at for ends_at in used_up if ends_at is not None)
    return None
