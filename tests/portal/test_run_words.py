"""The words the history uses for runs and records: what started a run, how it ended, what it did."""

from __future__ import annotations

from django.test import SimpleTestCase

from dxconnector.portal import run_words
from dxconnector.sync.models import SyncAttempt, SyncRun


def status(state: str, **counts: int) -> tuple[str, str]:
    found = run_words.run_status(SyncRun(trigger="sweep", status=state, counts=counts))
    return found.words, found.badge


class RunWordsTestCase(SimpleTestCase):
    def test_a_runs_sentence_counts_invoices_in_words_with_plurals(self):
        self.assertEqual(run_words.run_sentence({"succeeded": 1}), "1 invoice sent to Xero")
        self.assertEqual(
            run_words.run_sentence({"succeeded": 3, "held_back": 1, "failed": 2, "xero_calls": 9}),
            "3 invoices sent to Xero, 1 held back, 2 failed",
        )
        self.assertEqual(run_words.run_sentence({"brought_back": 2, "skipped": 1}), "2 invoices updated from Xero, 1 not sent")

    def test_a_run_that_touched_no_record_says_nothing_needed_syncing(self):
        self.assertEqual(run_words.run_sentence({"xero_calls": 2, "dynamics_calls": 6}), "Nothing needed syncing")

    def test_a_finished_run_is_green_only_when_every_record_got_through(self):
        self.assertEqual(status("succeeded", succeeded=2), ("Finished", "ok"))
        self.assertEqual(status("succeeded", succeeded=2, held_back=1), ("Finished, 1 waiting for you", "warn"))
        self.assertEqual(status("succeeded", succeeded=2, failed=1), ("Finished with 1 problem", "bad"))
        self.assertEqual(status("succeeded", failed=3), ("Finished with 3 problems", "bad"))

    def test_runs_that_did_not_finish_say_why_not_in_words(self):
        self.assertEqual(status("failed"), ("Stopped early", "bad"))
        self.assertEqual(status("busy"), ("Not run: another sync was running", "info"))
        self.assertEqual(status("paused"), ("Not run: syncing is paused", "info"))
        self.assertEqual(status("running"), ("Running", "info"))

    def test_an_unknown_trigger_is_still_readable(self):
        self.assertEqual(run_words.trigger_words("xero_webhook"), "A change in Xero")
        self.assertEqual(run_words.trigger_words("some_new_thing"), "Some new thing")

    def test_the_raw_counters_keep_every_number_for_the_details(self):
        self.assertEqual(
            run_words.counter_rows({"xero_calls": 7, "dynamics_calls": 6}), [("dynamics calls", 6), ("xero calls", 7)]
        )

    def test_a_records_outcome_says_which_way_it_went(self):
        def words(outcome: str, direction: str = SyncAttempt.Direction.TO_XERO) -> str:
            return run_words.outcome_words(SyncAttempt(outcome=outcome, direction=direction))

        self.assertEqual(words("SUCCEEDED"), "Sent to Xero")
        self.assertEqual(words("SUCCEEDED", SyncAttempt.Direction.TO_DYNAMICS), "Updated from Xero")
        self.assertEqual(words("FAILED"), "Failed")
        self.assertEqual(words("HELD_BACK"), "Held back")
        self.assertEqual(words("SKIPPED"), "Not sent")

    def test_the_outcome_filter_offers_every_outcome_in_the_rows_words(self):
        self.assertEqual(sorted(value for value, _ in run_words.OUTCOME_CHOICES), sorted(SyncAttempt.Outcome.values))
        self.assertIn(("SKIPPED", "Not sent"), run_words.OUTCOME_CHOICES)
