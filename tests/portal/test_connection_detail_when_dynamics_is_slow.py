"""The connection page asks Dynamics live (solution, privileges) inside the web request: when Dynamics is slow or down it
answers in a few seconds, saying Dynamics did not answer, instead of holding the request through every retry.

Against the session's sandbox, its Dataverse organisation made slow (or failing) with the sandbox's own fault plan."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from dxconnector.connections.clients import PAGE_TIMEOUT_SECONDS
from dxconnector.portal.app_user import use_application_user
from tests.base import BaseTestCase
from tests.dynamics.dataverse_sandbox import control_client
from tests.sandboxes import connector_settings

LATENCY = 10.0  # longer than a page waits, shorter than the sync's patient client waits


class SlowDynamicsTestCase(BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        microsoft = sandbox.manifest["microsoft"]
        daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
        self.org = next(o for o in microsoft["organisations"] if o["friendly_name"] == "Oakwood Sales")
        self.control = control_client(sandbox, self.org)
        with override_settings(
            **connector_settings(sandbox),
            DYNAMICS_APP_CLIENT_ID=daemon["client_id"],
            DYNAMICS_APP_CLIENT_SECRET=daemon["client_secret"],
        ):
            yield
        self.control.put("/faults", json={}).raise_for_status()
        self.control.close()

    def setUp(self):
        super().setUp()
        use_application_user(self.connection, self.org["tenant_id"], self.org["url"], "Oakwood Sales")  # before any fault
        self.client.force_login(self.alice)
        self.control.post("/reset-stats").raise_for_status()

    def page(self):
        started = time.monotonic()
        response = self.client.get(f"/connections/{self.connection.pk}/")
        return response, time.monotonic() - started

    def dataverse_calls(self) -> int:
        return self.control.get("/stats").json()["calls"]

    def test_a_dynamics_that_takes_10_seconds_to_answer_does_not_hold_the_page(self):
        self.control.put("/faults", json={"rates": {"latency": 1.0}, "latency": LATENCY}).raise_for_status()
        response, seconds = self.page()
        self.assertEqual(response.status_code, 200)
        self.assertLess(seconds, PAGE_TIMEOUT_SECONDS + 3, "the page waited on Dynamics")
        self.assertContains(response, "Dynamics did not answer; try again")
        lines = {line.key: line for line in response.context["checklist"]}
        self.assertFalse(lines["solution"].done or lines["permissions"].done)
        self.assertEqual(self.dataverse_calls(), 1, "once Dynamics did not answer, it is asked nothing more")

    def test_a_dynamics_that_answers_503_is_asked_once_not_six_times(self):
        self.control.put("/faults", json={"rates": {"503": 1.0}}).raise_for_status()
        response, seconds = self.page()
        self.assertContains(response, "Dynamics did not answer; try again")
        self.assertLess(seconds, PAGE_TIMEOUT_SECONDS + 3)
        self.assertEqual(self.dataverse_calls(), 1)

    def test_once_dynamics_answers_again_the_page_shows_its_answers(self):
        response, _ = self.page()
        self.assertNotContains(response, "Dynamics did not answer")
        rows = response.context["access_rows"]
        installed = {line.key: line for line in response.context["checklist"]}["solution"].done
        # Dynamics' own tables are checked; the connector's once its solution is installed (they come with it).
        for row in rows:
            if installed or not row.item.table.startswith("stl3_"):
                self.assertIsNotNone(row.check, row.item.label)
            else:
                self.assertEqual((row.check, row.waiting), (None, "checked once the solution is installed"))
        self.assertEqual(self.dataverse_calls(), 3)  # the solution, WhoAmI and the privileges
