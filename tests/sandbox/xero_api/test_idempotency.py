"""Idempotency-Key: a retried write is answered from the first attempt; a reused key with another body is refused."""

from __future__ import annotations

import uuid

from tests.sandbox.xero_api.client import unique


def key() -> str:
    return f"test-{uuid.uuid4()}"


def test_the_same_key_and_body_replay_the_first_answer_without_a_second_write(api):
    headers, body = {"Idempotency-Key": key()}, {"Contacts": [{"Name": unique("Once")}]}
    first = api.put("/Contacts", json=body, headers=headers)
    second = api.put("/Contacts", json=body, headers=headers)
    assert first.status_code == second.status_code == 200 and first.json() == second.json()
    name = body["Contacts"][0]["Name"]
    assert len(api.get("/Contacts", params={"where": f'Name=="{name}"'}).json()["Contacts"]) == 1


def test_the_same_key_with_a_different_body_is_refused(api):
    headers = {"Idempotency-Key": key()}
    api.put("/Contacts", json={"Contacts": [{"Name": unique("First")}]}, headers=headers)
    response = api.put("/Contacts", json={"Contacts": [{"Name": unique("Second")}]}, headers=headers)
    assert response.status_code == 400 and "already been used for a different request" in response.json()["Message"]


def test_errors_are_replayed_too(api):
    headers, body = {"Idempotency-Key": key()}, {"Contacts": [{"EmailAddress": "no-name@example.com"}]}
    first, second = (api.put("/Contacts", json=body, headers=headers) for _ in range(2))
    assert first.status_code == second.status_code == 400 and first.content == second.content


def test_keys_are_at_most_128_characters(api):
    response = api.put("/Contacts", json={"Contacts": [{"Name": unique("Long key")}]}, headers={"Idempotency-Key": "k" * 129})
    assert response.status_code == 400 and "1 to 128 characters" in response.text
    assert (
        api.put(
            "/Contacts", json={"Contacts": [{"Name": unique("Max key")}]}, headers={"Idempotency-Key": key()[:128]}
        ).status_code
        == 200
    )


def test_keys_belong_to_one_app(api, au_api):
    shared = key()
    mine = api.put("/Contacts", json={"Contacts": [{"Name": unique("Mine")}]}, headers={"Idempotency-Key": shared})
    theirs = au_api.put("/Contacts", json={"Contacts": [{"Name": unique("Theirs")}]}, headers={"Idempotency-Key": shared})
    assert mine.status_code == theirs.status_code == 200


def test_a_replayed_payment_is_not_paid_twice(api):
    invoice = api.new_invoice(Status="AUTHORISED")
    headers = {"Idempotency-Key": key()}
    for _ in range(2):
        assert api.pay(invoice, 50, headers=headers).status_code == 200
    assert api.invoice(invoice["InvoiceID"])["AmountPaid"] == 50
