"""FetchXML queries on the Web API (`GET <set>?fetchXml=<url-encoded xml>`), for a useful subset.

Served: `<fetch>` with `top`, `count`, `page`, `paging-cookie`, `returntotalrecordcount`,
`useraworderby`, `no-lock`, `mapping="logical"`, `version`, `output-format`, `distinct="false"`;
one `<entity name>` with `<attribute name>` or `<all-attributes>`, nested `<filter type="and|or">`
of `<condition attribute operator value>` (eq, ne/neq, gt, ge, lt, le, like, not-like, begins-with,
ends-with, null, not-null, in, not-in, with `<value>` children for the lists) and `<order attribute
descending>`. Everything else (link-entity, aggregates, aliases, other operators, distinct rows…)
is refused with Dataverse's error shape and a message saying it is not emulated.

As Dataverse answers FetchXML (Microsoft's "Use FetchXml to query data" and "Page results using
FetchXml"): rows leave out the columns whose value is null; `count` is the page size (at most 5000)
and `page` the page number; with `Prefer: odata.include-annotations` naming them (or `*`) the answer
carries `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie` (the next page's cookie, its inner cookie
URL-encoded twice) and `@Microsoft.Dynamics.CRM.morerecords` while more rows follow (the last page
carries neither), and with `returntotalrecordcount` `@Microsoft.Dynamics.CRM.totalrecordcount` and
`…totalrecordcountlimitexceeded`. The cookie is keyset
paging: sent back as the `paging-cookie` of the next page, the page starts right after the row it
names. A `page` without the previous page's cookie is served by position. Choice columns order by
their labels unless `useraworderby` is set, lookups by the related row's name, as FetchXML orders them.
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from dxsandbox.microsoft.dataverse.errors import INVALID_ARGUMENT, DataverseError, bad_request
from dxsandbox.microsoft.dataverse.odata import Predicate, fold, normalise
from dxsandbox.microsoft.dataverse.paths import as_guid
from dxsandbox.microsoft.dataverse.selection import SortKey, TableContext, column_kind
from dxsandbox.microsoft.dataverse.serialize import Annotations, Serializer
from dxsandbox.microsoft.dataverse.storage import Record, RecordStorage
from dxsandbox.microsoft.dataverse.tables import (
    BIGINT,
    BOOLEAN,
    DATETIME,
    DECIMAL,
    DOUBLE,
    GUID,
    INTEGER,
    MONEY,
    OPTION_TYPES,
    Column,
    Table,
)

MAX_PAGE = 5000
MAX_TOTAL_COUNT = 5000
QUERY_BUILDER_NO_ATTRIBUTE = "0x80041103"
PAGING_COOKIE = "Microsoft.Dynamics.CRM.fetchxmlpagingcookie"
MORE_RECORDS = "Microsoft.Dynamics.CRM.morerecords"
TOTAL_COUNT = "Microsoft.Dynamics.CRM.totalrecordcount"
TOTAL_COUNT_EXCEEDED = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"

FETCH_ATTRIBUTES = {
    "top",
    "count",
    "page",
    "paging-cookie",
    "returntotalrecordcount",
    "useraworderby",
    "no-lock",
    "mapping",
    "version",
    "output-format",
    "distinct",
}
UI_HINTS = {"uiname", "uitype", "uihidden"}  # written by Advanced Find, no effect on the rows
LIST_OPERATORS = {"in", "not-in"}
NULL_OPERATORS = {"null", "not-null"}
VALUE_OPERATORS = {"eq", "ne", "neq", "gt", "ge", "lt", "le", "like", "not-like", "begins-with", "ends-with"}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "neq": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


def not_emulated(what: str) -> DataverseError:
    return bad_request(f"{what} in FetchXML is not emulated by this sandbox.")


@dataclass
class OrderTerm:
    column: Column
    descending: bool
    kind: str | None  # the kind its sort values compare as


@dataclass
class FetchQuery:
    table: Table
    columns: list[Column] | None  # None: all attributes
    predicate: Predicate | None
    order: list[OrderTerm] = field(default_factory=list)
    top: int | None = None
    count: int = MAX_PAGE
    page: int = 1
    paging_cookie: str | None = None
    total_count: bool = False


@dataclass
class FetchResult:
    rows: list[dict[str, Any]]
    more: bool
    cookie: str | None
    total: int | None
    total_exceeded: bool


# --- parsing -----------------------------------------------------------------------------------------


def parse_fetch(text: str, table: Table, storage: RecordStorage, tables: Callable[[str], Table | None]) -> FetchQuery:
    """The FetchXML of a request to `table`'s entity set, checked against the table."""
    try:
        fetch = ET.fromstring(text)
    except ET.ParseError as error:
        raise bad_request(f"The fetchXml parameter is not valid XML: {error}.", INVALID_ARGUMENT) from None
    if fetch.tag != "fetch":
        raise bad_request(f"The root element of FetchXML must be <fetch>, not <{fetch.tag}>.", INVALID_ARGUMENT)
    _only_attributes(fetch, FETCH_ATTRIBUTES, "The attribute '{name}' of <fetch>")
    if _flag(fetch, "distinct"):
        raise not_emulated("distinct='true'")
    if fetch.get("aggregate") is not None:
        raise not_emulated("aggregate")
    if fetch.get("mapping", "logical") != "logical":
        raise bad_request("FetchXML mapping must be 'logical'.", INVALID_ARGUMENT)
    entities = list(fetch)
    if len(entities) != 1 or entities[0].tag != "entity":
        raise bad_request("FetchXML must have exactly one <entity> element.", INVALID_ARGUMENT)
    entity = entities[0]
    _only_attributes(entity, {"name"}, "The attribute '{name}' of <entity>")
    name = (entity.get("name") or "").lower()
    if name != table.logical_name:
        raise bad_request(
            f"The entity name '{entity.get('name')}' in the FetchXML does not match the entity set "
            f"'{table.entity_set}' of the request (table '{table.logical_name}').",
            INVALID_ARGUMENT,
        )
    context = TableContext(table, storage, tables)
    query = FetchQuery(table, None, None)
    chosen: list[Column] = []
    all_attributes = False
    filters: list[Predicate] = []
    for child in entity:
        if child.tag == "attribute":
            _only_attributes(child, {"name"}, "The attribute '{name}' of <attribute>")
            chosen.append(_column(table, child.get("name")))
        elif child.tag == "all-attributes":
            all_attributes = True
        elif child.tag == "filter":
            filters.append(_filter(child, table, context))
        elif child.tag == "order":
            query.order.append(_order(child, table, raw=_flag(fetch, "useraworderby")))
        elif child.tag == "link-entity":
            raise not_emulated("<link-entity>")
        else:
            raise not_emulated(f"The element <{child.tag}>")
    query.columns = None if all_attributes or not chosen else chosen
    query.predicate = _all_of(filters) if filters else None
    _paging(fetch, query)
    return query


