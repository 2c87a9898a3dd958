"""Resume on the connection page: a sync is queued at once, and it takes everything changed while it was paused."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection
from dxconnector.sync import engine
from dxconnector.sync.models import Cursor, SyncRun
from tests.sync.helpers import SyncTestCase

SYNC_JOB = "dxconnector.sync.tasks.sync_connection"


class ConnectionResumeTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.url = f"/connections/{self.connection.pk}/resume/"
        DBTaskResult.objects.all().delete()  # Create Connection's queued first sync: these tests run their own

    def queued(self) -> list[list[str]]:
        return [job.args_kwargs["args"] for job in DBTaskResult.objects.filter(task_path=SYNC_JOB)]

    def pause(self) -> None:
        self.assertEqual(self.client.post(f"/connections/{self.connection.pk}/pause/").status_code, 302)

    def test_resuming_queues_a_catch_up_sync_that_takes_what_changed_while_paused(self):
        before = self.make_invoice(self.make_account(), [{"description": "Before", "price": "10", "quantity": 1}])
        self.sync()
        cursors = dict(Cursor.objects.filter(connection=self.connection).values_list("stream", "value"))
        self.pause()
        meanwhile = self.make_invoice(self.make_account(), [{"description": "Meanwhile", "price": "20", "quantity": 2}])
        self.assertEqual(self.run_once().status, SyncRun.Status.PAUSED)
        self.assertEqual(dict(Cursor.objects.filter(connection=self.connection).values_list("stream", "value")), cursors)
        response = self.client.post(self.url, follow=True)
        self.assertMessage(response, "Syncing resumed: a sync is on its way")
        self.assertEqual(self.queued(), [[str(self.connection.pk), "resumed"]])
        page = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertNotContains(page, "Paused by you")
        self.assertContains(page, f'action="/connections/{self.connection.pk}/sync/"', html=False)
        with mock.patch.object(engine, "connected_clients", self.clients):
            self.run_jobs()
        run = SyncRun.objects.filter(connection=self.connection).first()  # the newest
        self.assertEqual((run.trigger, run.status), ("resumed", SyncRun.Status.SUCCEEDED))
        self.assertEqual(len(self.xero_invoices_linking_to(meanwhile)), 1)
        self.assertEqual(len(self.xero_invoices_linking_to(before)), 1, "and nothing twice")

    def test_resuming_a_connection_whose_trial_ended_queues_nothing_and_says_so(self):
        self.pause()
        Connection.objects.filter(pk=self.connection.pk).update(trial_ends_at=datetime(2020, 1, 1, tzinfo=UTC))
        response = self.client.post(self.url, follow=True)
        self.assertMessage(response, "Syncing resumed.")
        self.assertEqual(self.queued(), [])
        self.assertContains(self.client.get(f"/connections/{self.connection.pk}/"), "The free trial has ended")

    def test_resuming_a_connection_that_is_not_paused_changes_nothing(self):
        response = self.client.post(self.url, follow=True)
        self.assertMessage(response, "Syncing was not paused.")
        self.assertEqual(self.queued(), [])

    def test_another_user_cannot_resume_it(self):
        self.pause()
        self.client.force_login(self.charlie)
        self.assertNotFound(self.client.post(self.url))
        self.connection.refresh_from_db()
        self.assertIsNotNone(self.connection.paused_at)
        self.assertLess(self.connection.paused_at, timezone.now())
