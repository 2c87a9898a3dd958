"""On a live connection, Disconnect, Reconnect and choosing another organisation ask first: the first POST changes
nothing and shows what would happen; Confirm posts again and acts. During onboarding they act at once."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from tests.base import BaseTestCase
from tests.portal.test_dynamics_connect import DynamicsSteps
from tests.sandboxes import xero_consent


class DisconnectConfirmationTestCase(DynamicsSteps, BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        with self.using(sandbox):
            yield

    def setUp(self) -> None:
        super().setUp()
        self.base = f"/connections/{self.connection.pk}"

    def connect_xero(self) -> XeroConnection:
        self.client.force_login(self.alice)
        location = xero_consent(self.sandbox, self.client.post(f"{self.base}/xero/connect/")["Location"], user_index=1)
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        self.client.get("/xero/callback/", query)
        return XeroConnection.objects.get(connection=self.connection)

    def go_live(self) -> None:
        Connection.objects.filter(pk=self.connection.pk).update(status=Connection.Status.CREATED)

    def assertAsks(self, response, title: str) -> None:
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "portal/confirm.html")
        self.assertContains(response, title)
        self.assertContains(response, '<input type="hidden" name="confirmed" value="yes">', html=True)
        self.assertContains(response, f'href="{self.base}/" id="cancel"')

    def test_disconnecting_xero_from_a_live_connection_asks_first_and_changes_nothing(self):
        before = self.connect_xero()
        self.go_live()
        response = self.client.post(f"{self.base}/xero/disconnect/")
        self.assertAsks(response, "Disconnect from Xero?")
        self.assertContains(response, "The connector&#x27;s access to the Xero organisation “Thistle &amp; Rose Ltd” is revoked")
        self.assertContains(response, "Nothing is deleted, in Xero or in Dynamics.")
        after = XeroConnection.objects.get(connection=self.connection)
        self.assertEqual((after.tenant_id, after.refresh_token), (before.tenant_id, before.refresh_token))

    def test_confirming_disconnects_xero(self):
        self.connect_xero()
        self.go_live()
        response = self.client.post(f"{self.base}/xero/disconnect/", {"confirmed": "yes"}, follow=True)
        self.assertMessage(response, "Disconnected from Xero.")
        self.assertFalse(XeroConnection.objects.filter(connection=self.connection).exists())

    def test_reconnecting_xero_on_a_live_connection_asks_first_then_goes_to_xero(self):
        self.connect_xero()
        self.go_live()
        self.assertAsks(self.client.post(f"{self.base}/xero/connect/"), "Reconnect to Xero?")
        confirmed = self.client.post(f"{self.base}/xero/connect/", {"confirmed": "yes"})
        self.assertEqual(confirmed.status_code, 302)
        self.assertTrue(confirmed["Location"].startswith(self.sandbox.xero["authorize_url"]))

    def test_disconnecting_dynamics_from_a_live_connection_asks_first_then_acts(self):
        self.connect()
        self.select("Oakwood Sales")
        self.go_live()
        response = self.client.post(f"{self.base}/dynamics/disconnect/")
        self.assertAsks(response, "Disconnect from Dynamics?")
        self.assertContains(response, "forgets its sign-in to the Dynamics organisation “Oakwood Sales”")
        self.assertTrue(DynamicsConnection.objects.filter(connection=self.connection).exists())
        confirmed = self.client.post(f"{self.base}/dynamics/disconnect/", {"confirmed": "yes"}, follow=True)
        self.assertMessage(confirmed, "Disconnected from Dynamics.")
        self.assertFalse(DynamicsConnection.objects.filter(connection=self.connection).exists())

    def test_signing_in_to_microsoft_again_on_a_live_connection_asks_first(self):
        self.connect()
        self.select("Oakwood Sales")
        self.go_live()
        self.assertAsks(self.client.post(f"{self.base}/dynamics/connect/"), "Sign in to Microsoft again?")
        confirmed = self.client.post(f"{self.base}/dynamics/connect/", {"confirmed": "yes"})
        self.assertEqual(confirmed.status_code, 302)
        self.assertTrue(confirmed["Location"].startswith(self.microsoft["authorize_url"]))

    def test_selecting_another_dynamics_organisation_asks_first_and_carries_the_choice(self):
        self.connect()
        self.select("Oakwood Sales")
        self.go_live()
        other = self.org("Oakwood Sales (Test)")["id"]
        response = self.client.post(f"{self.base}/dynamics/select/", {"org_id": other})
        self.assertAsks(response, "Use this Dynamics organisation?")
        self.assertContains(response, "It stops syncing “Oakwood Sales”.")
        self.assertContains(response, f'<input type="hidden" name="org_id" value="{other}">', html=True)
        self.assertEqual(DynamicsConnection.objects.get(connection=self.connection).org_name, "Oakwood Sales")
        self.client.post(f"{self.base}/dynamics/select/", {"org_id": other, "confirmed": "yes"})
        self.assertEqual(DynamicsConnection.objects.get(connection=self.connection).org_name, "Oakwood Sales (Test)")

    def test_selecting_the_organisation_already_used_does_not_ask(self):
        self.connect()
        self.select("Oakwood Sales")
        self.go_live()
        response = self.client.post(f"{self.base}/dynamics/select/", {"org_id": self.org("Oakwood Sales")["id"]})
        self.assertEqual(response.status_code, 302)

    def test_during_onboarding_disconnect_acts_at_once(self):
        self.connect_xero()
        response = self.client.post(f"{self.base}/xero/disconnect/", follow=True)
        self.assertMessage(response, "Disconnected from Xero.")
        self.assertFalse(XeroConnection.objects.filter(connection=self.connection).exists())

    def test_another_user_gets_no_confirmation_page(self):
        self.connect_xero()
        self.go_live()
        self.client.force_login(self.bob)
        for path in ("xero/disconnect/", "xero/connect/", "dynamics/disconnect/", "dynamics/select/"):
            self.assertNotFound(self.client.post(f"{self.base}/{path}"))
