from datetime import UTC, datetime, timedelta
from unittest import mock

from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import DynamicsConnection
from dxconnector.sync.models import Link, RequestedRecord, SyncAttempt, SyncRun
from tests.base import BaseTestCase

INVOICE = "6f1c2a9e-0000-4000-8000-000000000001"
OTHER_INVOICE = "7a2d3b0f-0000-4000-8000-000000000002"
XERO_ID = "c0ffee00-1111-4222-8333-444455556666"


class HistoryTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.connection.status = "created"
        self.connection.save(update_fields=["status"])
        self.connection.start_trial()
        self.run = SyncRun.objects.create(
            connection=self.connection,
            trigger="sweep",
            status=SyncRun.Status.SUCCEEDED,
            started_at=timezone.now() - timedelta(seconds=4),
            finished_at=timezone.now(),
            counts={"succeeded": 1, "held_back": 1, "xero_calls": 7},
        )

    def url(self, query=""):
        return f"/connections/{self.connection.pk}/history/{query}"

    def retry_url(self):
        return f"/connections/{self.connection.pk}/history/retry/"

    def attempt(self, dynamics_id=INVOICE, outcome="SUCCEEDED", when=None, **fields):
        return SyncAttempt.objects.create(
            connection=self.connection,
            run=self.run,
            record_kind=fields.pop("record_kind", "invoice"),
            dynamics_id=dynamics_id,
            outcome=outcome,
            attempted_at=when or timezone.now(),
            **fields,
        )

    def rows(self, response):
        return [row["attempt"] for row in response.context["rows"]]

    def test_it_lists_attempts_newest_first(self):
        older = self.attempt(when=timezone.now() - timedelta(hours=2))
        newer = self.attempt(
            OTHER_INVOICE, "HELD_BACK", reason="Date Delivered is empty; it becomes the Xero invoice date: fill it in."
        )
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.rows(response), [newer, older])
        self.assertContains(response, "Date Delivered is empty")
        self.assertContains(response, "Held back")

    def test_it_shows_the_last_runs_in_words_with_their_duration(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, '<td data-label="Started by" class="trigger">Scheduled check</td>', html=True)
        self.assertContains(response, "1 invoice sent to Xero, 1 held back.")
        self.assertContains(response, "Finished, 1 waiting for you")
        self.assertContains(response, "4.0 s")
        self.assertNotContains(response, "sweep")

    def test_a_runs_counters_are_only_behind_its_details_toggle(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        details = response.content.decode().split('<details class="counts">')[1].split("</details>")[0]
        self.assertIn("<summary>Details</summary>", details)
        self.assertIn("xero calls: 7", details)
        self.assertEqual(response.content.decode().count("xero calls"), 1)

    def test_a_run_with_a_failed_record_is_not_shown_as_a_success(self):
        SyncRun.objects.filter(pk=self.run.pk).update(counts={"succeeded": 3, "failed": 2})
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, '<span class="badge bad">Finished with 2 problems</span>', html=True)
        self.assertContains(response, "3 invoices sent to Xero, 2 failed.")
        runs = response.content.decode().split('id="runs-title"')[1].split("</section>")[0]
        self.assertNotIn("Succeeded", runs)
        self.assertNotIn("Completed", runs)

    def test_a_run_that_did_nothing_says_so(self):
        SyncRun.objects.filter(pk=self.run.pk).update(counts={"xero_calls": 1})
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, '<span class="badge ok">Finished</span>', html=True)
        self.assertContains(response, "Nothing needed syncing.")

    def test_each_trigger_is_named_in_words(self):
        expected = {
            "created": "First sync",
            "sync_now": "Sync now",
            "retry": "Retry",
            "webhook": "A change in Dynamics",
            "xero_webhook": "A change in Xero",
            "cli": "Started from the command line",
            "resumed": "Syncing resumed",
        }
        for trigger in expected:
            SyncRun.objects.create(connection=self.connection, trigger=trigger, status=SyncRun.Status.SUCCEEDED)
        with mock.patch("dxconnector.portal.history_views.RUNS_SHOWN", 10):
            self.client.force_login(self.alice)
            response = self.client.get(self.url())
        shown = [row.trigger for row in response.context["runs"]]
        self.assertEqual(sorted(shown), sorted([*expected.values(), "Scheduled check"]))
        self.assertNotContains(response, "xero_webhook")

    def test_it_says_so_when_nothing_was_synced_yet(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url()), "Nothing has been synced yet")

    def test_it_filters_by_outcome(self):
        self.attempt()
        failed = self.attempt(OTHER_INVOICE, "FAILED", reason="Xero refused the invoice.")
        self.client.force_login(self.alice)
        self.assertEqual(self.rows(self.client.get(self.url("?outcome=FAILED"))), [failed])

    def test_it_filters_by_a_dynamics_id_or_its_start(self):
        wanted = self.attempt()
        self.attempt(OTHER_INVOICE)
        self.client.force_login(self.alice)
        self.assertEqual(self.rows(self.client.get(self.url(f"?record={INVOICE}"))), [wanted])
        self.assertEqual(self.rows(self.client.get(self.url("?record=6F1C"))), [wanted])

    def test_it_filters_by_a_xero_id(self):
        wanted = self.attempt(xero_id=XERO_ID)
        self.attempt(OTHER_INVOICE)
        self.client.force_login(self.alice)
        self.assertEqual(self.rows(self.client.get(self.url("?record=c0ffee00"))), [wanted])

    def test_it_filters_by_date_range_in_the_connections_time_zone(self):
        # 23:30 UTC on 30 June is already 1 July in London (BST).
        self.attempt(when=datetime(2026, 6, 29, 12, tzinfo=UTC))
        late = self.attempt(OTHER_INVOICE, when=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
        self.client.force_login(self.alice)
        self.assertEqual(self.rows(self.client.get(self.url("?date_from=2026-07-01&date_to=2026-07-01"))), [late])
        self.assertEqual(len(self.rows(self.client.get(self.url("?date_to=2026-06-30")))), 1)

    def test_a_backwards_date_range_is_explained(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url("?date_from=2026-07-02&date_to=2026-07-01"))
        self.assertContains(response, "The end date is before the start date.")

    def test_an_end_date_of_9999_12_31_is_a_form_error_not_a_500(self):
        kept = self.attempt()
        self.client.force_login(self.alice)
        response = self.client.get(self.url("?date_to=9999-12-31"))
        self.assertContains(response, "Enter a date between 1 January 2000 and 31 December 2999.")
        self.assertEqual(self.rows(response), [kept])

    def test_a_start_date_of_year_one_in_a_zone_ahead_of_utc_is_a_form_error_not_a_500(self):
        self.connection.time_zone = "Pacific/Auckland"
        self.connection.save(update_fields=["time_zone"])
        self.client.force_login(self.alice)
        response = self.client.get(self.url("?date_from=0001-01-01"))
        self.assertContains(response, "Enter a date between 1 January 2000 and 31 December 2999.")

    def test_absurd_filter_values_answer_the_page_with_the_filters_explained(self):
        self.attempt()
        self.client.force_login(self.alice)
        for query, explained in [
            ("?date_from=99999-01-01", "Enter a valid date."),
            ("?date_to=2026-02-30", "Enter a valid date."),
            ("?record=%00abc", "Null characters are not allowed."),
            ("?record=" + "9" * 65, "Ensure this value has at most 64 characters"),
            ("?outcome=DROPPED%00", "Select a valid choice."),
            ("?page=99999999999999999999999", ""),
            ("?page=-1%00", ""),
        ]:
            with self.subTest(query):
                self.assertContains(self.client.get(self.url(query)), explained)

    def test_it_pages_fifty_at_a_time_and_keeps_the_filters(self):
        start = timezone.now()
        for n in range(55):
            self.attempt(f"{n:08d}-0000-4000-8000-000000000000", "FAILED", when=start - timedelta(minutes=n))
        self.client.force_login(self.alice)
        first = self.client.get(self.url("?outcome=FAILED"))
        self.assertEqual(len(first.context["rows"]), 50)
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, "?outcome=FAILED&amp;page=2")
        second = self.client.get(self.url("?outcome=FAILED&page=2"))
        self.assertEqual([a.dynamics_id[:8] for a in self.rows(second)], [f"{n:08d}" for n in range(50, 55)])

    def test_it_links_the_invoice_in_dynamics_when_the_organisation_is_known(self):
        DynamicsConnection.objects.create(connection=self.connection, org_url="https://oakwood.crm6.dynamics.com")
        self.attempt()
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(
            response, f"https://oakwood.crm6.dynamics.com/main.aspx?etn=invoice&amp;pagetype=entityrecord&amp;id={INVOICE}"
        )

    def test_a_row_names_the_invoice_by_its_numbers_in_dynamics_and_xero(self):
        self.attempt(xero_id=XERO_ID, dynamics_number="INV-01001-A1B2C3", xero_number="INV-0042")
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, '<strong class="number">INV-01001-A1B2C3</strong>', html=True)
        self.assertContains(response, '<strong class="number">INV-0042</strong>', html=True)
        self.assertContains(response, f'title="Dynamics id {INVOICE}"')
        self.assertNotContains(response, f"<code>{INVOICE}</code>")

    def test_a_row_without_a_number_shows_the_id(self):
        self.attempt()
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.url()), f"<code>{INVOICE}</code>")

    @override_settings(XERO_APP_URL="http://127.0.0.1:9403")
    def test_it_links_the_invoice_in_xeros_app_by_the_type_it_went_as(self):
        bill = "c0ffee00-1111-4222-8333-000000000002"
        Link.objects.create(
            connection=self.connection, kind="invoice", dynamics_id=OTHER_INVOICE, xero_id=bill, sent_type="ACCPAY"
        )
        self.attempt(xero_id=XERO_ID, xero_number="INV-0042")
        self.attempt(OTHER_INVOICE, xero_id=bill)
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, f'href="http://127.0.0.1:9403/AccountsReceivable/View.aspx?InvoiceID={XERO_ID}"')
        self.assertContains(response, f'href="http://127.0.0.1:9403/AccountsPayable/View.aspx?InvoiceID={bill}"')

    def test_the_record_filter_finds_an_invoice_by_its_number(self):
        wanted = self.attempt(dynamics_number="INV-01001-A1B2C3", xero_number="INV-0042")
        self.attempt(OTHER_INVOICE, dynamics_number="INV-01002-D4E5F6")
        self.client.force_login(self.alice)
        self.assertEqual(self.rows(self.client.get(self.url("?record=inv-01001-a1b2c3"))), [wanted])
        self.assertEqual(self.rows(self.client.get(self.url("?record=INV-0042"))), [wanted])

    def test_a_run_that_stopped_says_why_in_the_causes_words(self):
        SyncRun.objects.create(
            connection=self.connection,
            trigger="sweep",
            status=SyncRun.Status.FAILED,
            error="XeroUnavailable",
            cause="xero_unavailable",
        )
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, "Xero could not be reached, or had trouble of its own. The connector tries again")
        self.assertNotContains(response, "XeroUnavailable")

    @override_settings(DYNAMICS_RECORD_URL="http://127.0.0.1:9413/orgs/{org}/{table}s/{id}")
    def test_it_links_the_invoice_where_the_operator_says_people_open_dynamics(self):
        DynamicsConnection.objects.create(connection=self.connection, org_url="https://127.0.0.1:9410", org_unique_name="oakwood")
        self.attempt()
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, f'href="http://127.0.0.1:9413/orgs/oakwood/invoices/{INVOICE}"')
        self.assertNotContains(response, "https://127.0.0.1:9410")

    def test_without_an_organisation_the_record_is_not_a_link(self):
        self.attempt()
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.url()), "main.aspx")

    def test_failed_invoices_and_customers_have_a_retry_button(self):
        self.attempt(INVOICE, "FAILED")
        self.attempt(OTHER_INVOICE, "SUCCEEDED")
        self.attempt("contact-1", "FAILED", record_kind="contact")
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertEqual([row["retryable"] for row in response.context["rows"]], [True, False, True])
        self.assertContains(response, ">Retry</button>", count=2)

    def test_retry_of_a_customer_asks_the_next_run_for_its_edit(self):
        self.connect_both_sides()
        self.attempt("account-1", "FAILED", record_kind="account")
        self.client.force_login(self.alice)
        response = self.client.post(self.retry_url(), {"dynamics_id": "account-1"}, follow=True)
        self.assertMessage(response, "Account account-1 will be synced again in a moment")
        self.assertEqual(
            list(RequestedRecord.objects.filter(connection=self.connection).values_list("record_kind", "dynamics_id")),
            [("contact", "account-1")],
        )

    def test_an_invoice_a_setting_kept_from_xero_has_a_retry_button(self):
        self.attempt(INVOICE, "SKIPPED", reason_code="before_sync_from", reason="Delivered before the date to sync from.")
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertEqual([row["retryable"] for row in response.context["rows"]], [True])

    def test_an_invoice_with_nothing_left_to_do_has_no_retry_button(self):
        self.attempt(INVOICE, "SKIPPED", reason_code="deleted_in_dynamics", reason="Deleted in Dynamics; voided in Xero.")
        self.client.force_login(self.alice)
        self.assertEqual([row["retryable"] for row in self.client.get(self.url()).context["rows"]], [False])

    def test_only_an_invoices_latest_attempt_offers_a_retry(self):
        self.attempt(INVOICE, "FAILED", when=timezone.now() - timedelta(hours=2))
        self.attempt(INVOICE, "SUCCEEDED", when=timezone.now() - timedelta(hours=1))
        self.attempt(OTHER_INVOICE, "FAILED", when=timezone.now() - timedelta(hours=2))
        self.attempt(OTHER_INVOICE, "HELD_BACK", when=timezone.now() - timedelta(hours=1))
        self.client.force_login(self.alice)
        rows = self.client.get(self.url()).context["rows"]
        retryable = {(row["attempt"].dynamics_id, row["attempt"].outcome) for row in rows if row["retryable"]}
        self.assertEqual(retryable, {(OTHER_INVOICE, "HELD_BACK")})

    def test_outcomes_say_which_way_the_record_went(self):
        self.attempt(INVOICE, "SUCCEEDED", when=timezone.now() - timedelta(minutes=3))
        self.attempt(INVOICE, "SUCCEEDED", direction="XERO_TO_D365", when=timezone.now() - timedelta(minutes=2))
        self.attempt(OTHER_INVOICE, "SKIPPED", reason_code="before_sync_from", when=timezone.now() - timedelta(minutes=1))
        self.attempt(OTHER_INVOICE, "HELD_BACK", reason="Date Delivered is empty.")
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertEqual(
            [row["outcome"] for row in response.context["rows"]], ["Held back", "Not sent", "Updated from Xero", "Sent to Xero"]
        )
        self.assertContains(response, '<span class="badge warn">Held back</span>', html=True)
        self.assertNotContains(response, "Xero to d365")

    def test_the_invoices_waiting_are_grouped_by_reason_with_a_retry_for_each_group(self):
        date = "Delivered before 1 Jan 2026, the date this connection syncs from: change the date to send it."
        self.attempt(INVOICE, "SKIPPED", reason_code="before_sync_from", reason=date)
        self.attempt(OTHER_INVOICE, "SKIPPED", reason_code="before_sync_from", reason=date)
        self.attempt("8b3e4c1a-0000-4000-8000-000000000003", "HELD_BACK", reason_code="no_date_delivered", reason="No date.")
        self.attempt("9c4f5d2b-0000-4000-8000-000000000004", "SUCCEEDED")
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        groups = [(group.words, group.reason_code) for group in response.context["waiting"]]
        self.assertEqual(response.context["waiting"][0].example, date)
        self.assertEqual(groups, [("2 invoices not sent", "before_sync_from"), ("1 invoice held back", "no_date_delivered")])
        self.assertContains(response, "Retry all 2</button>")
        self.assertContains(response, "Retry it</button>")

    def test_an_invoice_that_went_through_later_is_not_waiting(self):
        self.attempt(INVOICE, "FAILED", when=timezone.now() - timedelta(hours=1))
        self.attempt(INVOICE, "SUCCEEDED")
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertEqual(response.context["waiting"], [])
        self.assertNotContains(response, "Waiting for you")

    def test_no_column_header_is_empty(self):
        self.attempt(INVOICE, "FAILED")
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.url()), "<th></th>")

    def test_it_hides_another_users_connection(self):
        self.attempt()
        self.client.force_login(self.charlie)
        self.assertNotFound(self.client.get(self.url()))

    def test_it_asks_to_log_in(self):
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])

    def test_the_connection_page_links_the_history_once_created(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(f"/connections/{self.connection.pk}/"), 'id="history-link"')
        self.connection.status = "draft"
        self.connection.save(update_fields=["status"])
        self.assertNotContains(self.client.get(f"/connections/{self.connection.pk}/"), 'id="history-link"')

    # --- retry -----------------------------------------------------------------------------------------------
    def test_retry_queues_the_invoice_again(self):
        self.connect_both_sides()
        self.attempt(INVOICE, "HELD_BACK")
        self.client.force_login(self.alice)
        with mock.patch("dxconnector.sync.api.retry_records", return_value=True) as retry:
            response = self.client.post(self.retry_url(), {"dynamics_id": INVOICE, "query": "outcome=HELD_BACK&page=1"})
        retry.assert_called_once_with(self.connection.pk, "invoice", [INVOICE])
        self.assertRedirects(response, self.url("?outcome=HELD_BACK&page=1"), fetch_redirect_response=False)
        self.assertMessage(
            self.client.get(response["Location"]), f"Invoice {INVOICE} will be synced again in a moment: refresh this page"
        )

    def test_retry_records_the_invoice_and_queues_a_sync(self):
        self.connect_both_sides()
        self.attempt(INVOICE, "FAILED")
        self.client.force_login(self.alice)
        self.client.post(self.retry_url(), {"dynamics_id": INVOICE})
        self.assertTrue(
            RequestedRecord.objects.filter(connection=self.connection, record_kind="invoice", dynamics_id=INVOICE).exists()
        )
        queued = DBTaskResult.objects.filter(task_path="dxconnector.sync.tasks.sync_connection")
        self.assertEqual([job.args_kwargs["args"] for job in queued], [[str(self.connection.pk), "retry"]])

    def test_retry_of_a_group_queues_every_invoice_waiting_for_that_reason(self):
        self.connect_both_sides()
        self.attempt(INVOICE, "SKIPPED", reason_code="before_sync_from", reason="Before the date.")
        self.attempt(OTHER_INVOICE, "SKIPPED", reason_code="before_sync_from", reason="Before the date.")
        held = "8b3e4c1a-0000-4000-8000-000000000003"
        self.attempt(held, "HELD_BACK", reason_code="no_date_delivered")
        self.client.force_login(self.alice)
        response = self.client.post(self.retry_url(), {"outcome": "SKIPPED", "reason_code": "before_sync_from"}, follow=True)
        requested = RequestedRecord.objects.filter(connection=self.connection).values_list("dynamics_id", flat=True)
        self.assertEqual(sorted(requested), sorted([INVOICE, OTHER_INVOICE]))
        self.assertMessage(response, "2 invoices will be synced again in a moment")
        queued = DBTaskResult.objects.filter(task_path="dxconnector.sync.tasks.sync_connection")
        self.assertEqual([job.args_kwargs["args"] for job in queued], [[str(self.connection.pk), "retry"]])

    def test_retry_of_a_group_nobody_is_waiting_in_any_more_retries_nothing_and_says_so(self):
        self.connect_both_sides()
        self.attempt(INVOICE, "SKIPPED", reason_code="before_sync_from", when=timezone.now() - timedelta(hours=1))
        self.attempt(INVOICE, "SUCCEEDED")
        self.client.force_login(self.alice)
        response = self.client.post(self.retry_url(), {"outcome": "SKIPPED", "reason_code": "before_sync_from"}, follow=True)
        self.assertMessage(response, "No invoice is waiting for this reason any more: nothing was retried.")
        self.assertFalse(RequestedRecord.objects.exists())

    def test_retry_of_a_group_with_a_nul_character_retries_nothing_rather_than_a_500(self):
        self.connect_both_sides()
        self.attempt(INVOICE, "SKIPPED", reason_code="before_sync_from")
        self.client.force_login(self.alice)
        response = self.client.post(self.retry_url(), {"outcome": "SKIPPED", "reason_code": "before_sync_from\x00"}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(RequestedRecord.objects.exists())

    def test_an_invoice_tried_twice_without_success_counts_once_in_its_group(self):
        self.attempt(INVOICE, "HELD_BACK", reason_code="no_lines", when=timezone.now() - timedelta(hours=1))
        self.attempt(INVOICE, "HELD_BACK", reason_code="no_lines")
        self.client.force_login(self.alice)
        [group] = self.client.get(self.url()).context["waiting"]
        self.assertEqual((group.words, group.count), ("1 invoice held back", 1))

    def test_retry_names_the_invoice_by_its_number(self):
        self.connect_both_sides()
        self.attempt(INVOICE, "FAILED", dynamics_number="INV-01001-A1B2C3")
        self.client.force_login(self.alice)
        response = self.client.post(self.retry_url(), {"dynamics_id": INVOICE}, follow=True)
        self.assertMessage(response, "Invoice INV-01001-A1B2C3 will be synced again in a moment")

    def test_retry_from_a_page_shown_before_the_invoice_went_through_retries_nothing(self):
        self.connect_both_sides()
        self.attempt(INVOICE, "FAILED", when=timezone.now() - timedelta(hours=1))
        self.attempt(INVOICE, "SUCCEEDED")
        self.client.force_login(self.alice)
        response = self.client.post(self.retry_url(), {"dynamics_id": INVOICE, "query": "outcome=FAILED"})
        self.assertRedirects(response, self.url("?outcome=FAILED"), fetch_redirect_response=False)
        self.assertFalse(RequestedRecord.objects.exists())

    def test_retry_takes_post_only(self):
        self.attempt(INVOICE, "FAILED")
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.retry_url(), {"dynamics_id": INVOICE}).status_code, 405)

    def test_retry_needs_the_csrf_token(self):
        self.attempt(INVOICE, "FAILED")
        self.client.force_login(self.alice)
        self.client.handler.enforce_csrf_checks = True
        self.assertEqual(self.client.post(self.retry_url(), {"dynamics_id": INVOICE}).status_code, 403)

    def test_retry_of_an_invoice_that_did_not_fail_says_there_is_nothing_to_retry(self):
        self.attempt(INVOICE, "SUCCEEDED", dynamics_number="INV-01001-A1B2C3")
        self.client.force_login(self.alice)
        with mock.patch("dxconnector.sync.api.retry_records") as retry:
            response = self.client.post(self.retry_url(), {"dynamics_id": INVOICE}, follow=True)
        retry.assert_not_called()
        self.assertMessage(response, "Invoice INV-01001-A1B2C3 needs no retry: its latest sync went through")

    def test_retry_of_an_invoice_the_history_never_had_is_a_404(self):
        self.attempt(INVOICE, "FAILED")
        self.client.force_login(self.alice)
        with mock.patch("dxconnector.sync.api.retry_records") as retry:
            self.assertNotFound(self.client.post(self.retry_url(), {"dynamics_id": "not-in-the-history"}))
        retry.assert_not_called()

    def test_retry_of_an_id_with_a_nul_character_is_a_404_not_a_500(self):
        self.attempt(INVOICE, "FAILED")
        self.client.force_login(self.alice)
        with mock.patch("dxconnector.sync.api.retry_records") as retry:
            self.assertNotFound(self.client.post(self.retry_url(), {"dynamics_id": INVOICE + "\x00"}))
        retry.assert_not_called()

    def test_retry_waits_for_the_trial_to_start(self):
        self.connect_both_sides()
        self.attempt(INVOICE, "FAILED")
        self.connection.trial_started_at = self.connection.trial_ends_at = None
        self.connection.save(update_fields=["trial_started_at", "trial_ends_at"])
        self.client.force_login(self.alice)
        with mock.patch("dxconnector.sync.api.retry_records") as retry:
            response = self.client.post(self.retry_url(), {"dynamics_id": INVOICE}, follow=True)
        retry.assert_not_called()
        self.assertMessage(response, "Syncing starts with the free trial")

    def test_retry_is_refused_on_another_users_connection(self):
        self.attempt(INVOICE, "FAILED")
        self.client.force_login(self.charlie)
        with mock.patch("dxconnector.sync.api.retry_records") as retry:
            self.assertNotFound(self.client.post(self.retry_url(), {"dynamics_id": INVOICE}))
        retry.assert_not_called()
