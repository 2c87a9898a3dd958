"""Table definitions: what a Dataverse table is made of, as the emulator needs to know it.

A `Table` carries its metadata (names, entity set, primary id and name, ownership), its columns with
their attribute types, its single-valued navigation properties (one per lookup target) and collection
navigation properties, alternate keys and whether change tracking is on. The standard tables are
declared in `standard_tables.py` with the compact `columns()` notation below; solutions add custom
tables at run time (`solutions.py`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

# Attribute types (AttributeMetadata.AttributeType).
STRING, MEMO, INTEGER, BIGINT, DECIMAL, MONEY, DOUBLE, BOOLEAN = (
    "String",
    "Memo",
    "Integer",
    "BigInt",
    "Decimal",
    "Money",
    "Double",
    "Boolean",
)
DATETIME, GUID, LOOKUP, CUSTOMER, OWNER = "DateTime", "Uniqueidentifier", "Lookup", "Customer", "Owner"
PICKLIST, STATE, STATUS = "Picklist", "State", "Status"

LOOKUP_TYPES = (LOOKUP, CUSTOMER, OWNER)
OPTION_TYPES = (PICKLIST, STATE, STATUS)
NUMBER_TYPES = (INTEGER, BIGINT, DECIMAL, MONEY, DOUBLE, PICKLIST, STATE, STATUS)

USER_OWNED, ORGANIZATION_OWNED, NO_OWNER = "UserOwned", "OrganizationOwned", "None"

# Stable ids for metadata, derived from names so they survive restarts.
_METADATA_NAMESPACE = uuid.UUID("6a1d1c8e-3a57-4b0e-9a43-3f2b1f1e9d10")


def metadata_id(*parts: str) -> str:
    return str(uuid.uuid5(_METADATA_NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class Option:
    value: int
    label: str
    state: int | None = None  # a status option's state
    default_status: int | None = None  # a state option's default status


@dataclass
class Column:
    name: str
    type: str
    schema_name: str = ""
    display_name: str = ""
    max_length: int | None = None
    precision: int | None = None
    date_only: bool = False
    required: str = "None"  # None | ApplicationRequired | SystemRequired
    creatable: bool = True
    updatable: bool = True
    targets: tuple[str, ...] = ()  # lookup targets (logical names)
    options: tuple[Option, ...] = ()
    custom: bool = False
    cascade_delete: bool = False  # a lookup whose relationship deletes this row with the row it looks up

    def __post_init__(self) -> None:
        self.schema_name = self.schema_name or self.name
        self.display_name = self.display_name or _title(self.name)
        if self.type in (STRING, MEMO) and self.max_length is None:
            self.max_length = 100 if self.type == STRING else 2000
        if self.type == MONEY and self.precision is None:
            self.precision = 2
        if self.type == DECIMAL and self.precision is None:
            self.precision = 2
        if self.type == DOUBLE and self.precision is None:
            self.precision = 5
        if self.type == BOOLEAN and not self.options:
            self.options = (Option(0, "No"), Option(1, "Yes"))

    @property
    def is_lookup(self) -> bool:
        return self.type in LOOKUP_TYPES

    @property
    def value_name(self) -> str:
        """The property a lookup is read as (`_customerid_value`); other columns read as themselves."""
        return f"_{self.name}_value" if self.is_lookup else self.name

    def option(self, value: Any) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


@dataclass(frozen=True)
class Navigation:
    """A single-valued navigation property: the lookup column it writes and the tables it may point to."""

    name: str
    column: str
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Collection:
    """A collection-valued navigation property: rows of `table` whose `column` points at this row."""

    name: str
    table: str
    column: str


@dataclass
class AlternateKey:
    schema_name: str
    attributes: tuple[str, ...]
    logical_name: str = ""
    display_name: str = ""
    status: str = "Active"
    metadata_id: str = ""
    custom: bool = False

    def __post_init__(self) -> None:
        self.logical_name = self.logical_name or self.schema_name.lower()
        self.display_name = self.display_name or self.schema_name


@dataclass
class Table:
    logical_name: str
    schema_name: str
    entity_set: str
    primary_id: str
    primary_name: str | None
    columns: dict[str, Column]
    ownership: str = USER_OWNED
    object_type_code: int = 10000
    display_name: str = ""
    display_collection_name: str = ""
    collections: dict[str, Collection] = field(default_factory=dict)
    keys: list[AlternateKey] = field(default_factory=list)
    change_tracking: bool = False
    custom: bool = False
    managed: bool = False
    navigation_names: dict[str, str] = field(default_factory=dict)  # lookup column → nav name override (custom lookups)
    relationships: dict[str, str] = field(default_factory=dict)  # custom lookup column → relationship schema name
    navigations: dict[str, Navigation] = field(init=False, default_factory=dict)
    lookup_columns: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        self.display_name = self.display_name or _title(self.logical_name)
        self.display_collection_name = self.display_collection_name or self.display_name + "s"
        self.rebuild()

    @property
    def metadata_id(self) -> str:
        return metadata_id("entity", self.logical_name)

    def rebuild(self) -> None:
        """Recompute the navigation properties after columns changed."""
        self.navigations = {}
        self.lookup_columns = tuple(name for name, column in self.columns.items() if column.is_lookup)
        for column in self.columns.values():
            for navigation in navigations_of(column, self.navigation_names.get(column.name)):
                self.navigations[navigation.name] = navigation

    def column(self, name: str) -> Column | None:
        return self.columns.get(name)

    def add_column(self, column: Column) -> None:
        self.columns[column.name] = column
        self.rebuild()

    def by_value_name(self, name: str) -> Column | None:
        """A column by the name it is read as: `name`, or `_parentcustomerid_value` for a lookup."""
        if name.startswith("_") and name.endswith("_value"):
            column = self.columns.get(name[1:-6])
            return column if column is not None and column.is_lookup else None
        column = self.columns.get(name)
        return column if column is not None and not column.is_lookup else None

    def key(self, attributes: set[str]) -> AlternateKey | None:
        return next((k for k in self.keys if set(k.attributes) == attributes), None)

    def navigation_for(self, column: str, target: str) -> str | None:
        return next((n.name for n in self.navigations.values() if n.column == column and target in n.targets), None)


def navigations_of(column: Column, override: str | None = None) -> list[Navigation]:
    """Polymorphic lookups (customer, event handler) get one navigation per target (`customerid_account`);
    owner and single-target lookups a single one named like the column."""
    if not column.is_lookup:
        return []
    if column.type != OWNER and len(column.targets) > 1:
        return [Navigation(f"{column.name}_{target}", column.name, (target,)) for target in column.targets]
    return [Navigation(override or column.name, column.name, column.targets)]


def _title(name: str) -> str:
    return name.replace("_", " ").title()


# --- the compact notation -----------------------------------------------------------------------

_FLAG_VALUES = {
    "ro": ("creatable", False),
    "noupdate": ("updatable", False),
    "req": ("required", "SystemRequired"),
    "appreq": ("required", "ApplicationRequired"),
    "date": ("date_only", True),
}


def columns(spec: str, *, options: dict[str, list[tuple[int, str]]] | None = None) -> list[Column]:
    """Columns from lines like `name String len=160 appreq` or `parentcustomerid Customer to=account|contact`.

    Flags: `ro` (system-set: valid neither for create nor update), `noupdate`, `req` (SystemRequired),
    `appreq`, `date` (DateOnly behaviour), `len=`, `prec=`, `to=` (lookup targets, `|`-separated).
    """
    built: list[Column] = []
    for line in spec.strip().splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        name, kind, *flags = words
        settings: dict[str, Any] = {}
        for flag in flags:
            if flag in _FLAG_VALUES:
                attribute, value = _FLAG_VALUES[flag]
                settings[attribute] = value
                if flag == "ro":
                    settings["updatable"] = False
            elif flag.startswith("len="):
                settings["max_length"] = int(flag[4:])
            elif flag.startswith("prec="):
                settings["precision"] = int(flag[5:])
            elif flag.startswith("to="):
                settings["targets"] = tuple(flag[3:].split("|"))
            else:
                raise ValueError(f"unknown column flag {flag!r} in {line!r}")
        if options and name in options:
            settings["options"] = tuple(Option(value, label) for value, label in options[name])
        built.append(Column(name, kind, **settings))
    return built


def state_columns(states: list[tuple[int, str, list[tuple[int, str]]]]) -> list[Column]:
    """statecode/statuscode from [(state, label, [(status, label), …]), …]; the first status is the default."""
    state_options = tuple(Option(state, label, default_status=statuses[0][0]) for state, label, statuses in states)
    status_options = tuple(Option(status, label, state=state) for state, _, statuses in states for status, label in statuses)
    return [
        Column("statecode", STATE, options=state_options, required="SystemRequired", creatable=False),
        Column("statuscode", STATUS, options=status_options),
    ]


ACTIVE_INACTIVE = [(0, "Active", [(1, "Active")]), (1, "Inactive", [(2, "Inactive")])]


def system_columns(ownership: str, *, currency: bool = False) -> list[Column]:
    """The columns every table of this kind has: audit stamps, row version, owner or organisation."""
    spec = """
    createdon DateTime ro
    modifiedon DateTime ro
    createdby Lookup ro to=systemuser
    modifiedby Lookup ro to=systemuser
    createdonbehalfby Lookup ro to=systemuser
    modifiedonbehalfby Lookup ro to=systemuser
    overriddencreatedon DateTime noupdate
    importsequencenumber Integer noupdate
    versionnumber BigInt ro
    timezoneruleversionnumber Integer
    utcconversiontimezonecode Integer
    """
    if ownership == USER_OWNED:
        spec += """
        ownerid Owner to=systemuser|team
        owningbusinessunit Lookup ro to=businessunit
        owninguser Lookup ro to=systemuser
        owningteam Lookup ro to=team
        """
    elif ownership == ORGANIZATION_OWNED:
        spec += "organizationid Lookup ro to=organization\n"
    if currency:
        spec += """
        transactioncurrencyid Lookup to=transactioncurrency
        exchangerate Decimal ro prec=10
        """
    return columns(spec)


def make_table(
    logical_name: str,
    schema_name: str,
    entity_set: str,
    *,
    primary_name: str | None,
    own: list[Column],
    ownership: str = USER_OWNED,
    currency: bool = False,
    states: list | None = None,
    **extra: Any,
) -> Table:
    """A table with its primary key, its own columns, the system columns and (optionally) state/status."""
    primary_id = extra.pop("primary_id", f"{logical_name}id")
    built: dict[str, Column] = {primary_id: Column(primary_id, GUID, required="SystemRequired", updatable=False)}
    for column in [*own, *system_columns(ownership, currency=currency), *(state_columns(states) if states else [])]:
        built.setdefault(column.name, column)
    return Table(logical_name, schema_name, entity_set, primary_id, primary_name, built, ownership=ownership, **extra)
