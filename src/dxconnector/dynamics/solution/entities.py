"""`<Entity>` elements: a full definition for each table we create, a shell for each table we extend.

A shell (`<entity Name="Invoice" unmodified="1">`) says nothing about the table itself, so importing
never changes Microsoft's table; it only carries our columns, forms and views.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from dxconnector.dynamics.solution.attributes import (
    Attr,
    attribute_element,
    column_attrs,
    currency_attrs,
    primary_key_attr,
    primary_name_attr,
    system_attrs,
)
from dxconnector.dynamics.solution.forms import main_forms
from dxconnector.dynamics.solution.model import Form, Kind, Section, Table, TableExtension
from dxconnector.dynamics.solution.views import extension_query, saved_queries, table_queries
from dxconnector.dynamics.solution.xmltext import child, children, element, labels

# Table-level settings after <attributes>, in the export's order (only those the 9.0 schema knows).
TABLE_SETTINGS: list[tuple[str, str]] = [
    ("IsDuplicateCheckSupported", "0"),
    ("IsBusinessProcessEnabled", "0"),
    ("IsRequiredOffline", "0"),
    ("IsInteractionCentricEnabled", "0"),
    ("IsCollaboration", "0"),
    ("AutoRouteToOwnerQueue", "0"),
    ("IsConnectionsEnabled", "0"),
    ("IsDocumentManagementEnabled", "0"),
    ("AutoCreateAccessTeams", "0"),
    ("IsOneNoteIntegrationEnabled", "0"),
    ("IsKnowledgeManagementEnabled", "0"),
    ("IsSLAEnabled", "0"),
    ("IsDocumentRecommendationsEnabled", "0"),
    ("IsBPFEntity", "0"),
    ("OwnershipTypeMask", "UserOwned"),
    ("IsAuditEnabled", "0"),
    ("IsActivity", "0"),
    ("ActivityTypeMask", ""),
    ("IsActivityParty", "0"),
    ("IsReplicated", "0"),
    ("IsReplicationUserFiltered", "0"),
    ("IsMailMergeEnabled", "0"),
    ("IsVisibleInMobile", "0"),
    ("IsVisibleInMobileClient", "0"),
    ("IsReadOnlyInMobileClient", "0"),
    ("IsOfflineInMobileClient", "0"),
    ("DaysSinceRecordLastModified", "0"),
    ("MobileOfflineFilters", ""),
    ("IsMapiGridEnabled", "1"),
    ("IsReadingPaneEnabled", "1"),
    ("IsQuickCreateEnabled", "0"),
    ("SyncToExternalSearchIndex", "0"),
    ("IntroducedVersion", "1.0.0.0"),
    ("IsCustomizable", "1"),
    ("IsRenameable", "1"),
    ("IsMappable", "1"),
    ("CanModifyAuditSettings", "1"),
    ("CanModifyMobileVisibility", "1"),
    ("CanModifyMobileClientVisibility", "1"),
    ("CanModifyMobileClientReadOnly", "1"),
    ("CanModifyMobileClientOffline", "1"),
    ("CanModifyConnectionSettings", "1"),
    ("CanModifyDuplicateDetectionSettings", "1"),
    ("CanModifyMailMergeSettings", "1"),
    ("CanModifyQueueSettings", "1"),
    ("CanCreateAttributes", "1"),
    ("CanCreateForms", "1"),
    ("CanCreateCharts", "1"),
    ("CanCreateViews", "1"),
    ("CanModifyAdditionalSettings", "1"),
    ("CanEnableSyncToExternalSearchIndex", "1"),
    ("EnforceStateTransitions", "0"),
    ("CanChangeHierarchicalRelationship", "1"),
    ("EntityHelpUrlEnabled", "0"),
    # The connector reads our tables incrementally through change tracking (it cannot be switched off later).
    ("ChangeTrackingEnabled", "1"),
    ("CanChangeTrackingBeEnabled", "1"),
    ("IsEnabledForExternalChannels", "0"),
]
SYSTEM_FIELDS = {
    "ownerid": (Kind.LOOKUP, False),
    "transactioncurrencyid": (Kind.LOOKUP, False),
    "createdon": (Kind.DATE_TIME, True),
}


def table_attrs(table: Table, language: int) -> list[Attr]:
    """Every attribute of a new table, sorted by physical name as Dataverse exports them."""
    attrs = [
        primary_key_attr(table.name, table.label),
        primary_name_attr(table.primary_name, table.primary_name_label, table.primary_name_length),
    ]
    attrs += system_attrs(table.name, table.label, language)
    if table.has_money:
        attrs += currency_attrs()
    for column in table.columns:
        attrs += column_attrs(column, table.name, language)
    return sorted(attrs, key=lambda attr: attr.physical_name.lower())


def table_entity(table: Table, language: int) -> Element:
    node = element("Entity")
    child(node, "Name", table.name, LocalizedName=table.label, OriginalName=table.label)
    info = child(child(node, "EntityInfo"), "entity", Name=table.name)
    _names(info, table.label, table.plural_label, table.description, language)
    attributes = child(info, "attributes")
    for attr in table_attrs(table, language):
        attributes.append(attribute_element(attr, language))
    child(info, "EntitySetName", table.set_name)
    children(info, TABLE_SETTINGS)
    node.append(_form_xml(table.name, (default_form(table),), table_fields(table), language))
    queries = table_queries(table) + [extension_query(view) for view in table.views]
    node.append(saved_queries(table.name, table.primary_id, queries, language))
    node.append(_empty_ribbon())
    return node


def extension_entity(extension: TableExtension, language: int) -> Element:
    node = element("Entity")
    child(node, "Name", extension.schema_name, LocalizedName=extension.label, OriginalName=extension.label)
    info = child(child(node, "EntityInfo"), "entity", Name=extension.schema_name, unmodified="1")
    _names(info, extension.label, extension.plural_label, "", language)
    attributes = child(info, "attributes")
    for column in extension.columns:
        for attr in column_attrs(column, extension.name, language):
            attributes.append(attribute_element(attr, language))
    child(info, "EntitySetName", extension.entity_set_name)
    if extension.forms:
        node.append(_form_xml(extension.name, extension.forms, extension_fields(extension), language))
    if extension.views:
        queries = [extension_query(view) for view in extension.views]
        node.append(saved_queries(extension.name, f"{extension.name}id", queries, language))
    return node


def default_form(table: Table) -> Form:
    sections = table.sections or (Section("General", (table.primary_name, *(c.name for c in table.columns), "ownerid")),)
    return Form("Information", sections, f"A form for {table.plural_label}.")


def table_fields(table: Table) -> dict[str, tuple[Kind, bool]]:
    fields = dict(SYSTEM_FIELDS)
    fields[table.primary_name] = (Kind.TEXT, False)
    fields.update({column.name: (column.kind, column.read_only) for column in table.columns})
    return fields


def extension_fields(extension: TableExtension) -> dict[str, tuple[Kind, bool]]:
    fields = {field.name: (field.kind, field.read_only) for field in extension.standard_fields}
    fields.update({column.name: (column.kind, column.read_only) for column in extension.columns})
    return fields


def _names(info: Element, label: str, plural_label: str, description: str, language: int) -> None:
    labels(info, "LocalizedNames", "LocalizedName", label, language)
    labels(info, "LocalizedCollectionNames", "LocalizedCollectionName", plural_label, language)
    labels(info, "Descriptions", "Description", description, language)


def _form_xml(table: str, forms: tuple[Form, ...], fields: dict[str, tuple[Kind, bool]], language: int) -> Element:
    node = element("FormXml")
    node.append(main_forms(table, forms, fields, language))
    return node


def _empty_ribbon() -> Element:
    ribbon = element("RibbonDiffXml")
    child(ribbon, "CustomActions")
    child(child(ribbon, "Templates"), "RibbonTemplates", "", Id="Mscrm.Templates")
    child(ribbon, "CommandDefinitions")
    children(child(ribbon, "RuleDefinitions"), [("TabDisplayRules", None), ("DisplayRules", None), ("EnableRules", None)])
    child(ribbon, "LocLabels")
    return ribbon
