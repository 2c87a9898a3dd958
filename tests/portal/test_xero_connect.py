"""Connect to Xero from the connection page, against the Xero sandbox over HTTPS."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection as db
from django.test import override_settings

from dxconnector.connections.models import XeroConnection
from tests.base import BaseTestCase
from tests.sandboxes import connector_settings, xero_consent


class XeroConnectTestCase(BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        self.sandbox = sandbox
        with override_settings(**connector_settings(sandbox)):
            yield

    def start(self, user=None):
        self.client.force_login(user or self.alice)
        response = self.client.post(f"/connections/{self.connection.pk}/xero/connect/")
        self.assertEqual(response.status_code, 302)
        return response["Location"]

    def come_back(self, location: str, **overrides):
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        query.update(overrides)
        return self.client.get("/xero/callback/", query, follow=True)

    def connect(self, **consent):
        return self.come_back(xero_consent(self.sandbox, self.start(), **consent))

    def test_it_sends_the_admin_to_xero_with_state_and_pkce(self):
        location = self.start()
        self.assertTrue(location.startswith(self.sandbox.xero["authorize_url"]))
        query = parse_qs(urlsplit(location).query)
        self.assertEqual(query["redirect_uri"], ["http://127.0.0.1:8000/xero/callback/"])
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertIn("offline_access", query["scope"][0])
        self.assertTrue(query["state"][0])

    def test_one_organisation_shows_its_name_and_a_green_tick(self):
        response = self.connect()
        organisation = self.sandbox.xero["organisations"][0]["name"]
        self.assertContains(response, f"Connected to Xero organisation “{organisation}”.")
        self.assertContains(response, 'id="xero-organisation"')
        lines = {line.key: line for line in response.context["checklist"]}
        self.assertTrue(lines["xero"].done)
        self.assertEqual(lines["xero"].detail, organisation)
        self.assertNotContains(response, ">Connect to Xero</button>")
        xero = XeroConnection.objects.get(connection=self.connection)
        self.assertEqual(xero.organisation_timezone, "NEWZEALANDSTANDARDTIME")
        self.assertGreater(xero.expires_at.timestamp(), 0)

    def test_tokens_are_stored_encrypted(self):
        self.connect()
        xero = XeroConnection.objects.get(connection=self.connection)
        with db.cursor() as cursor:
            cursor.execute("SELECT access_token, refresh_token FROM portal_xeroconnection WHERE id = %s", [xero.pk])
            stored_access, stored_refresh = cursor.fetchone()
        self.assertNotIn(xero.access_token, stored_access)
        self.assertNotIn(xero.refresh_token, stored_refresh)
        self.assertTrue(stored_refresh.startswith("gAAAA"))  # Fernet

    def test_several_organisations_ask_which_one(self):
        response = self.connect(tenants=2)
        self.assertContains(response, "Choose which organisation this connection uses.")
        self.assertContains(response, 'id="xero-choose"')
        xero = XeroConnection.objects.get(connection=self.connection)
        self.assertFalse(xero.is_chosen)
        self.assertFalse({line.key: line for line in response.context["checklist"]}["xero"].done)
        second = self.sandbox.xero["organisations"][1]
        chosen = self.client.post(
            f"/connections/{self.connection.pk}/xero/choose/", {"tenant_id": second["tenant_id"]}, follow=True
        )
        self.assertContains(chosen, f"Connected to Xero organisation “{second['name']}”.")
        xero.refresh_from_db()
        self.assertEqual((xero.tenant_id, xero.tenant_name, xero.pending_tenants), (second["tenant_id"], second["name"], []))

    def test_choosing_an_organisation_that_was_not_offered_is_refused(self):
        self.connect(tenants=2)
        response = self.client.post(f"/connections/{self.connection.pk}/xero/choose/", {"tenant_id": "not-offered"}, follow=True)
        self.assertContains(response, "Choose one of the organisations you allowed")
        self.assertFalse(XeroConnection.objects.get(connection=self.connection).is_chosen)

    def test_denied_consent_says_so_and_saves_nothing(self):
        response = self.connect(action="cancel")
        self.assertContains(response, "You cancelled the Xero consent, so nothing was connected.")
        self.assertFalse(XeroConnection.objects.exists())

    def test_a_bad_state_is_refused(self):
        location = xero_consent(self.sandbox, self.start())
        response = self.come_back(location, state="forged")
        self.assertContains(response, "We couldn&#x27;t verify this Xero sign-in")
        self.assertFalse(XeroConnection.objects.exists())

    def test_a_state_works_once(self):
        location = xero_consent(self.sandbox, self.start())
        self.come_back(location)
        XeroConnection.objects.all().delete()
        response = self.come_back(location)
        self.assertContains(response, "We couldn&#x27;t verify this Xero sign-in")
        self.assertFalse(XeroConnection.objects.exists())

    def test_an_already_used_code_reads_as_expired(self):
        location = xero_consent(self.sandbox, self.start())
        code = parse_qs(urlsplit(location).query)["code"][0]
        exchanged = httpx.post(
            self.sandbox.xero["token_url"],
            verify=self.sandbox.tls,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "http://127.0.0.1:8000/xero/callback/",
            },
            auth=(self.sandbox.xero_app()["client_id"], self.sandbox.xero_app()["client_secret"]),
        )
        self.assertEqual(exchanged.status_code, 400)  # no verifier: the sandbox burns the code, as Xero does
        response = self.come_back(location)
        self.assertContains(response, "The Xero sign-in expired before it finished")
        self.assertFalse(XeroConnection.objects.exists())

    def test_another_user_cannot_finish_alices_sign_in(self):
        location = xero_consent(self.sandbox, self.start())
        self.client.force_login(self.bob)
        response = self.come_back(location)
        self.assertContains(response, "We couldn&#x27;t verify this Xero sign-in")
        self.assertFalse(XeroConnection.objects.exists())

    def test_another_user_cannot_connect_alices_connection(self):
        self.client.force_login(self.bob)
        self.assertNotFound(self.client.post(f"/connections/{self.connection.pk}/xero/connect/"))

    def test_disconnect_removes_the_connection_at_xero_and_forgets_the_tokens(self):
        self.connect(user_index=1)
        xero = XeroConnection.objects.get(connection=self.connection)
        access_token = xero.access_token
        response = self.client.post(f"/connections/{self.connection.pk}/xero/disconnect/", follow=True)
        self.assertContains(response, "Disconnected from Xero.")
        self.assertContains(response, ">Connect to Xero</button>")
        self.assertFalse(XeroConnection.objects.exists())
        listed = httpx.get(
            self.sandbox.xero["connections_url"], headers={"Authorization": f"Bearer {access_token}"}, verify=self.sandbox.tls
        )
        self.assertEqual(listed.status_code, 401)  # revoked

    def test_reconnect_replaces_the_tokens(self):
        self.connect()
        first = XeroConnection.objects.get(connection=self.connection).refresh_token
        self.connect()
        self.assertEqual(XeroConnection.objects.count(), 1)
        self.assertNotEqual(XeroConnection.objects.get(connection=self.connection).refresh_token, first)

    @override_settings(XERO_CLIENT_ID="")
    def test_without_app_credentials_the_button_explains_why(self):
        self.client.force_login(self.alice)
        response = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(response, '<button class="button" type="button" disabled>Connect to Xero</button>', html=True)
        self.assertContains(response, "the operator of this service has not set it up")

    def test_blank_defaults_are_suggested_from_the_organisation(self):
        self.connection.name, self.connection.time_zone = "", ""
        self.connection.save()
        response = self.connect()
        form = response.context["defaults_form"]
        self.assertEqual(form.initial["name"], self.sandbox.xero["organisations"][0]["name"])
        self.assertEqual(form.initial["time_zone"], "Pacific/Auckland")
