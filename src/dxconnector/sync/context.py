"""What one run of the engine works with: the connection, both clients, its settings, and its tallies."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dxconnector.connections.models import Connection
from dxconnector.domain.records import ConnectionSettings, XeroContactSummary
from dxconnector.domain.rules import one_line
from dxconnector.dynamics import links as dynamics_links
from dxconnector.dynamics.changes import InvoiceRecord
from dxconnector.dynamics.client import DataverseClient
from dxconnector.sync import state
from dxconnector.sync.counts import RunCounts
from dxconnector.sync.models import SyncRun
from dxconnector.xero.client import XeroClient


@dataclass(frozen=True)
class Progress:
    """Where a run is: `done` of a stream's `total` batches (0 of 0 while it reads what changed), and what it
    says about it. As text, one line: "stream: text"."""

    stream: str
    text: str
    done: int = 0
    total: int = 0

    def __str__(self) -> str:
        return f"{self.stream}: {self.text}"


@dataclass
class XeroDirectory:
    """The organisation's contacts and items as this run read them in full, once, when that takes fewer calls
    than looking customers and products up batch by batch (an initial sync of many): only what matching needs.
    Records created by the run are added. What someone else adds in Xero during the run is not seen: a customer
    made there meanwhile under the same name makes our create of it fail, and its invoice goes again later."""

    contacts: list[XeroContactSummary] | None = None  # None: not read
    too_many_contacts: bool = False  # read once and found too large to keep: look up instead
    items: dict[str, str] | None = None  # `rules.item_key` of an item's code → its Xero ItemID

    def contacts_matching(self, numbers: Iterable[str], names: Iterable[str]) -> list[XeroContactSummary]:
        """The candidates `find_contacts` would answer: same account or contact number, or the same name."""
        wanted_numbers = {number for number in numbers if number}
        wanted_names = {one_line(name).casefold() for name in names if name}
        return [
            contact
            for contact in self.contacts or []
            if {contact.account_number, contact.contact_number} & wanted_numbers
            or one_line(contact.name).casefold() in wanted_names
        ]


@dataclass
class SyncContext:
    connection: Connection
    dynamics: DataverseClient
    xero: XeroClient
    settings: ConnectionSettings
    connector_id: str
    now: datetime
    key: bytes
    run: SyncRun | None = None
    holder: str = ""
    counts: RunCounts = field(default_factory=RunCounts)
    progress: Callable[[Progress], None] = lambda step: None
    directory: XeroDirectory = field(default_factory=XeroDirectory)
    balances_read: set[str] = field(default_factory=set)  # Xero contacts whose balances this run has read
    slice_limit: int | None = None  # the most changed invoices this run sends (None: all); the rest go to a later run
    unfinished: bool = False  # the run stopped at its slice: a later run carries on
    # Invoices read ahead of their batches (`reading.read_ahead`), by id: the record, the failed attempt of one that
    # could not be made sense of, or None for one not found. A batch takes its own out.
    read_ahead: dict[str, InvoiceRecord | state.Attempt | None] = field(default_factory=dict)

    @property
    def connection_id(self) -> Any:
        return self.connection.pk

    def renew_lease(self) -> None:
        if self.holder:
            state.renew_lease(self.connection_id, self.holder)

    def source_url(self, invoice_id: str) -> str:
        """The invoice in Dynamics, kept on the Xero invoice as its link back (`invoice_id_of` reads it)."""
        return dynamics_links.record_url(self.dynamics.org_url, "invoice", invoice_id)

    def calls(self) -> dict[str, int]:
        return {"xero_calls": self.xero.calls, "dynamics_calls": self.dynamics.calls}


def invoice_id_of(url: Any) -> str | None:
    """The Dynamics invoice a Xero invoice links back to (`SyncContext.source_url`)."""
    found = parse_qs(urlsplit(str(url or "")).query).get("id")
    return found[0] if found else None
