"""Xero webhooks: the signature check and the payload, as plain functions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class WebhookEvent:
    tenant_id: str
    category: str  # CONTACT, INVOICE, CREDITNOTE, …
    event_type: str  # CREATE, UPDATE
    resource_id: str
    event_date: datetime


class BadPayload(ValueError):
    pass


def signature_matches(key: str, raw_body: bytes, signature: str) -> bool:
    """x-xero-signature is base64(HMAC-SHA256(key, raw body)); compared in constant time."""
    if not key or not signature:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), raw_body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature.strip())


def _event_date(text: str) -> datetime:
    # Xero sends e.g. "2024-06-21T01:15:39.902" (UTC, no zone).
    value = datetime.fromisoformat(text.rstrip("Z"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_events(raw_body: bytes) -> list[WebhookEvent]:
    """The events of a signed payload; an intent-to-receive probe has none."""
    try:
        payload = json.loads(raw_body)
        return [
            WebhookEvent(
                tenant_id=str(item["tenantId"]),
                category=str(item["eventCategory"]).upper(),
                event_type=str(item["eventType"]).upper(),
                resource_id=str(item["resourceId"]),
                event_date=_event_date(str(item["eventDateUtc"])),
            )
            for item in payload.get("events", [])
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BadPayload(str(error)) from error
