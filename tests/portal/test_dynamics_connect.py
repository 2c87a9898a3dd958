"""Connect to Dynamics from the connection page, against the Microsoft sandbox over HTTPS: MSAL sign-in,
Global Discovery, selecting an organisation, live solution and privilege checks (the one-click install: test_solution_install)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection as db
from django.test import override_settings
from django.utils.html import escape

from dxconnector.connections.models import DynamicsConnection
from tests.base import BaseTestCase
from tests.sandbox.microsoft.browser import sign_in
from tests.sandboxes import connector_settings, start_sandbox


class DynamicsSteps:
    """The admin's steps on the connection page, driven against `self.sandbox`."""

    @contextmanager
    def using(self, sandbox) -> Iterator[None]:
        """The connector pointed at `sandbox` (a test case's autouse fixture holds it open around each test)."""
        self.sandbox, self.microsoft = sandbox, sandbox.manifest["microsoft"]
        with override_settings(**connector_settings(sandbox)):
            yield

    def user(self, email: str) -> dict:
        return next(u for u in self.microsoft["users"] if u["email"] == email)

    def org(self, friendly_name: str) -> dict:
        return next(o for o in self.microsoft["organisations"] if o["friendly_name"] == friendly_name)

    def start(self) -> str:
        self.client.force_login(self.alice)
        response = self.client.post(f"/connections/{self.connection.pk}/dynamics/connect/")
        self.assertEqual(response.status_code, 302)
        return response["Location"]

    def connect(self, email="admin@oakwood.sandbox", consent="accept", **overrides):
        answer = sign_in(self.start(), self.user(email), consent=consent)
        answer.update(overrides)
        return self.client.get("/dynamics/callback/", answer, follow=True)

    def select(self, friendly_name: str):
        return self.client.post(
            f"/connections/{self.connection.pk}/dynamics/select/", {"org_id": self.org(friendly_name)["id"]}, follow=True
        )

    def lines(self, response) -> dict:
        return {line.key: line for line in response.context["checklist"]}