def _only_attributes(element: ET.Element, allowed: set[str], what: str) -> None:
    for name in element.attrib:
        if name not in allowed and name not in UI_HINTS:
            raise not_emulated(what.format(name=name))


def _flag(element: ET.Element, name: str) -> bool:
    return (element.get(name) or "false").strip().lower() in ("true", "1")


def _whole(element: ET.Element, name: str, low: int, high: int | None = None) -> int | None:
    text = element.get(name)
    if text is None:
        return None
    try:
        number = int(text)
    except ValueError:
        raise bad_request(f"The {name} attribute of <fetch> must be a whole number, not '{text}'.", INVALID_ARGUMENT) from None
    if number < low or (high is not None and number > high):
        limit = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise bad_request(f"The {name} attribute of <fetch> must be {limit}, not {number}.", INVALID_ARGUMENT)
    return number


def _paging(fetch: ET.Element, query: FetchQuery) -> None:
    query.top = _whole(fetch, "top", 0, MAX_PAGE)
    count = _whole(fetch, "count", 1, MAX_PAGE)
    page = _whole(fetch, "page", 1)
    if query.top is not None and (count is not None or page is not None):
        raise bad_request("The top attribute of <fetch> cannot be used with the count or page attributes.", INVALID_ARGUMENT)
    query.count = count or MAX_PAGE
    query.page = page or 1
    query.paging_cookie = fetch.get("paging-cookie") or None
    query.total_count = _flag(fetch, "returntotalrecordcount")


