"""Staying inside Dataverse's service protection limits: per user, 6,000 requests in a 5-minute sliding window and 52
requests at once (and 20 minutes of combined execution time in the window, which only the server can measure).

The limits count per user and per web server; the connector calls an organisation as one user (its application user),
and cannot tell the web servers apart, so it keeps one budget per organisation and user: a little stricter than the
service, never looser.

The client paces itself through a `Governor` given to it: before each request it holds a `slot()` (one request of the
window and one of the concurrent ones), tells the slot the answer's headers (the governor believes
`x-ms-ratelimit-burst-remaining-xrm-requests` when it says less is left than its own count), and after a 429 asks the
governor to `back_off` for its Retry-After, which holds back every caller of the budget. The connections layer gives
its clients a governor whose budget every process shares (connections/dataverse_limits.py); a client without one only
reacts to 429s.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from dxconnector.dynamics.errors import RateLimited

REQUESTS_PER_WINDOW = 6000
WINDOW_SECONDS = 300.0
CONCURRENT_REQUESTS = 52
REQUESTS_LEFT_HEADER = "x-ms-ratelimit-burst-remaining-xrm-requests"


@dataclass(frozen=True)
class Limits:
    """The budget a governor keeps to: requests per window (seconds as Dataverse counts them) and requests at once."""

    requests: int = REQUESTS_PER_WINDOW
    window_seconds: float = WINDOW_SECONDS
    concurrent: int = CONCURRENT_REQUESTS


def requests_left(headers: Mapping[str, str]) -> int | None:
    """The requests left in the window that an answer's header gives, or None when it has none (or a bad one)."""
    value = headers.get(REQUESTS_LEFT_HEADER)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class Slot(Protocol):
    """A request holding its slot, told the answer's headers (believed as the slot is given back)."""

    def heard(self, headers: Mapping[str, str]) -> None: ...


class Governor(Protocol):
    """What the client consults before each request to Dataverse."""

    def slot(self) -> AbstractContextManager[Slot]:
        """Wait for room in the budget, and hold it for one request while the block runs."""
        ...

    def back_off(self, retry_after_seconds: float) -> None:
        """After a 429: nobody spending from the budget calls before `retry_after_seconds` (real seconds) have passed."""
        ...


class BudgetBusy(RateLimited):
    """The request would have had to wait longer for budget than its caller's `max_wait` (a page's): not a 429 from
    Dataverse, so nobody else is held back for it."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message, retry_after, status=0)
