"""Xero's outstanding and overdue amounts of linked customers, on their Xero Contact rows in Dynamics.

Read again (one call per 100 contacts) when something changed a customer's balance — an invoice of theirs came
back changed, a payment, a credit note made in Xero — at most once per run each, and written in the `$batch` of
what changed it; and every linked customer's every `SYNC_REFERENCE_SECONDS` (`refresh_every_one`), since time alone
makes an invoice overdue. Only onto a Xero Contact row that exists (`If-Match: *`): the customers stream makes the row with
the customer's link; a balance read before that comes with the next change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from dxconnector.domain.names import XeroContactTable
from dxconnector.dynamics.batch import BatchRequest, execute
from dxconnector.dynamics.ids import xero_contact_row_id
from dxconnector.dynamics.solution.definition import XERO_CONTACT
from dxconnector.sync import state
from dxconnector.sync.context import SyncContext
from dxconnector.sync.models import Link
from dxconnector.sync.xero_io import contacts_by_id


def _amount(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def balance_columns(contact: Mapping[str, Any], read_at: Any) -> dict[str, Any]:
    """What Xero says the customer owes: its sales invoices' outstanding and overdue amounts."""
    receivable = (contact.get("Balances") or {}).get("AccountsReceivable") or {}
    table = XeroContactTable
    return {
        table.OUTSTANDING: _amount(receivable.get("Outstanding")),
        table.OVERDUE: _amount(receivable.get("Overdue")),
        table.BALANCE_CURRENCY: str(contact.get("DefaultCurrency") or "")[:3] or None,
        table.BALANCES_ON: read_at,
    }


def requests(ctx: SyncContext, xero_contact_ids: Iterable[str]) -> list[BatchRequest]:
    """The writes of these contacts' balances that this run has not made yet (for linked customers only)."""
    wanted = [contact_id for contact_id in dict.fromkeys(xero_contact_ids) if contact_id and contact_id not in ctx.balances_read]
    links = state.links_to(ctx.connection_id, Link.Kind.CONTACT, wanted)
    if not links:
        return []
    ctx.balances_read.update(links)
    found = contacts_by_id(ctx.xero, list(links))
    ctx.counts.balances_written += len(found)
    return [
        BatchRequest(
            "PATCH",
            f"{XERO_CONTACT.set_name}({xero_contact_row_id(ctx.connector_id, links[contact_id].dynamics_id)})",
            balance_columns(contact, ctx.now),
            {"If-Match": "*"},
        )
        for contact_id, contact in found.items()
        if contact_id in links
    ]


EVERY_ONE_PER_CALL = 1000  # contacts whose balances one `$batch` writes (ten Xero reads)


def refresh_every_one(ctx: SyncContext) -> int:
    """Every linked customer's balances, read and written again; how many were written."""
    before = ctx.counts.balances_written
    contact_ids = state.linked_xero_ids(ctx.connection_id, Link.Kind.CONTACT)
    for start in range(0, len(contact_ids), EVERY_ONE_PER_CALL):
        ctx.renew_lease()
        writes = requests(ctx, contact_ids[start : start + EVERY_ONE_PER_CALL])
        if writes:
            execute(ctx.dynamics, writes)
            ctx.counts.dynamics_writes += len(writes)
    return ctx.counts.balances_written - before
