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


def managed(value: bool, name: str, *, can_be_changed: bool = True) -> dict[str, Any]:
    """A BooleanManagedProperty: the value, whether a customiser may change it, and its logical name."""
    return {"Value": value, "CanBeChanged": can_be_changed, "ManagedPropertyLogicalName": name.lower()}


# EntityMetadata's properties that are the same for every table the sandbox has (none is an activity, a
# business process flow, elastic or virtual), with the values Dataverse gives a standard table; the ones that
# vary by table are set in `entity_json`.
_ENTITY_DEFAULTS: dict[str, Any] = {
    "ActivityTypeMask": 0,
    "AutoRouteToOwnerQueue": False,
    "CanTriggerWorkflow": True,
    "EntityHelpUrlEnabled": False,
    "EntityHelpUrl": None,
    "IsDocumentManagementEnabled": False,
    "IsOneNoteIntegrationEnabled": False,
    "IsInteractionCentricEnabled": False,
    "IsKnowledgeManagementEnabled": False,
    "IsSLAEnabled": False,
    "IsBPFEntity": False,
    "IsDocumentRecommendationsEnabled": False,
    "IsMSTeamsIntegrationEnabled": False,
    "SettingOf": None,
    "DataProviderId": None,
    "DataSourceId": None,
    "AutoCreateAccessTeams": False,
    "IsActivity": False,
    "IsActivityParty": False,
    "IsAvailableOffline": True,
    "IsChildEntity": False,
    "IsAIRUpdated": False,
    "IconLargeName": None,
    "IconMediumName": None,
    "IconSmallName": None,
    "IconVectorName": None,
    "IsBusinessProcessEnabled": False,
    "SyncToExternalSearchIndex": False,
    "IsOptimisticConcurrencyEnabled": True,
    "IsImportable": True,
    "IsIntersect": False,
    "IsEnabledForCharts": True,
    "IsEnabledForTrace": False,
    "IsValidForAdvancedFind": True,
    "DaysSinceRecordLastModified": 0,
    "MobileOfflineFilters": None,
    "IsReadingPaneEnabled": True,
    "IsQuickCreateEnabled": False,
    "PrimaryImageAttribute": None,
    "RecurrenceBaseEntityLogicalName": None,
    "ReportViewName": None,
    "IntroducedVersion": "5.0.0.0",
    "IsStateModelAware": False,
    "EnforceStateTransitions": False,
    "ExternalName": None,
    "EntityColor": None,
    "ExternalCollectionName": None,
    "IsEnabledForExternalChannels": False,
    "IsPrivate": False,
    "UsesBusinessDataLabelTable": False,
    "IsLogicalEntity": False,
    "HasNotes": False,
    "HasActivities": False,
    "HasFeedback": False,
    "HasEmailAddresses": False,
    "IsSolutionAware": False,
    "IsArchivalEnabled": False,
    "IsRetentionEnabled": False,
    "TableType": "Standard",
    "Settings": [],
    "CreatedOn": "1900-01-01T00:00:00Z",
    "ModifiedOn": "1900-01-01T00:00:00Z",
    "HasChanged": None,
}
# BooleanManagedProperty flags: name → (value, can be changed).
_ENTITY_MANAGED = {
    "IsAuditEnabled": (False, True),
    "IsValidForQueue": (False, True),
    "IsConnectionsEnabled": (False, True),
    "IsCustomizable": (True, True),
    "IsRenameable": (True, True),
    "IsMappable": (True, False),
    "IsDuplicateDetectionEnabled": (False, True),
    "CanCreateAttributes": (True, False),
    "CanCreateForms": (True, False),
    "CanCreateViews": (True, False),
    "CanCreateCharts": (True, False),
    "CanBeRelatedEntityInRelationship": (True, False),
    "CanBePrimaryEntityInRelationship": (True, False),
    "CanBeInManyToMany": (True, False),
    "CanBeInCustomEntityAssociation": (True, False),
    "CanEnableSyncToExternalSearchIndex": (True, True),
    "CanModifyAdditionalSettings": (True, True),
    "CanChangeHierarchicalRelationship": (True, False),
    "CanChangeTrackingBeEnabled": (True, True),
    "IsMailMergeEnabled": (False, True),
    "IsVisibleInMobile": (True, True),
    "IsVisibleInMobileClient": (True, True),
    "IsReadOnlyInMobileClient": (False, True),
    "IsOfflineInMobileClient": (False, True),
}


