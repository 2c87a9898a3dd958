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


def test_it_parses_events_as_utc():
    body = (
        b'{"events":[{"resourceId":"r1","eventDateUtc":"2024-06-21T01:15:39.902","eventType":"CREATE",'
        b'"eventCategory":"invoice","tenantId":"t1","tenantType":"ORGANISATION","resourceUrl":"u"}]}'
    )
    [event] = parse_events(body)
    assert (event.tenant_id, event.category, event.event_type, event.resource_id) == ("t1", "INVOICE", "CREATE", "r1")
    assert event.event_date == datetime(2024, 6, 21, 1, 15, 39, 902000, tzinfo=UTC)


@pytest.mark.parametrize("body", [b"not json", b'{"events":[{}]}', b'{"events":"x"}'])
def test_it_rejects_a_malformed_payload(body):
    with pytest.raises(BadPayload):
        parse_events(body)
