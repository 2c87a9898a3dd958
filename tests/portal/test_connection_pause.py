"""Pause on the connection page: asked for, confirmed, and then nothing syncs — while every webhook is still taken, so
nothing is lost — and the page and Home say "Paused by you"."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.dynamics.webhooks import SECRET_HEADER
from dxconnector.sync import api as sync
from dxconnector.sync.models import Cursor, SyncRun, XeroWebhookEvent
from tests.portal.test_dynamics_webhook import context
from tests.sync.helpers import SyncTestCase

SYNC_JOB = "dxconnector.sync.tasks.sync_connection"
WEBHOOK_KEY = "webhook-key-for-the-pause-tests"


class ConnectionPauseTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.url = f"/connections/{self.connection.pk}/pause/"
        DBTaskResult.objects.all().delete()  # Create Connection's queued first sync: not what these tests look at

    def queued_syncs(self) -> int:
        return DBTaskResult.objects.filter(task_path=SYNC_JOB).count()

    def test_the_connection_page_offers_pause_and_the_pause_page_asks_first(self):
        page = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(page, f'href="{self.url}"')
        confirm = self.client.get(self.url)
        self.assertContains(confirm, "Pause syncing of “Alpha Test”?")
        self.assertContains(confirm, "Nothing is lost")
        self.connection.refresh_from_db()
        self.assertIsNone(self.connection.paused_at, "opening the confirmation pauses nothing")

    def test_confirming_pauses_it_and_the_page_and_home_say_paused_by_you_with_sync_now_off(self):
        response = self.client.post(self.url, follow=True)
        self.assertMessage(response, "Syncing of “Alpha Test” is paused.")
        self.connection.refresh_from_db()
        self.assertIsNotNone(self.connection.paused_at)
        self.assertFalse(self.connection.may_sync())
        page = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(page, '<span class="badge info">Paused by you</span>', html=True)
        self.assertContains(page, 'data-state="paused"', html=False)
        self.assertContains(page, "Syncing is paused by you: resume it to sync.")
        self.assertContains(page, '<button type="button" class="button secondary" disabled>Sync now</button>', html=True)
        self.assertNotContains(page, f'action="/connections/{self.connection.pk}/sync/"', html=False)
        self.assertContains(page, ">Resume syncing</button>", html=False)
        home = self.client.get("/home/")
        self.assertContains(home, '<span class="badge info">Paused by you</span>', html=True)
        refused = self.client.post(f"/connections/{self.connection.pk}/sync/", follow=True)
        self.assertMessage(refused, "Syncing is paused by you: resume it to sync.")
        self.assertEqual(self.queued_syncs(), 0)

    @override_settings(XERO_WEBHOOK_KEY=WEBHOOK_KEY)
    def test_while_paused_webhooks_are_taken_but_start_nothing_and_the_sweep_passes_it_by(self):
        self.client.post(self.url)
        invoice_id = self.make_invoice(self.make_account(), [{"description": "While paused", "price": "40", "quantity": 1}])
        secret = DynamicsConnection.objects.get(connection=self.connection).webhook_secret
        from_dynamics = self.client.post(
            f"/webhooks/dynamics/{self.connection.pk}/",
            context(record_id=invoice_id),
            content_type="application/json",
            headers={SECRET_HEADER: secret},
        )
        self.assertEqual(from_dynamics.status_code, 200)
        tenant_id = XeroConnection.objects.get(connection=self.connection).tenant_id
        body = json.dumps(
            {
                "events": [
                    {
                        "resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/2a3b4c5d-0000-4000-8000-0000000000aa",
                        "resourceId": "2a3b4c5d-0000-4000-8000-0000000000aa",
                        "eventDateUtc": "2026-11-25T01:15:39.902",
                        "eventType": "UPDATE",
                        "eventCategory": "INVOICE",
                        "tenantId": tenant_id,
                        "tenantType": "ORGANISATION",
                    }
                ],
                "firstEventSequence": 1,
                "lastEventSequence": 1,
                "entropy": "PAUSED",
            }
        ).encode()
        signature = base64.b64encode(hmac.new(WEBHOOK_KEY.encode(), body, hashlib.sha256).digest()).decode()
        from_xero = self.client.post(
            "/webhooks/xero/", body, content_type="application/json", headers={"X-Xero-Signature": signature}
        )
        self.assertEqual(from_xero.status_code, 200)
        self.assertTrue(XeroWebhookEvent.objects.filter(tenant_id=tenant_id, processed_at__isnull=True).exists(), "kept")
        sync.sweep()
        self.assertEqual(self.queued_syncs(), 0, "neither webhook nor the sweep queued a sync of a paused connection")
        cursors = list(Cursor.objects.filter(connection=self.connection).values_list("stream", "value"))
        run = self.run_once()  # a run queued before the pause finds it paused
        self.assertEqual(run.status, SyncRun.Status.PAUSED)
        self.assertEqual(self.xero_invoices_linking_to(invoice_id), [])
        self.assertEqual(list(Cursor.objects.filter(connection=self.connection).values_list("stream", "value")), cursors)

    def test_pausing_twice_says_it_was_paused_already(self):
        self.client.post(self.url)
        first = Connection.objects.get(pk=self.connection.pk).paused_at
        response = self.client.post(self.url, follow=True)
        self.assertMessage(response, "Syncing was paused already.")
        self.assertEqual(Connection.objects.get(pk=self.connection.pk).paused_at, first)

    def test_another_user_cannot_pause_it(self):
        self.client.force_login(self.bob)
        self.assertNotFound(self.client.get(self.url))
        self.assertNotFound(self.client.post(self.url))
        self.connection.refresh_from_db()
        self.assertIsNone(self.connection.paused_at)
