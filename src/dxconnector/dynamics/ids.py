"""Ids the connector gives the rows it makes in Dynamics for a connection (its connector and settings rows,
its webhook endpoint and steps), derived from what each row is for. Written as an upsert by that id, a write
sent again after its answer was lost is the same row again, never a second one."""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("3b0f7a52-8c41-5d8e-9a6f-2c1d4e7b9a10")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))
