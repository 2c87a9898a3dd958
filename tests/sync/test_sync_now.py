""" "Sync now" on the connection page queues the connection's sync; a worker runs it."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

from django_tasks_db.models import DBTaskResult

from dxconnector.sync import engine
from dxconnector.sync.models import SyncRun
from tests.sync.helpers import SyncTestCase

SYNC_JOB = "dxconnector.sync.tasks.sync_connection"


class SyncNowTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.url = f"/connections/{self.connection.pk}/sync/"

    def test_the_connection_page_offers_sync_now_once_the_connection_is_created(self):
        page = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(page, 'id="sync-now"')
        self.assertContains(page, self.url)

    def test_sync_now_queues_a_sync_that_a_worker_runs(self):
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Now", "price": "10", "quantity": 1}])
        response = self.client.post(self.url, follow=True)
        self.assertMessage(response, "Sync started")
        self.assertEqual(DBTaskResult.objects.filter(task_path=SYNC_JOB).count(), 1)
        with mock.patch.object(engine, "connected_clients", self.clients):
            self.run_jobs()
        [run] = SyncRun.objects.filter(connection=self.connection)
        self.assertEqual((run.trigger, run.status), ("sync_now", SyncRun.Status.SUCCEEDED))
        self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)
        self.connection.refresh_from_db()
        self.assertIsNotNone(self.connection.last_synced_at)

    def test_clicking_again_before_it_starts_queues_nothing_more(self):
        self.client.post(self.url)
        response = self.client.post(self.url, follow=True)
        self.assertMessage(response, "A sync is already on its way")
        self.assertEqual(DBTaskResult.objects.filter(task_path=SYNC_JOB).count(), 1)
        with mock.patch.object(engine, "connected_clients", self.clients):
            self.run_jobs()
        self.client.post(self.url)  # once it started, the next click queues the next run
        self.assertEqual(DBTaskResult.objects.filter(task_path=SYNC_JOB).count(), 2)

    def test_a_paused_connection_queues_nothing_and_says_why(self):
        self.connection.trial_ends_at = datetime(2020, 1, 1, tzinfo=UTC)
        self.connection.save(update_fields=["trial_ends_at"])
        response = self.client.post(self.url, follow=True)
        self.assertMessage(response, "Syncing is paused")
        self.assertFalse(DBTaskResult.objects.filter(task_path=SYNC_JOB).exists())

    def test_another_users_connection_cannot_be_synced(self):
        self.client.force_login(self.bob)
        self.assertNotFound(self.client.post(self.url))
        self.assertFalse(DBTaskResult.objects.filter(task_path=SYNC_JOB).exists())

    def test_sync_now_takes_post_only(self):
        self.assertEqual(self.client.get(self.url).status_code, 405)
