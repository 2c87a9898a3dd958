"""The whole onboarding through the portal's views, against both sandboxes: Xero, the solution, Dynamics,
defaults, Create Connection (rows written into Dynamics), the pop-up, the trial."""

from __future__ import annotations

import pytest
from django.test import override_settings

from dxconnector.connections.clients import dynamics_client as client_for
from dxconnector.connections.models import DynamicsConnection
from dxconnector.dynamics.solution.definition import CONNECTION, SETTINGS
from tests.base import BaseTestCase
from tests.sandbox.microsoft.browser import sign_in
from tests.sandboxes import connector_settings, xero_consent


class OnboardingFlowTestCase(BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        self.sandbox = sandbox
        with override_settings(**connector_settings(sandbox)):
            yield

    def page(self):
        return self.client.get(f"/connections/{self.connection.pk}/")

    def onboard(self, org="Oakwood Sales"):  # "(Test)" stays without the solution for test_dynamics_connect
        self.client.force_login(self.alice)
        base = f"/connections/{self.connection.pk}"
        location = xero_consent(self.sandbox, self.client.post(f"{base}/xero/connect/")["Location"], user_index=1)
        self.client.get("/xero/callback/" + location[location.index("?") :])
        admin = next(u for u in self.sandbox.manifest["microsoft"]["users"] if u["email"] == "admin@oakwood.sandbox")
        self.client.get("/dynamics/callback/", sign_in(self.client.post(f"{base}/dynamics/connect/")["Location"], admin))
        org_id = next(o["id"] for o in self.sandbox.manifest["microsoft"]["organisations"] if o["friendly_name"] == org)
        self.client.post(f"{base}/dynamics/select/", {"org_id": org_id})
        self.client.post(f"{base}/solution/install/")
        self.run_jobs()  # the install's job
        self.client.post(f"{base}/defaults/", {"name": "Alpha Test", "time_zone": "Pacific/Auckland"})
        self.client.post(f"{base}/create/")
        self.run_jobs()  # Create Connection's job
        return self.client.get(f"{base}/")

    def test_create_connection_writes_the_rows_into_dynamics_and_shows_the_popup(self):
        response = self.onboard()
        self.assertTrue(
            all(line.done for line in response.context["checklist"]),
            [line.tip for line in response.context["checklist"] if not line.done],
        )
        self.assertContains(response, "Your connection is working!")
        self.assertContains(response, "Connector Settings in Dynamics")
        client = client_for(DynamicsConnection.objects.get(connection=self.connection))
        try:
            [connector] = client.list(CONNECTION.set_name, filter=f"stl3_portalconnectionid eq '{self.connection.pk}'")
            [settings] = client.list(SETTINGS.set_name, filter=f"_stl3_connectorid_value eq {connector[CONNECTION.primary_id]}")
        finally:
            client.close()
        self.assertEqual(connector["stl3_name"], "Alpha Test")
        self.assertEqual(connector["stl3_organisationname"], self.sandbox.xero["organisations"][2]["name"])
        self.assertEqual(settings["stl3_timezone"], "Pacific/Auckland")

    def test_closing_the_popup_through_the_dynamics_link_starts_the_trial_and_goes_there(self):
        response = self.onboard()
        link = response.context["dynamics_settings_url"]
        self.assertTrue(link.startswith("https://127.0.0.1:"))
        closed = self.client.post(f"/connections/{self.connection.pk}/start-trial/", {"next": link})
        self.assertEqual(closed["Location"], link)
        self.connection.refresh_from_db()
        self.assertIsNotNone(self.connection.trial_started_at)
        self.assertNotContains(self.page(), "Your connection is working!")

    def test_creating_again_refreshes_the_rows_instead_of_duplicating_them(self):
        self.onboard()
        self.client.post(f"/connections/{self.connection.pk}/create/")
        self.run_jobs()
        client = client_for(DynamicsConnection.objects.get(connection=self.connection))
        try:
            found = client.list(CONNECTION.set_name, filter=f"stl3_portalconnectionid eq '{self.connection.pk}'")
        finally:
            client.close()
        self.assertEqual(len(found), 1)
