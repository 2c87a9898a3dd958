"""Views (`<savedquery>`): the set every custom table gets, plus our views on Microsoft's tables.

A custom table's set mirrors what Dynamics creates with a new table: the active and inactive records,
quick find, advanced find, associated (related-records grids) and lookup (what a lookup column lists).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from dxconnector.dynamics.solution.ids import stable_id
from dxconnector.dynamics.solution.model import Table, View
from dxconnector.dynamics.solution.xmltext import child, children, element, flag, labels

# savedquery querytype values
PUBLIC, ADVANCED_FIND, ASSOCIATED, QUICK_FIND, LOOKUP = 0, 1, 2, 4, 64


@dataclass(frozen=True)
class Query:
    key: str
    name: str
    query_type: int
    columns: tuple[str, ...]
    state: int | None  # statecode filter, None for none
    default: bool
    description: str = ""
    quick_find_on: str = ""  # the column quick find searches
    grid_name: str = "resultset"
    row_name: str = "result"
    can_be_deleted: bool = False
    order_by: str = ""
    descending: bool = False


def view_id(table: str, key: str) -> str:
    return stable_id(table, "view", key)


def table_queries(table: Table) -> list[Query]:
    name = table.primary_name
    listed = (name, *(table.view_columns or tuple(c.name for c in table.columns[:4])), "createdon")
    short = (name, "createdon")
    return [
        Query("active", f"Active {table.plural_label}", PUBLIC, listed, 0, True, f"Active {table.plural_label}"),
        Query("inactive", f"Inactive {table.plural_label}", PUBLIC, short, 1, False, f"Inactive {table.plural_label}"),
        Query("quickfind", f"Quick Find Active {table.plural_label}", QUICK_FIND, short, 0, True, quick_find_on=name),
        Query("advancedfind", f"{table.label} Advanced Find View", ADVANCED_FIND, short, None, True),
        Query(
            "associated",
            f"{table.label} Associated View",
            ASSOCIATED,
            short,
            0,
            True,
            grid_name=table.set_name,
            row_name=table.name,
        ),
        Query("lookup", f"{table.label} Lookup View", LOOKUP, short, 0, True, grid_name=table.set_name, row_name=table.name),
    ]


def extension_query(view: View) -> Query:
    """A view of our own beside the usual set: on one of Microsoft's tables, or on ours for a grid elsewhere."""
    return Query(
        view.name,
        view.name,
        PUBLIC,
        view.columns,
        None,
        False,
        view.description,
        can_be_deleted=True,
        order_by=view.order_by,
        descending=view.descending,
    )


def saved_queries(table: str, primary_id: str, queries: list[Query], language: int) -> Element:
    node = element("SavedQueries")
    holder = child(node, "savedqueries")
    for query in queries:
        holder.append(_saved_query(table, primary_id, query, language))
    return node


def _saved_query(table: str, primary_id: str, query: Query, language: int) -> Element:
    node = element("savedquery")
    children(
        node,
        [
            ("IsCustomizable", "1"),
            ("CanBeDeleted", flag(query.can_be_deleted)),
            ("isquickfindquery", flag(query.query_type == QUICK_FIND)),
            ("isprivate", "0"),
            ("isdefault", flag(query.default)),
            ("savedqueryid", view_id(table, query.key)),
        ],
    )
    node.append(_layout(primary_id, query))
    child(node, "querytype", query.query_type)
    node.append(_fetch(table, primary_id, query))
    child(node, "IntroducedVersion", "1.0.0.0")
    labels(node, "LocalizedNames", "LocalizedName", query.name, language)
    if query.description:
        labels(node, "Descriptions", "Description", query.description, language)
    return node


def _layout(primary_id: str, query: Query) -> Element:
    node = element("layoutxml")
    grid = child(
        node, "grid", name=query.grid_name, jump=query.columns[0], select="1", icon="1", preview=flag(query.query_type != LOOKUP)
    )
    row = child(grid, "row", name=query.row_name, id=primary_id)
    for index, column in enumerate(query.columns):
        child(row, "cell", name=column, width=300 if index == 0 else 125 if column == "createdon" else 150)
    return node


def _fetch(table: str, primary_id: str, query: Query) -> Element:
    node = element("fetchxml")
    entity = child(child(node, "fetch", version="1.0", mapping="logical"), "entity", name=table)
    for column in (primary_id, *query.columns):
        child(entity, "attribute", name=column)
    if query.query_type != LOOKUP:
        child(entity, "order", attribute=query.order_by or query.columns[0], descending="true" if query.descending else "false")
    if query.state is not None:
        conditions = child(entity, "filter", type="and")
        child(conditions, "condition", attribute="statecode", operator="eq", value=query.state)
    if query.quick_find_on:
        search = child(entity, "filter", type="or", isquickfindfields="1")
        child(search, "condition", attribute=query.quick_find_on, operator="like", value="{0}")
    return node
