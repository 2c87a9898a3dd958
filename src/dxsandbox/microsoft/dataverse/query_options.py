"""The system query options of a request: $select, $filter, $expand (nested), $orderby, $top, $count,
plus the paging and change-tracking tokens. `$skip` and unknown options are refused, as Dataverse refuses them;
options Dataverse serves but the sandbox does not ($apply, $search, sql, savedQuery, userQuery) are refused as
not emulated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dxsandbox.microsoft.dataverse.errors import bad_request
from dxsandbox.microsoft.dataverse.odata import parse_filter

KNOWN_OPTIONS = {
    "$select",
    "$filter",
    "$expand",
    "$orderby",
    "$top",
    "$count",
    "$skiptoken",
    "$deltatoken",
    "$apply",
    "$skip",
    "$format",
    "$search",
}


@dataclass
class Expansion:
    navigation: str
    options: QueryOptions


@dataclass
class QueryOptions:
    select: list[str] | None = None
    filter: Any = None
    filter_text: str | None = None
    orderby: list[tuple[str, bool]] = field(default_factory=list)  # (property, descending)
    top: int | None = None
    count: bool = False
    expand: list[Expansion] = field(default_factory=list)
    skiptoken: str | None = None
    deltatoken: str | None = None

    @property
    def has_shape_options(self) -> bool:
        return bool(self.filter is not None or self.orderby or self.top is not None or self.expand)


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on `separator` outside parentheses, brackets and quoted strings."""
    parts, depth, quoted, current = [], 0, False, []
    for char in text:
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]":
            depth -= 1
        if char == separator and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


# Query options Dataverse serves that are not system query options: FetchXML is served on a table's entity set
# (fetchxml.py); the others are refused as not emulated rather than ignored.
FETCH_XML = "fetchxml"
CUSTOM_NOT_EMULATED = {
    "sql": "SQL queries (the sql query option)",
    "savedquery": "Saved views (the savedQuery query option)",
    "userquery": "Personal views (the userQuery query option)",
}
JSON_FORMATS = ("json", "application/json")


def check_system_option(key: str, value: str) -> None:
    """Refuse a `$` option as Dataverse does (`$skip`, unknown ones) or as not emulated ($apply, $search,
    a `$format` other than JSON) instead of ignoring it."""
    lowered = key.lower()
    if lowered == "$skip":
        raise bad_request("The query parameter $skip is not supported.")
    if lowered in ("$apply", "$search"):
        raise bad_request(f"The query parameter {key} is not emulated by this sandbox.")
    if lowered not in KNOWN_OPTIONS:
        raise bad_request(f"The query parameter {key} is not supported.")
    if lowered == "$format" and value.split(";")[0].strip().lower() not in JSON_FORMATS:
        raise bad_request(f"$format={value} is not emulated by this sandbox: only JSON is served.")


def check_request_options(params: Mapping[str, str], *, collection_read: bool, reference: bool) -> None:
    """Every query option of a request is served or refused: system options by `check_system_option`,
    `$id` on a `$ref` path, `fetchXml` on a read of an entity set, and Dataverse's other custom options
    (sql, savedQuery, userQuery) refused as not emulated. Parameter aliases (`@p`) belong to the request;
    other names are custom query options, which OData services ignore."""
    for key, value in params.items():
        lowered = key.lower()
        if key.startswith("@"):
            continue
        if key.startswith("$"):
            if lowered == "$id" and reference:
                continue
            check_system_option(key, value)
        elif lowered == FETCH_XML and not collection_read:
            raise bad_request(
                "fetchXml is served on a read of a table's entity set (GET <entity set>?fetchXml=…); "
                "elsewhere it is not emulated by this sandbox."
            )
        elif lowered in CUSTOM_NOT_EMULATED:
            raise bad_request(f"{CUSTOM_NOT_EMULATED[lowered]} are not emulated by this sandbox.")


def parse_options(params: Mapping[str, str], *, nested: bool = False) -> QueryOptions:
    options = QueryOptions()
    aliases = {key: value for key, value in params.items() if key.startswith("@")}
    for key, value in params.items():
        lowered = key.lower()
        if key.startswith("@") or not key.startswith("$"):
            continue
        check_system_option(key, value)
        if lowered == "$select":
            options.select = [name.strip() for name in value.split(",") if name.strip()]
        elif lowered == "$filter":
            options.filter_text = value
            options.filter = parse_filter(value, aliases)
        elif lowered == "$orderby":
            options.orderby = [_order_term(term) for term in split_top_level(value, ",")]
        elif lowered == "$top":
            options.top = _whole_number(value, "$top")
        elif lowered == "$count":
            if value.lower() not in ("true", "false"):
                raise bad_request("$count must be true or false.")
            options.count = value.lower() == "true"
        elif lowered == "$expand":
            options.expand = [_expansion(item) for item in split_top_level(value, ",")]
        elif lowered == "$skiptoken" and not nested:
            options.skiptoken = value
        elif lowered == "$deltatoken" and not nested:
            options.deltatoken = value
    return options


def _order_term(term: str) -> tuple[str, bool]:
    words = term.split()
    if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
        raise bad_request(f"The $orderby term '{term}' is not valid.")
    return words[0], len(words) == 2 and words[1].lower() == "desc"


def _whole_number(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise bad_request(f"{name} must be a whole number.") from None
    if number < 0:
        raise bad_request(f"{name} must not be negative.")
    return number


def _expansion(item: str) -> Expansion:
    """`invoice_details($select=quantity;$filter=quantity gt 1)` → Expansion with nested options."""
    if "(" not in item:
        return Expansion(item.strip(), QueryOptions())
    name, _, rest = item.partition("(")
    if not rest.endswith(")"):
        raise bad_request(f"The $expand item '{item}' is not valid.")
    nested: dict[str, str] = {}
    for part in split_top_level(rest[:-1], ";"):
        key, separator, value = part.partition("=")
        if not separator:
            raise bad_request(f"The $expand option '{part}' is not valid.")
        nested[key.strip()] = value.strip()
    return Expansion(name.strip(), parse_options(nested, nested=True))
