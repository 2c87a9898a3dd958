"""Limits on signing in and on the forms anyone can post, as pure rules: the clock is always an argument.

Two kinds:

- **Lock-outs** (failed log-ins): per account, from any address, and per address, for any account — each its own count
  and limit. Past its limit a count locks for a delay that doubles with every further failure, up to a longest delay.
- **Throttles** (every post of the log-in, registration and password-reset forms): at most so many hits in a fixed
  window, per address and per email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


def lockout_ends(
    failures: int, last_failure: datetime | None, *, limit: int, first_delay: timedelta, longest_delay: timedelta
) -> datetime | None:
    """When a lock-out after `failures` failures, the last at `last_failure`, ends; None below the limit.

    At the limit the delay is `first_delay`; each further failure (one made after a lock-out ended) doubles it, up to
    `longest_delay`. A lock-out therefore always ends: whoever keeps failing only keeps it going, never makes it last."""
    if failures < limit or last_failure is None:
        return None
    doublings = min(failures - limit, 32)  # 2**32 times any delay is past every sensible longest delay
    return last_failure + min(first_delay * (1 << doublings), longest_delay)


def locked(
    failures: int, last_failure: datetime | None, now: datetime, *, limit: int, first_delay: timedelta, longest_delay: timedelta
) -> bool:
    ends = lockout_ends(failures, last_failure, limit=limit, first_delay=first_delay, longest_delay=longest_delay)
    return ends is not None and now < ends


@dataclass(frozen=True)
class Window:
    """A throttle's count after one more hit: the window it is in, the hits in it, and whether this hit is allowed."""

    started_at: datetime
    hits: int
    allowed: bool


def hit(started_at: datetime | None, hits: int, now: datetime, *, limit: int, length: timedelta) -> Window:
    """One more hit on a throttle whose current window started at `started_at` with `hits` hits: a window over (or none
    yet) starts again at `now`. A refused hit is not counted, so the window ends on time however hard it is pushed."""
    if started_at is None or now >= started_at + length or now < started_at:
        started_at, hits = now, 0
    if hits >= limit:
        return Window(started_at, hits, allowed=False)
    return Window(started_at, hits + 1, allowed=True)


def retry_after(started_at: datetime, now: datetime, length: timedelta) -> timedelta:
    """How long until a full throttle's window ends."""
    return max(started_at + length - now, timedelta(0))
