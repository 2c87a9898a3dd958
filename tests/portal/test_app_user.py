"""The operator's application-user alternative, against the Microsoft sandbox: client credentials for the
sandbox's background-sync app, whose application user has the "Xero Integration" role."""

from __future__ import annotations

import pytest
from django.test import override_settings

from dxconnector.connections.models import DynamicsConnection
from dxconnector.dynamics.errors import AuthExpired, UntrustedHost
from dxconnector.portal import checklist
from dxconnector.portal.app_user import use_application_user
from tests.base import BaseTestCase
from tests.clirun import run_cli
from tests.recorder import Recorder
from tests.sandboxes import connector_settings


class ApplicationUserTestCase(BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        microsoft = sandbox.manifest["microsoft"]
        daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
        self.org = next(o for o in microsoft["organisations"] if o["friendly_name"] == "Oakwood Sales")
        with override_settings(
            **connector_settings(sandbox),
            DYNAMICS_APP_CLIENT_ID=daemon["client_id"],
            DYNAMICS_APP_CLIENT_SECRET=daemon["client_secret"],
        ):
            yield

    def test_it_connects_through_the_application_user_and_the_checklist_asks_dynamics(self):
        dynamics = use_application_user(self.connection, self.org["tenant_id"], self.org["url"], "Oakwood Sales")
        self.assertEqual((dynamics.mode, dynamics.org_id), (DynamicsConnection.Mode.APP, self.org["id"]))
        lines = {line.key: line for line in checklist.evaluate(self.connection)}
        self.assertTrue(lines["dynamics"].done)
        self.assertTrue(lines["organisation"].done)
        facts = checklist.Live(self.connection).dynamics_facts
        self.assertEqual(facts.access_problem, "")
        held = {check.item.table: check.ok for check in facts.access}
        self.assertTrue(held["invoice"] and held["account"] and held["product"])

    def test_wrong_app_credentials_are_refused_and_nothing_is_kept(self):
        with override_settings(DYNAMICS_APP_CLIENT_SECRET="wrong"), self.assertRaises(AuthExpired):
            use_application_user(self.connection, self.org["tenant_id"], self.org["url"])
        self.assertFalse(DynamicsConnection.objects.exists())

    def test_an_org_url_that_is_not_a_dataverse_host_is_refused_before_any_token_is_sent(self):
        elsewhere = Recorder().start()
        try:
            for url in (elsewhere.url, elsewhere.url.replace("http://", "https://"), "http://contoso.crm.dynamics.com"):
                with self.subTest(url), self.assertRaises(UntrustedHost):
                    use_application_user(self.connection, self.org["tenant_id"], url)
        finally:
            elsewhere.stop()
        self.assertEqual(elsewhere.seen, [])
        self.assertFalse(DynamicsConnection.objects.exists())

    def test_the_sandboxs_organisation_is_trusted_only_because_the_settings_list_it(self):
        with override_settings(DATAVERSE_EXTRA_HOSTS=[]), self.assertRaises(UntrustedHost):
            use_application_user(self.connection, self.org["tenant_id"], self.org["url"])


def test_the_app_user_command_takes_only_an_https_dataverse_url(tmp_path):
    for url, why in [
        ("http://contoso.crm.dynamics.com", "is not an https URL"),
        ("https://contoso.crm.dynamics.com.attacker.example", "is not a Dataverse host"),
    ]:
        result = run_cli("app-user", "any-connection", "--tenant", "t", "--org-url", url, DEBUG="true", DATA_DIR=str(tmp_path))
        assert result.returncode == 2, result.stdout + result.stderr
        assert "--org-url must be an organisation's https URL on a Dataverse host" in result.stderr
        assert why in result.stderr
