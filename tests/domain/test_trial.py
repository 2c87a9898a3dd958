from datetime import UTC, datetime, timedelta

import pytest

from dxconnector.domain.trial import (
    TrialState,
    days_left,
    may_sync,
    trial_available,
    trial_end,
    trial_for_new_connection,
    trial_state,
)

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
END = trial_end(START, 30)


def test_the_trial_ends_the_given_number_of_days_after_it_starts():
    assert datetime(2026, 1, 31, 9, 0, tzinfo=UTC) == END


@pytest.mark.parametrize(
    ("started", "ends", "subscribed", "now", "expected"),
    [
        (None, None, False, START, TrialState.NOT_STARTED),
        (START, END, False, START, TrialState.RUNNING),
        (START, END, False, END - timedelta(seconds=1), TrialState.RUNNING),
        (START, END, False, END, TrialState.ENDED),
        (START, END, False, END + timedelta(days=400), TrialState.ENDED),
        (START, END, True, END + timedelta(days=1), TrialState.SUBSCRIBED),
        (None, None, True, START, TrialState.SUBSCRIBED),
    ],
)
def test_trial_state(started, ends, subscribed, now, expected):
    assert trial_state(started, ends, subscribed, now) is expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (START, 30),
        (START + timedelta(hours=1), 30),
        (END - timedelta(days=1), 1),
        (END - timedelta(seconds=1), 1),
        (END, 0),
        (END + timedelta(days=3), 0),
    ],
)
def test_days_left_counts_a_started_day_as_a_day(now, expected):
    assert days_left(END, now) == expected


def test_days_left_is_zero_before_the_trial_starts():
    assert days_left(None, START) == 0


@pytest.mark.parametrize(
    ("state", "expected"),
    [(TrialState.NOT_STARTED, False), (TrialState.RUNNING, True), (TrialState.ENDED, False), (TrialState.SUBSCRIBED, True)],
)
def test_syncing_pauses_when_the_trial_is_over(state, expected):
    assert may_sync(state) is expected


@pytest.mark.parametrize(
    ("uses", "expected"),
    [
        ([], True),  # no organisation known yet: nothing to count against
        ([(0, 1), (0, 1)], True),
        ([(1, 1), (0, 1)], False),  # the Xero organisation had its trial, the Dynamics one not
        ([(0, 1), (1, 1)], False),
        ([(1, 2), (1, 2)], True),  # the operator allowed one more on both
        ([(1, 2), (1, 1)], False),
    ],
)
def test_a_trial_is_used_once_per_organisation_unless_more_are_allowed(uses, expected):
    assert trial_available(uses) is expected


def test_organisations_that_never_had_a_trial_get_a_new_one():
    assert trial_for_new_connection([(0, 1, None), (0, 1, None)], START, 30) == END


def test_a_connection_to_an_organisation_on_trial_joins_it_and_ends_with_it():
    running_until = START + timedelta(days=10)
    assert trial_for_new_connection([(1, 1, running_until), (0, 1, None)], START, 30) == running_until


def test_of_two_running_trials_the_earlier_end_is_the_joined_trials_end():
    early, late = START + timedelta(days=3), START + timedelta(days=20)
    assert trial_for_new_connection([(1, 1, late), (1, 1, early)], START, 30) == early


def test_an_organisation_whose_trial_ended_gives_no_trial_to_a_new_connection():
    assert trial_for_new_connection([(1, 1, START), (0, 1, None)], START, 30) is None
    assert trial_for_new_connection([(1, 1, START + timedelta(days=5)), (1, 1, START - timedelta(days=1))], START, 30) is None


def test_an_operators_grant_gives_a_new_trial_of_full_length():
    assert trial_for_new_connection([(1, 2, START - timedelta(days=1)), (1, 2, None)], START, 30) == END
