"""List, search, create and edit pages for a simple table (accounts, contacts, products), from a description.

A `RecordPages` names the table's entity set, its grid columns and its form's text fields; `extra` adds
the fields that are not plain text (a lookup, say) with the values they write, and `panels` what a row's page
shows below its form (its Xero rows and sync attempts, say). A refused save shows the
form again, as filled in, with Dynamics' message above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

from starlette.responses import Response

from dxsandbox.microsoft.ui.forms import Input, required, text_values
from dxsandbox.microsoft.ui.gateway import Refused, formatted, quoted
from dxsandbox.microsoft.ui.layout import cells, form, grid, link, refusal, search_box, text_area, text_input
from dxsandbox.microsoft.ui.visits import Handler, Visit

LIST_SIZE = 250


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # an <input> type, or "memo" for a text area


@dataclass(frozen=True)
class Extra:
    """Form fields beyond text: their HTML, their values for the form from a row, and what they write."""

    render: Callable[[Visit, dict[str, str]], str]
    current: Callable[[dict[str, Any]], dict[str, str]]
    values: Callable[[Visit, Input, bool], dict[str, Any]]  # (visit, input, creating) → Web API values


@dataclass(frozen=True)
class RecordPages:
    area: str  # the entity set, also the URL segment
    singular: str  # "Account"
    primary_id: str
    primary_name: str  # the column searched and shown first
    name_field: str  # the required form field that names the row
    name_header: str  # the grid's first column
    columns: tuple[tuple[str, str], ...]  # grid columns after the name: (property as read, header)
    fields: tuple[Field, ...]
    extras: tuple[Extra, ...] = ()
    on_create: Callable[[Visit], dict[str, Any]] = field(default=lambda visit: {})  # defaults a new row gets
    panels: tuple[Callable[[Visit, str], str], ...] = ()  # sections below a row's form: (visit, row id) → HTML

    @property
    def plural(self) -> str:
        return self.area.capitalize()

    def routes(self) -> list[tuple[str, list[str], Handler]]:
        return [
            (f"/{self.area}", ["GET"], self.list_page),
            (f"/{self.area}", ["POST"], self.create),
            (f"/{self.area}/new", ["GET"], self.new_page),
            (f"/{self.area}/{{id}}", ["GET"], self.edit_page),
            (f"/{self.area}/{{id}}", ["POST"], self.save),
        ]

    # --- pages ------------------------------------------------------------------------------------
    def list_page(self, visit: Visit, data: Input) -> Response:
        query = data.query.get("q", "").strip()
        rows = visit.api.rows(
            self.area,
            select=[self.primary_name, *(c for c, _ in self.columns)],
            filter=f"contains({self.primary_name},{quoted(query)})" if query else None,
            orderby=f"{self.primary_name} asc",
            top=LIST_SIZE,
        )
        lines = (
            f"<tr data-id='{escape(row[self.primary_id])}'>"
            + cells(
                link(visit.path(self.area, row[self.primary_id]), formatted(row, self.primary_name)),
                *(escape(formatted(row, c)) for c, _ in self.columns),
            )
            + "</tr>"
            for row in rows
        )
        body = (
            f"<h1>Active {self.plural}</h1>"
            + search_box(
                visit.path(self.area),
                f"Search {self.plural.lower()}",
                query,
                visit.path(self.area, "new"),
                f"New {self.singular.lower()}",
            )
            + grid([self.name_header, *(h for _, h in self.columns)], lines)
        )
        return visit.page(self.area, self.plural, body)

    def new_page(self, visit: Visit, data: Input, error: Refused | None = None) -> Response:
        body = (
            f"<h1>New {self.singular}</h1>"
            + (refusal(error) if error else "")
            + form(visit.path(self.area), self._fields(visit, data.form), "Save", form_id="record-form")
        )
        return visit.page(self.area, f"New {self.singular}", body, status=error.status if error else 200)

    def edit_page(self, visit: Visit, data: Input, error: Refused | None = None) -> Response:
        row = visit.api.row(self.area, data.params["id"])
        values = data.form if error else self._current(row)
        title = formatted(row, self.primary_name) or "(no name)"
        body = (
            f"<p class='muted'>{escape(self.singular)}</p><h1>{escape(title)}</h1>"
            + (refusal(error) if error else "")
            + form(visit.path(self.area, data.params["id"]), self._fields(visit, values), "Save", form_id="record-form")
            + f"<p class='muted'>Modified on {escape(formatted(row, 'modifiedon'))}</p>"
            + "".join(panel(visit, data.params["id"]) for panel in self.panels)
        )
        return visit.page(self.area, title, body, status=error.status if error else 200)

    # --- actions ----------------------------------------------------------------------------------
    def create(self, visit: Visit, data: Input) -> Response:
        try:
            values = {**self.on_create(visit), **self._values(visit, data, creating=True)}
            new_id = visit.api.create(self.area, values)
        except Refused as error:
            return self.new_page(visit, data, error)
        return visit.redirect(self.area, new_id, notice=f"{self.singular} created.")

    def save(self, visit: Visit, data: Input) -> Response:
        current = visit.api.row(self.area, data.params["id"])
        try:
            visit.api.update(self.area, data.params["id"], self._values(visit, data, creating=False), current=current)
        except Refused as error:
            return self.edit_page(visit, data, error)
        return visit.redirect(self.area, data.params["id"], notice=f"{self.singular} saved.")

    # --- helpers ----------------------------------------------------------------------------------
    def _values(self, visit: Visit, data: Input, *, creating: bool) -> dict[str, Any]:
        label = next(f.label for f in self.fields if f.name == self.name_field)
        required(data.field(self.name_field), label)
        values = text_values(data, tuple(f.name for f in self.fields), creating=creating)
        for extra in self.extras:
            values.update(extra.values(visit, data, creating))
        return values

    def _current(self, row: dict[str, Any]) -> dict[str, str]:
        values = {f.name: "" if row.get(f.name) is None else str(row[f.name]) for f in self.fields}
        for extra in self.extras:
            values.update(extra.current(row))
        return values

    def _fields(self, visit: Visit, values: dict[str, str]) -> str:
        """Inputs, then the extra fields, then the text areas (full width, at the end as on a Dynamics form)."""
        inputs = "".join(
            text_input(f.name, f.label, values.get(f.name, ""), kind=f.kind) for f in self.fields if f.kind != "memo"
        )
        areas = "".join(text_area(f.name, f.label, values.get(f.name, "")) for f in self.fields if f.kind == "memo")
        return inputs + "".join(extra.render(visit, values) for extra in self.extras) + areas
