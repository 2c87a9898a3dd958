"""`<attribute>` elements: our columns, and the system columns every user-owned custom table has.

The element order and the flags follow a real managed export (Microsoft's CodeSiteSample), minus the
elements that Microsoft's published schema (9.0) does not know (IsSearchable, AutoNumberFormat, …);
Dataverse imports files without them, and with them the file would not validate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from xml.etree.ElementTree import Element

from dxconnector.dynamics.solution.model import Column, Kind
from dxconnector.dynamics.solution.xmltext import child, children, element, flag, labels

ALL_VIEWS = "ValidForAdvancedFind|ValidForForm|ValidForGrid"
DATE_BEHAVIOUR = {"user_local": 1, "date_only": 2}


@dataclass(frozen=True)
class Attr:
    """Everything one `<attribute>` element says. `extras` are the type-specific elements, in order."""

    physical_name: str
    type: str
    display_name: str
    description: str = ""
    required: str = "none"
    display_mask: str | None = ALL_VIEWS
    ime_mode: str = "auto"
    create: bool = True
    read: bool = True
    update: bool = True
    custom: bool = True
    audit: bool = True
    logical: bool = False
    introduced: str = "1.0.0.0"
    can_modify_requirement: bool = True
    extras: tuple[Element, ...] = field(default=())

    @property
    def logical_name(self) -> str:
        return self.physical_name.lower()


def attribute_element(attr: Attr, language: int) -> Element:
    node = element("attribute", PhysicalName=attr.physical_name)
    children(
        node,
        [("Type", attr.type), ("Name", attr.logical_name), ("LogicalName", attr.logical_name), ("RequiredLevel", attr.required)],
    )
    if attr.display_mask is not None:
        child(node, "DisplayMask", attr.display_mask)
    children(
        node,
        [
            ("ImeMode", attr.ime_mode),
            ("ValidForUpdateApi", flag(attr.update)),
            ("ValidForReadApi", flag(attr.read)),
            ("ValidForCreateApi", flag(attr.create)),
            ("IsCustomField", flag(attr.custom)),
            ("IsAuditEnabled", flag(attr.audit)),
        ],
    )
    if attr.logical:
        child(node, "IsLogical", "1")
    children(
        node,
        [
            ("IsSecured", "0"),
            ("IntroducedVersion", attr.introduced),
            ("IsCustomizable", "1"),
            ("IsRenameable", "1"),
            ("CanModifySearchSettings", "1"),
            ("CanModifyRequirementLevelSettings", flag(attr.can_modify_requirement)),
            ("CanModifyAdditionalSettings", "1"),
            ("SourceType", "0"),
            ("IsGlobalFilterEnabled", "0"),
            ("IsSortableEnabled", "0"),
            ("CanModifyGlobalFilterSettings", "1"),
            ("CanModifyIsSortableSettings", "1"),
            ("IsDataSourceSecret", "0"),
        ],
    )
    for extra in attr.extras:
        node.append(extra)
    labels(node, "displaynames", "displayname", attr.display_name, language)
    labels(node, "Descriptions", "Description", attr.description, language)
    return node


# --- type-specific parts -----------------------------------------------------------------------------------


def _simple(*pairs: tuple[str, str | int]) -> tuple[Element, ...]:
    return tuple(element(tag, value) for tag, value in pairs)


def text_extras(length: int, text_format: str = "text") -> tuple[Element, ...]:
    # Length is bytes in the database: two per character.
    return _simple(("Format", text_format), ("MaxLength", length), ("Length", length * 2))


def memo_extras(length: int) -> tuple[Element, ...]:
    return _simple(("Format", "textarea"), ("MaxLength", length))


def integer_extras(minimum: float, maximum: float) -> tuple[Element, ...]:
    return _simple(("Format", ""), ("MinValue", _number(minimum)), ("MaxValue", _number(maximum)))


def decimal_extras(minimum: float, maximum: float, precision: int) -> tuple[Element, ...]:
    return _simple(("MinValue", _number(minimum)), ("MaxValue", _number(maximum)), ("Accuracy", precision))


def money_extras(minimum: float, maximum: float, precision: int, calculation_of: str = "") -> tuple[Element, ...]:
    # AccuracySource 2: amounts show with their currency's precision (Accuracy is kept for readers).
    parts = [("MinValue", _number(minimum)), ("MaxValue", _number(maximum)), ("Accuracy", precision), ("AccuracySource", 2)]
    if calculation_of:
        parts.append(("CalculationOf", calculation_of))
    return _simple(*parts)


def datetime_extras(date_only: bool, can_change: bool = True, behaviour: int | None = None) -> tuple[Element, ...]:
    chosen = behaviour if behaviour is not None else DATE_BEHAVIOUR["date_only" if date_only else "user_local"]
    return _simple(
        ("Format", "date" if date_only else "datetime"), ("CanChangeDateTimeBehavior", flag(can_change)), ("Behavior", chosen)
    )


def lookup_extras(*object_type_codes: int) -> tuple[Element, ...]:
    types = element("LookupTypes")
    for code in object_type_codes:
        child(types, "LookupType", code, id="00000000-0000-0000-0000-000000000000")
    return (element("LookupStyle", "single"), types)


def option_set(name: str, kind: str, display_name: str, description: str, language: int, introduced: str = "1.0.0.0") -> Element:
    node = element("optionset", Name=name)
    children(node, [("OptionSetType", kind), ("IntroducedVersion", introduced), ("IsCustomizable", "1")])
    labels(node, "displaynames", "displayname", display_name, language)
    labels(node, "Descriptions", "Description", description, language)
    return node


def option(parent: Element, value: int, label: str, language: int, code: str = "") -> None:
    node = child(parent, "option", value=value, ExternalValue=code)
    labels(node, "labels", "label", label, language)


def picklist_extras(column: Column, table: str, language: int) -> tuple[Element, ...]:
    parts: list[Element] = []
    if column.default is not None:
        parts.append(element("AppDefaultValue", column.default))
    options_set = option_set(f"{table}_{column.name}", "picklist", column.label, column.description, language)
    options = child(options_set, "options")
    for item in column.choices:
        option(options, item.value, item.label, language, item.code)
    parts.append(options_set)
    return tuple(parts)


def bit_extras(column: Column, table: str, language: int) -> tuple[Element, ...]:
    options_set = option_set(f"{table}_{column.name}", "bit", column.label, column.description, language)
    options = child(options_set, "options")
    option(options, 1, "Yes", language)
    option(options, 0, "No", language)
    return (element("AppDefaultValue", column.default or 0), options_set)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# --- our columns ------------------------------------------------------------------------------------------


def column_attrs(column: Column, table: str, language: int) -> list[Attr]:
    """The attribute(s) for one column: a money column also brings its `_base` twin, as Dataverse requires."""
    base = Attr(
        column.name, _TYPES[column.kind], column.label, column.description, required="required" if column.required else "none"
    )
    extras = _column_extras(column, table, language)
    attrs = [replace(base, extras=extras)]
    if column.kind is Kind.MONEY:
        attrs.append(
            Attr(
                f"{column.name}_base",
                "money",
                f"{column.label} (Base)",
                f"Value of the {column.label} in base currency.",
                ime_mode="disabled",
                create=False,
                update=False,
                extras=money_extras(column.min_value or 0, column.max_value or 0, column.precision or 2, column.name),
            )
        )
    return attrs


_TYPES = {
    Kind.TEXT: "nvarchar",
    Kind.URL: "nvarchar",
    Kind.MEMO: "ntext",
    Kind.WHOLE_NUMBER: "int",
    Kind.DECIMAL: "decimal",
    Kind.MONEY: "money",
    Kind.YES_NO: "bit",
    Kind.DATE_TIME: "datetime",
    Kind.DATE_ONLY: "datetime",
    Kind.CHOICE: "picklist",
    Kind.LOOKUP: "lookup",
}


def _column_extras(column: Column, table: str, language: int) -> tuple[Element, ...]:
    kind = column.kind
    if kind is Kind.TEXT:
        return text_extras(column.max_length or 100)
    if kind is Kind.URL:
        return text_extras(column.max_length or 1000, "url")
    if kind is Kind.MEMO:
        return memo_extras(column.max_length or 2000)
    if kind is Kind.WHOLE_NUMBER:
        return integer_extras(
            column.min_value if column.min_value is not None else -2147483648,
            column.max_value if column.max_value is not None else 2147483647,
        )
    if kind is Kind.DECIMAL:
        return decimal_extras(column.min_value or 0, column.max_value or 100000000000, column.precision or 2)
    if kind is Kind.MONEY:
        return money_extras(column.min_value or 0, column.max_value or 0, column.precision or 2)
    if kind is Kind.YES_NO:
        return bit_extras(column, table, language)
    if kind in (Kind.DATE_TIME, Kind.DATE_ONLY):
        return datetime_extras(kind is Kind.DATE_ONLY)
    if kind is Kind.CHOICE:
        return picklist_extras(column, table, language)
    return lookup_extras()


def primary_key_attr(table: str, label: str) -> Attr:
    return Attr(
        f"{table}id",
        "primarykey",
        label,
        "Unique identifier for entity instances",
        required="systemrequired",
        display_mask="ValidForAdvancedFind|RequiredForGrid",
        update=False,
        custom=False,
        audit=False,
        can_modify_requirement=False,
    )


def primary_name_attr(name: str, label: str, length: int) -> Attr:
    return Attr(
        name,
        "nvarchar",
        label,
        "The row's name.",
        required="required",
        display_mask="PrimaryName|ValidForAdvancedFind|ValidForForm|ValidForGrid|RequiredForForm",
        extras=text_extras(length),
    )


# --- the system columns of a user-owned custom table -------------------------------------------------------


def _system_lookup(
    name: str,
    label: str,
    description: str,
    *,
    mask: str | None = ALL_VIEWS,
    create=False,
    update=False,
    audit=False,
    logical=False,
    codes: tuple[int, ...] = (),
) -> Attr:
    return Attr(
        name,
        "lookup",
        label,
        description,
        display_mask=mask,
        create=create,
        update=update,
        custom=False,
        audit=audit,
        logical=logical,
        introduced="1.0",
        extras=lookup_extras(*codes),
    )


def _system_int(
    name: str,
    label: str,
    description: str,
    minimum: int,
    *,
    mask: str | None = None,
    create=True,
    update=True,
    audit=False,
    ime="auto",
) -> Attr:
    return Attr(
        name,
        "int",
        label,
        description,
        display_mask=mask,
        ime_mode=ime,
        create=create,
        update=update,
        custom=False,
        audit=audit,
        introduced="1.0",
        extras=integer_extras(minimum, 2147483647),
    )


def system_attrs(table: str, table_label: str, language: int) -> list[Attr]:
    """Created/modified by and on, ownership, import and time-zone bookkeeping, state and status."""
    return [
        _system_lookup("CreatedBy", "Created By", "Unique identifier of the user who created the record."),
        Attr(
            "CreatedOn",
            "datetime",
            "Created On",
            "Date and time when the record was created.",
            ime_mode="inactive",
            create=False,
            update=False,
            custom=False,
            audit=False,
            introduced="1.0",
            extras=datetime_extras(False, can_change=False),
        ),
        _system_lookup(
            "CreatedOnBehalfBy", "Created By (Delegate)", "Unique identifier of the delegate user who created the record."
        ),
        _system_int(
            "ImportSequenceNumber",
            "Import Sequence Number",
            "Sequence number of the import that created this record.",
            -2147483648,
            mask="ValidForAdvancedFind",
            update=False,
            audit=True,
            ime="disabled",
        ),
        _system_lookup("ModifiedBy", "Modified By", "Unique identifier of the user who modified the record."),
        Attr(
            "ModifiedOn",
            "datetime",
            "Modified On",
            "Date and time when the record was modified.",
            ime_mode="inactive",
            create=False,
            update=False,
            custom=False,
            audit=False,
            introduced="1.0",
            extras=datetime_extras(False, can_change=False),
        ),
        _system_lookup(
            "ModifiedOnBehalfBy", "Modified By (Delegate)", "Unique identifier of the delegate user who modified the record."
        ),
        Attr(
            "OverriddenCreatedOn",
            "datetime",
            "Record Created On",
            "Date and time that the record was migrated.",
            display_mask="ValidForAdvancedFind|ValidForGrid",
            ime_mode="inactive",
            update=False,
            custom=False,
            introduced="1.0",
            extras=datetime_extras(True, can_change=False, behaviour=1),
        ),
        Attr(
            "OwnerId",
            "owner",
            "Owner",
            "Owner Id",
            required="systemrequired",
            display_mask="ValidForAdvancedFind|ValidForForm|ValidForGrid|RequiredForForm",
            custom=False,
            introduced="1.0",
            extras=lookup_extras(8, 9),
        ),  # 8 systemuser, 9 team
        _system_lookup(
            "OwningBusinessUnit",
            "Owning Business Unit",
            "Unique identifier for the business unit that owns the record",
            audit=True,
        ),
        _system_lookup(
            "OwningTeam", "Owning Team", "Unique identifier for the team that owns the record.", mask=None, logical=True
        ),
        _system_lookup(
            "OwningUser", "Owning User", "Unique identifier for the user that owns the record.", mask=None, logical=True
        ),
        _state_attr(table, table_label, language),
        _status_attr(table, table_label, language),
        _system_int("TimeZoneRuleVersionNumber", "Time Zone Rule Version Number", "For internal use only.", -1),
        _system_int(
            "UTCConversionTimeZoneCode",
            "UTC Conversion Time Zone Code",
            "Time zone code that was in use when the record was created.",
            -1,
        ),
    ]


def currency_attrs() -> list[Attr]:
    """What a table with money columns needs: its currency and the exchange rate to the base currency."""
    return [
        Attr(
            "ExchangeRate",
            "decimal",
            "Exchange Rate",
            "Exchange rate for the currency associated with the entity with respect to the base currency.",
            ime_mode="disabled",
            create=False,
            update=False,
            custom=False,
            extras=_simple(("MinValue", "1E-10"), ("MaxValue", "100000000000"), ("Accuracy", 12)),
        ),
        _system_lookup(
            "TransactionCurrencyId",
            "Currency",
            "Unique identifier of the currency associated with the entity.",
            create=True,
            update=True,
            audit=True,
        ),
    ]


def _state_attr(table: str, table_label: str, language: int) -> Attr:
    optionset = option_set(f"{table}_statecode", "state", "Status", f"Status of the {table_label}", language, "1.0")
    states = child(optionset, "states")
    for value, status, name in ((0, 1, "Active"), (1, 2, "Inactive")):
        state = child(states, "state", value=value, defaultstatus=status, invariantname=name)
        labels(state, "labels", "label", name, language)
    return Attr(
        "statecode",
        "state",
        "Status",
        f"Status of the {table_label}",
        required="systemrequired",
        create=False,
        custom=False,
        introduced="1.0",
        extras=(optionset,),
    )


def _status_attr(table: str, table_label: str, language: int) -> Attr:
    optionset = option_set(
        f"{table}_statuscode", "status", "Status Reason", f"Reason for the status of the {table_label}", language, "1.0"
    )
    statuses = child(optionset, "statuses")
    for value, state_value, name in ((1, 0, "Active"), (2, 1, "Inactive")):
        status = child(statuses, "status", value=value, state=state_value)
        labels(status, "labels", "label", name, language)
    return Attr(
        "statuscode",
        "status",
        "Status Reason",
        f"Reason for the status of the {table_label}",
        custom=False,
        introduced="1.0",
        extras=(optionset,),
    )
