"""End to end: an invoice made in Dynamics reaches the portal through the webhook Create Connection
registered, and the queued sync a worker runs puts it into Xero."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.test import TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection
from dxconnector.portal import webhooks
from dxconnector.portal.models import User
from dxconnector.sync import engine
from dxconnector.sync.models import SyncRun
from tests.base import PASSWORD, run_jobs
from tests.sync.helpers import SyncHelpers


class LiveWebhookTestCase(SyncHelpers, TransactionTestCase):
    @pytest.fixture(autouse=True)
    def _reachable_portal(self, _use_sandbox, request):
        live_server = request.getfixturevalue("live_server")
        with override_settings(BASE_URL=live_server.url, ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"]):
            yield

    def setUp(self) -> None:
        super().setUp()
        self.alice = User.objects.create_user("alice@example.org", PASSWORD, name="Alice Anders", company="Alpha Ltd")
        self.connection = Connection.objects.create(owner=self.alice, name="Alpha Sales", time_zone="Europe/London")

    def webhook_jobs(self) -> list[DBTaskResult]:
        return list(
            DBTaskResult.objects.filter(
                task_path="dxconnector.sync.tasks.sync_connection", args_kwargs__args=[str(self.connection.pk), "webhook"]
            )
        )

    def test_an_invoice_made_in_dynamics_arrives_by_webhook_and_the_queued_sync_puts_it_into_xero(self):
        self.onboard()
        self.assertEqual(self.webhook_jobs(), [])
        invoice_id = self.make_invoice(self.make_account(), [{"description": "Hooked", "price": "42", "quantity": 2}])
        deadline = time.monotonic() + 20
        while not self.webhook_jobs():
            self.assertLess(time.monotonic(), deadline, "Dynamics' webhook never queued a sync")
            time.sleep(0.1)
        time.sleep(1)  # the rest of the invoice's calls (its lines, its totals) arrive and coalesce
        # While the worker runs, calls the run's own write-back causes are answered without queueing another run:
        # the portal and the test share one in-memory database, which two writers at once would lock.
        with mock.patch.object(engine, "connected_clients", self.clients), mock.patch.object(webhooks.sync, "request_sync"):
            self.run_jobs()
        self.assertEqual(len(self.webhook_jobs()), 1)
        run = SyncRun.objects.filter(connection=self.connection, trigger="webhook").order_by("started_at").first()
        self.assertEqual(run.status, SyncRun.Status.SUCCEEDED, run.error)
        [sent] = self.xero_invoices_linking_to(invoice_id)
        self.assertEqual(float(sent["SubTotal"]), 84.0)

    def run_jobs(self) -> None:
        run_jobs()
