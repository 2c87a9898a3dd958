"""Keyed hashes the ledger keeps instead of the fields: of what was sent, of a credit note to recognise it, and of
Xero's state last shown in Dynamics."""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dxconnector.domain.rules.dates import parse_xero_date
from dxconnector.domain.rules.text import plain


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)  # 10, 10.0 and 10.00 are the same amount
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    return value


def content_hash(fields: Mapping[str, Any], key: bytes) -> str:
    """A keyed hash (HMAC-SHA256) of the fields sent. The ledger keeps only this, never the fields: without
    the key nobody can test guesses of the amounts against it."""
    if not key:
        raise ValueError("content_hash needs a secret key")
    canonical = json.dumps(_canonical(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def _four_places(value: Any) -> str:
    return str(Decimal(str(value or 0)).quantize(Decimal("0.0001")))


def recognition_hash(document: Mapping[str, Any], key: bytes) -> str:
    """What a credit note we created is recognised by in Xero when its answer was lost: a credit note carries
    no `Url` back to its Dynamics invoice. Its type, contact, date and reference, and each line's quantity and
    unit amount (not its number: Xero gives one when we don't). The same for the body sent and for Xero's copy
    of it; keyed, as everything the ledger keeps."""
    contact = str((document.get("Contact") or {}).get("ContactID") or "").lower()
    lines = sorted(
        [_four_places(line.get("Quantity")), _four_places(line.get("UnitAmount"))] for line in document.get("LineItems") or ()
    )
    return content_hash(
        {
            "type": str(document.get("Type") or ""),
            "contact": contact,
            "date": parse_xero_date(document.get("Date")),
            "reference": str(document.get("Reference") or ""),
            "lines": lines,
        },
        key,
    )


XERO_STATE_FIELDS = (
    "Status",
    "InvoiceNumber",
    "CreditNoteNumber",
    "DueDate",
    "FullyPaidOnDate",
    "AmountDue",
    "AmountPaid",
    "AmountCredited",
    "RemainingCredit",
    "AppliedAmount",
)


def xero_state_hash(document: Mapping[str, Any], key: bytes) -> str:
    """What Dynamics is shown of a Xero invoice or credit note (status, number, due and paid dates, what is due,
    paid and credited), keyed: equal to the hash of the state last written back, Xero's change is no news."""
    fields = {name: document.get(name) for name in XERO_STATE_FIELDS if document.get(name) is not None}
    for name in ("DueDate", "FullyPaidOnDate"):
        if name in fields:
            fields[name] = parse_xero_date(fields[name])
    for name in ("AmountDue", "AmountPaid", "AmountCredited", "RemainingCredit", "AppliedAmount"):
        if name in fields:
            fields[name] = Decimal(str(fields[name])).quantize(Decimal("0.01"))
    return content_hash(fields, key)
