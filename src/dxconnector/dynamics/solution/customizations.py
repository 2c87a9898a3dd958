"""customizations.xml: the tables, their forms and views, and the relationships between them."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from dxconnector.dynamics.solution.entities import extension_entity, table_entity
from dxconnector.dynamics.solution.model import Kind, Solution
from dxconnector.dynamics.solution.relationships import (
    Relationship,
    lookup_relationship,
    ownership_relationships,
    relationship_element,
)
from dxconnector.dynamics.solution.xmltext import XSI, child, element, serialize


def relationships(solution: Solution) -> list[Relationship]:
    """Every relationship the solution brings, sorted by name as Dataverse exports them."""
    found: list[Relationship] = []
    for table in solution.tables:
        found += ownership_relationships(table)
        found += [lookup_relationship(table.name, c) for c in table.columns if c.kind is Kind.LOOKUP]
    for extension in solution.extensions:
        found += [lookup_relationship(extension.name, c) for c in extension.columns if c.kind is Kind.LOOKUP]
    return sorted(found, key=lambda relationship: relationship.name.lower())


def customizations_tree(solution: Solution) -> Element:
    language = solution.language
    root = element("ImportExportXml", xmlns__xsi=XSI)
    entities = child(root, "Entities")
    for table in solution.tables:
        entities.append(table_entity(table, language))
    for extension in solution.extensions:
        entities.append(extension_entity(extension, language))
    # Empty sections in the export's order (the schema's sequence).
    for tag in ("Roles", "Workflows", "FieldSecurityProfiles"):
        child(root, tag, "")
    child(root, "Templates")
    child(root, "EntityMaps")
    links = child(root, "EntityRelationships")
    for relationship in relationships(solution):
        links.append(relationship_element(relationship, language))
    for tag in ("OrganizationSettings", "optionsets", "CustomControls", "EntityDataProviders"):
        child(root, tag)
    child(child(root, "Languages"), "Language", language)
    return root


def customizations_xml(solution: Solution) -> bytes:
    return serialize(customizations_tree(solution))
