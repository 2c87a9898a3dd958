""" "Why isn't it syncing?" on the connection page: an invoice picked from the history or pasted (id or number) is
explained by the dry run, run as a job against the sandbox; its page shows the job's step, then the rule and what to
change."""

from __future__ import annotations

from datetime import UTC, datetime

from django_tasks_db.models import DBTaskResult

from dxconnector.portal.models import InvoiceQuestion
from dxconnector.sync.models import SyncAttempt
from tests.base import run_jobs
from tests.sync.helpers import SyncTestCase

JOB = "dxconnector.portal.tasks.explain_invoice"


class WhyNotSyncingTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        run_jobs()  # the first sync the trial queued: nothing of this connection's yet
        self.held = self.make_invoice(self.make_account(), [], delivered=datetime(2099, 1, 1, tzinfo=UTC))
        self.number = self.invoice_row(self.held, select="invoicenumber")["invoicenumber"]

    def url(self, end: str = "") -> str:
        return f"/connections/{self.connection.pk}/why/{end}"

    def ask(self, **data: str):
        return self.client.post(self.url("ask/"), data)

    def test_a_pasted_number_is_explained_by_the_dry_run_run_as_a_job(self):
        response = self.ask(pasted=self.number)
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.assertEqual(DBTaskResult.objects.filter(task_path=JOB).count(), 1)
        waiting = self.client.get(self.url())
        self.assertContains(waiting, "Waiting for a worker to take it.")
        self.assertContains(waiting, 'data-look-again="2"')
        run_jobs()
        answered = self.client.get(self.url())
        self.assertNotContains(answered, "data-look-again")
        self.assertContains(answered, "It is held back. Change this in Dynamics and it goes at the next sync:")
        self.assertContains(
            answered, '<li data-rule="no_lines">The invoice has no products: add at least one line.</li>', html=True
        )
        self.assertContains(answered, '<li data-rule="delivered_in_future">')
        self.assertNotContains(answered, "<code>no_lines</code>")  # the rule's name is ours, not the reader's
        self.assertNotContains(answered, "dxconnector sync")
        question = InvoiceQuestion.objects.get(connection=self.connection)
        self.assertEqual((question.state, question.invoice_id), ("done", self.held))
        self.assertFalse(SyncAttempt.objects.filter(dynamics_id=self.held).exists(), "a dry run writes nothing")

    def test_the_connection_page_offers_the_invoices_the_history_held_back(self):
        self.sync()
        [attempt] = SyncAttempt.objects.filter(dynamics_id=self.held)
        self.assertEqual((attempt.outcome, attempt.dynamics_number), ("HELD_BACK", self.number))
        page = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(page, f'<option value="{self.held}">{self.number} (held back)</option>', html=True)
        self.ask(invoice=self.held)
        run_jobs()
        self.assertContains(self.client.get(self.url()), "The invoice has no products: add at least one line.")

    def test_an_invoice_that_went_through_since_is_no_longer_offered(self):
        self.sync()
        SyncAttempt.objects.create(connection=self.connection, record_kind="invoice", dynamics_id=self.held, outcome="SUCCEEDED")
        page = self.client.get(self.url())
        self.assertNotContains(page, f'<option value="{self.held}">')

    def test_an_invoice_a_setting_kept_from_xero_is_offered_as_not_sent(self):
        SyncAttempt.objects.create(
            connection=self.connection,
            record_kind="invoice",
            dynamics_id=self.held,
            dynamics_number=self.number,
            outcome="SKIPPED",
            reason_code="before_sync_from",
        )
        page = self.client.get(self.url())
        self.assertContains(page, f'<option value="{self.held}">{self.number} (not sent)</option>', html=True)

    def test_a_ready_invoice_is_said_to_go_at_the_next_sync(self):
        ready = self.make_invoice(self.make_account(), [{"description": "Visit", "price": "10", "quantity": 1}])
        self.ask(pasted=ready.upper())
        run_jobs()
        self.assertContains(self.client.get(self.url()), "It goes to Xero at the next sync: it would be created there.")

    def test_a_number_nobody_has_is_said_so(self):
        self.ask(pasted="INV-NOBODY'S")
        run_jobs()
        self.assertContains(self.client.get(self.url()), "No invoice numbered “INV-NOBODY&#x27;S” was found in Dynamics.")

    def test_asking_nothing_is_refused_with_the_form_again(self):
        response = self.ask()
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose an invoice from the list, or paste its number or id.", status_code=400)
        self.assertFalse(InvoiceQuestion.objects.exists())

    def test_asking_again_keeps_only_the_latest_question(self):
        self.ask(pasted=self.number)
        self.ask(pasted=self.held)
        self.assertEqual(list(InvoiceQuestion.objects.values_list("asked", flat=True)), [self.held])

    def test_another_users_connection_is_not_found(self):
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(self.ask(pasted=self.number).status_code, 404)
