"""Ids the connector gives the rows it makes in Dynamics, derived from what each row is for: under the portal's
connection id (its connector and settings rows, its webhook endpoint and steps) or under the connector row's id
(an invoice's details row, the reference lists' rows). Written as an upsert by that id, a write sent again after
its answer was lost, or after a crash, is the same row again, never a second one."""

from __future__ import annotations

import uuid
from typing import Any


def derived_id(namespace: Any, *parts: str) -> str:
    """The id for these parts under `namespace` (a UUID, or its text)."""
    return str(uuid.uuid5(uuid.UUID(str(namespace)), ":".join(parts)))


def xero_contact_row_id(connector_id: str, customer_id: str) -> str:
    """A linked account's or contact's Xero Contact row (one per connection and customer)."""
    return derived_id(connector_id, "xerocontact", customer_id)
