"""The Accounting API as one object: its storage, who it tells about changes, and its routes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.routing import BaseRoute

from dxsandbox.common.store import DocumentStore
from dxsandbox.xero.api.accounting.batch import ElementResult, run_each
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.idempotency import IdempotencyCache
from dxsandbox.xero.api.accounting.outcome import Change, Work
from dxsandbox.xero.api.accounting.reference import seed_books
from dxsandbox.xero.events import ChangeEvent, EventSink, RecordingSink
from dxsandbox.xero.oauth import XeroIdentity

logger = logging.getLogger(__name__)
T = TypeVar("T")


class AccountingApi:
    def __init__(
        self, store: DocumentStore, identity: XeroIdentity, sink: EventSink | None = None, now: Callable[[], float] = time.time
    ):
        self.store = store
        self.identity = identity
        self.sink: EventSink = sink if sink is not None else RecordingSink()
        self.now = now
        self.idempotency = IdempotencyCache()

    def seed(self) -> None:
        """Reference data for every organisation that has none yet (the first start of a sandbox)."""
        for organisation in self.identity.organisations():
            seed_books(self.books(organisation["tenant_id"]), organisation)

    def books(self, tenant_id: str) -> Books:
        return Books(self.store, tenant_id, self.now)

    def commit(
        self, tenant_id: str, change: Callable[[Work], T], *, api_base: str, unitdp: int = 2, client_id: str | None = None
    ) -> T:
        """Run one unit of work in a transaction; once it is committed, announce what it changed."""
        books = self.books(tenant_id)
        work = Work(books, unitdp=unitdp, client_id=client_id)
        with books.transaction():
            result = change(work)
        self.announce(tenant_id, api_base, work.changes)
        return result

    def commit_each(
        self,
        tenant_id: str,
        elements: list[dict[str, Any]],
        change: Callable[[Work, dict[str, Any]], Record],
        *,
        api_base: str,
        unitdp: int = 2,
        client_id: str | None = None,
    ) -> list[ElementResult]:
        """A batch's elements, each its own unit of work (a savepoint: one refused leaves the others alone), in
        one transaction for the request; once it is committed, announce what they changed."""
        books = self.books(tenant_id)
        changed: list[Change] = []

        def one(element: dict[str, Any]) -> Record:
            work = Work(books, unitdp=unitdp, client_id=client_id)
            with books.transaction():
                record = change(work, element)
            changed.extend(work.changes)
            return record

        with books.transaction():
            results = run_each(elements, one)
        self.announce(tenant_id, api_base, changed)
        return results

    def announce(self, tenant_id: str, api_base: str, changes: list[Change]) -> None:
        """Tell the sink about committed changes; a failing sink must not fail the API call."""
        for change in changes:
            event = ChangeEvent(
                tenant_id=tenant_id,
                category=change.category,
                event_type=change.event_type,
                resource_id=change.resource_id,
                resource_url=f"{api_base}/{change.collection}/{change.resource_id}",
                data=change.data,
            )
            try:
                self.sink.emit(event)
            except Exception:
                logger.exception("event sink failed for %s %s", change.category, change.resource_id)

    def routes(self) -> list[BaseRoute]:
        from dxsandbox.xero.api.accounting.routes import accounting_routes

        return accounting_routes(self)
