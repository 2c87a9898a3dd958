"""A live connection's page is a dashboard: its state first, the last runs in plain words, Sync now (off, with the
reason, while it can't sync), its settings and history; the onboarding steps are gone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection, XeroConnection
from dxconnector.portal import summaries
from dxconnector.sync.models import SyncRun, Trigger
from tests.base import BaseTestCase


class ConnectionDashboardTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        Connection.objects.filter(pk=self.connection.pk).update(status=Connection.Status.CREATED)
        self.connection.refresh_from_db()
        self.connection.start_trial()
        self.client.force_login(self.alice)
        self.url = f"/connections/{self.connection.pk}/"

    def a_run(self, trigger: str, status: str = SyncRun.Status.SUCCEEDED, **counts: int) -> SyncRun:
        return SyncRun.objects.create(connection=self.connection, trigger=trigger, status=status, counts=counts)

    def test_it_shows_state_then_runs_then_settings_and_not_the_onboarding_steps(self):
        body = self.client.get(self.url).content.decode()
        order = ['id="connection-state"', 'id="sync-now"', 'id="last-runs"', 'id="history-link"', 'id="settings"']
        positions = [body.index(part) for part in order]
        self.assertEqual(positions, sorted(positions))
        self.assertIn(">Save settings</button>", body)
        self.assertIn(f'action="/connections/{self.connection.pk}/defaults/"', body)
        for onboarding in (
            'id="step-xero"',
            ">Create Connection</button>",
            ">Install into Dynamics</button>",
            'id="check-again"',
        ):
            self.assertNotIn(onboarding, body)

    def test_a_run_with_a_failed_record_is_not_shown_as_a_success(self):
        self.a_run(Trigger.XERO_WEBHOOK, succeeded=3, failed=1, xero_calls=7)
        body = self.client.get(self.url).content.decode()
        self.assertIn('<span class="badge bad">Finished with 1 problem</span>', body)
        self.assertIn('<span class="run-by">A change in Xero</span>', body)
        self.assertIn('<span class="sentence">3 invoices sent to Xero, 1 failed.</span>', body)
        self.assertNotIn("xero_webhook", body)
        self.assertNotIn("Succeeded", body)

    def test_a_runs_counters_are_behind_a_details_toggle(self):
        self.a_run(Trigger.SWEEP, succeeded=2, held_back=1, dynamics_writes=3)
        body = self.client.get(self.url).content.decode()
        self.assertIn('<span class="badge warn">Finished, 1 waiting for you</span>', body)
        self.assertIn('<span class="run-by">Scheduled check</span>', body)
        self.assertIn('<span class="sentence">2 invoices sent to Xero, 1 held back.</span>', body)
        details = body.index('<details class="run-details"><summary>Details</summary>')
        self.assertGreater(body.index("<li>dynamics writes: 3</li>"), details)

    def test_a_run_that_went_through_shows_finished_and_one_that_stopped_says_why(self):
        self.a_run(Trigger.SYNC_NOW, succeeded=1)
        self.a_run(Trigger.DYNAMICS_WEBHOOK, SyncRun.Status.FAILED)
        SyncRun.objects.filter(trigger=Trigger.DYNAMICS_WEBHOOK).update(
            cause="xero_unavailable", started_at=timezone.now() - timedelta(minutes=5)
        )
        body = self.client.get(self.url).content.decode()
        self.assertIn('<span class="badge ok">Finished</span>', body)
        self.assertIn('<span class="run-by">Sync now</span>', body)
        self.assertIn('<span class="badge bad">Stopped early</span>', body)
        self.assertIn('<span class="why-stopped">Xero could not be reached', body)
        self.assertIn('<span class="run-by">A change in Dynamics</span>', body)

    def test_sync_now_is_off_with_the_reason_while_xero_is_disconnected(self):
        body = self.client.get(self.url).content.decode()
        self.assertIn('<button type="button" class="button secondary" disabled>Sync now</button>', body)
        self.assertIn("Reconnect Xero to sync", body)
        refused = self.client.post(f"{self.url}sync/", follow=True)
        self.assertMessage(refused, "Reconnect Xero to sync: this connection is not connected to a Xero organisation.")
        self.assertFalse(DBTaskResult.objects.filter(task_path="dxconnector.sync.tasks.sync_connection").exists())

    def test_sync_now_is_off_with_the_reason_while_dynamics_is_disconnected(self):
        XeroConnection.objects.create(
            connection=self.connection,
            tenant_id="tenant-1",
            tenant_name="Alpha Ltd",
            access_token="access",
            refresh_token="refresh",
            expires_at=timezone.now(),
        )
        body = self.client.get(self.url).content.decode()
        self.assertIn('<button type="button" class="button secondary" disabled>Sync now</button>', body)
        self.assertIn("Connect to Dynamics again to sync", body)

    def test_the_trial_shows_its_days_and_end_date(self):
        ends = timezone.localtime(self.connection.trial_ends_at).strftime("%-d %b %Y")
        self.assertContains(self.client.get(self.url), f"30 days left (ends {ends})")


class LastSyncTextTestCase(BaseTestCase):
    def test_a_sync_less_than_a_minute_ago_was_just_now(self):
        now = timezone.now()
        self.connection.last_synced_at = now - timedelta(seconds=20)
        self.assertEqual(summaries.last_sync_text(self.connection, now), "just now")

    def test_an_older_sync_says_how_long_ago(self):
        now = timezone.now()
        self.connection.last_synced_at = now - timedelta(minutes=3)
        self.assertEqual(summaries.last_sync_text(self.connection, now), "3\xa0minutes ago")
