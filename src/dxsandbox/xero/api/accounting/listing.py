"""GET on a collection: If-Modified-Since, the id/number/status filters, where, order, paging, summaryOnly.

A list parameter of Xero's that a listing does not apply (paging on a collection the sandbox does not page, a
date range, a filter it has no field for) is refused as not emulated: ignoring it would answer something other
than what was asked, without saying so. Names Xero does not know are ignored, as Xero ignores them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from dxsandbox.xero.api.accounting.books import Record
from dxsandbox.xero.api.accounting.dates import BadDate, epoch_ms, parse_if_modified_since
from dxsandbox.xero.api.accounting.envelope import not_emulated_parameter, ok, validation_message
from dxsandbox.xero.api.accounting.http import Call, Refusal
from dxsandbox.xero.api.accounting.query import (
    apply_order,
    compile_where,
    lookup,
    matches_any,
    paginate,
    pagination,
    parse_bool,
    parse_csv,
    parse_guids,
    parse_page,
)

# The query parameters Xero's Accounting API reads on its GETs (on one path or another).
XERO_READ_PARAMETERS = frozenset(
    {
        "ContactID", "ContactIDs", "contactId", "createdByMyApp", "date", "DateFrom", "DateTo", "ExpiryDateFrom",
        "ExpiryDateTo", "fromDate", "IDs", "includeArchived", "includeDeleted", "InvoiceNumbers", "LinkedTransactionID",
        "offset", "order", "page", "pageSize", "paymentsOnly", "periods", "QuoteNumber", "References", "reportYear",
        "searchTerm", "SourceTransactionID", "standardLayout", "Status", "Statuses", "summaryOnly", "TargetTransactionID",
        "timeframe", "toDate", "trackingCategoryID", "trackingCategoryID2", "trackingOptionID", "trackingOptionID1",
        "trackingOptionID2", "unitdp", "where",
    }
)  # fmt: skip
_XERO_READ_PARAMETERS = {name.lower() for name in XERO_READ_PARAMETERS}
# What every listing applies: where and order; includeArchived and createdByMyApp (a collection without archived
# records hides none); summaryOnly and unitdp, which the routes' renderers read where they change anything.
ALWAYS_APPLIED = frozenset({"where", "order", "includeArchived", "createdByMyApp", "summaryOnly", "unitdp"})


@dataclass(frozen=True)
class Listing:
    store_kind: str
    collection: str
    paged: bool = False
    id_field: str | None = None  # filtered by IDs=
    number_filter: tuple[str, str] | None = None  # (parameter, field): ("InvoiceNumbers", "InvoiceNumber")
    contact_filter: bool = False  # ContactIDs=
    status_field: str | None = None  # Statuses=
    archived: tuple[str, str] | None = None  # (field, value) hidden unless includeArchived=true
    search_fields: tuple[str, ...] = ()  # searchTerm=
    lines_only_when_paged: bool = False  # Xero shows invoice lines in paged lists only

    @property
    def parameters(self) -> frozenset[str]:
        """The query parameters this listing applies."""
        applied = set(ALWAYS_APPLIED)
        if self.paged:
            applied |= {"page", "pageSize"}
        if self.id_field:
            applied.add("IDs")
        if self.number_filter:
            applied.add(self.number_filter[0])
        if self.contact_filter:
            applied.add("ContactIDs")
        if self.status_field:
            applied.add("Statuses")
        if self.search_fields:
            applied.add("searchTerm")
        return frozenset(applied)


def respond_with_list(call: Call, listing: Listing, render: Callable[[Record], Record]) -> Response:
    refuse_parameters_not_applied(call, listing)
    since = modified_since_ms(call)
    conditions = _conditions(call, listing)
    where = compile_where(call.param("where"))
    order = call.param("order")
    page = parse_page(call.param("page"), call.param("pageSize")) if listing.paged else None
    if page is not None and where is None and not (order or "").strip() and not conditions:
        # Nothing looks at the records but the page itself: read and render that page alone, so that paging
        # through a large organisation costs each page, not the whole collection every time.
        stored = call.books.all(listing.store_kind, since, offset=page.offset, limit=page.size)
        return ok(
            call.provider_name,
            listing.collection,
            [render(record) for record in stored],
            pagination=pagination(call.books.count(listing.store_kind, since), page),
        )
    records = [
        render(record)
        for record in call.books.all(listing.store_kind, since)
        if all(condition(record) for condition in conditions)
    ]
    if where is not None:
        records = [record for record in records if where(record)]
    records = apply_order(records, order)
    extra: dict[str, Any] = {}
    if page is not None:
        records, extra["pagination"] = paginate(records, page)
    elif listing.lines_only_when_paged:
        for record in records:
            record.pop("LineItems", None)
    return ok(call.provider_name, listing.collection, records, **extra)


def refuse_parameters_not_applied(call: Call, listing: Listing) -> None:
    applied = {name.lower() for name in listing.parameters}
    for name in dict.fromkeys(call.request.query_params.keys()):
        if name.lower() in _XERO_READ_PARAMETERS and name.lower() not in applied:
            raise Refusal(not_emulated_parameter(name, f"GET {call.request.url.path}"))


def modified_since_ms(call: Call) -> int | None:
    header = call.request.headers.get("if-modified-since")
    if not header:
        return None
    try:
        return epoch_ms(parse_if_modified_since(header))
    except BadDate as error:
        raise Refusal(validation_message(str(error))) from None


def _conditions(call: Call, listing: Listing) -> list[Callable[[Record], bool]]:
    """The filters that work on stored fields, applied before rendering (cheaper, and private fields are still there)."""
    conditions: list[Callable[[Record], bool]] = []
    ids = parse_guids(call.param("IDs"))
    if ids and listing.id_field:
        conditions.append(lambda record: matches_any(record.get(listing.id_field), ids))
    if listing.number_filter:
        parameter, number_field = listing.number_filter
        numbers = parse_csv(call.param(parameter))
        if numbers:
            conditions.append(lambda record: matches_any(record.get(number_field), numbers))
    contact_ids = parse_guids(call.param("ContactIDs")) if listing.contact_filter else []
    if contact_ids:
        conditions.append(lambda record: matches_any(lookup(record, ["Contact", "ContactID"]), contact_ids))
    statuses = parse_csv(call.param("Statuses")) if listing.status_field else []
    if statuses:
        conditions.append(lambda record: matches_any(record.get(listing.status_field or ""), statuses))
    if listing.archived and not parse_bool(call.param("includeArchived")):
        field, value = listing.archived
        conditions.append(lambda record: record.get(field) != value)
    if parse_bool(call.param("createdByMyApp")):
        conditions.append(lambda record: record.get("_created_by") == call.grant["client_id"])
    term = (call.param("searchTerm") or "").strip().casefold()
    if term and listing.search_fields:
        conditions.append(lambda record: any(term in str(record.get(field) or "").casefold() for field in listing.search_fields))
    return conditions
