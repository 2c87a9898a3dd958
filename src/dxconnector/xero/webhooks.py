"""Xero webhooks: the signature check and the payload, as plain functions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

logger = logging.getLogger(__name__)

# Xero's tenant and resource ids are GUIDs; categories (INVOICE, CONTACT, …) and event types (CREATE, UPDATE) are short
# upper-case words. The receiver keeps no event whose values are of another shape (nor their length: a signed payload is
# still input, and its columns are 64, 32 and 16 characters wide).
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_CATEGORY = re.compile(r"[A-Z_]{1,32}")
_EVENT_TYPE = re.compile(r"[A-Z_]{1,16}")


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
    expected = base64.b64encode(hmac.new(key.encode(), raw_body, hashlib.sha256).digest())
    # Compared as bytes: compare_digest refuses a str with non-ASCII characters, which a header can carry.
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace"))


def _event_date(text: str) -> datetime:
    # Xero sends e.g. "2024-06-21T01:15:39.902" (UTC, no zone).
    value = datetime.fromisoformat(text.rstrip("Z"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _well_formed(event: WebhookEvent) -> bool:
    return bool(
        _GUID.fullmatch(event.tenant_id)
        and _GUID.fullmatch(event.resource_id)
        and _CATEGORY.fullmatch(event.category)
        and _EVENT_TYPE.fullmatch(event.event_type)
    )


def parse_events(raw_body: bytes) -> list[WebhookEvent]:
    """The events of a signed payload; an intent-to-receive probe has none. A payload that is not Xero's shape raises
    BadPayload; an event in it whose ids or words are not of Xero's shape (a tenant id of 5,000 characters) is left out,
    with a warning, and the others are kept."""
    try:
        payload = json.loads(raw_body)
        events = [
            WebhookEvent(
                tenant_id=str(item["tenantId"]),
                category=str(item["eventCategory"]).upper(),
                event_type=str(item["eventType"]).upper(),
                resource_id=str(item["resourceId"]),
                event_date=_event_date(str(item["eventDateUtc"])),
            )
            for item in payload.get("events", [])
        ]
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:  # RecursionError: JSON nested deep
        raise BadPayload(str(error)) from error
    kept = [event for event in events if _well_formed(event)]
    if len(kept) < len(events):
        logger.warning(
            "Xero webhook: %d of %d events left out, their ids or words not of Xero's shape", len(events) - len(kept), len(events)
        )
    return kept
