"""Reading a Dataverse solution zip into plain data: `read_solution(zip_bytes)`.

Pure (no HTTP, no Django): it works on any solution zip Dataverse exported or we built, so the Dataverse
sandbox's ImportSolution can create the tables from it, tests can inspect what we ship, and the portal can
show what a zip contains.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, fromstring

REQUIRED_PARTS = ("[Content_Types].xml", "solution.xml", "customizations.xml")
MAX_PART_BYTES = 64 * 1024 * 1024  # far above any real solution: refuses zip bombs
DATE_BEHAVIOURS = {"1": "UserLocal", "2": "DateOnly", "3": "TimeZoneIndependent"}
OBJECT_TYPE_CODES = {"1": "account", "2": "contact", "8": "systemuser", "9": "team", "10": "businessunit"}


class SolutionFormatError(ValueError):
    """The bytes are not a readable Dataverse solution zip."""


@dataclass(frozen=True)
class Option:
    value: int
    label: str
    external_value: str = ""  # the other system's code, when the solution records one (ours do)


@dataclass(frozen=True)
class ColumnInfo:
    logical_name: str
    schema_name: str
    type: str  # Dataverse attribute type: nvarchar, ntext, int, decimal, money, bit, datetime, picklist, lookup, …
    display_name: str
    required_level: str  # none, recommended, required, systemrequired
    is_custom: bool
    valid_for_create: bool
    valid_for_update: bool
    format: str = ""  # text, url, textarea, date, datetime, …
    max_length: int | None = None
    precision: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    date_behavior: str = ""  # UserLocal, DateOnly, TimeZoneIndependent
    options: tuple[Option, ...] = ()
    default_value: int | None = None
    lookup_targets: tuple[str, ...] = ()  # logical names of the tables a lookup may point at
    calculation_of: str = ""  # for a money column's _base twin: the column it mirrors


@dataclass(frozen=True)
class FormInfo:
    id: str
    type: str  # main, quick, card, …
    name: str


@dataclass(frozen=True)
class ViewInfo:
    id: str
    name: str
    query_type: int
    is_default: bool


@dataclass(frozen=True)
class TableInfo:
    logical_name: str
    schema_name: str
    display_name: str
    display_collection_name: str
    entity_set_name: str
    ownership: str  # UserOwned, OrganizationOwned; empty for an extension
    primary_id_column: str  # empty for an extension
    primary_name_column: str  # empty for an extension
    columns: tuple[ColumnInfo, ...]
    forms: tuple[FormInfo, ...]
    views: tuple[ViewInfo, ...]
    is_extension: bool  # True: an existing table the solution only adds columns, forms or views to

    def column(self, logical_name: str) -> ColumnInfo:
        for column in self.columns:
            if column.logical_name == logical_name:
                return column
        raise KeyError(f"{self.logical_name} has no column {logical_name}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.logical_name for column in self.columns)


@dataclass(frozen=True)
class RelationshipInfo:
    name: str
    referencing_table: str  # logical name of the table holding the lookup
    referenced_table: str  # logical name of the table it points at ("owner" for the owner lookup)
    referencing_column: str  # logical name of the lookup column
    cascade_delete: str
    referencing_navigation: str = ""  # single-valued navigation property on the referencing table
    referenced_navigation: str = ""  # collection navigation property on the referenced table


@dataclass(frozen=True)
class Publisher:
    unique_name: str
    display_name: str
    prefix: str
    option_value_prefix: int


@dataclass(frozen=True)
class RootComponent:
    type: int  # 1 table, 2 column, 10 relationship, 26 view, 60 form, …
    schema_name: str
    id: str
    behavior: int  # 0 everything in it, 1 no subcomponents, 2 the shell only


@dataclass(frozen=True)
class SolutionPackage:
    unique_name: str
    display_name: str
    version: str
    managed: bool
    publisher: Publisher
    root_components: tuple[RootComponent, ...]
    tables: tuple[TableInfo, ...]  # tables the solution defines in full (an import creates them)
    extensions: tuple[TableInfo, ...]  # existing tables the solution adds to
    relationships: tuple[RelationshipInfo, ...]
    languages: tuple[int, ...]

    def table(self, logical_name: str) -> TableInfo:
        """A defined table or an extension, by logical name."""
        for table in (*self.tables, *self.extensions):
            if table.logical_name == logical_name:
                return table
        raise KeyError(f"the solution has no table {logical_name}")

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(table.logical_name for table in self.tables)

    @property
    def lookups_on_extensions(self) -> tuple[RelationshipInfo, ...]:
        """The lookups the solution adds to existing tables (e.g. invoice → our connection)."""
        extended = {table.logical_name for table in self.extensions}
        return tuple(r for r in self.relationships if r.referencing_table in extended)


def read_solution(zip_bytes: bytes) -> SolutionPackage:
    """Read a Dataverse solution zip (managed or unmanaged): its manifest, the tables it defines with their
    columns (type, length, precision, options, lookup targets), the tables it extends, and its relationships.

    Raises SolutionFormatError when the bytes are not a solution zip."""
    parts = _parts(zip_bytes)
    manifest = _xml(parts["solution.xml"], "solution.xml").find("SolutionManifest")
    if manifest is None:
        raise SolutionFormatError("solution.xml has no SolutionManifest")
    customizations = _xml(parts["customizations.xml"], "customizations.xml")
    relationships = tuple(_relationship(node) for node in customizations.iterfind("EntityRelationships/EntityRelationship"))
    tables = [_table(node, relationships) for node in customizations.iterfind("Entities/Entity")]
    return SolutionPackage(
        unique_name=_text(manifest, "UniqueName"),
        display_name=_label(manifest, "LocalizedNames/LocalizedName"),
        version=_text(manifest, "Version"),
        managed=_text(manifest, "Managed") == "1",
        publisher=_publisher(manifest.find("Publisher")),
        root_components=tuple(_root_component(node) for node in manifest.iterfind("RootComponents/RootComponent")),
        tables=tuple(table for table in tables if not table.is_extension),
        extensions=tuple(table for table in tables if table.is_extension),
        relationships=relationships,
        languages=tuple(int(node.text or 0) for node in customizations.iterfind("Languages/Language")),
    )


# --- the zip and its XML ---------------------------------------------------------------------------------


def _parts(zip_bytes: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile as error:
        raise SolutionFormatError("not a zip file") from error
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        missing = [name for name in REQUIRED_PARTS if name not in names]
        if missing:
            raise SolutionFormatError(f"not a solution zip: {', '.join(missing)} missing at its root")
        for name in REQUIRED_PARTS:
            if names[name].file_size > MAX_PART_BYTES:
                raise SolutionFormatError(f"{name} is too large")
        return {name: archive.read(name) for name in REQUIRED_PARTS}


def _xml(data: bytes, name: str) -> Element:
    try:
        return fromstring(data)
    except ParseError as error:
        raise SolutionFormatError(f"{name} is not well-formed XML: {error}") from error


def _text(node: Element | None, path: str, default: str = "") -> str:
    found = node.find(path) if node is not None else None
    return (found.text or default) if found is not None else default


def _number(node: Element, path: str) -> float | None:
    value = _text(node, path)
    return float(value) if value else None


def _integer(node: Element, path: str) -> int | None:
    value = _text(node, path)
    return int(value) if value else None


def _label(node: Element | None, path: str) -> str:
    found = node.find(path) if node is not None else None
    return found.get("description", "") if found is not None else ""


# --- manifest ------------------------------------------------------------------------------------------


def _publisher(node: Element | None) -> Publisher:
    return Publisher(
        unique_name=_text(node, "UniqueName"),
        display_name=_label(node, "LocalizedNames/LocalizedName"),
        prefix=_text(node, "CustomizationPrefix"),
        option_value_prefix=int(_text(node, "CustomizationOptionValuePrefix", "0")),
    )


def _root_component(node: Element) -> RootComponent:
    return RootComponent(
        type=int(node.get("type", "0")),
        schema_name=node.get("schemaName", ""),
        id=node.get("id", ""),
        behavior=int(node.get("behavior", "0")),
    )


# --- tables --------------------------------------------------------------------------------------------


def _table(node: Element, relationships: tuple[RelationshipInfo, ...]) -> TableInfo:
    info = node.find("EntityInfo/entity")
    if info is None:
        raise SolutionFormatError(f"the table {_text(node, 'Name')} has no EntityInfo")
    schema_name = info.get("Name", "")
    logical_name = schema_name.lower()
    attributes = list(info.iterfind("attributes/attribute"))
    targets = _lookup_targets(logical_name, relationships)
    columns = tuple(_column(attribute, targets) for attribute in attributes)
    primary_id = next((c.logical_name for c in columns if c.type == "primarykey"), "")
    primary_name = next((_logical(a) for a in attributes if "PrimaryName" in _text(a, "DisplayMask")), "")
    return TableInfo(
        logical_name=logical_name,
        schema_name=schema_name,
        display_name=_label(info, "LocalizedNames/LocalizedName"),
        display_collection_name=_label(info, "LocalizedCollectionNames/LocalizedCollectionName"),
        entity_set_name=_text(info, "EntitySetName"),
        ownership=_text(info, "OwnershipTypeMask"),
        primary_id_column=primary_id,
        primary_name_column=primary_name,
        columns=columns,
        forms=tuple(_forms(node)),
        views=tuple(_view(view) for view in node.iterfind("SavedQueries/savedqueries/savedquery")),
        # A table is defined in full when its primary key is there; otherwise the solution only adds to it.
        is_extension=not primary_id or info.get("unmodified") == "1",
    )


def _logical(attribute: Element) -> str:
    return (_text(attribute, "LogicalName") or attribute.get("PhysicalName", "")).lower()


def _column(attribute: Element, targets: dict[str, tuple[str, ...]]) -> ColumnInfo:
    logical_name = _logical(attribute)
    kind = _text(attribute, "Type")
    codes = tuple(
        OBJECT_TYPE_CODES.get(node.text or "", node.text or "") for node in attribute.iterfind("LookupTypes/LookupType")
    )
    return ColumnInfo(
        logical_name=logical_name,
        schema_name=attribute.get("PhysicalName", logical_name),
        type=kind,
        display_name=_label(attribute, "displaynames/displayname"),
        required_level=_text(attribute, "RequiredLevel", "none"),
        is_custom=_text(attribute, "IsCustomField") == "1",
        valid_for_create=_text(attribute, "ValidForCreateApi", "1") == "1",
        valid_for_update=_text(attribute, "ValidForUpdateApi", "1") == "1",
        format=_text(attribute, "Format"),
        max_length=_integer(attribute, "MaxLength"),
        precision=_integer(attribute, "Accuracy"),
        min_value=_number(attribute, "MinValue"),
        max_value=_number(attribute, "MaxValue"),
        date_behavior=DATE_BEHAVIOURS.get(_text(attribute, "Behavior"), "") if kind == "datetime" else "",
        options=_options(attribute.find("optionset")),
        default_value=_integer(attribute, "AppDefaultValue"),
        lookup_targets=codes or targets.get(logical_name, ()),
        calculation_of=_text(attribute, "CalculationOf").lower(),
    )


def _options(optionset: Element | None) -> tuple[Option, ...]:
    if optionset is None:
        return ()
    found = []
    for path in ("options/option", "states/state", "statuses/status"):
        for node in optionset.iterfind(path):
            found.append(Option(int(node.get("value", "0")), _label(node, "labels/label"), node.get("ExternalValue", "")))
    return tuple(found)


def _lookup_targets(table: str, relationships: tuple[RelationshipInfo, ...]) -> dict[str, tuple[str, ...]]:
    """Lookup column → the tables it points at, from the relationships (a lookup's own XML names none)."""
    targets: dict[str, tuple[str, ...]] = {}
    for relationship in relationships:
        if relationship.referencing_table == table:
            column = relationship.referencing_column
            if relationship.referenced_table not in targets.get(column, ()):
                targets[column] = (*targets.get(column, ()), relationship.referenced_table)
    return targets


def _forms(entity: Element) -> Iterator[FormInfo]:
    for forms in entity.iterfind("FormXml/forms"):
        for form in forms.iterfind("systemform"):
            yield FormInfo(_text(form, "formid"), forms.get("type", ""), _label(form, "LocalizedNames/LocalizedName"))


def _view(node: Element) -> ViewInfo:
    return ViewInfo(
        _text(node, "savedqueryid"),
        _label(node, "LocalizedNames/LocalizedName"),
        int(_text(node, "querytype", "0")),
        _text(node, "isdefault") == "1",
    )


def _relationship(node: Element) -> RelationshipInfo:
    roles = {
        _text(role, "RelationshipRoleType"): _text(role, "NavigationPropertyName")
        for role in node.iterfind("EntityRelationshipRoles/EntityRelationshipRole")
    }
    return RelationshipInfo(
        name=node.get("Name", ""),
        referencing_table=_text(node, "ReferencingEntityName").lower(),
        referenced_table=_text(node, "ReferencedEntityName").lower(),
        referencing_column=_text(node, "ReferencingAttributeName").lower(),
        cascade_delete=_text(node, "CascadeDelete"),
        referencing_navigation=roles.get("1", ""),
        referenced_navigation=roles.get("0", ""),
    )
