"""Stable ids for the solution's forms, views and form parts.

Dataverse identifies a form or view by its GUID: a later version of the solution must carry the same GUID
for it to update the form rather than add a second one. So each id is a UUID5 of a readable key
(`invoice/form/Invoice (Xero)`), never random, and the same build always gives the same ids.
"""

from __future__ import annotations

import uuid

# Fixed for ever: changing it would give every form and view a new id in the next release.
NAMESPACE = uuid.UUID("6b0d3c52-5f0e-4b8e-9a43-2f1d7c1e8a55")


def stable_id(*parts: str) -> str:
    """`{xxxxxxxx-xxxx-…}`, lower case, as Dataverse writes GUIDs in solution files."""
    return "{" + str(uuid.uuid5(NAMESPACE, "/".join(parts))) + "}"