def _column(table: Table, name: str | None) -> Column:
    column = table.column((name or "").lower()) if name else None
    if column is None:
        raise DataverseError(
            400,
            QUERY_BUILDER_NO_ATTRIBUTE,
            f"'{table.schema_name}' entity doesn't contain attribute with Name = '{name}' and NameMapping = 'Logical'.",
        )
    return column


def _order(element: ET.Element, table: Table, *, raw: bool) -> OrderTerm:
    for name in element.attrib:
        if name not in ("attribute", "descending"):
            raise not_emulated(f"The attribute '{name}' of <order>")
    column = _column(table, element.get("attribute"))
    descending = _flag(element, "descending")
    if column.is_lookup or (column.type in OPTION_TYPES and not raw):
        return OrderTerm(column, descending, "String")  # by the related row's name, by the choice's label
    return OrderTerm(column, descending, column_kind(column))


def _all_of(predicates: list[Predicate]) -> Predicate:
    return _combine("and", predicates)


def _combine(kind: str, predicates: list[Predicate]) -> Predicate:
    def both(row: Record) -> bool | None:
        unknown = False
        for predicate in predicates:
            result = predicate(row)
            if result is False:
                return False
            unknown = unknown or result is None
        return None if unknown else True

    def either(row: Record) -> bool | None:
        unknown = False
        for predicate in predicates:
            result = predicate(row)
            if result is True:
                return True
            unknown = unknown or result is None
        return None if unknown else False

    return both if kind == "and" else either


def _filter(element: ET.Element, table: Table, context: TableContext) -> Predicate:
    for name in element.attrib:
        if name != "type":
            raise not_emulated(f"The attribute '{name}' of <filter>")
    kind = (element.get("type") or "and").lower()
    if kind not in ("and", "or"):
        raise bad_request(f"The type of a <filter> must be 'and' or 'or', not '{element.get('type')}'.", INVALID_ARGUMENT)
    parts: list[Predicate] = []
    for child in element:
        if child.tag == "condition":
            parts.append(_condition(child, table, context))
        elif child.tag == "filter":
            parts.append(_filter(child, table, context))
        else:
            raise not_emulated(f"The element <{child.tag}> inside <filter>")
    if not parts:
        return lambda row: True
    return _combine(kind, parts)


def _condition(element: ET.Element, table: Table, context: TableContext) -> Predicate:
    for name in element.attrib:
        if name not in ("attribute", "operator", "value") and name not in UI_HINTS:
            raise not_emulated(f"The attribute '{name}' of <condition>")
    column = _column(table, element.get("attribute"))
    operator = (element.get("operator") or "").lower()
    get, kind = context.getter((column.value_name,))
    if operator in NULL_OPERATORS:
        wanted_null = operator == "null"
        return lambda row: (get(row) is None) == wanted_null
    if operator in LIST_OPERATORS:
        texts = [value.text or "" for value in element.findall("value")]
        if element.get("value") is not None:
            texts.append(element.get("value") or "")
        if not texts:
            raise bad_request(
                f"The condition on '{column.name}' with operator '{operator}' needs <value> elements.", INVALID_ARGUMENT
            )
        wanted = {normalise(_value(column, text), kind) for text in texts}
        member = operator == "in"
        return lambda row: None if get(row) is None else ((normalise(get(row), kind) in wanted) == member)
    if operator not in VALUE_OPERATORS:
        raise not_emulated(f"The condition operator '{operator}'")
    text = element.get("value")
    if text is None:
        values = element.findall("value")
        text = values[0].text if len(values) == 1 else None
    if text is None:
        raise bad_request(f"The condition on '{column.name}' with operator '{operator}' needs a value.", INVALID_ARGUMENT)
    if operator in ("like", "not-like", "begins-with", "ends-with"):
        pattern = {"begins-with": f"{_escape_like(text)}%", "ends-with": f"%{_escape_like(text)}"}.get(operator, text)
        return _like(get, pattern, negate=operator == "not-like")
    wanted_value = normalise(_value(column, text), kind)
    compare = _COMPARE[operator]

    def matches(row: Record) -> bool | None:
        value = normalise(get(row), kind)
        if value is None:
            return None
        try:
            return compare(value, wanted_value)
        except TypeError:
            raise bad_request(f"The value '{text}' cannot be compared with '{column.name}'.", INVALID_ARGUMENT) from None

    return matches


