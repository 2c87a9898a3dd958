"""The vocabulary for describing a Dataverse solution as plain Python data.

A `Solution` holds new tables (`Table`) and additions to Microsoft's standard tables (`TableExtension`).
Names are logical names (lower case). We also use them as schema names, so the Web API navigation
properties, the entity-set names and the privilege names (`prvReadstl3_brandingtheme`) are all
predictable from the logical name alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a column holds; each maps to one Dataverse attribute type."""

    TEXT = "text"  # nvarchar, single line
    URL = "url"  # nvarchar shown as a link
    MEMO = "memo"  # ntext, multiple lines
    WHOLE_NUMBER = "whole_number"  # int
    DECIMAL = "decimal"  # decimal
    MONEY = "money"  # money, in the row's currency
    YES_NO = "yes_no"  # bit
    DATE_TIME = "date_time"  # datetime, user local
    DATE_ONLY = "date_only"  # datetime with DateOnly behaviour
    CHOICE = "choice"  # picklist (local option set)
    LOOKUP = "lookup"  # lookup to another table


class Cascade(Enum):
    """What happens to referencing rows when the referenced row is deleted."""

    REMOVE_LINK = "RemoveLink"
    CASCADE = "Cascade"
    RESTRICT = "Restrict"


@dataclass(frozen=True)
class Choice:
    """One option of a choice column. `code` is the value the other system uses (e.g. Xero's ACCREC);
    it travels in the option's ExternalValue so that readers of the zip get the mapping too."""

    value: int
    label: str
    code: str = ""


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: Kind
    description: str = ""
    required: bool = False
    max_length: int | None = None  # TEXT, URL, MEMO
    precision: int | None = None  # DECIMAL, MONEY
    min_value: float | None = None  # WHOLE_NUMBER, DECIMAL, MONEY
    max_value: float | None = None
    choices: tuple[Choice, ...] = ()  # CHOICE
    default: int | None = None  # CHOICE (an option value) or YES_NO (0/1)
    target: str = ""  # LOOKUP: logical name of the referenced table
    cascade_delete: Cascade = Cascade.REMOVE_LINK  # LOOKUP
    read_only: bool = False  # shown disabled on forms: the connector writes it, people read it

    def __post_init__(self) -> None:
        if self.kind is Kind.LOOKUP and not self.target:
            raise ValueError(f"lookup column {self.name} needs a target table")
        if self.kind is Kind.CHOICE and not self.choices:
            raise ValueError(f"choice column {self.name} needs choices")


@dataclass(frozen=True)
class StandardField:
    """A column that Microsoft's table already has, placed on one of our forms."""

    name: str
    kind: Kind
    read_only: bool = False


@dataclass(frozen=True)
class Subgrid:
    """A grid of related rows on a form, showing one of our views."""

    name: str
    label: str
    relationship: str
    target: str
    view: str  # name of a View defined on the target table (or its extension)


@dataclass(frozen=True)
class Section:
    label: str
    fields: tuple[str, ...]  # column names (ours or StandardField names)
    subgrid: Subgrid | None = None


@dataclass(frozen=True)
class Form:
    """A main form. Tables get one made from their columns when they declare none."""

    name: str
    sections: tuple[Section, ...]
    description: str = ""


@dataclass(frozen=True)
class View:
    """A public view (saved query) listing `columns`, sorted by `order_by`."""

    name: str
    columns: tuple[str, ...]
    order_by: str = ""
    description: str = ""
    descending: bool = False  # sorted by `order_by` from the last (e.g. the latest attempt first)


@dataclass(frozen=True)
class Table:
    """A table the solution creates. User-owned, with an active/inactive state like any custom table."""

    name: str
    label: str
    plural_label: str
    description: str
    columns: tuple[Column, ...]
    primary_name_label: str = "Name"
    primary_name_length: int = 100
    entity_set_name: str = ""  # default: Dataverse's own plural of the logical name
    sections: tuple[Section, ...] = ()  # layout of the main form; default one section with every column
    view_columns: tuple[str, ...] = ()  # columns of the active-records view after the name; default the first four
    views: tuple[View, ...] = ()  # public views beyond the usual set, e.g. for a grid on another table's form

    @property
    def primary_id(self) -> str:
        return f"{self.name}id"

    @property
    def primary_name(self) -> str:
        return f"{self.name.split('_', 1)[0]}_name"

    @property
    def set_name(self) -> str:
        return self.entity_set_name or plural(self.name)

    @property
    def has_money(self) -> bool:
        return any(column.kind is Kind.MONEY for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


@dataclass(frozen=True)
class TableExtension:
    """Columns, forms and views the solution adds to one of Microsoft's tables."""

    name: str
    schema_name: str  # Microsoft's casing, e.g. InvoiceDetail
    label: str
    plural_label: str
    entity_set_name: str
    columns: tuple[Column, ...]
    standard_fields: tuple[StandardField, ...] = ()
    forms: tuple[Form, ...] = ()
    views: tuple[View, ...] = ()


@dataclass(frozen=True)
class Publisher:
    unique_name: str
    display_name: str
    description: str
    prefix: str
    option_value_prefix: int

    def option_value(self, index: int) -> int:
        """Option values are the prefix followed by a four-digit index: 10000 → 100000000, 100000001, …"""
        return self.option_value_prefix * 10_000 + index


@dataclass(frozen=True)
class Solution:
    unique_name: str
    display_name: str
    description: str
    version: str
    managed: bool
    publisher: Publisher
    tables: tuple[Table, ...]
    extensions: tuple[TableExtension, ...] = ()
    language: int = 1033

    def table(self, name: str) -> Table:
        return next(table for table in self.tables if table.name == name)

    def extension(self, name: str) -> TableExtension:
        return next(extension for extension in self.extensions if extension.name == name)


def plural(logical_name: str) -> str:
    """The entity-set name Dataverse would make: category → categories, status → statuses (and, as
    Dataverse does, settings → settingses), otherwise an 's'. We write it into the solution explicitly."""
    if logical_name.endswith("y") and logical_name[-2:-1] not in "aeiou":
        return logical_name[:-1] + "ies"
    if logical_name.endswith(("s", "x", "z", "ch", "sh")):
        return logical_name + "es"
    return logical_name + "s"
