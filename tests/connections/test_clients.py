"""The clients a connection is given: its organisation's URL, as stored, is checked before any token goes to it."""

from __future__ import annotations

import pytest
from django.test import override_settings

from dxconnector.connections.clients import dynamics_client
from dxconnector.connections.models import DynamicsConnection
from dxconnector.dynamics.errors import UntrustedHost
from tests.base import BaseTestCase
from tests.recorder import Recorder
from tests.sandboxes import connector_settings


class StoredOrganisationUrlTestCase(BaseTestCase):
    """An application-user connection (its tokens come from the sandbox's identity host for any organisation URL) whose
    stored URL was changed in the database to a host of the test's own."""

    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        microsoft = sandbox.manifest["microsoft"]
        daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
        self.org = next(o for o in microsoft["organisations"] if o["friendly_name"] == "Oakwood Sales")
        self.elsewhere = Recorder().start()
        with override_settings(
            **connector_settings(sandbox),
            DYNAMICS_APP_CLIENT_ID=daemon["client_id"],
            DYNAMICS_APP_CLIENT_SECRET=daemon["client_secret"],
        ):
            yield
        self.elsewhere.stop()

    def setUp(self):
        super().setUp()
        self.dynamics = DynamicsConnection.objects.create(
            connection=self.connection,
            mode=DynamicsConnection.Mode.APP,
            tenant_id=self.org["tenant_id"],
            org_id=self.org["id"],
            org_url=self.elsewhere.url,
            org_name="Oakwood Sales",
        )

    def test_a_stored_organisation_url_that_is_not_a_dataverse_host_gets_no_client(self):
        with self.assertRaises(UntrustedHost):
            dynamics_client(self.dynamics)
        self.assertEqual(self.elsewhere.seen, [])

    def test_the_connection_page_says_so_and_asks_nothing_of_it(self):
        self.client.force_login(self.alice)
        response = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(response, "Not a Dataverse organisation")
        self.assertEqual(self.elsewhere.seen, [], "the connection page sent a token to the stored URL")


def test_a_jobs_xero_calls_have_a_time_limit_longer_than_a_pages():
    """A job's Xero call that never answers would hold the connection's lease and a worker for good."""
    from dxconnector.connections.clients import PAGE_TIMEOUT_SECONDS, xero_config

    job, page = xero_config().request_timeout, xero_config(for_a_page=True).request_timeout
    assert job is not None and page is not None
    assert job[0] > page[0] >= PAGE_TIMEOUT_SECONDS and job[1] > page[1]
