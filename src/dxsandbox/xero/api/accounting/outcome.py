"""What a committed write changed: the records the API answers with and the events it announces."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from dxsandbox.xero.api.accounting.books import Books
from dxsandbox.xero.events import Category, EventType


@dataclass(frozen=True)
class Change:
    category: Category
    event_type: EventType
    collection: str  # the URL segment of the resource, e.g. "Invoices"
    resource_id: str
    data: dict[str, Any] | None = None


@dataclass
class Work:
    """One unit of work against one organisation's books: the changes to announce once it commits."""

    books: Books
    unitdp: int = 2
    client_id: str | None = None  # the app making the change (createdByMyApp)
    changes: list[Change] = field(default_factory=list)

    def changed(
        self, category: Category, event_type: EventType, collection: str, resource_id: str, data: dict[str, Any] | None = None
    ) -> None:
        """One event per record and unit of work: a CREATE stays a CREATE, and the latest data wins."""
        for index, earlier in enumerate(self.changes):
            if (earlier.category, earlier.resource_id) == (category, resource_id):
                self.changes[index] = replace(earlier, data=data if data is not None else earlier.data)
                return
        self.changes.append(Change(category, event_type, collection, resource_id, data))