def entity_json(table: Table) -> dict[str, Any]:
    """A table's EntityMetadata with every property Dataverse's EntityMetadata type has, so a `$select` of any
    of them (CanChangeTrackingBeEnabled, PrimaryImageAttribute…) is served."""
    body: dict[str, Any] = {
        "@odata.type": f"#{NAMESPACE}.EntityMetadata",
        "MetadataId": table.metadata_id,
        **_ENTITY_DEFAULTS,
        **{name: managed(value, name, can_be_changed=changeable) for name, (value, changeable) in _ENTITY_MANAGED.items()},
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
        "IsSolutionAware": table.custom,
        "IsStateModelAware": "statecode" in table.columns,
        "ChangeTrackingEnabled": table.change_tracking,
        "IntroducedVersion": "1.0" if table.custom else "5.0.0.0",
        "DisplayName": label(table.display_name, key=f"{table.logical_name}/display"),
        "DisplayCollectionName": label(table.display_collection_name, key=f"{table.logical_name}/collection"),
        "Description": label("", key=f"{table.logical_name}/description"),
        "Privileges": [_privilege_json(table, operation) for operation in _privilege_operations(table)],
    }
    return body


def _privilege_operations(table: Table) -> tuple[str, ...]:
    operations = ("Create", "Read", "Write", "Delete", "Append", "AppendTo")
    return operations + (("Assign", "Share") if table.ownership == "UserOwned" else ())


def _privilege_json(table: Table, operation: str) -> dict[str, Any]:
    name = f"prv{operation}{table.schema_name}"
    user_owned = table.ownership == "UserOwned"
    return {
        "CanBeBasic": user_owned,
        "CanBeDeep": user_owned,
        "CanBeGlobal": True,
        "CanBeLocal": user_owned,
        "CanBeEntityReference": False,
        "CanBeParentEntityReference": False,
        "CanBeRecordFilter": False,
        "Name": name,
        "PrivilegeId": metadata_id("privilege", name.lower()),
        "PrivilegeType": operation,
    }


