"""End to end: a contact created in the sandbox Xero reaches the portal's webhook receiver, signed, and
is queued for the sync; the intent-to-receive check passes."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from django.test import override_settings

from dxconnector.sync.models import XeroWebhookEvent
from tests.sandboxes import connector_settings, control, xero_tokens

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def subscribed(sandbox, live_server):
    app = sandbox.xero_app()
    control(sandbox, "PUT", f"/webhooks/{app['client_id']}", {"url": f"{live_server.url}/webhooks/xero/"})
    with override_settings(**connector_settings(sandbox, base_url=live_server.url)):
        yield app
    control(sandbox, "PUT", f"/webhooks/{app['client_id']}", {"url": None})


def test_a_contact_made_in_xero_arrives_as_a_queued_event(sandbox, subscribed):
    tokens, [tenant_id] = xero_tokens(sandbox, user_index=1)
    created = httpx.put(
        sandbox.xero["api_url"] + "/Contacts",
        json={"Contacts": [{"Name": f"Webhook Ltd {uuid.uuid4().hex[:8]}"}]},
        headers={"Authorization": f"Bearer {tokens.access_token}", "xero-tenant-id": tenant_id},
        verify=sandbox.tls,
    ).json()["Contacts"][0]
    deadline = time.monotonic() + 10
    while not XeroWebhookEvent.objects.filter(resource_id=created["ContactID"]).exists():
        assert time.monotonic() < deadline, "the webhook never arrived"
        time.sleep(0.1)
    event = XeroWebhookEvent.objects.get(resource_id=created["ContactID"])
    assert (event.tenant_id, event.category, event.event_type) == (tenant_id, "CONTACT", "CREATE")


def test_the_receiver_passes_xeros_intent_to_receive_check(sandbox, subscribed):
    result = control(sandbox, "POST", f"/webhooks/{subscribed['client_id']}/intent-to-receive")
    assert result["passed"] is True, result
