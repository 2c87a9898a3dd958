"""Connecting to Xero asks Xero inside the web request (its organisations after the sign-in, the one picked): when Xero
is slow the page answers within a few seconds, saying Xero did not answer, instead of holding the request through
every retry. Against the session's sandbox, its Xero API host made slow with the sandbox's own fault plan."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from dxconnector.connections.clients import PAGE_TIMEOUT_SECONDS
from dxconnector.connections.models import XeroConnection
from tests.base import BaseTestCase
from tests.sandboxes import connector_settings, control, xero_consent

LATENCY = 10.0  # longer than a page waits


class SlowXeroTestCase(BaseTestCase):
    @pytest.fixture(autouse=True)
    def _use_sandbox(self, sandbox):
        self.sandbox = sandbox
        with override_settings(**connector_settings(sandbox)):
            yield
        control(sandbox, "PUT", "/faults", {})

    def sign_in_location(self, tenants: int) -> str:
        self.client.force_login(self.alice)
        start = self.client.post(f"/connections/{self.connection.pk}/xero/connect/")["Location"]
        return xero_consent(self.sandbox, start, tenants=tenants)

    def come_back(self, location: str):
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return self.client.get("/xero/callback/", query, follow=True)

    def slow_down_xero(self) -> None:
        control(self.sandbox, "PUT", "/faults", {"rates": {"latency": 1.0}, "latency": LATENCY})
        control(self.sandbox, "POST", "/reset-stats")

    def xero_calls(self) -> int:
        return control(self.sandbox, "GET", "/stats")["calls"]

    def test_a_xero_that_does_not_answer_while_an_organisation_is_picked_gives_a_clear_message_quickly(self):
        self.come_back(self.sign_in_location(tenants=2))
        second = self.sandbox.xero["organisations"][1]
        self.slow_down_xero()
        started = time.monotonic()
        response = self.client.post(
            f"/connections/{self.connection.pk}/xero/choose/", {"tenant_id": second["tenant_id"]}, follow=True
        )
        self.assertLess(time.monotonic() - started, PAGE_TIMEOUT_SECONDS + 3, "the page waited on Xero")
        self.assertMessage(response, "Xero did not answer; try again")
        self.assertEqual(self.xero_calls(), 1, "Xero was asked again within the request")
        xero = XeroConnection.objects.get(connection=self.connection)
        self.assertFalse(xero.is_chosen)
        self.assertEqual(len(xero.pending_tenants), 2, "the organisations stay offered, to pick again")

    def test_a_xero_that_does_not_answer_after_the_sign_in_gives_a_clear_message_quickly(self):
        location = self.sign_in_location(tenants=1)
        self.slow_down_xero()
        started = time.monotonic()
        response = self.come_back(location)
        self.assertLess(time.monotonic() - started, PAGE_TIMEOUT_SECONDS + 3, "the page waited on Xero")
        self.assertMessage(response, "Xero did not answer; try again")
        self.assertFalse(XeroConnection.objects.exists())
