"""What the portal, the jobs and the command line ask of the sync. They use this module (and read the sync's records,
`sync.models`), nothing else of it: an import-linter contract holds them to it."""

from dxconnector.connections.clients import NotReady
from dxconnector.sync.attention import on_owner_news
from dxconnector.sync.batches import Stopping, ask_to_stop, carry_on
from dxconnector.sync.context import Progress
from dxconnector.sync.engine import (
    Explanation,
    explain,
    refresh_reference_lists,
    run_sync,
)
from dxconnector.sync.explain_edits import explain_record
from dxconnector.sync.health import connection_state_of, connection_states, counts_by_state
from dxconnector.sync.housekeeping import Busy, Pruned, forget_connection, prune
from dxconnector.sync.triggers import (
    request_sync,
    retry_invoices,
    retry_records,
    sweep,
    xero_events_arrived,
)
from dxconnector.sync.verify import Report, verify

__all__ = [
    "Busy",
    "Explanation",
    "NotReady",
    "Progress",
    "Pruned",
    "Report",
    "Stopping",
    "ask_to_stop",
    "carry_on",
    "connection_state_of",
    "connection_states",
    "counts_by_state",
    "explain",
    "explain_record",
    "forget_connection",
    "on_owner_news",
    "prune",
    "refresh_reference_lists",
    "request_sync",
    "retry_invoices",
    "retry_records",
    "run_sync",
    "sweep",
    "verify",
    "xero_events_arrived",
]
