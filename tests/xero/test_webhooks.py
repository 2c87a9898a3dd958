import json
from datetime import UTC, datetime

import pytest

from dxconnector.xero.webhooks import BadPayload, parse_events, signature_matches

# base64(HMAC-SHA256("key-123", '{"events":[]}')), computed once with the standard library.
KNOWN_SIGNATURE = "if1eRWo4b6Isin8AGMW4nayTh6q+jEAEbOvuXwNF+1M="


def test_it_accepts_the_right_signature():
    assert signature_matches("key-123", b'{"events":[]}', KNOWN_SIGNATURE)


@pytest.mark.parametrize(
    ("key", "body", "signature"),
    [
        ("key-124", b'{"events":[]}', KNOWN_SIGNATURE),
        ("key-123", b'{"events": []}', KNOWN_SIGNATURE),
        ("key-123", b'{"events":[]}', ""),
        ("", b'{"events":[]}', KNOWN_SIGNATURE),
    ],
)
def test_it_rejects_any_other_key_body_or_signature(key, body, signature):
    assert not signature_matches(key, body, signature)


TENANT = "7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60"
RESOURCE = "2a3b4c5d-0000-4000-8000-000000000001"


def events_body(*events: dict) -> bytes:
    return json.dumps({"events": list(events)}).encode()


def an_event(**fields) -> dict:
    return {
        "resourceId": RESOURCE,
        "eventDateUtc": "2024-06-21T01:15:39.902",
        "eventType": "CREATE",
        "eventCategory": "invoice",
        "tenantId": TENANT,
        "tenantType": "ORGANISATION",
        "resourceUrl": "u",
        **fields,
    }


def test_it_parses_events_as_utc():
    [event] = parse_events(events_body(an_event()))
    assert (event.tenant_id, event.category, event.event_type, event.resource_id) == (TENANT, "INVOICE", "CREATE", RESOURCE)
    assert event.event_date == datetime(2024, 6, 21, 1, 15, 39, 902000, tzinfo=UTC)


@pytest.mark.parametrize("body", [b"not json", b'{"events":[{}]}', b'{"events":"x"}'])
def test_it_rejects_a_malformed_payload(body):
    with pytest.raises(BadPayload):
        parse_events(body)


def test_a_signature_with_non_ascii_characters_is_a_mismatch_not_an_error():
    assert not signature_matches("key-123", b'{"events":[]}', "é" * len(KNOWN_SIGNATURE))
    assert not signature_matches("key-123", b'{"events":[]}', KNOWN_SIGNATURE[:-1] + "\udcff")


@pytest.mark.parametrize(
    "odd",
    [
        {"tenantId": "t" * 5000},
        {"tenantId": "not-a-guid"},
        {"resourceId": "r" * 65},
        {"resourceId": TENANT + " "},
        {"eventCategory": "INVOICE" * 10},
        {"eventType": "UPDATE; DROP"},
    ],
)
def test_an_event_whose_ids_or_words_are_not_of_xeros_shape_is_left_out_and_the_others_kept(odd):
    events = parse_events(events_body(an_event(**odd), an_event(eventType="UPDATE")))
    assert [(event.tenant_id, event.event_type) for event in events] == [(TENANT, "UPDATE")]
