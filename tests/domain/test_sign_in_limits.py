from datetime import UTC, datetime, timedelta

import pytest

from dxconnector.domain.sign_in_limits import hit, locked, lockout_ends, retry_after

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DELAYS = {"first_delay": timedelta(minutes=15), "longest_delay": timedelta(hours=24)}


@pytest.mark.parametrize(
    ("failures", "delay"),
    [
        (9, None),
        (10, timedelta(minutes=15)),
        (11, timedelta(minutes=30)),
        (12, timedelta(hours=1)),
        (16, timedelta(hours=16)),
        (17, timedelta(hours=24)),  # 32 hours, held to the longest
        (10_000, timedelta(hours=24)),
    ],
)
def test_a_lockout_doubles_with_each_further_failure_up_to_the_longest_delay(failures, delay):
    ends = lockout_ends(failures, NOW, limit=10, **DELAYS)
    assert ends == (None if delay is None else NOW + delay)


def test_a_lockout_always_ends():
    assert locked(10_000, NOW, NOW + timedelta(hours=23, minutes=59), limit=10, **DELAYS)
    assert not locked(10_000, NOW, NOW + timedelta(hours=24), limit=10, **DELAYS)


def test_a_throttle_counts_hits_in_its_window_and_refuses_past_the_limit_without_counting():
    hour = timedelta(hours=1)
    window = hit(None, 0, NOW, limit=2, length=hour)
    assert (window.started_at, window.hits, window.allowed) == (NOW, 1, True)
    window = hit(window.started_at, window.hits, NOW + timedelta(minutes=1), limit=2, length=hour)
    assert (window.hits, window.allowed) == (2, True)
    refused = hit(window.started_at, window.hits, NOW + timedelta(minutes=2), limit=2, length=hour)
    assert (refused.hits, refused.allowed) == (2, False)
    assert retry_after(refused.started_at, NOW + timedelta(minutes=2), hour) == timedelta(minutes=58)
    again = hit(refused.started_at, refused.hits, NOW + hour, limit=2, length=hour)
    assert (again.started_at, again.hits, again.allowed) == (NOW + hour, 1, True)


def test_a_window_from_the_future_a_clock_set_back_starts_again():
    window = hit(NOW + timedelta(days=1), 5, NOW, limit=2, length=timedelta(hours=1))
    assert (window.started_at, window.hits, window.allowed) == (NOW, 1, True)
