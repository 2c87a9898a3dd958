"""Changes made in the person's app reach webhooks exactly as the same changes made through the API do:
same categories and types, resource URLs on the API host, signed with the app's key; refusals send nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.sandbox.common.webhook_receiver import Receiver, signature, webhook_receiver
from tests.sandboxes import control

QUIET_SECONDS = 1.0  # well past the deliverer's 0.2 s batching: what has not arrived by then was not sent


@dataclass
class Webhook:
    receiver: Receiver
    key: str

    def events_for(self, resource_id: str, count: int, timeout: float = 10) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = [event for event in self.receiver.events() if event["resourceId"] == resource_id]
            if len(events) >= count:
                return events
            time.sleep(0.02)
        raise AssertionError(f"expected {count} event(s) for {resource_id}, got {self.receiver.events()}")


@pytest.fixture
def webhook(sandbox, api) -> Iterator[Webhook]:
    """The PKCE app (connected to Oakwood by `api`) listening on a local receiver; put back as it was afterwards."""
    client_id = sandbox.xero_app("pkce")["client_id"]
    before = control(sandbox, "GET", f"/webhooks/{client_id}")["webhook_url"]
    with webhook_receiver(lambda body, headers: (200, b"")) as receiver:
        key = control(sandbox, "PUT", f"/webhooks/{client_id}", {"url": receiver.url})["webhook_key"]
        try:
            yield Webhook(receiver, key)
        finally:
            control(sandbox, "PUT", f"/webhooks/{client_id}", {"url": before})


def shape(event: dict) -> tuple:
    return event["eventCategory"], event["eventType"], event["resourceUrl"], event["tenantId"], event["tenantType"]


def test_a_payment_in_the_app_is_announced_like_an_api_change(person, api, books, webhook, sandbox, oakwood):
    invoice = api.new_invoice(Status="AUTHORISED")
    path = f"{books}/invoices/{invoice['InvoiceID']}"
    person.submit_and_follow(path + "/payments", {"amount": "15", "date": "2026-03-05", "account": api.bank_account_ids()["090"]})
    api.http.post(f"/Invoices/{invoice['InvoiceID']}", json={"Reference": "changed through the API"})
    created, by_app, by_api = webhook.events_for(invoice["InvoiceID"], 3)
    url = f"{sandbox.xero['api_url']}/Invoices/{invoice['InvoiceID']}"
    assert shape(created) == ("INVOICE", "CREATE", url, oakwood, "ORGANISATION")
    assert shape(by_app) == shape(by_api) == ("INVOICE", "UPDATE", url, oakwood, "ORGANISATION")
    assert set(by_app) == set(by_api)  # no field more, none fewer
    for request in webhook.receiver.received:
        assert request.headers["x-xero-signature"] == signature(webhook.key, request.body)


def test_approving_voiding_and_a_contact_edit_are_announced(person, api, books, webhook, sandbox, oakwood):
    contact = api.new_contact()
    invoice = api.new_invoice(contact)
    path = f"{books}/invoices/{invoice['InvoiceID']}"
    person.submit_and_follow(path + "/approve")
    person.submit_and_follow(path + "/void")
    person.submit_and_follow(
        f"{books}/contacts/{contact['ContactID']}", {"Name": contact["Name"], "EmailAddress": "hooks@example.com"}
    )
    events = webhook.events_for(invoice["InvoiceID"], 3)
    assert [(event["eventCategory"], event["eventType"]) for event in events] == [
        ("INVOICE", "CREATE"),
        ("INVOICE", "UPDATE"),
        ("INVOICE", "UPDATE"),
    ]
    contact_events = webhook.events_for(contact["ContactID"], 2)
    assert [shape(event) for event in contact_events] == [
        ("CONTACT", kind, f"{sandbox.xero['api_url']}/Contacts/{contact['ContactID']}", oakwood, "ORGANISATION")
        for kind in ("CREATE", "UPDATE")
    ]


def test_a_refused_action_announces_nothing(person, api, books, webhook):
    invoice = api.new_invoice()
    webhook.events_for(invoice["InvoiceID"], 1)  # its CREATE
    assert person.submit(f"{books}/invoices/{invoice['InvoiceID']}/void").status_code == 400
    time.sleep(QUIET_SECONDS)
    assert len(webhook.events_for(invoice["InvoiceID"], 1)) == 1
