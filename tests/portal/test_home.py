import re
from datetime import timedelta

from django.utils import timezone
from django.utils.html import escape

from dxconnector.connections.models import Connection, XeroConnection
from dxconnector.domain.health import Cause
from dxconnector.sync.models import Lease, SyncRun, Trigger
from tests.base import BaseTestCase


class HomeTestCase(BaseTestCase):
    def test_it_requires_login(self):
        self.assertRedirects(self.client.get("/home/"), "/login/?next=/home/")

    def test_it_lists_only_the_users_own_connections(self):
        Connection.objects.create(owner=self.bob, name="Beta Wholesale")
        self.client.force_login(self.alice)
        response = self.client.get("/home/")
        self.assertContains(response, "Alpha Sales")
        self.assertNotContains(response, "Beta Wholesale")

    def test_it_offers_the_new_connection_dropdown(self):
        self.client.force_login(self.charlie)
        response = self.client.get("/home/")
        self.assertContains(response, "Create a New Connection")
        self.assertContains(response, "New Dynamics Xero Connector")
        self.assertContains(response, "No connections yet")

    def test_each_row_links_to_rename_and_delete(self):
        self.client.force_login(self.alice)
        response = self.client.get("/home/")
        self.assertContains(response, f'href="/connections/{self.connection.pk}/rename/"')
        self.assertContains(response, f'href="/connections/{self.connection.pk}/delete/"')

    def test_every_column_header_has_text(self):
        self.client.force_login(self.alice)
        headers = re.findall(r"<th\b[^>]*>(.*?)</th>", self.client.get("/home/").content.decode())
        self.assertEqual(headers, ["Connection", "Type", "Free trial", "Last sync", "Health", "Actions"])

    def test_a_connection_being_deleted_offers_no_rename(self):
        Connection.objects.filter(pk=self.connection.pk).update(deletion_state="queued")
        self.client.force_login(self.alice)
        response = self.client.get("/home/")
        self.assertNotContains(response, f"/connections/{self.connection.pk}/rename/")
        self.assertContains(response, "None while it is being deleted")

    def test_it_shows_the_trial_days_left(self):
        self.connection.start_trial(timezone.now() - timedelta(days=10, hours=1))
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/home/"), "20 days left")

    def test_it_shows_a_trial_that_has_not_started_and_one_that_ended(self):
        ended = Connection.objects.create(owner=self.alice, name="Old One")
        ended.start_trial(timezone.now() - timedelta(days=31))
        self.client.force_login(self.alice)
        response = self.client.get("/home/")
        self.assertContains(response, "Not started")
        self.assertContains(response, "Ended — syncing paused")
        self.assertContains(response, "Setup incomplete")

    def test_it_shows_when_the_connection_last_synced(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/home/"), "Never")
        Connection.objects.filter(pk=self.connection.pk).update(last_synced_at=timezone.now() - timedelta(minutes=5))
        self.assertContains(self.client.get("/home/"), "5\xa0minutes ago")


class HomeConnectionStateTestCase(BaseTestCase):
    """The Health column tells each connection's state from its real signals, and what to do about it."""

    def setUp(self):
        super().setUp()
        Connection.objects.filter(pk=self.connection.pk).update(status=Connection.Status.CREATED)
        self.connection.start_trial()
        self.connect_both_sides()
        self.client.force_login(self.alice)

    def finished_run(self, status, minutes_ago, cause=""):
        SyncRun.objects.create(
            connection=self.connection,
            trigger=Trigger.SWEEP,
            status=status,
            cause=cause,
            started_at=timezone.now() - timedelta(minutes=minutes_ago),
            finished_at=timezone.now() - timedelta(minutes=minutes_ago),
        )

    def state_cell(self) -> str:
        body = self.client.get("/home/").content.decode()
        start = body.index('<td class="state"')
        return body[start : body.index("</td>", start)]

    def test_a_connection_whose_last_run_went_through_is_healthy_with_nothing_to_do(self):
        self.finished_run(SyncRun.Status.FAILED, 10, Cause.XERO_UNAVAILABLE)
        self.finished_run(SyncRun.Status.SUCCEEDED, 5)
        cell = self.state_cell()
        self.assertIn('data-state="healthy"', cell)
        self.assertIn('<span class="badge ok">Healthy</span>', cell)
        self.assertNotIn("advice", cell)

    def test_runs_failing_for_a_passing_reason_show_degraded_with_the_latest_reason(self):
        self.finished_run(SyncRun.Status.SUCCEEDED, 30)
        self.finished_run(SyncRun.Status.FAILED, 20, Cause.XERO_UNAVAILABLE)
        self.finished_run(SyncRun.Status.BUSY, 15)  # found another run under way: says nothing of the connection's health
        self.finished_run(SyncRun.Status.FAILED, 10, Cause.DYNAMICS_LIMIT)
        cell = self.state_cell()
        self.assertIn('<span class="badge warn">Degraded</span>', cell)
        self.assertIn(escape(f"The last 2 syncs stopped early. {Cause.DYNAMICS_LIMIT.words}"), cell)

    def test_what_the_engine_found_the_admin_must_fix_shows_needs_attention_and_what_to_do(self):
        self.finished_run(SyncRun.Status.FAILED, 10, Cause.DYNAMICS_SIGN_IN)
        Connection.objects.filter(pk=self.connection.pk).update(attention=Cause.DYNAMICS_SIGN_IN, attention_since=timezone.now())
        cell = self.state_cell()
        self.assertIn('<span class="badge bad">Needs attention</span>', cell)
        self.assertIn(
            escape("Microsoft no longer accepts this connection's sign-in to Dynamics: sign in to Dynamics again."), cell
        )

    def test_a_run_under_way_shows_syncing(self):
        self.finished_run(SyncRun.Status.SUCCEEDED, 10)
        Lease.objects.create(connection=self.connection, holder="run:1", expires_at=timezone.now() + timedelta(seconds=60))
        self.assertIn('<span class="badge info">Syncing</span>', self.state_cell())

    def test_a_lease_given_back_or_run_out_is_no_run_under_way(self):
        Lease.objects.create(connection=self.connection, holder="run:1", expires_at=timezone.now() - timedelta(seconds=1))
        self.assertIn("Healthy", self.state_cell())

    def test_a_side_no_longer_connected_needs_attention(self):
        XeroConnection.objects.filter(connection=self.connection).delete()
        self.assertIn(escape(Cause.NOT_CONNECTED.words), self.state_cell())

    def test_a_created_connection_whose_trial_has_not_started_says_to_start_it(self):
        Connection.objects.filter(pk=self.connection.pk).update(trial_started_at=None, trial_ends_at=None)
        cell = self.state_cell()
        self.assertIn("Needs attention", cell)
        self.assertIn(escape(Cause.TRIAL_NOT_STARTED.words), cell)

    def test_an_ended_trial_says_syncing_is_paused(self):
        Connection.objects.filter(pk=self.connection.pk).update(trial_ends_at=timezone.now() - timedelta(days=1))
        self.assertIn(escape(Cause.TRIAL_ENDED.words), self.state_cell())
