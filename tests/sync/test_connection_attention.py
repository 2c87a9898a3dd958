"""A connection tells the truth about itself: when Xero stops accepting it the next run marks it "needs attention",
Home and the connection page say what to do, and its owner gets one email; once it is fixed and a run goes through,
it is healthy again and the owner gets one more. Runs that fail for a passing reason make it "degraded"."""

from __future__ import annotations

from unittest import mock

from django.core import mail
from django.utils.html import escape

from dxconnector.connections.models import XeroConnection
from dxconnector.domain.health import Cause
from dxconnector.sync import engine
from dxconnector.sync.models import SyncRun, Trigger
from dxconnector.xero import auth
from tests.sandboxes import control, xero_consent
from tests.sync.helpers import IsolatedSyncTestCase, SyncTestCase


class AttentionHelpers:
    def sync_now(self, **xero_config) -> SyncRun:
        """Sync now on the connection page, and a worker running what it queued (and any email the run queued). The
        worker syncs with the connection's own clients, without the call budget (as every sync test does)."""
        self.client.post(f"/connections/{self.connection.pk}/sync/")
        with mock.patch.object(engine, "connected_clients", lambda connection: self.clients(connection, **xero_config)):
            self.run_jobs()
        return SyncRun.objects.filter(connection=self.connection).first()

    def sweep_run(self) -> SyncRun:
        """A run as the periodic sweep starts it (it does not ask Xero what changed unless that is due), and the jobs after."""
        run = self.run_once(Trigger.SWEEP)
        self.run_jobs()
        return run

    def reconnect_xero(self) -> None:
        """The admin clicks Reconnect on the connection page and allows access on Xero's consent page again."""
        location = xero_consent(
            self.sandbox,
            self.client.post(f"/connections/{self.connection.pk}/xero/connect/", {"confirmed": "yes"})["Location"],
            user_index=1,
        )
        self.client.get("/xero/callback/" + location[location.index("?") :])

    def home(self) -> str:
        return self.client.get("/home/").content.decode()

    def connection_page(self) -> str:
        return self.client.get(f"/connections/{self.connection.pk}/").content.decode()

    def row_on_home(self) -> str:
        body = self.home()
        start = body.index(f'data-connection="{self.connection.pk}"')
        return body[start : body.index("</tr>", start)]


class XeroConsentRevokedTestCase(AttentionHelpers, SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.sync()
        mail.outbox.clear()

    def remove_the_connection_in_xero(self) -> None:
        """What disconnecting the app in Xero does: the organisation's connection to the app is deleted (DELETE
        /connections/{id}), and Xero answers 403 AuthenticationUnsuccessful to the app's calls for it from then on."""
        xero = XeroConnection.objects.get(connection=self.connection)
        self.xero().delete_connection(xero.xero_connection_id)

    def test_a_connection_removed_in_xero_needs_attention_until_it_is_reconnected_and_a_run_goes_through(self):
        self.assertIn("Healthy", self.row_on_home())
        self.remove_the_connection_in_xero()
        self.make_invoice(self.make_account(), [{"description": "Survey", "price": "250", "quantity": 1}])  # work for Xero

        failed = self.sync_now()
        self.assertEqual((failed.status, failed.cause), (SyncRun.Status.FAILED, Cause.XERO_DISCONNECTED))
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.attention, Cause.XERO_DISCONNECTED)
        since = self.connection.attention_since
        self.assertIsNotNone(since)

        row = self.row_on_home()
        self.assertIn("Needs attention", row)
        self.assertIn(escape(Cause.XERO_DISCONNECTED.words), row)
        page = self.connection_page()
        self.assertIn('id="connection-state" data-state="needs_attention"', page)
        self.assertIn(escape(Cause.XERO_DISCONNECTED.words), page)

        [email] = mail.outbox
        self.assertEqual(email.to, ["alice@example.org"])
        self.assertEqual(email.subject, "Alpha Test needs your attention")
        self.assertIn(Cause.XERO_DISCONNECTED.words, email.body)
        self.assertIn(f"/connections/{self.connection.pk}/", email.body)

        again = self.sweep_run()  # a run that would not ask Xero anything still checks it first, and fails the same
        self.assertEqual((again.status, again.cause), (SyncRun.Status.FAILED, Cause.XERO_DISCONNECTED))
        self.assertEqual(len(mail.outbox), 1)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.attention_since, since)

        self.reconnect_xero()
        self.assertIn("Needs attention", self.row_on_home())  # until a run shows it works
        recovered = self.sync_now()
        self.assertEqual(recovered.status, SyncRun.Status.SUCCEEDED)
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.attention, self.connection.attention_since), ("", None))
        row = self.row_on_home()
        self.assertIn("Healthy", row)
        self.assertNotIn("Needs attention", row)
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(mail.outbox[1].subject, "Alpha Test is syncing again")
        self.assertEqual(mail.outbox[1].to, ["alice@example.org"])

        self.sweep_run()
        self.assertEqual(len(mail.outbox), 2)

    def test_a_revoked_xero_grant_says_to_connect_to_xero_again(self):
        xero = XeroConnection.objects.get(connection=self.connection)
        auth.revoke(auth.XeroOAuthConfig.from_settings(), xero.refresh_token)  # the grant is revoked: its tokens stop working
        self.make_invoice(self.make_account(), [{"description": "Survey", "price": "250", "quantity": 1}])

        failed = self.sync_now()
        self.assertEqual((failed.status, failed.cause), (SyncRun.Status.FAILED, Cause.XERO_CONSENT))
        self.assertIn("Xero no longer accepts this connection&#x27;s sign-in: connect to Xero again.", self.row_on_home())
        [email] = mail.outbox
        self.assertIn("Xero no longer accepts this connection's sign-in: connect to Xero again.", email.body)

        self.sweep_run()
        self.assertEqual(len(mail.outbox), 1)
        self.reconnect_xero()
        self.assertEqual(self.sync_now().status, SyncRun.Status.SUCCEEDED)
        self.assertEqual([message.subject for message in mail.outbox][1:], ["Alpha Test is syncing again"])


class XeroFailingForAWhileTestCase(AttentionHelpers, IsolatedSyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        mail.outbox.clear()

    def test_runs_failing_for_a_passing_reason_make_the_connection_degraded_with_the_latest_reason(self):
        self.make_invoice(self.make_account(), [{"description": "Survey", "price": "250", "quantity": 1}])
        control(self.sandbox, "PUT", "/faults", {"rates": {"503": 1.0}})
        try:
            runs = [self.sync_now(max_attempts=1), self.sync_now(max_attempts=1)]
        finally:
            control(self.sandbox, "PUT", "/faults", {"rates": {}})
        self.assertEqual([(run.status, run.cause) for run in runs], [(SyncRun.Status.FAILED, Cause.XERO_UNAVAILABLE)] * 2)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.attention, "")  # nothing for the admin to do: the connector tries again

        row = self.row_on_home()
        self.assertIn("Degraded", row)
        self.assertIn(escape(f"The last 2 syncs stopped early. {Cause.XERO_UNAVAILABLE.words}"), row)
        self.assertIn('data-state="degraded"', self.connection_page())
        self.assertEqual(mail.outbox, [])

        self.assertEqual(self.sync_now().status, SyncRun.Status.SUCCEEDED)
        self.assertIn("Healthy", self.row_on_home())
        self.assertEqual(mail.outbox, [])