def _value(column: Column, text: str) -> Any:
    """A condition's text as the column's type (FetchXML values are all strings)."""
    text = text.strip() if column.type not in ("String", "Memo") else text
    try:
        if column.is_lookup or column.type == GUID:
            guid = as_guid(text)
            if guid is None:
                raise ValueError(text)
            return guid
        if column.type == BOOLEAN:
            if text.lower() in ("1", "true"):
                return True
            if text.lower() in ("0", "false"):
                return False
            raise ValueError(text)
        if column.type in (INTEGER, BIGINT, *OPTION_TYPES):
            return int(text)
        if column.type in (DECIMAL, MONEY, DOUBLE):
            return float(text)
        if column.type == DATETIME:
            return normalise(text, "DateOnly" if column.date_only else "DateTime")
    except ValueError:
        raise bad_request(
            f"The value '{text}' of the condition on '{column.name}' is not a valid {column.type} value.", INVALID_ARGUMENT
        ) from None
    return text


def _escape_like(text: str) -> str:
    return re.sub(r"([%_\[])", r"[\1]", text)


def _like(get: Callable[[Record], Any], pattern: str, *, negate: bool) -> Predicate:
    """SQL LIKE: `%` any run, `_` one character, `[abc]` one of a set; compared as the collation compares."""
    regex, index = [], 0
    folded = fold(pattern)
    while index < len(folded):
        char = folded[index]
        if char == "%":
            regex.append(".*")
        elif char == "_":
            regex.append(".")
        elif char == "[" and "]" in folded[index + 1 :]:
            end = folded.index("]", index + 1)
            inner = folded[index + 1 : end]
            regex.append("[^" + re.escape(inner[1:]) + "]" if inner.startswith("^") else "[" + re.escape(inner) + "]")
            index = end
        else:
            regex.append(re.escape(char))
        index += 1
    compiled = re.compile("".join(regex), re.DOTALL)

    def matches(row: Record) -> bool | None:
        value = get(row)
        if value is None:
            return None
        return (compiled.fullmatch(fold(str(value))) is not None) != negate

    return matches


# --- running -----------------------------------------------------------------------------------------


