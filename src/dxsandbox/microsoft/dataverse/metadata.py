"""Table metadata as the Web API serves it: EntityDefinitions, their Attributes (with type casts such as
`Microsoft.Dynamics.CRM.PicklistAttributeMetadata` and `$expand=OptionSet`), Keys, and `$metadata`.

These are the calls the official SDK makes to resolve a table (FACTS §8) and that table-metadata
tools use; `$select`, `$filter` and `$expand` work on them like on rows.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from dxsandbox.microsoft.dataverse.errors import DataverseError, bad_request
from dxsandbox.microsoft.dataverse.query_options import QueryOptions
from dxsandbox.microsoft.dataverse.selection import DictContext, filter_rows
from dxsandbox.microsoft.dataverse.tables import (
    BIGINT,
    BOOLEAN,
    CUSTOMER,
    DATETIME,
    DECIMAL,
    DOUBLE,
    GUID,
    INTEGER,
    LOOKUP,
    MEMO,
    MONEY,
    OPTION_TYPES,
    OWNER,
    PICKLIST,
    STATE,
    STATUS,
    STRING,
    AlternateKey,
    Column,
    Table,
    metadata_id,
)

NAMESPACE = "Microsoft.Dynamics.CRM"
LANGUAGE = 1033

ATTRIBUTE_TYPES = {
    STRING: "StringAttributeMetadata",
    MEMO: "MemoAttributeMetadata",
    INTEGER: "IntegerAttributeMetadata",
    BIGINT: "BigIntAttributeMetadata",
    DECIMAL: "DecimalAttributeMetadata",
    MONEY: "MoneyAttributeMetadata",
    DOUBLE: "DoubleAttributeMetadata",
    BOOLEAN: "BooleanAttributeMetadata",
    DATETIME: "DateTimeAttributeMetadata",
    GUID: "UniqueIdentifierAttributeMetadata",
    LOOKUP: "LookupAttributeMetadata",
    CUSTOMER: "LookupAttributeMetadata",
    OWNER: "LookupAttributeMetadata",
    PICKLIST: "PicklistAttributeMetadata",
    STATE: "StateAttributeMetadata",
    STATUS: "StatusAttributeMetadata",
}
# Casts that also match derived types (EnumAttributeMetadata covers picklists, states, statuses, booleans).
CAST_FAMILIES = {
    "EnumAttributeMetadata": {
        "PicklistAttributeMetadata",
        "StateAttributeMetadata",
        "StatusAttributeMetadata",
        "BooleanAttributeMetadata",
    }
}
EDM_TYPES = {
    STRING: "Edm.String",
    MEMO: "Edm.String",
    INTEGER: "Edm.Int32",
    BIGINT: "Edm.Int64",
    DECIMAL: "Edm.Decimal",
    MONEY: "Edm.Decimal",
    DOUBLE: "Edm.Double",
    BOOLEAN: "Edm.Boolean",
    DATETIME: "Edm.DateTimeOffset",
    GUID: "Edm.Guid",
    PICKLIST: "Edm.Int32",
    STATE: "Edm.Int32",
    STATUS: "Edm.Int32",
}


def label(text: str, *, key: str) -> dict[str, Any]:
    localized = {
        "Label": text,
        "LanguageCode": LANGUAGE,
        "IsManaged": False,
        "MetadataId": metadata_id("label", key),
        "HasChanged": None,
    }
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": localized}


def entity_json(table: Table) -> dict[str, Any]:
    return {
        "@odata.type": f"#{NAMESPACE}.EntityMetadata",
        "MetadataId": table.metadata_id,
        "LogicalName": table.logical_name,
        "SchemaName": table.schema_name,
        "EntitySetName": table.entity_set,
        "LogicalCollectionName": table.entity_set,
        "CollectionSchemaName": table.schema_name + "s",
        "PrimaryIdAttribute": table.primary_id,
        "PrimaryNameAttribute": table.primary_name,
        "ObjectTypeCode": table.object_type_code,
        "OwnershipType": table.ownership,
        "IsCustomEntity": table.custom,
        "IsManaged": table.managed,
        "IsPrivate": False,
        "IsActivity": False,
        "IsIntersect": False,
        "IsValidForAdvancedFind": True,
        "ChangeTrackingEnabled": table.change_tracking,
        "HasNotes": False,
        "HasActivities": False,
        "DisplayName": label(table.display_name, key=f"{table.logical_name}/display"),
        "DisplayCollectionName": label(table.display_collection_name, key=f"{table.logical_name}/collection"),
        "Description": label("", key=f"{table.logical_name}/description"),
    }


def attribute_json(table: Table, column: Column) -> dict[str, Any]:
    type_name = ATTRIBUTE_TYPES.get(column.type, "AttributeMetadata")
    body: dict[str, Any] = {
        "@odata.type": f"#{NAMESPACE}.{type_name}",
        "MetadataId": metadata_id("attribute", table.logical_name, column.name),
        "LogicalName": column.name,
        "SchemaName": column.schema_name,
        "EntityLogicalName": table.logical_name,
        "AttributeType": column.type,
        "AttributeTypeName": {"Value": f"{column.type}Type"},
        "AttributeOf": None,
        "IsCustomAttribute": column.custom,
        "IsPrimaryId": column.name == table.primary_id,
        "IsPrimaryName": column.name == table.primary_name,
        "IsValidForCreate": column.creatable,
        "IsValidForUpdate": column.updatable,
        "IsValidForRead": True,
        "IsValidODataAttribute": True,
        "RequiredLevel": {
            "Value": column.required,
            "CanBeChanged": column.required != "SystemRequired",
            "ManagedPropertyLogicalName": "canmodifyrequirementlevelsettings",
        },
        "DisplayName": label(column.display_name, key=f"{table.logical_name}/{column.name}"),
        "Description": label("", key=f"{table.logical_name}/{column.name}/description"),
    }
    if column.type in (STRING, MEMO):
        body.update(MaxLength=column.max_length, Format="Text" if column.type == STRING else "TextArea")
    if column.type in (DECIMAL, MONEY, DOUBLE):
        body.update(Precision=column.precision, MinValue=-100000000000.0, MaxValue=100000000000.0)
    if column.type in (INTEGER, BIGINT):
        body.update(MinValue=-2147483648, MaxValue=2147483647)
    if column.type == DATETIME:
        behaviour = "DateOnly" if column.date_only else "UserLocal"
        body.update(Format="DateOnly" if column.date_only else "DateAndTime", DateTimeBehavior={"Value": behaviour})
    if column.is_lookup:
        body["Targets"] = list(column.targets)
    if column.type in OPTION_TYPES or column.type == BOOLEAN:
        body["OptionSet"] = option_set_json(table, column)
    return body


def option_set_json(table: Table, column: Column) -> dict[str, Any]:
    options = []
    for option in column.options:
        entry: dict[str, Any] = {
            "Value": option.value,
            "Label": label(option.label, key=f"{table.logical_name}/{column.name}/{option.value}"),
            "Description": label("", key=f"{table.logical_name}/{column.name}/{option.value}/d"),
            "Color": None,
            "IsManaged": False,
            "ExternalValue": None,
        }
        if column.type == STATE:
            entry.update(DefaultStatus=option.default_status, InvariantName=option.label)
        if column.type == STATUS:
            entry["State"] = option.state
        options.append(entry)
    body: dict[str, Any] = {
        "MetadataId": metadata_id("optionset", table.logical_name, column.name),
        "Name": f"{table.logical_name}_{column.name}",
        "IsGlobal": False,
        "OptionSetType": column.type,
    }
    if column.type == BOOLEAN:
        body.update(
            TrueOption=next((o for o in options if o["Value"] == 1), None),
            FalseOption=next((o for o in options if o["Value"] == 0), None),
        )
    else:
        body["Options"] = options
    return body


def key_json(table: Table, key: AlternateKey) -> dict[str, Any]:
    return {
        "@odata.type": f"#{NAMESPACE}.EntityKeyMetadata",
        "MetadataId": key.metadata_id,
        "LogicalName": key.logical_name,
        "SchemaName": key.schema_name,
        "EntityLogicalName": table.logical_name,
        "KeyAttributes": list(key.attributes),
        "EntityKeyIndexStatus": key.status,
        "IsManaged": False,
        "IsCustomizable": {"Value": True, "CanBeChanged": True, "ManagedPropertyLogicalName": "iscustomizable"},
        "DisplayName": label(key.display_name, key=f"{table.logical_name}/key/{key.logical_name}"),
    }


# --- shaping ---------------------------------------------------------------------------------------

ALWAYS = ("@odata.type", "MetadataId")


def shape(
    items: list[dict[str, Any]], options: QueryOptions, *, expansions: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """$filter, then $select (keeping the type and id), then $expand of the given expandable parts."""
    items = filter_rows(items, options.filter, DictContext())
    return [shape_one(item, options, expansions=expansions) for item in items]


def shape_one(item: dict[str, Any], options: QueryOptions, *, expansions: dict[str, Any] | None = None) -> dict[str, Any]:
    if options.select is not None:
        unknown = [name for name in options.select if name not in item]
        if unknown:
            raise bad_request(
                f"Could not find a property named '{unknown[0]}' on type '{item.get('@odata.type', '').lstrip('#')}'."
            )
        shaped = {name: item[name] for name in ALWAYS if name in item}
        shaped.update({name: item[name] for name in options.select})
    else:
        shaped = dict(item)
    for expansion in options.expand:
        source = (expansions or {}).get(expansion.navigation)
        if source is None and expansion.navigation not in item:
            raise bad_request(f"Could not find a navigation property named '{expansion.navigation}'.")
        value = source() if callable(source) else item.get(expansion.navigation)
        if isinstance(value, list):
            shaped[expansion.navigation] = shape(value, expansion.options)
        elif isinstance(value, dict):
            shaped[expansion.navigation] = shape_one(value, expansion.options)
        else:
            shaped[expansion.navigation] = value
    return shaped


def attributes_of(table: Table, cast: str | None) -> list[dict[str, Any]]:
    items = [attribute_json(table, column) for column in table.columns.values()]
    if cast is None:
        return items
    type_name = cast.split(".")[-1]
    family = CAST_FAMILIES.get(type_name, {type_name})
    if type_name not in set(ATTRIBUTE_TYPES.values()) | set(CAST_FAMILIES) | {"AttributeMetadata"}:
        raise bad_request(f"The type cast '{cast}' is not a known attribute metadata type.")
    if type_name == "AttributeMetadata":
        return items
    return [item for item in items if item["@odata.type"].lstrip("#").split(".")[-1] in family]


def find_attribute(table: Table, key: str) -> Column:
    """`LogicalName='name'` or a MetadataId."""
    from dxsandbox.microsoft.dataverse.paths import as_guid

    guid = as_guid(key)
    for column in table.columns.values():
        if guid and metadata_id("attribute", table.logical_name, column.name) == guid:
            return column
        if key.replace(" ", "") in (f"LogicalName='{column.name}'",):
            return column
    raise DataverseError(404, "0x80040217", f"Could not find an attribute {key} on the table '{table.logical_name}'.")


# --- $metadata ------------------------------------------------------------------------------------


def csdl(tables: list[Table]) -> str:
    """A CSDL document of the organisation's tables: enough for clients that discover sets and keys."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>',
        f'<Schema Namespace="{NAMESPACE}" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">',
        '<EntityType Name="crmbaseentity" Abstract="true"/>',
    ]
    for table in tables:
        parts.append(
            f'<EntityType Name="{table.logical_name}" BaseType="mscrm.crmbaseentity">'
            f'<Key><PropertyRef Name="{table.primary_id}"/></Key>'
        )
        for column in table.columns.values():
            if column.is_lookup:
                parts.append(f'<Property Name="_{column.name}_value" Type="Edm.Guid"/>')
            else:
                parts.append(
                    f'<Property Name="{column.name}" Type="{"Edm.Date" if column.date_only else EDM_TYPES.get(column.type, "Edm.String")}"/>'
                )
        for navigation in table.navigations.values():
            target = navigation.targets[0] if len(navigation.targets) == 1 else "principal"
            parts.append(
                f'<NavigationProperty Name="{escape(navigation.name)}" Type="mscrm.{target}">'
                f'<ReferentialConstraint Property="_{navigation.column}_value" ReferencedProperty="{target}id"/></NavigationProperty>'
            )
        for collection in table.collections.values():
            parts.append(f'<NavigationProperty Name="{escape(collection.name)}" Type="Collection(mscrm.{collection.table})"/>')
        parts.append("</EntityType>")
    parts.append('<EntityContainer Name="System">')
    parts.extend(f'<EntitySet Name="{table.entity_set}" EntityType="{NAMESPACE}.{table.logical_name}"/>' for table in tables)
    parts.append("</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>")
    return "".join(parts)
