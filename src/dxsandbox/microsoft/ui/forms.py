"""What a page receives (path, query, form fields, uploaded files) and how form fields become Web API values.

Parsers raise `Refused` with a message naming the field's label, so a wrongly filled form is shown again
with that message instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from dxsandbox.microsoft.ui.gateway import Refused


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass
class Input:
    params: dict[str, str] = field(default_factory=dict)  # from the path
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def field(self, name: str) -> str:
        return (self.form.get(name) or "").strip()


def text_values(data: Input, names: tuple[str, ...], *, creating: bool) -> dict[str, Any]:
    """Text columns from the form: on create, empty fields are left out; on update, they clear the column."""
    values: dict[str, Any] = {}
    for name in names:
        value = data.field(name)
        if value or not creating:
            values[name] = value or None
    return values


def required(value: str, label: str) -> str:
    if not value:
        raise Refused(f"{label}: provide a value.")
    return value


def number(value: str, label: str) -> float | None:
    """A decimal number as the Web API takes it (JSON number), or None for an empty field."""
    if not value:
        return None
    try:
        parsed = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise Refused(f"{label}: enter a number, e.g. 12.50.") from None
    if not parsed.is_finite():
        raise Refused(f"{label}: enter a number, e.g. 12.50.")
    return float(parsed)


def day(value: str, label: str) -> str | None:
    """A date (YYYY-MM-DD, what a date input sends), or None for an empty field."""
    if not value:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise Refused(f"{label}: enter a date as YYYY-MM-DD.") from None


def option(value: str, label: str, allowed: set[int]) -> int | None:
    if not value:
        return None
    if not value.lstrip("-").isdigit() or int(value) not in allowed:
        raise Refused(f"{label}: choose one of the options listed.")
    return int(value)


def reference(value: str, label: str, tables: dict[str, str]) -> tuple[str, str] | None:
    """`account:<id>` → ("account", id) for a choice among `tables` (logical name → entity set); None if empty."""
    if not value:
        return None
    table, _, key = value.partition(":")
    if table not in tables or not key:
        raise Refused(f"{label}: choose one of the options listed.")
    return table, key