class FetchRunner:
    def __init__(self, storage: RecordStorage, serializer: Serializer):
        self.storage = storage
        self.serializer = serializer

    def run(self, query: FetchQuery, annotations: Annotations, user_id: str | None) -> FetchResult:
        table = query.table
        rows = list(self.storage.rows(table.logical_name))
        if query.predicate is not None:
            predicate = query.predicate
            rows = [row for row in rows if predicate(row) is True]
        key = self._sort_key(query)
        pairs = sorted(((key(row), row) for row in rows), key=lambda pair: pair[0])
        keys, ordered = [k for k, _ in pairs], [row for _, row in pairs]
        total = len(ordered)
        if query.top is not None:
            page, more, start = ordered[: query.top], False, 0
        else:
            start = self._start(query, keys)
            page = ordered[start : start + query.count]
            more = start + query.count < len(ordered)
        cookie = None
        if query.top is None and page:
            cookie = self._cookie(query, key(page[0]), key(page[-1]))
        shaped = [self._row(query, row, annotations, user_id) for row in page]
        return FetchResult(shaped, more, cookie, min(total, MAX_TOTAL_COUNT), total > MAX_TOTAL_COUNT)

    def _row(self, query: FetchQuery, row: Record, annotations: Annotations, user_id: str | None) -> dict[str, Any]:
        select = None if query.columns is None else [column.value_name for column in query.columns]
        body = self.serializer.row(query.table, row, select=select, annotations=annotations, user_id=user_id)
        # FetchXML leaves out the columns whose value is null (and their annotations with them).
        return {name: value for name, value in body.items() if value is not None}

    # --- order and paging ---
    def _sort_value(self, term: OrderTerm, row: Record) -> Any:
        value = row.get(term.column.name)
        if term.column.is_lookup:
            if not isinstance(value, dict):
                return None
            return normalise(self.serializer.primary_name(value["table"], value["id"]), "String")
        if term.column.type in OPTION_TYPES and term.kind == "String":
            option = term.column.option(value) if value is not None else None
            return normalise(option.label, "String") if option else None
        return normalise(value, term.kind)

    def _sort_key(self, query: FetchQuery) -> Callable[[Record], SortKey]:
        primary = query.table.primary_id
        flags = (*(term.descending for term in query.order), False)

        def key(row: Record) -> SortKey:
            values = [self._sort_value(term, row) for term in query.order]
            return SortKey((*values, row.get(primary)), flags)

        return key

    def _start(self, query: FetchQuery, keys: list[SortKey]) -> int:
        """Where the requested page starts: after the cookie's last row for the page after the cookie's,
        else by position (a page asked for without its predecessor's cookie)."""
        last = self._cookie_position(query) if query.paging_cookie else None
        if last is not None:
            return bisect.bisect_right(keys, last)
        return (query.page - 1) * query.count

    def _cookie_position(self, query: FetchQuery) -> SortKey | None:
        try:
            cookie = ET.fromstring(query.paging_cookie or "")
            cookie_page = int(cookie.get("page", "0"))
        except (ET.ParseError, ValueError):
            raise bad_request(
                "The paging-cookie of the FetchXML is not valid: pass the cookie unchanged.", INVALID_ARGUMENT
            ) from None
        if cookie_page != query.page - 1:
            return None  # not the previous page's cookie: Dataverse ignores it and pages by position
        entries = list(cookie)
        expected = [term.column.name for term in query.order] + [query.table.primary_id]
        if [entry.tag for entry in entries] != expected:
            return None  # a cookie of another order
        values: list[Any] = []
        for term, entry in zip(query.order, entries, strict=False):
            values.append(_cookie_value(entry.get("last"), term.kind))
        values.append(as_guid(entries[-1].get("last") or ""))
        return SortKey(tuple(values), (*(term.descending for term in query.order), False))

    def _cookie(self, query: FetchQuery, first: SortKey, last: SortKey) -> str:
        parts = []
        for term, low, high in zip(query.order, first.values, last.values, strict=False):
            parts.append(_cookie_entry(term.column.name, low, high))
        parts.append(
            f'<{query.table.primary_id} last="{{{str(last.values[-1]).upper()}}}" first="{{{str(first.values[-1]).upper()}}}" />'
        )
        inner = f'<cookie page="{query.page}">{"".join(parts)}</cookie>'
        encoded = quote(quote(inner, safe=""), safe="")
        return f'<cookie pagenumber="{query.page + 1}" pagingcookie="{encoded}" istracking="False" />'


def _cookie_entry(name: str, first: Any, last: Any) -> str:
    attributes = []
    if last is not None:
        attributes.append(f'last="{_escape_attribute(_cookie_text(last))}"')
    if first is not None:
        attributes.append(f'first="{_escape_attribute(_cookie_text(first))}"')
    return f"<{name} {' '.join(attributes)} />"


def _cookie_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _cookie_value(text: str | None, kind: str | None) -> Any:
    if text is None:
        return None
    if kind == "Boolean":
        return text == "1"
    return normalise(text, kind)


def _escape_attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
