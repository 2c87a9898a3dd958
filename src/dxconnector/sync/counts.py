"""What a run did, counted by kind: numbers only, kept with the run (`SyncRun.counts`) and shown in the portal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

OUTCOMES = ("succeeded", "failed", "held_back", "skipped")


@dataclass
class RunCounts:
    # the records' attempts, by outcome
    succeeded: int = 0
    failed: int = 0
    held_back: int = 0
    skipped: int = 0
    # invoices passed over without an attempt: an echo of our own write-back, another connection's
    unchanged: int = 0
    other_connection: int = 0
    no_connection: int = 0
    # what the run made or found
    contacts_created: int = 0
    items_created: int = 0
    customers_updated: int = 0  # linked customers whose edits crossed, either way
    products_updated: int = 0  # linked products whose edits went to Xero
    emailed: int = 0
    recovered: int = 0  # creates whose answer was lost, found in Xero
    brought_back: int = 0  # Xero's changes written back to Dynamics
    payments_written: int = 0  # rows of the Xero payments table: payments, allocations, credit notes made in Xero
    balances_written: int = 0  # customers whose Xero balances were written
    deleted_in_dynamics: int = 0
    dynamics_writes: int = 0
    # Xero's reference lists in Dynamics
    reference_rows_made: int = 0
    reference_rows_updated: int = 0
    reference_rows_archived: int = 0
    reference_rows_unreadable: int = 0
    reference_rows_refused: int = 0

    def outcome(self, outcome: str, count: int = 1) -> None:
        """Count attempts by their outcome (`SyncAttempt.Outcome`)."""
        name = outcome.lower()
        if name not in OUTCOMES:
            raise ValueError(f"not an attempt's outcome: {outcome}")
        setattr(self, name, getattr(self, name) + count)

    def outcomes(self, outcomes: Iterable[str]) -> None:
        for outcome in outcomes:
            self.outcome(outcome)

    def passed_over(self, code: str) -> None:
        """An invoice passed over without an attempt, by the rule's code (`SILENT` in invoices)."""
        setattr(self, code, getattr(self, code) + 1)

    def as_dict(self) -> dict[str, int]:
        """What the run keeps: the kinds that happened."""
        return {name: value for name, value in asdict(self).items() if value}

    def reference_rows(self) -> dict[str, int]:
        return {name: value for name, value in self.as_dict().items() if name.startswith("reference_rows_")}

    def so_far(self) -> str:
        """The attempts' outcomes as a progress line says them: "2 succeeded, 1 held back"."""
        done = [f"{getattr(self, name)} {name.replace('_', ' ')}" for name in OUTCOMES if getattr(self, name)]
        return ", ".join(done) or "nothing sent"
