"""Validation errors the way Xero reports them: a list of messages per element of a batch."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from dxsandbox.xero.api.accounting.dates import BadDate, parse_date
from dxsandbox.xero.api.accounting.money import BadNumber, decimal

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ValidationFailure(Exception):
    """An element cannot be saved. `unechoable` names fields whose values must not be echoed back
    (an unknown enum value would break clients that parse the echo)."""

    def __init__(self, messages: list[str], unechoable: Collection[str] = ()):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.unechoable = set(unechoable)


class Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.unechoable: set[str] = set()

    def add(self, message: str, *, unechoable: str | None = None) -> None:
        if message not in self.messages:
            self.messages.append(message)
        if unechoable:
            self.unechoable.add(unechoable)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationFailure(self.messages, self.unechoable)


def text(problems: Problems, element: dict[str, Any], field: str, max_length: int | None = None) -> str | None:
    """A string field: None when absent; too long is a validation error."""
    value = element.get(field)
    if value is None:
        return None
    value = str(value)
    if max_length is not None and len(value) > max_length:
        problems.add(f"{field} must not be more than {max_length} characters long.", unechoable=field)
    return value


def choice(
    problems: Problems, element: dict[str, Any], field: str, allowed: Collection[str], *, upper: bool = True
) -> str | None:
    value = element.get(field)
    if value is None or value == "":
        return None
    candidate = str(value).upper() if upper else str(value)
    if candidate not in allowed:
        problems.add(f"'{value}' is not a valid value for {field}.", unechoable=field)
        return None
    return candidate


def number(problems: Problems, element: dict[str, Any], field: str) -> Decimal | None:
    try:
        return decimal(element.get(field))
    except BadNumber:
        problems.add(f"{field} must be a number.", unechoable=field)
        return None


def calendar_date(problems: Problems, element: dict[str, Any], field: str) -> date | None:
    value = element.get(field)
    if value is None or value == "":
        return None
    try:
        return parse_date(str(value))
    except BadDate:
        problems.add(f"{field} '{value}' is not a valid date.", unechoable=field)
        return None


def boolean(problems: Problems, element: dict[str, Any], field: str) -> bool | None:
    value = element.get(field)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    problems.add(f"{field} must be true or false.", unechoable=field)
    return None


def email(problems: Problems, element: dict[str, Any], field: str = "EmailAddress") -> str | None:
    value = text(problems, element, field, 255)
    if value and not _EMAIL.match(value):
        problems.add("Email address must be valid.")
    return value


def guid(value: Any) -> str | None:
    """A normalised (lower-case) GUID, or None when the value is not one."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def reference_to(element: dict[str, Any], field: str) -> dict[str, Any]:
    """A nested reference such as Contact or Invoice; a non-object counts as absent."""
    value = element.get(field)
    return value if isinstance(value, dict) else {}
