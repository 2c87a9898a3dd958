"""How long to wait before trying a failed call again, shared by the Xero and Dataverse clients.

Capped exponential backoff with jitter: attempt 1 waits about `base`, each further attempt twice as long,
never more than `cap`, each wait multiplied by a random factor in [0.5, 1.5) so that many workers failed
by the same outage do not all come back at the same instant.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

BASE_SECONDS = 0.25
CAP_SECONDS = 8.0


def backoff_delay(
    attempt: int, *, base: float = BASE_SECONDS, cap: float = CAP_SECONDS, rng: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after failed attempt number `attempt` (1 for the first)."""
    return min(cap, base * 2 ** (max(1, attempt) - 1)) * (0.5 + rng())


def retry_after(headers: Mapping[str, str], default: float | None = None) -> float | None:
    """The `Retry-After` header in seconds (a number of seconds; an HTTP date is not used by these services),
    or `default` when it is missing or unreadable."""
    value = headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        seconds = None
    if seconds is None or seconds != seconds or seconds < 0:  # missing, unreadable, NaN, negative
        return default
    return seconds
