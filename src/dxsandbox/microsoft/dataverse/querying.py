"""Collection queries: filter, order, count, page with opaque paging cookies, and change tracking.

Paging is keyset paging, as Dataverse's paging cookies are: the `$skiptoken` carries the sort values of
the last row served, so the next page starts right after it even if rows were added or removed in
between. The token keeps Dataverse's outer shape
(`<cookie pagenumber="2" pagingcookie="…" istracking="False" />`); its inside is ours.

Change tracking: a query with `Prefer: odata.track-changes` ends with an `@odata.deltaLink` whose
`$deltatoken` holds the organisation's row version at the start of the query; following it returns
the rows written since (new and updated alike) and `$deletedEntity` entries for rows deleted since.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from dxsandbox.microsoft.dataverse.catalog import Catalog
from dxsandbox.microsoft.dataverse.errors import bad_request
from dxsandbox.microsoft.dataverse.query_options import QueryOptions
from dxsandbox.microsoft.dataverse.selection import SortKey, TableContext, candidates, filter_rows, sort_key_function
from dxsandbox.microsoft.dataverse.serialize import Annotations, Serializer
from dxsandbox.microsoft.dataverse.storage import Record, RecordStorage
from dxsandbox.microsoft.dataverse.tables import Table

MAX_PAGE_SIZE = 5000
MAX_COUNT = 5000
ORDERS_KEPT = 8  # queries whose ordered rows are kept for their next pages


@dataclass
class Cookie:
    page: int  # the page this cookie asks for
    last: list[Any]  # sort values of the last row served, the primary id last
    served: int = 0  # rows served before this page ($top bookkeeping)
    tracking: bool = False
    watermark: int | None = None  # row version a change-tracking query started at


@dataclass
class QueryResult:
    rows: list[dict[str, Any]]
    count: int | None = None
    next_cookie: Cookie | None = None
    delta_token: str | None = None
    deleted: list[str] = field(default_factory=list)


def encode_skiptoken(cookie: Cookie) -> str:
    inner = json.dumps({"last": cookie.last, "served": cookie.served, "watermark": cookie.watermark}, separators=(",", ":"))
    paging = quote(f'<cookie page="{cookie.page - 1}" last="{quote(inner, safe="")}" />', safe="")
    return f'<cookie pagenumber="{cookie.page}" pagingcookie="{paging}" istracking="{"True" if cookie.tracking else "False"}" />'


_SKIPTOKEN = re.compile(r'pagenumber="(\d+)"\s+pagingcookie="([^"]*)"\s+istracking="(True|False)"')
_INNER = re.compile(r'last="([^"]*)"')


def decode_skiptoken(token: str) -> Cookie:
    match = _SKIPTOKEN.search(token)
    inner = _INNER.search(unquote(match.group(2))) if match else None
    if match is None or inner is None:
        raise bad_request("The $skiptoken is not valid: pass the @odata.nextLink unchanged.")
    try:
        data = json.loads(unquote(inner.group(1)))
        return Cookie(
            int(match.group(1)), list(data["last"]), int(data.get("served", 0)), match.group(3) == "True", data.get("watermark")
        )
    except (ValueError, KeyError, TypeError):
        raise bad_request("The $skiptoken is not valid: pass the @odata.nextLink unchanged.") from None


def delta_token(version: int) -> str:
    return f"{version}!{datetime.now(UTC):%m/%d/%Y %H:%M:%S}"


def delta_version(token: str) -> int:
    try:
        return int(token.split("!", 1)[0])
    except ValueError:
        raise bad_request("The $deltatoken is not valid.") from None


class Queries:
    def __init__(self, catalog: Catalog, storage: RecordStorage, serializer: Serializer):
        self.catalog = catalog
        self.storage = storage
        self.serializer = serializer
        self._orders: OrderedDict[tuple[Any, ...], tuple[int, list[Record], list[SortKey]]] = OrderedDict()
        self._orders_lock = threading.Lock()

    def context(self, table: Table, user_id: str | None) -> TableContext:
        return TableContext(table, self.storage, self.catalog.get, user_id)

    def matching(self, table: Table, options: QueryOptions, user_id: str | None) -> list[Record]:
        rows = candidates(table, self.storage, options.filter)
        return filter_rows(rows, options.filter, self.context(table, user_id))

    def count(self, table: Table, options: QueryOptions, user_id: str | None) -> int:
        return min(len(self.matching(table, options, user_id)), MAX_COUNT)

    def run(
        self,
        table: Table,
        options: QueryOptions,
        *,
        page_size: int | None,
        annotations: Annotations,
        user_id: str | None,
        tracking: bool = False,
        rows: list[Record] | None = None,
    ) -> QueryResult:
        """One page of a query; `rows` narrows it to given rows (a collection navigation)."""
        if options.deltatoken is not None:
            return self._delta(table, options, annotations, user_id)
        if tracking:
            self._check_tracking(table, options)
        cookie = decode_skiptoken(options.skiptoken) if options.skiptoken else None
        watermark = cookie.watermark if cookie and cookie.watermark is not None else self.storage.version
        context = self.context(table, user_id)
        primary = table.primary_id
        key = sort_key_function(options.orderby, context, lambda row: row.get(primary))
        ordered, keys = self._ordered(table, options, user_id, key, rows)
        total = min(len(ordered), MAX_COUNT) if options.count else None
        # $top is ignored when the client pages with odata.maxpagesize (FACTS §3).
        limit = options.top if page_size is None else None
        size = min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
        start, served = 0, 0
        if cookie is not None:
            flags = (*(descending for _, descending in options.orderby), False)
            start = bisect.bisect_right(keys, SortKey(tuple(cookie.last), flags))
            served = cookie.served
        if limit is not None:
            size = min(size, max(0, limit - served))
        page = ordered[start : start + size]
        more = start + size < len(ordered) and (limit is None or served + len(page) < limit)
        result = QueryResult(
            [
                self.serializer.row(
                    table, row, select=options.select, annotations=annotations, expand=options.expand, user_id=user_id
                )
                for row in page
            ],
            count=total,
        )
        if more and page:
            last = list(key(page[-1]).values)
            result.next_cookie = Cookie(
                (cookie.page if cookie else 1) + 1, last, served + len(page), tracking, watermark if tracking else None
            )
        elif tracking:
            result.delta_token = delta_token(watermark)
        return result

    def _ordered(
        self,
        table: Table,
        options: QueryOptions,
        user_id: str | None,
        key: Callable[[Record], SortKey],
        rows: list[Record] | None,
    ) -> tuple[list[Record], list[SortKey]]:
        """The query's rows in order, with their sort keys. Paging through a big table asks for the same order
        once a page: it is kept while no row changes, so a page costs a bisect rather than a filter and a sort."""
        cacheable = rows is None and "@" not in (options.filter_text or "")  # parameter aliases are not in the text
        name = (table.logical_name, options.filter_text, tuple(options.orderby), user_id)
        with self._orders_lock:
            kept = self._orders.get(name) if cacheable else None
        if kept is not None and kept[0] == self.storage.generation:
            return kept[1], kept[2]
        generation = self.storage.generation
        matching = (
            filter_rows(rows, options.filter, self.context(table, user_id))
            if rows is not None
            else self.matching(table, options, user_id)
        )
        pairs = sorted(((key(row), row) for row in matching), key=lambda pair: pair[0])
        ordered, keys = [row for _, row in pairs], [sort_key for sort_key, _ in pairs]
        if cacheable:
            with self._orders_lock:
                self._orders[name] = (generation, ordered, keys)
                self._orders.move_to_end(name)
                while len(self._orders) > ORDERS_KEPT:
                    self._orders.popitem(last=False)
        return ordered, keys

    def _check_tracking(self, table: Table, options: QueryOptions) -> None:
        if not table.change_tracking:
            raise bad_request(f"Entity '{table.logical_name}' is not enabled for change tracking.", "0x80040203")
        if options.has_shape_options:
            raise bad_request("$filter, $orderby, $expand and $top cannot be used with change tracking.")

    def _delta(self, table: Table, options: QueryOptions, annotations: Annotations, user_id: str | None) -> QueryResult:
        self._check_tracking(table, options)
        since = delta_version(options.deltatoken or "")
        now = self.storage.version
        changed = sorted(
            (row for row in self.storage.rows(table.logical_name) if int(row.get("versionnumber") or 0) > since),
            key=lambda row: int(row.get("versionnumber") or 0),
        )
        alive = {row[table.primary_id] for row in changed}
        deleted = []
        for _, row_id in self.storage.deleted_since(table.logical_name, since):
            if row_id not in alive and self.storage.get(table.logical_name, row_id) is None and row_id not in deleted:
                deleted.append(row_id)
        rows = [
            self.serializer.row(table, row, select=options.select, annotations=annotations, user_id=user_id) for row in changed
        ]
        return QueryResult(rows, delta_token=delta_token(now), deleted=deleted)