# AttributeMetadata's properties that do not vary by column in the sandbox (no secured, logical, calculated or
# auto-numbered columns), so a `$select` of any of them is served.
_ATTRIBUTE_DEFAULTS: dict[str, Any] = {
    "DeprecatedVersion": None,
    "CanBeSecuredForRead": True,
    "CanBeSecuredForCreate": True,
    "CanBeSecuredForUpdate": True,
    "IsSecured": False,
    "IsRetrievable": True,
    "IsFilterable": True,
    "IsSearchable": True,
    "LinkedAttributeId": None,
    "IsValidForForm": True,
    "IsRequiredForForm": False,
    "IsValidForGrid": True,
    "ExternalName": None,
    "IsDataSourceSecret": False,
    "InheritsFrom": None,
    "CreatedOn": "1900-01-01T00:00:00Z",
    "ModifiedOn": "1900-01-01T00:00:00Z",
    "SourceType": 0,
    "AutoNumberFormat": "",
    "HasChanged": None,
}
_ATTRIBUTE_MANAGED = {
    "IsAuditEnabled": True,
    "IsGlobalFilterEnabled": False,
    "IsSortableEnabled": False,
    "IsCustomizable": True,
    "IsRenameable": True,
    "IsValidForAdvancedFind": True,
    "CanModifyAdditionalSettings": True,
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
        **_ATTRIBUTE_DEFAULTS,
        **{name: managed(value, name, can_be_changed=True) for name, value in _ATTRIBUTE_MANAGED.items()},
        "IsManaged": False if column.custom else table.managed,
        "IntroducedVersion": "1.0" if column.custom else "5.0.0.0",
        "ColumnNumber": list(table.columns).index(column.name) + 1,
        "IsLogical": False,
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


# --- relationships ---------------------------------------------------------------------------------


def one_to_many(table: Table, tables: list[Table]) -> list[dict[str, Any]]:
    """The one-to-many relationships a table is the referenced ("one") side of: its collection navigations."""
    by_name = {t.logical_name: t for t in tables}
    return [
        relationship_json(table, by_name[collection.table], collection.name, collection.column)
        for collection in table.collections.values()
        if collection.table in by_name and collection.column in by_name[collection.table].columns
    ]


def many_to_one(table: Table, tables: list[Table]) -> list[dict[str, Any]]:
    """The relationships a table is the referencing ("many") side of: other tables' collections of its rows."""
    return [
        relationship_json(parent, table, collection.name, collection.column)
        for parent in tables
        for collection in parent.collections.values()
        if collection.table == table.logical_name and collection.column in table.columns
    ]


def relationship_json(parent: Table, child: Table, name: str, column: str) -> dict[str, Any]:
    from dxsandbox.microsoft.dataverse.records import PARENTAL

    lookup = child.columns[column]
    parental = lookup.cascade_delete or (child.logical_name, column) in PARENTAL
    cascade = "Cascade" if parental else "NoCascade"
    return {
        "@odata.type": f"#{NAMESPACE}.OneToManyRelationshipMetadata",
        "MetadataId": metadata_id("relationship", name),
        "SchemaName": name,
        "RelationshipType": "OneToManyRelationship",
        "ReferencedEntity": parent.logical_name,
        "ReferencedAttribute": parent.primary_id,
        "ReferencingEntity": child.logical_name,
        "ReferencingAttribute": column,
        "ReferencedEntityNavigationPropertyName": name,
        "ReferencingEntityNavigationPropertyName": child.navigation_for(column, parent.logical_name),
        "IsCustomRelationship": lookup.custom,
        "IsManaged": False,
        "IsValidForAdvancedFind": True,
        "IsHierarchical": parent.logical_name == child.logical_name,
        "IsCustomizable": managed(True, "iscustomizable"),
        "SecurityTypes": "ParentChild" if parental else "None",
        "IntroducedVersion": "1.0" if lookup.custom else "5.0.0.0",
        "RelationshipBehavior": 0,
        "DenormalizedAttributeName": None,
        "RelationshipAttributes": [],
        "HasChanged": None,
        "CascadeConfiguration": {
            "Assign": cascade,
            "Delete": "Cascade" if parental else "RemoveLink",
            "Archive": "NoCascade",
            "Merge": "NoCascade",
            "Reparent": cascade,
            "Share": cascade,
            "Unshare": cascade,
            "RollupView": "NoCascade",
        },
        "AssociatedMenuConfiguration": {
            "Behavior": "UseCollectionName",
            "Group": "Details",
            "Order": 10000,
            "IsCustomizable": True,
            "Icon": None,
            "ViewId": "00000000-0000-0000-0000-000000000000",
            "AvailableOffline": True,
            "MenuId": None,
            "QueryApi": None,
            "Label": label("", key=f"relationship/{name}/menu"),
        },
    }


def entity_expansions(table: Table, tables: list[Table]) -> dict[str, Any]:
    """What `$expand` of an EntityDefinition can bring, computed only when asked for."""
    return {
        "Attributes": lambda: attributes_of(table, None),
        "Keys": lambda: [key_json(table, k) for k in table.keys],
        "ManyToOneRelationships": lambda: many_to_one(table, tables),
        "OneToManyRelationships": lambda: one_to_many(table, tables),
        "ManyToManyRelationships": list,  # the sandbox has no many-to-many relationship
    }


def shape_entities(tables: list[Table], options: QueryOptions) -> list[dict[str, Any]]:
    """EntityDefinitions: $filter, then $select and $expand, each table with its own expandable parts."""
    items = [(entity_json(table), table) for table in tables]
    kept = filter_rows([item for item, _ in items], options.filter, DictContext())
    wanted = {id(item) for item in kept}
    return [shape_one(item, options, expansions=entity_expansions(table, tables)) for item, table in items if id(item) in wanted]
