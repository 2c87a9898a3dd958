import base64
import hashlib
import hmac
import json

from django.test import override_settings

from dxconnector.sync.models import XeroWebhookEvent
from tests.base import BaseTestCase

KEY = "webhook-key-for-tests"
TENANT = "7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60"


def payload(*events) -> bytes:
    return json.dumps(
        {"events": list(events), "firstEventSequence": 1, "lastEventSequence": len(events), "entropy": "XYZ"}
    ).encode()


def event(resource_id="2a3b4c5d-0000-4000-8000-000000000001", category="INVOICE", kind="UPDATE") -> dict:
    return {
        "resourceUrl": f"https://api.xero.com/api.xro/2.0/Invoices/{resource_id}",
        "resourceId": resource_id,
        "eventDateUtc": "2026-11-25T01:15:39.902",
        "eventType": kind,
        "eventCategory": category,
        "tenantId": TENANT,
        "tenantType": "ORGANISATION",
    }


def sign(body: bytes, key: str = KEY) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


@override_settings(XERO_WEBHOOK_KEY=KEY)
class XeroWebhookTestCase(BaseTestCase):
    def deliver(self, body: bytes, signature: str | None = None):
        headers = {} if signature is None else {"HTTP_X_XERO_SIGNATURE": signature}
        return self.client.post("/webhooks/xero/", body, content_type="application/json", **headers)

    def assertEmptyAnswer(self, response, status):
        self.assertEqual(response.status_code, status)
        self.assertEqual(response.content, b"")
        self.assertEqual(response.cookies, {})

    def test_it_queues_signed_events_and_answers_200_with_no_body(self):
        body = payload(event(), event("2a3b4c5d-0000-4000-8000-000000000002", "CONTACT", "CREATE"))
        self.assertEmptyAnswer(self.deliver(body, sign(body)), 200)
        stored = XeroWebhookEvent.objects.order_by("category")
        self.assertEqual(
            [(e.category, e.event_type, e.tenant_id, e.processed_at) for e in stored],
            [("CONTACT", "CREATE", TENANT, None), ("INVOICE", "UPDATE", TENANT, None)],
        )
        self.assertEqual(stored[1].event_date.isoformat(), "2026-11-25T01:15:39.902000+00:00")

    def test_a_redelivered_event_is_kept_once(self):
        body = payload(event())
        self.deliver(body, sign(body))
        self.deliver(body, sign(body))
        self.assertEqual(XeroWebhookEvent.objects.count(), 1)

    def test_it_rejects_a_bad_signature_with_401_and_no_body(self):
        body = payload(event())
        self.assertEmptyAnswer(self.deliver(body, sign(body, "another-key")), 401)
        self.assertEmptyAnswer(self.deliver(body), 401)
        self.assertFalse(XeroWebhookEvent.objects.exists())

    def test_a_body_changed_after_signing_is_rejected(self):
        body = payload(event())
        self.assertEmptyAnswer(self.deliver(body + b" ", sign(body)), 401)

    def test_a_signature_with_non_ascii_characters_is_refused_with_401_not_a_crash(self):
        body = payload(event())
        self.assertEmptyAnswer(self.deliver(body, "é" * len(sign(body))), 401)
        self.assertEmptyAnswer(self.deliver(body, sign(body)[:-2] + "ü="), 401)
        self.assertFalse(XeroWebhookEvent.objects.exists())

    def test_a_signed_event_with_a_tenant_id_of_5000_characters_is_left_out_and_the_rest_kept(self):
        oversized = {**event("2a3b4c5d-0000-4000-8000-000000000009"), "tenantId": "7" * 5000}
        body = payload(oversized, event())
        self.assertEmptyAnswer(self.deliver(body, sign(body)), 200)
        self.assertEqual(
            list(XeroWebhookEvent.objects.values_list("tenant_id", "resource_id")), [(TENANT, event()["resourceId"])]
        )

    def test_a_signed_event_whose_resource_id_is_not_a_guid_is_left_out(self):
        body = payload(event("../../Invoices" + "x" * 100))
        self.assertEmptyAnswer(self.deliver(body, sign(body)), 200)
        self.assertFalse(XeroWebhookEvent.objects.exists())

    def test_it_passes_intent_to_receive(self):
        body = b'{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"ITR"}'
        self.assertEmptyAnswer(self.deliver(body, sign(body)), 200)
        self.assertEmptyAnswer(self.deliver(body, "bm90IHRoZSByaWdodCBzaWduYXR1cmU="), 401)

    def test_a_signed_but_malformed_payload_is_a_400(self):
        body = b'{"events":[{"tenantId": 1}]}'
        self.assertEqual(self.deliver(body, sign(body)).status_code, 400)

    def test_a_signed_body_of_json_nested_100000_deep_is_a_400_not_a_500(self):
        body = b"[" * 100_000 + b"]" * 100_000
        self.assertEmptyAnswer(self.deliver(body, sign(body)), 400)
        self.assertFalse(XeroWebhookEvent.objects.exists())

    def test_it_only_accepts_post(self):
        self.assertEqual(self.client.get("/webhooks/xero/").status_code, 405)

    @override_settings(XERO_WEBHOOK_KEY="")
    def test_without_a_configured_key_nothing_is_accepted(self):
        body = payload(event())
        self.assertEqual(self.deliver(body, sign(body, "")).status_code, 401)
