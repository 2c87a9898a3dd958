"""Delete a connection: a confirmation (the name typed), then a job that revokes Xero's grant, takes the webhooks (and,
when asked, the connection's rows) out of Dynamics, drops the ledger and deletes the connection; a step that fails
says which, and the owner can try again or delete it here only."""

from __future__ import annotations

import socket

import httpx
from django.conf import settings
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.connections.tokens import dynamics_token
from dxconnector.domain.names import ConnectorSettingsTable, ConnectorTable, lookup_value
from dxconnector.dynamics import webhooks
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.solution.definition import CONNECTION, SETTINGS
from dxconnector.sync import state
from dxconnector.sync.models import Cursor, Link, SyncAttempt, SyncRun
from tests.sync.helpers import SyncTestCase

DELETE_JOB = "dxconnector.portal.tasks.delete_connection"


def nowhere() -> str:
    """A revocation URL on this machine where nothing listens: Xero out of reach, for real."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"https://127.0.0.1:{port}/connect/revocation"


class ConnectionDeleteTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        self.url = f"/connections/{self.connection.pk}/delete/"
        self.invoice_id = self.make_invoice(self.make_account(), [{"description": "Kept", "price": "15", "quantity": 1}])
        self.sync()  # a ledger, cursors, a run and attempts to drop
        DBTaskResult.objects.all().delete()
        xero = XeroConnection.objects.get(connection=self.connection)
        self.xero_tokens = (xero.access_token, xero.refresh_token)
        dynamics = DynamicsConnection.objects.get(connection=self.connection)
        token = dynamics_token(dynamics)  # taken now: the connection's sign-in goes with it
        self.org = DataverseClient(dynamics.org_url, lambda: token.value, settings.CA_BUNDLE)
        self._clients.append(self.org)
        [endpoint] = webhooks.endpoints(self.org, str(self.connection.pk))
        self.endpoint_id = endpoint["serviceendpointid"]
        self.connector_id = self.connector_id()

    def ask(self, *, remove_rows: bool = False, name: str = "Alpha Test", follow: bool = False):
        data = {"name": name, **({"remove_rows": "on"} if remove_rows else {})}
        return self.client.post(self.url, data, follow=follow)

    def rows_in_dynamics(self) -> tuple[list, list]:
        connectors = self.org.list(
            CONNECTION.set_name,
            select=CONNECTION.primary_id,
            filter=f"{ConnectorTable.PORTAL_CONNECTION_ID} eq '{self.connection.pk}'",
        )
        settings_rows = self.org.list(
            SETTINGS.set_name,
            select=SETTINGS.primary_id,
            filter=f"{lookup_value(ConnectorSettingsTable.CONNECTOR_ID)} eq {self.connector_id}",
        )
        return connectors, settings_rows

    def xero_answers_to(self, access_token: str) -> int:
        return httpx.get(
            self.sandbox.xero["connections_url"], headers={"Authorization": f"Bearer {access_token}"}, verify=self.sandbox.tls
        ).status_code

    def refresh_with(self, refresh_token: str) -> int:
        app = self.sandbox.xero_app()
        return httpx.post(
            self.sandbox.xero["token_url"],
            data={"grant_type": "refresh_token", "refresh_token": refresh_token},
            auth=(app["client_id"], app["client_secret"]),
            verify=self.sandbox.tls,
        ).status_code

    def assertAllGoneHere(self) -> None:
        self.assertFalse(Connection.objects.filter(pk=self.connection.pk).exists())
        self.assertFalse(XeroConnection.objects.filter(connection_id=self.connection.pk).exists())
        self.assertFalse(DynamicsConnection.objects.filter(connection_id=self.connection.pk).exists())
        for model in (Link, Cursor, SyncRun, SyncAttempt):
            self.assertFalse(model.objects.filter(connection_id=self.connection.pk).exists(), model.__name__)

    def test_the_page_asks_for_the_name_and_deletes_nothing_until_it_is_typed(self):
        page = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(page, f'href="{self.url}"')
        confirm = self.client.get(self.url)
        self.assertContains(confirm, "Type <strong>Alpha Test</strong> to confirm", html=False)
        self.assertContains(confirm, "Also remove this connection's records in Dynamics")
        wrong = self.ask(name="Alpha")
        self.assertEqual(wrong.status_code, 400)
        self.assertContains(wrong, "Type the connection&#x27;s name exactly as shown to confirm.", status_code=400)
        self.assertFalse(DBTaskResult.objects.filter(task_path=DELETE_JOB).exists())
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.deletion_state, "")
        self.assertTrue(Link.objects.filter(connection=self.connection).exists())

    def test_deleting_revokes_xero_removes_the_webhooks_and_the_ledger_and_keeps_the_rows_unless_asked(self):
        response = self.ask(follow=True)
        self.assertContains(response, "Deleting the connection…")
        self.assertContains(response, "Waiting for a worker to take it.")
        self.assertContains(response, 'data-look-again="3"')
        self.assertRedirects(self.client.get(f"/connections/{self.connection.pk}/"), self.url)
        self.assertContains(self.client.get("/home/"), "Being deleted")
        self.assertFalse(Connection.objects.get(pk=self.connection.pk).may_sync(), "nothing syncs once it is asked")
        self.run_jobs()
        self.assertAllGoneHere()
        self.assertEqual(self.xero_answers_to(self.xero_tokens[0]), 401)
        self.assertEqual(self.refresh_with(self.xero_tokens[1]), 400)
        self.assertEqual(webhooks.endpoints(self.org, str(self.connection.pk)), [])
        self.assertEqual(webhooks.steps(self.org, self.endpoint_id), [])
        connectors, settings_rows = self.rows_in_dynamics()
        self.assertEqual((len(connectors), len(settings_rows)), (1, 1), "the rows stay when not asked")
        home = self.client.get(self.url, follow=True)
        self.assertRedirects(home, "/home/")
        self.assertMessage(home, "“Alpha Test” is deleted.")
        self.assertNotFound(self.client.get(self.url))

    def test_asked_to_it_also_removes_the_connection_and_settings_rows_but_not_the_invoices(self):
        self.ask(remove_rows=True)
        self.run_jobs()
        self.assertAllGoneHere()
        self.assertEqual(self.rows_in_dynamics(), ([], []))
        invoice = self.org.request("GET", f"invoices({self.invoice_id})", params={"$select": "name"}).json()
        self.assertTrue(invoice["name"].startswith("Order"), "the invoice stays")

    def test_a_failed_step_says_which_and_trying_again_finishes_the_job(self):
        self.ask()
        with override_settings(XERO_REVOCATION_URL=nowhere()):
            self.run_jobs()
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.deletion_state, "failed")
        page = self.client.get(self.url)
        self.assertContains(page, "Deleting did not finish")
        self.assertContains(page, "It stopped at: Revoking the connector&#x27;s access to Xero.")
        self.assertContains(page, "Xero did not confirm revoking the connector&#x27;s access")
        self.assertContains(page, ">Try again</button>", html=False)
        self.assertContains(page, ">Delete it here only</button>", html=False)
        self.assertFalse(Link.objects.filter(connection=self.connection).exists(), "the ledger went first")
        self.client.post(self.url, {"action": "retry"})
        self.run_jobs()
        self.assertAllGoneHere()
        self.assertEqual(self.xero_answers_to(self.xero_tokens[0]), 401)
        self.assertEqual(webhooks.endpoints(self.org, str(self.connection.pk)), [])

    def test_after_a_failed_step_it_can_be_deleted_here_only_and_the_page_says_what_is_left(self):
        self.ask()
        with override_settings(XERO_REVOCATION_URL=nowhere()):
            self.run_jobs()
        response = self.client.post(self.url, {"action": "local"}, follow=True)
        self.assertRedirects(response, "/home/")
        self.assertMessage(response, "“Alpha Test” is deleted here.")
        self.assertMessage(response, "The connector's access to Xero was not revoked")
        self.assertAllGoneHere()
        self.assertEqual(self.refresh_with(self.xero_tokens[1]), 200, "the grant is left for the owner to revoke, as said")

    def test_a_sync_under_way_is_waited_for_not_cut_short(self):
        self.ask()
        self.assertTrue(state.acquire_lease(self.connection.pk, "run:under-way"))
        self.run_jobs()
        self.connection.refresh_from_db()
        self.assertEqual(
            (self.connection.deletion_state, self.connection.deletion_step),
            ("queued", "Waiting for the sync under way to finish."),
        )
        self.assertTrue(Link.objects.filter(connection=self.connection).exists())
        later = DBTaskResult.objects.filter(task_path=DELETE_JOB, status="READY").get()
        self.assertGreater(later.run_after, later.enqueued_at)

    def test_another_user_gets_404_and_deletes_nothing(self):
        self.client.force_login(self.bob)
        self.assertNotFound(self.client.get(self.url))
        self.assertNotFound(self.client.post(self.url, {"name": "Alpha Test"}))
        self.assertNotFound(self.client.post(self.url, {"action": "local"}))
        self.assertFalse(DBTaskResult.objects.filter(task_path=DELETE_JOB).exists())
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.deletion_state, "")

    def test_it_answers_only_get_and_post(self):
        self.assertEqual(self.client.put(self.url).status_code, 405)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.deletion_state, "")
