"""Our sync history rows in Dynamics (`stl3_synchistory`), read back: they hold Xero's own words about a refusal,
which the connector's database never keeps (PRODUCT §3.8), so the portal shows them from here."""

from __future__ import annotations

from collections.abc import Sequence

from dxconnector.domain.names import SyncHistoryTable
from dxconnector.dynamics.changes import in_filter
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.solution.definition import SYNC_HISTORY

MESSAGE = SyncHistoryTable.MESSAGE


def messages(client: DataverseClient, row_ids: Sequence[str]) -> dict[str, str]:
    """Each row's message by the row's id (one query; rows not in Dynamics, or without a message, are left out)."""
    if not row_ids:
        return {}
    rows = client.list(
        SYNC_HISTORY.set_name,
        select=f"{SYNC_HISTORY.primary_id},{MESSAGE}",
        filter=in_filter(SYNC_HISTORY.primary_id, list(row_ids)),
    )
    return {str(row[SYNC_HISTORY.primary_id]): str(row[MESSAGE]) for row in rows if row.get(MESSAGE)}
