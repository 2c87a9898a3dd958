from datetime import UTC, datetime

import pytest

from dxconnector.domain.health import (
    ATTENTION_ORDER,
    WORDS,
    Cause,
    RunOutcome,
    State,
    connection_state,
    failed_in_a_row,
)
from dxconnector.domain.trial import TrialState

OK, FAILED = RunOutcome.SUCCEEDED, RunOutcome.FAILED
SINCE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def state(**signals):
    return connection_state(**{"setup_complete": True, "trial": TrialState.RUNNING, **signals})


def test_a_connection_not_yet_created_is_in_setup_whatever_else_is_known():
    found = state(setup_complete=False, trial=TrialState.ENDED, recent_runs=[FAILED], attention=[Cause.XERO_CONSENT])
    assert found.state is State.SETUP
    assert found.label == "Setup incomplete"
    assert found.advice == ("Finish the steps on the connection page, then click Create Connection.",)


def test_a_created_connection_with_no_runs_yet_and_nothing_in_the_way_is_healthy():
    found = state()
    assert (found.state, found.label, found.advice) == (State.HEALTHY, "Healthy", ())


def test_a_connection_whose_last_run_went_through_is_healthy_even_if_earlier_ones_failed():
    assert state(recent_runs=[OK, FAILED, FAILED], latest_failure=Cause.XERO_UNAVAILABLE).state is State.HEALTHY


def test_a_run_under_way_makes_a_healthy_connection_syncing():
    found = state(running=True, recent_runs=[OK])
    assert (found.state, found.label, found.advice) == (State.SYNCING, "Syncing", ("A sync is running now.",))


def test_runs_failing_for_a_passing_reason_make_it_degraded_with_the_latest_reason_and_how_many_in_a_row():
    found = state(recent_runs=[FAILED, FAILED, FAILED, OK], latest_failure=Cause.DYNAMICS_UNAVAILABLE)
    assert found.state is State.DEGRADED
    assert found.label == "Degraded"
    assert found.failed_runs == 3
    assert found.causes == (Cause.DYNAMICS_UNAVAILABLE,)
    assert found.advice == (f"The last 3 syncs stopped early. {WORDS[Cause.DYNAMICS_UNAVAILABLE]}",)


def test_one_failed_run_is_told_as_the_last_sync():
    found = state(recent_runs=[FAILED], latest_failure=Cause.XERO_LIMIT)
    assert found.advice == (f"The last sync stopped early. {WORDS[Cause.XERO_LIMIT]}",)


def test_a_failure_whose_reason_was_not_kept_is_told_without_one():
    found = state(recent_runs=[FAILED], latest_failure=None)
    assert (found.state, found.causes) == (State.DEGRADED, ())
    assert found.advice == (
        "The last sync stopped early. The connector tries again at its next sync; nothing is lost meanwhile.",
    )


def test_degraded_outranks_a_run_under_way_and_says_one_is():
    found = state(running=True, recent_runs=[FAILED], latest_failure=Cause.XERO_UNAVAILABLE)
    assert found.state is State.DEGRADED
    assert found.advice[1:] == ("A sync is running now.",)


@pytest.mark.parametrize(
    "cause",
    [
        Cause.XERO_CONSENT,
        Cause.XERO_DISCONNECTED,
        Cause.DYNAMICS_SIGN_IN,
        Cause.SOLUTION_REMOVED,
        Cause.PRIVILEGE_LOST,
        Cause.NOT_CONNECTED,
        Cause.ROWS_MISSING,
    ],
)
def test_what_the_engine_found_the_admin_must_fix_makes_it_need_attention_with_what_to_do(cause):
    found = state(recent_runs=[FAILED], latest_failure=cause, attention=[cause], attention_since=SINCE)
    assert found.state is State.NEEDS_ATTENTION
    assert found.needs_attention
    assert found.label == "Needs attention"
    assert (found.causes, found.advice, found.since) == ((cause,), (WORDS[cause],), SINCE)


def test_the_words_for_a_refused_xero_sign_in_are_plain():
    assert WORDS[Cause.XERO_CONSENT] == "Xero no longer accepts this connection's sign-in: connect to Xero again."


def test_an_ended_trial_needs_attention_though_nothing_failed():
    found = state(trial=TrialState.ENDED, recent_runs=[OK])
    assert (found.state, found.causes) == (State.NEEDS_ATTENTION, (Cause.TRIAL_ENDED,))
    assert found.advice == ("The free trial has ended, so syncing is paused: subscribe to carry on (nothing is lost meanwhile).",)


def test_a_trial_not_started_needs_attention_and_a_subscription_does_not():
    assert state(trial=TrialState.NOT_STARTED).causes == (Cause.TRIAL_NOT_STARTED,)
    assert state(trial=TrialState.SUBSCRIBED).state is State.HEALTHY


def test_needing_attention_outranks_failing_runs_and_a_run_under_way():
    found = state(running=True, recent_runs=[FAILED, FAILED], latest_failure=Cause.XERO_CONSENT, attention=[Cause.XERO_CONSENT])
    assert (found.state, found.failed_runs) == (State.NEEDS_ATTENTION, 2)


def test_several_causes_come_most_pressing_first_each_with_its_words():
    found = state(trial=TrialState.ENDED, attention=[Cause.PRIVILEGE_LOST, Cause.NOT_CONNECTED])
    assert found.causes == (Cause.NOT_CONNECTED, Cause.PRIVILEGE_LOST, Cause.TRIAL_ENDED)
    assert found.advice == tuple(WORDS[cause] for cause in found.causes)


def test_a_passing_cause_given_as_attention_is_not_taken_for_one():
    assert state(attention=[Cause.XERO_UNAVAILABLE]).state is State.HEALTHY


def test_every_cause_has_words_and_only_the_ones_in_the_order_need_attention():
    assert set(WORDS) == set(Cause)
    assert {cause for cause in Cause if cause.needs_attention} == set(ATTENTION_ORDER)
    assert all(WORDS[cause].endswith(".") for cause in Cause)


@pytest.mark.parametrize(
    ("runs", "expected"),
    [([], 0), ([OK], 0), ([FAILED], 1), ([FAILED, FAILED, OK, FAILED], 2), ([OK, FAILED], 0)],
)
def test_failed_in_a_row_counts_the_newest_failures_before_a_success(runs, expected):
    assert failed_in_a_row(runs) == expected


def test_a_connection_its_owner_paused_says_so_whatever_its_runs_say():
    for signals in ({}, {"recent_runs": [FAILED], "latest_failure": Cause.XERO_UNAVAILABLE}, {"running": True}):
        found = state(paused=True, **signals)
        assert (found.state, found.label) == (State.PAUSED, "Paused by you")
        assert found.advice[0].startswith("Syncing is paused: nothing goes between Dynamics and Xero until you resume.")


def test_a_paused_connection_still_tells_what_needs_attention_for_when_it_resumes():
    found = state(paused=True, attention=[Cause.XERO_CONSENT], attention_since=SINCE)
    assert found.state is State.PAUSED
    assert found.advice[1:] == (Cause.XERO_CONSENT.words,)
    assert (found.causes, found.since) == ((Cause.XERO_CONSENT,), SINCE)


def test_a_connection_not_yet_created_is_in_setup_even_when_paused():
    assert state(setup_complete=False, paused=True).state is State.SETUP
