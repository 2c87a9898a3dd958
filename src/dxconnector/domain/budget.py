"""What is left of an API's call budget now, from the last reading of it.

A service says how many calls are left in a rolling window (Xero: this minute and today; Dataverse: its 5-minute
window). Every call the reading counted was made at or before it, so once a window's length has passed since the
reading, all of them have left the window: the budget is full again, whatever the reading said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Reading:
    left: int  # calls left in the window, as the service's answer said
    limit: int  # the window's budget
    window_seconds: float  # how long the window is, in real seconds
    read_at: datetime


@dataclass(frozen=True)
class Left:
    left: int
    limit: int
    used: bool  # False: no call was made in the window (the reading is older than it), so it is all left
    read_at: datetime


def left_now(reading: Reading | None, now: datetime) -> Left | None:
    """What is left of the window now; None when nothing was ever read. The figure is never more than the limit (the
    governor keeps to its own budget when it is smaller than the service's)."""
    if reading is None:
        return None
    if now - reading.read_at >= timedelta(seconds=reading.window_seconds):
        return Left(reading.limit, reading.limit, False, reading.read_at)
    return Left(max(0, min(reading.left, reading.limit)), reading.limit, True, reading.read_at)
