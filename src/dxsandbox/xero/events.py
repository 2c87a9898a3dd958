"""What the Accounting API tells the webhook side when a record changes.

The API calls `sink.emit(...)` after a change is committed; the webhook deliverer (webhooks.py) is one
sink. Keeping this tiny interface apart lets either side be built and tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Category = Literal["CONTACT", "INVOICE", "CREDITNOTE"]
EventType = Literal["CREATE", "UPDATE"]


@dataclass(frozen=True)
class ChangeEvent:
    tenant_id: str
    category: Category
    event_type: EventType
    resource_id: str
    resource_url: str  # e.g. https://api.xero.com/api.xro/2.0/Invoices/{id} (the sandbox's own base URL)
    data: dict | None = None  # CREDITNOTE events carry {"Type", "Status"}


class EventSink(Protocol):
    def emit(self, event: ChangeEvent) -> None: ...


@dataclass
class RecordingSink:
    """Keeps events in memory: for tests, and as the default when no webhook is configured."""

    events: list[ChangeEvent] = field(default_factory=list)

    def emit(self, event: ChangeEvent) -> None:
        self.events.append(event)
