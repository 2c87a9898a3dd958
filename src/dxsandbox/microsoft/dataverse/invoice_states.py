"""An invoice's states, and what an invoice that is not active takes.

Dataverse's invoice has four states, each with its status reasons (FACTS §3): 0 Active {1 New, 2 Partially Shipped,
4 Billed, 5 Booked, 6 Installed}, 1 Closed (deprecated) {3, 7}, 2 Paid {100001 Complete, 100002 Partial}, 3 Canceled
{100003}; a client moves it with a PATCH of `statecode` and `statuscode`. That much is Microsoft's documentation.

What follows is our reading, not Microsoft's documented word: Dynamics shows a Paid, Canceled or Closed invoice
read-only, and its platform refuses an update of such an invoice (users report "Cannot Update a Read-Only Entity"
for the sales tables; Microsoft's pages we hold give no code for it). So here:

- an invoice that is not active takes no change but its state: a PATCH that sends any other column is refused,
  our solution's columns included. A PATCH of an active invoice that sends columns and a new state takes both (the
  columns while it is still active, then the state);
- the moves taken are: Active → Paid (Complete or Partial), Active → Canceled, Paid Partial → Paid Complete, and
  Paid or Canceled → Active as New or Billed (reopened). Any other (into or out of Closed, Paid ↔ Canceled, Paid
  Complete → Partial) is refused: a client reopens the invoice first.
"""

from __future__ import annotations

from collections.abc import Set

from dxsandbox.microsoft.dataverse import errors
from dxsandbox.microsoft.dataverse.errors import DataverseError

ACTIVE, CLOSED, PAID, CANCELED = 0, 1, 2, 3
NEW, BILLED = 1, 4
COMPLETE, PARTIAL, CANCELED_STATUS = 100001, 100002, 100003
STATE_NAMES = {ACTIVE: "Active", CLOSED: "Closed", PAID: "Paid", CANCELED: "Canceled"}
STATE_COLUMNS = frozenset({"statecode", "statuscode"})
REOPENED_AS = (NEW, BILLED)


def move_allowed(from_state: int, from_status: int, to_state: int, to_status: int) -> bool:
    """Whether an invoice in (from_state, from_status) may be moved to (to_state, to_status)."""
    if (from_state, from_status) == (to_state, to_status):
        return True
    if from_state == ACTIVE:
        return to_state == ACTIVE or (to_state, to_status) in ((PAID, COMPLETE), (PAID, PARTIAL), (CANCELED, CANCELED_STATUS))
    if (from_state, from_status, to_state, to_status) == (PAID, PARTIAL, PAID, COMPLETE):
        return True
    return from_state in (PAID, CANCELED) and to_state == ACTIVE and to_status in REOPENED_AS


def refusal(invoice_id: str, before: tuple[int, int], after: tuple[int, int], sent: Set[str]) -> DataverseError | None:
    """Why Dataverse refuses this update of an invoice, or None when it takes it. `before` and `after` are the
    (statecode, statuscode) pairs; `sent` the columns the update sets."""
    others = sorted(set(sent) - STATE_COLUMNS)
    if before[0] != ACTIVE and others:
        return errors.bad_request(
            f"The invoice {invoice_id} cannot be changed: it is {STATE_NAMES.get(before[0], before[0])}, and an invoice "
            "that is not active is read-only; only its state may change (statecode 0 reopens it). The update also "
            f"set: {', '.join(others)}.",
            errors.INVALID_ARGUMENT,
        )
    if not move_allowed(*before, *after):
        return errors.bad_request(
            f"The invoice {invoice_id} cannot move from {_said(before)} to {_said(after)}: an invoice moves from Active "
            "to Paid or Canceled, from Paid Partial to Paid Complete, and back to Active (New or Billed) from Paid or "
            "Canceled.",
            errors.INVALID_ARGUMENT,
        )
    return None


def _said(state: tuple[int, int]) -> str:
    return f"{STATE_NAMES.get(state[0], state[0])} (status reason {state[1]})"