class DynamicsConnectTestCase(DynamicsSteps, BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        with self.using(sandbox):
            yield

    def test_it_sends_the_admin_to_microsoft(self):
        location = self.start()
        self.assertTrue(location.startswith(self.microsoft["authorize_url"]))
        query = parse_qs(urlsplit(location).query)
        self.assertEqual(query["redirect_uri"], ["http://127.0.0.1:8000/dynamics/callback/"])
        self.assertIn("code_challenge", query)
        self.assertIn("nonce", query)

    def test_signing_in_lists_only_the_users_organisations(self):
        response = self.connect()
        self.assertContains(response, "Signed in to Microsoft. Select your Dynamics organisation.")
        self.assertContains(response, "Oakwood Sales (Test)")
        self.assertNotContains(response, "Harbour Lights Trading")
        lines = self.lines(response)
        self.assertTrue(lines["dynamics"].done)
        self.assertEqual(lines["dynamics"].detail, "admin@oakwood.sandbox")
        self.assertFalse(lines["organisation"].done)

    def test_an_organisation_discovery_lists_on_another_host_is_not_offered(self):
        kept = self.org("Oakwood Sales")
        with override_settings(DATAVERSE_EXTRA_HOSTS=[urlsplit(kept["url"]).netloc]):
            response = self.connect()
        offered = [org["id"] for org in DynamicsConnection.objects.get(connection=self.connection).organisations]
        self.assertEqual(offered, [kept["id"]])
        self.assertNotContains(response, "Oakwood Sales (Test)")

    def test_an_organisation_whose_stored_url_is_not_a_dataverse_host_cannot_be_selected(self):
        self.connect()
        dynamics = DynamicsConnection.objects.get(connection=self.connection)
        org = self.org("Oakwood Sales")
        dynamics.organisations = [
            {**o, "url": "https://attacker.example"} if o["id"] == org["id"] else o for o in dynamics.organisations
        ]
        dynamics.save(update_fields=["organisations"])
        response = self.select("Oakwood Sales")
        self.assertContains(response, "Oakwood Sales cannot be used: Not a Dataverse organisation")
        self.assertEqual(DynamicsConnection.objects.get(connection=self.connection).org_url, "")

    def test_selecting_an_organisation_flashes_it_and_ticks_the_line(self):
        self.connect()
        response = self.select("Oakwood Sales")
        org = self.org("Oakwood Sales")
        self.assertEqual(response.redirect_chain[-1][0], f"/connections/{self.connection.pk}/?selected={org['id']}#step-dynamics")
        self.assertContains(response, f'class="organisation selected flash" data-org="{org["id"]}"')
        lines = self.lines(response)
        self.assertTrue(lines["organisation"].done)
        self.assertEqual(lines["organisation"].detail, "Oakwood Sales")
        dynamics = DynamicsConnection.objects.get(connection=self.connection)
        self.assertEqual(dynamics.org_url, org["url"])
        self.assertFalse(self.lines(self.client.get(f"/connections/{self.connection.pk}/"))["organisation"].detail == "")

    def test_the_flash_happens_once(self):
        self.connect()
        self.select("Oakwood Sales")
        again = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(again, 'class="organisation selected"')
        self.assertNotContains(again, "flash")

    def test_the_token_cache_is_stored_encrypted(self):
        self.connect()
        with db.cursor() as cursor:
            cursor.execute("SELECT token_cache FROM portal_dynamicsconnection")
            [stored] = cursor.fetchone()
        self.assertTrue(stored.startswith("gAAAA"))
        self.assertNotIn("refresh_token", stored)
        self.assertIn("RefreshToken", DynamicsConnection.objects.get().token_cache)

    def test_cancelled_consent_saves_nothing(self):
        # Consent is remembered per user once given; only this test signs this user in, so it is asked.
        response = self.connect("newstarter@harbourlights.sandbox", consent="cancel")
        self.assertContains(response, "You cancelled the Microsoft sign-in, so nothing was connected.")
        self.assertFalse(DynamicsConnection.objects.exists())

    def test_a_forged_state_is_refused(self):
        response = self.connect(state="forged")
        self.assertContains(response, escape("We couldn't verify this Microsoft sign-in"))
        self.assertFalse(DynamicsConnection.objects.exists())

    def test_selecting_an_organisation_that_was_not_listed_is_refused(self):
        self.connect()
        response = self.client.post(
            f"/connections/{self.connection.pk}/dynamics/select/",
            {"org_id": self.org("Harbour Lights Trading")["id"]},
            follow=True,
        )
        self.assertContains(response, "Choose one of the organisations listed.")
        self.assertFalse(DynamicsConnection.objects.get().has_organisation)

    def test_another_user_cannot_touch_the_dynamics_steps(self):
        self.client.force_login(self.bob)
        for path in ("dynamics/connect/", "dynamics/select/", "dynamics/disconnect/", "solution/install/"):
            self.assertNotFound(self.client.post(f"/connections/{self.connection.pk}/{path}"))

    def test_signing_in_again_keeps_the_selected_organisation(self):
        self.connect()
        self.select("Oakwood Sales")
        response = self.connect()
        self.assertContains(response, "Signed in to Microsoft. The connection still uses “Oakwood Sales”.")
        dynamics = DynamicsConnection.objects.get(connection=self.connection)
        self.assertEqual((dynamics.org_id, dynamics.org_url), (self.org("Oakwood Sales")["id"], self.org("Oakwood Sales")["url"]))
        self.assertTrue(self.lines(response)["organisation"].done)

    def test_disconnect_forgets_the_sign_in(self):
        self.connect()
        response = self.client.post(f"/connections/{self.connection.pk}/dynamics/disconnect/", follow=True)
        self.assertContains(response, "Disconnected from Dynamics.")
        self.assertFalse(DynamicsConnection.objects.exists())


@pytest.fixture(scope="module")
def untouched_sandbox(tmp_path_factory):
    """A sandbox of this module's own, so no other test has installed the solution in it yet."""
    running = start_sandbox(tmp_path_factory.mktemp("untouched-sandbox"), "--limits", "off")
    yield running
    running.stop()


class BeforeTheSolutionTestCase(DynamicsSteps, BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, untouched_sandbox):
        with self.using(untouched_sandbox):
            yield

    def test_before_the_solution_is_installed_the_checklist_says_how(self):
        self.connect()
        response = self.select("Oakwood Sales (Test)")
        line = self.lines(response)["solution"]
        self.assertFalse(line.done)
        self.assertIn("Install into Dynamics", line.tip)
        self.assertContains(response, "Install into Dynamics")

    def test_an_account_with_no_organisation_gets_one_red_message_and_connects_nothing(self):
        # Only this test signs this user in and accepts, on this module's own sandbox: test_cancelled_consent_saves_nothing
        # needs the consent page still to be asked on the shared one.
        response = self.connect("newstarter@harbourlights.sandbox")
        said = [(message.level_tag, str(message)) for message in response.context["messages"]]
        self.assertEqual(
            said,
            [
                (
                    "error",
                    "newstarter@harbourlights.sandbox has no Dynamics 365 organisation, so nothing was connected: sign in "
                    "with a work account that has one.",
                )
            ],
        )
        self.assertFalse(DynamicsConnection.objects.exists())
        self.assertFalse(self.lines(response)["dynamics"].done)
