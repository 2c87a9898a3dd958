"""Xero webhooks: the deliverer as a unit (in-process identity, a real receiver on loopback), then the
control endpoints and an end-to-end event through a running sandbox."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
import pytest

from dxsandbox.common.control import TOKEN_HEADER
from dxsandbox.common.store import DocumentStore
from dxsandbox.common.tls import issue_server_certificate
from dxsandbox.xero import seed
from dxsandbox.xero.events import ChangeEvent
from dxsandbox.xero.oauth import XeroIdentity
from dxsandbox.xero.webhooks import DeliverySettings, WebhookDeliverer, intent_to_receive
from tests.sandbox.common.webhook_receiver import signature, signature_checker, webhook_receiver
from tests.sandboxes import start_sandbox

WEB_APP = next(app for app in seed.APPS if app["kind"] == "web")
USER = seed.USERS[0]
TENANT, OTHER_TENANT = USER["tenant_ids"][0], seed.USERS[1]["tenant_ids"][0]
REDIRECT = WEB_APP["redirect_uris"][0]
KEY = WEB_APP["webhook_key"]
SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "specs" / "xero" / "xero-webhooks.yaml"


def connect(identity: XeroIdentity, client_id: str, tenant_ids: list[str]) -> None:
    """Consent as USER, without the browser: a code for the tenants, exchanged at once."""
    code = identity.issue_code(
        client_id=client_id,
        user_id=USER["user_id"],
        tenant_ids=tenant_ids,
        scope=seed.SCOPES_BROAD,
        redirect_uri=REDIRECT,
        code_challenge=None,
        code_challenge_method=None,
    )
    identity.exchange_code(identity.app(client_id), code, REDIRECT, None)


@pytest.fixture
def identity(tmp_path):
    store = DocumentStore(tmp_path / "xero.sqlite3")
    identity = XeroIdentity(store)
    connect(identity, WEB_APP["client_id"], [TENANT])
    yield identity
    store.close()


def fast(**overrides) -> DeliverySettings:
    return DeliverySettings(**{"batch_seconds": 0.05, "first_backoff": 0.05, "max_backoff": 0.1, "max_attempts": 3, **overrides})


def contact_event(tenant: str = TENANT, event_type: str = "CREATE", resource_id: str | None = None) -> ChangeEvent:
    resource_id = resource_id or str(uuid.uuid4())
    return ChangeEvent(tenant, "CONTACT", event_type, resource_id, f"https://127.0.0.1/api.xro/2.0/Contacts/{resource_id}")


@pytest.fixture
def deliverer(identity):
    made: list[WebhookDeliverer] = []

    def make(**settings) -> WebhookDeliverer:
        made.append(WebhookDeliverer(identity, settings=fast(**settings)))
        return made[-1]

    yield make
    for one in made:
        one.close()


def test_events_are_posted_signed_and_shaped_like_xero(identity, deliverer):
    with webhook_receiver(signature_checker(KEY)) as receiver:
        identity.update_app(WEB_APP["client_id"], webhook_url=receiver.url)
        sink = deliverer()
        event = contact_event()
        sink.emit(event)
        assert sink.flush()
        [request] = receiver.wait_for(1)
    assert request.headers["x-xero-signature"] == signature(KEY, request.body)
    assert request.headers["content-type"].startswith("application/json")
    payload = request.json
    assert set(payload) == {"events", "firstEventSequence", "lastEventSequence", "entropy"}
    assert (payload["firstEventSequence"], payload["lastEventSequence"]) == (1, 1)
    assert re.fullmatch(r"[A-Z]{20}", payload["entropy"])
    [sent] = payload["events"]
    assert sent == {
        "resourceUrl": event.resource_url,
        "resourceId": event.resource_id,
        "eventDateUtc": sent["eventDateUtc"],
        "eventType": "CREATE",
        "eventCategory": "CONTACT",
        "tenantId": TENANT,
        "tenantType": "ORGANISATION",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", sent["eventDateUtc"])
    assert sink.stats()["apps"][WEB_APP["client_id"]]["delivered_events"] == 1


def test_payloads_match_the_published_webhook_schema(identity, deliverer):
    if not SPEC.exists():
        pytest.skip("the Xero webhook spec (../shared/specs/xero/xero-webhooks.yaml) is not beside this repository")
    yaml = pytest.importorskip("yaml")
    jsonschema = pytest.importorskip("jsonschema")
    document = yaml.safe_load(SPEC.read_text())
    with webhook_receiver(signature_checker(KEY)) as receiver:
        identity.update_app(WEB_APP["client_id"], webhook_url=receiver.url)
        sink = deliverer(batch_seconds=1.0)
        sink.emit(contact_event())
        sink.emit(
            ChangeEvent(
                TENANT,
                "CREDITNOTE",
                "UPDATE",
                str(uuid.uuid4()),
                "https://127.0.0.1/api.xro/2.0/CreditNotes/x",
                data={"Type": "ACCRECCREDIT", "Status": "AUTHORISED"},
            )
        )
        assert sink.flush()
        payloads = [request.json for request in receiver.wait_for(1)]
    for payload in payloads:
        for name in ("WebhookEvent", "CreditNoteWebhookEvent"):
            if name == "CreditNoteWebhookEvent" and any(e["eventCategory"] != "CREDITNOTE" for e in payload["events"]):
                continue
            # Examples hold dates that YAML reads as datetimes: round-trip them to strings first.
            components = json.loads(json.dumps(document["components"], default=str))
            jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": components}).validate(payload)
    credit = next(e for p in payloads for e in p["events"] if e["eventCategory"] == "CREDITNOTE")
    assert credit["data"] == {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}


def test_a_burst_shares_one_payload_with_consecutive_sequences(identity, deliverer):
    with webhook_receiver(signature_checker(KEY)) as receiver:
        identity.update_app(WEB_APP["client_id"], webhook_url=receiver.url)
        sink = deliverer(batch_seconds=1.0)
        ids = [str(uuid.uuid4()) for _ in range(3)]
        for resource_id in ids:
            sink.emit(contact_event(resource_id=resource_id))
        assert sink.flush()
        [request] = receiver.wait_for(1)
    payload = request.json
    assert [e["resourceId"] for e in payload["events"]] == ids
    assert (payload["firstEventSequence"], payload["lastEventSequence"]) == (1, 3)


def test_only_apps_connected_to_the_organisation_hear_of_it(identity, deliverer):
    with webhook_receiver(signature_checker(KEY)) as receiver:
        identity.update_app(WEB_APP["client_id"], webhook_url=receiver.url)
        sink = deliverer()
        sink.emit(contact_event(tenant=OTHER_TENANT))
        sink.emit(contact_event())
        assert sink.flush()
        receiver.wait_for(1)
        assert [e["tenantId"] for e in receiver.events()] == [TENANT]
    assert sink.stats()["unrouted"] == 1


def test_apps_without_a_webhook_get_nothing(identity, deliverer):
    sink = deliverer()
    sink.emit(contact_event())
    assert sink.flush()
    assert sink.stats()["unrouted"] == 1 and sink.stats()["apps"] == {}


def test_sequences_survive_a_restart(identity, deliverer):
    with webhook_receiver(signature_checker(KEY)) as receiver:
        identity.update_app(WEB_APP["client_id"], webhook_url=receiver.url)
        first = deliverer()
        first.emit(contact_event())
        assert first.flush()
        first.close()
        second = deliverer()
        second.emit(contact_event())
        assert second.flush()
        receiver.wait_for(2)
        assert [request.json["firstEventSequence"] for request in receiver.received] == [1, 2]


def test_failed_posts_are_retried_with_the_same_payload(identity, deliverer):
    answers = iter([(500, b"oops"), (503, b""), (200, b"")])
    with webhook_receiver(lambda body, headers: next(answers)) as receiver:
        identity.update_app(WEB_APP["client_id"], webhook_url=receiver.url)
        sink = deliverer(max_attempts=5)
        sink.emit(contact_event())
        assert sink.flush()
        requests = receiver.wait_for(3)
    assert len({request.body for request in requests}) == 1
    tally = sink.stats()["apps"][WEB_APP["client_id"]]
    assert (tally["delivered_payloads"], tally["failed_attempts"], tally["abandoned_payloads"]) == (1, 2, 0)
    assert [f["problem"] for f in sink.stats()["failures"]] == ["HTTP 500", "HTTP 503"]


def test_unreachable_targets_are_given_up_on_after_a_bounded_number_of_attempts(identity, deliverer):
    with webhook_receiver(signature_checker(KEY)) as receiver:
        dead_url = receiver.url  # the receiver is stopped on leaving: nothing listens there any more
    identity.update_app(WEB_APP["client_id"], webhook_url=dead_url)
    sink = deliverer(max_attempts=3)
    sink.emit(contact_event())
    assert sink.flush()
    stats = sink.stats()
    tally = stats["apps"][WEB_APP["client_id"]]
    assert (tally["delivered_payloads"], tally["failed_attempts"], tally["abandoned_payloads"], tally["abandoned_events"]) == (
        0,
        3,
        1,
        1,
    )
    assert all("ConnectError" in f["problem"] for f in stats["failures"] if not f.get("abandoned"))
    assert stats["failures"][-1]["abandoned"] is True and stats["outstanding"] == 0


def test_https_targets_are_verified_with_the_sandbox_ca(identity, tmp_path):
    certificate = issue_server_certificate(tmp_path / "tls")
    with webhook_receiver(
        signature_checker(KEY), certificate=(str(certificate.cert_file), str(certificate.key_file))
    ) as receiver:
        identity.update_app(WEB_APP["client_id"], webhook_url=receiver.url)
        untrusting = WebhookDeliverer(identity, settings=fast(max_attempts=1))
        untrusting.emit(contact_event())
        assert untrusting.flush()
        untrusting.close()
        assert "certificate" in untrusting.stats()["failures"][0]["problem"].lower()
        trusting = WebhookDeliverer(identity, ca_file=certificate.ca_file, settings=fast())
        trusting.emit(contact_event())
        assert trusting.flush()
        trusting.close()
        assert len(receiver.wait_for(1)) == 1
    assert trusting.stats()["apps"][WEB_APP["client_id"]]["delivered_events"] == 1


# --- intent to receive ----------------------------------------------------------------------------


def test_intent_to_receive_passes_a_correct_receiver():
    with webhook_receiver(signature_checker(KEY)) as receiver:
        result = intent_to_receive(receiver.url, KEY)
        requests = receiver.wait_for(2)
    assert (result["status"], result["passed"], result["reasons"]) == ("OK", True, [])
    for request in requests:
        assert request.json["events"] == [] and request.json["firstEventSequence"] == request.json["lastEventSequence"] == 0
    assert [request.headers["x-xero-signature"] == signature(KEY, request.body) for request in requests] == [True, False]
    assert result["warnings"]  # plain http on a high port would not do for Xero itself


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (lambda body, headers: (200, b""), "incorrectly signed payload: expected HTTP 401, got HTTP 200"),
        (lambda body, headers: (401, b""), "correctly signed payload: expected HTTP 200, got HTTP 401"),
        (
            lambda body, headers: (200, b"thanks") if signature_checker(KEY)(body, headers)[0] == 200 else (401, b""),
            "correctly signed payload: the response has a body (6 bytes); it must be empty",
        ),
    ],
)
def test_intent_to_receive_explains_what_is_wrong(answer, reason):
    with webhook_receiver(answer) as receiver:
        result = intent_to_receive(receiver.url, KEY)
    assert (result["status"], result["passed"]) == ("FAILED", False)
    assert reason in result["reasons"]


def test_intent_to_receive_reports_an_unreachable_url():
    with webhook_receiver(signature_checker(KEY)) as receiver:
        url = receiver.url
    result = intent_to_receive(url, KEY)
    assert not result["passed"] and all("could not deliver" in reason for reason in result["reasons"])


# --- through a running sandbox ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory):
    running = start_sandbox(tmp_path_factory.mktemp("webhooks-sandbox"))
    yield running
    running.stop()


@pytest.fixture
def control(own_sandbox):
    with httpx.Client(
        base_url=own_sandbox.xero["control_url"],
        verify=own_sandbox.tls,
        headers={TOKEN_HEADER: own_sandbox.manifest["control"]["token"]},
    ) as client:
        yield client


def test_setting_a_webhook_and_probing_it(own_sandbox, control):
    client_id = own_sandbox.xero_app()["client_id"]
    with webhook_receiver(signature_checker(KEY)) as receiver:
        configured = control.put(f"/webhooks/{client_id}", json={"url": receiver.url})
        assert configured.status_code == 200
        assert configured.json()["webhook_url"] == receiver.url and configured.json()["webhook_key"] == KEY
        probe = control.post(f"/webhooks/{client_id}/intent-to-receive").json()
        assert (probe["status"], probe["passed"], probe["reasons"]) == ("OK", True, [])
        assert len(receiver.received) == 2
    assert control.get(f"/webhooks/{client_id}").json()["intent_to_receive"]["status"] == "OK"
    with webhook_receiver(lambda body, headers: (200, b"")) as careless:
        control.put(f"/webhooks/{client_id}", json={"url": careless.url})
        probe = control.post(f"/webhooks/{client_id}/intent-to-receive").json()
    assert probe["status"] == "FAILED" and "incorrectly signed payload: expected HTTP 401, got HTTP 200" in probe["reasons"]


def test_an_app_without_a_key_gets_one(own_sandbox, control):
    pkce = own_sandbox.xero_app("pkce")["client_id"]
    answer = control.put(f"/webhooks/{pkce}", json={"url": "http://127.0.0.1:9/hook"}).json()
    assert len(answer["webhook_key"]) >= 40
    assert control.put(f"/webhooks/{pkce}", json={"url": None}).json()["webhook_url"] is None


def test_webhook_control_errors(own_sandbox, control):
    client_id = own_sandbox.xero_app()["client_id"]
    assert control.put("/webhooks/NOPE", json={"url": "http://127.0.0.1:9/"}).status_code == 404
    assert control.post("/webhooks/NOPE/intent-to-receive").status_code == 404
    assert control.put(f"/webhooks/{client_id}", json={"url": "ftp://example"}).status_code == 400
    unauthenticated = httpx.put(
        own_sandbox.xero["control_url"] + f"/webhooks/{client_id}", json={"url": "http://127.0.0.1:9/"}, verify=own_sandbox.tls
    )
    assert unauthenticated.status_code == 401
    custom = own_sandbox.xero_app("custom")["client_id"]
    assert control.post(f"/webhooks/{custom}/intent-to-receive").status_code == 400  # no webhook set


def test_creating_a_contact_sends_a_webhook(own_sandbox, control):
    from tests.sandbox.test_xero_identity import consent, exchange

    app = own_sandbox.xero_app()
    tokens = exchange(own_sandbox, app, consent(own_sandbox, app)["code"]).json()
    tenant = own_sandbox.xero["users"][0]["organisations"][0]
    headers = {"Authorization": f"Bearer {tokens['access_token']}", "xero-tenant-id": tenant, "Accept": "application/json"}
    with webhook_receiver(signature_checker(KEY)) as receiver:
        control.put(f"/webhooks/{app['client_id']}", json={"url": receiver.url})
        created = httpx.put(
            own_sandbox.xero["api_url"] + "/Contacts",
            json={"Contacts": [{"Name": f"Webhook {uuid.uuid4()}"}]},
            headers=headers,
            verify=own_sandbox.tls,
        )
        if created.status_code in (404, 405):
            pytest.skip("the Accounting API has no PUT /Contacts route yet")
        assert created.status_code == 200, created.text
        contact_id = created.json()["Contacts"][0]["ContactID"]
        [request] = receiver.wait_for(1)
    assert request.headers["x-xero-signature"] == signature(KEY, request.body)
    [event] = request.json["events"]
    assert (event["eventCategory"], event["eventType"], event["resourceId"], event["tenantId"]) == (
        "CONTACT",
        "CREATE",
        contact_id,
        tenant,
    )
    assert event["resourceUrl"].endswith(f"/Contacts/{contact_id}")
