from datetime import UTC, datetime, timedelta

from dxconnector.domain.budget import Left, Reading, left_now

READ = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_nothing_read_is_nothing_known():
    assert left_now(None, READ) is None


def test_within_its_window_a_reading_is_what_is_left():
    assert left_now(Reading(41, 60, 60.0, READ), READ + timedelta(seconds=59)) == Left(41, 60, True, READ)


def test_once_its_window_has_passed_the_budget_is_full():
    assert left_now(Reading(0, 60, 60.0, READ), READ + timedelta(seconds=60)) == Left(60, 60, False, READ)


def test_what_is_left_is_never_more_than_the_budget_kept_to():
    assert left_now(Reading(59, 50, 60.0, READ), READ) == Left(50, 50, True, READ)
