"""Renaming a created connection from Home, against the sandbox: the name goes into its rows in Dynamics (people pick
the connection by it on an invoice) before it is saved here; when Dynamics does not answer, nothing is renamed."""

from __future__ import annotations

from dxconnector.dynamics.solution.definition import CONNECTION, SETTINGS
from tests.dynamics.dataverse_sandbox import control_client
from tests.sync.helpers import ORGANISATION, SyncTestCase


class LiveConnectionRenameTestCase(SyncTestCase):
    def setUp(self):
        super().setUp()
        self.onboard()
        self.connection.refresh_from_db()
        self.name_before = self.connection.name

    def rename(self, name):
        return self.client.post(f"/connections/{self.connection.pk}/rename/", {"name": name})

    def names_in_dynamics(self) -> tuple[str, str]:
        connector_id = self.connector_id()
        [settings] = self.dataverse().list(
            SETTINGS.set_name, select=SETTINGS.primary_name, filter=f"_stl3_connectorid_value eq {connector_id}"
        )
        connector = self.dataverse().read(f"{CONNECTION.set_name}({connector_id})")
        return settings[SETTINGS.primary_name], connector[CONNECTION.primary_name]

    def test_the_new_name_is_saved_here_and_in_both_rows_in_dynamics(self):
        self.assertRedirects(self.rename("Alpha Wholesale"), "/home/", fetch_redirect_response=False)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Wholesale")
        self.assertEqual(self.names_in_dynamics(), ("Alpha Wholesale", "Alpha Wholesale"))

    def test_when_dynamics_does_not_answer_nothing_is_renamed_and_what_was_typed_stays(self):
        names_before = self.names_in_dynamics()
        org = next(o for o in self.sandbox.manifest["microsoft"]["organisations"] if o["friendly_name"] == ORGANISATION)
        with control_client(self.sandbox, org) as dataverse:
            dataverse.put("/faults", json={"rates": {"503": 1.0}}).raise_for_status()
            try:
                response = self.rename("Alpha Wholesale")
            finally:
                dataverse.put("/faults", json={}).raise_for_status()
        self.assertContains(response, "Dynamics did not answer", status_code=503)
        self.assertContains(response, 'value="Alpha Wholesale"', status_code=503)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, self.name_before)
        self.assertEqual(self.names_in_dynamics(), names_before)
