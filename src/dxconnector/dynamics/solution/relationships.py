"""`<EntityRelationship>` elements: one per lookup column, plus each custom table's ownership relationships.

For a lookup `stl3_connectorid` on `invoice` to `stl3_dynamicsxeroconnector`:
- the relationship is named `stl3_invoice_connectorid` (prefix, referencing table, lookup without prefix);
- the referencing role (type 1) carries the navigation property on the invoice, the lookup's own name, so
  the Web API binds it as `stl3_connectorid@odata.bind`;
- the referenced role (type 0) carries the collection on the connector, named like the relationship.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from dxconnector.dynamics.solution.model import Column, Table
from dxconnector.dynamics.solution.xmltext import child, children, element, labels

# Microsoft's schema names of the standard tables our lookups point at (relationships use schema names).
STANDARD_SCHEMA_NAMES = {
    "invoice": "Invoice",
    "invoicedetail": "InvoiceDetail",
    "account": "Account",
    "contact": "Contact",
    "product": "Product",
    "systemuser": "SystemUser",
    "team": "Team",
    "businessunit": "BusinessUnit",
    "transactioncurrency": "TransactionCurrency",
}


@dataclass(frozen=True)
class Relationship:
    name: str
    referencing: str  # schema name of the table holding the lookup
    referenced: str  # schema name of the table it points at
    attribute: str  # physical name of the lookup
    description: str
    cascade_delete: str = "NoCascade"
    introduced: str = "1.0"
    custom: bool = False  # a lookup we declare (navigation properties and search settings included)


def schema_name(logical_name: str) -> str:
    return STANDARD_SCHEMA_NAMES.get(logical_name, logical_name)


def lookup_relationship(table: str, column: Column) -> Relationship:
    prefix, _, short = column.name.partition("_")
    return Relationship(
        name=f"{prefix}_{table.removeprefix(prefix + '_')}_{short}",
        referencing=schema_name(table),
        referenced=schema_name(column.target),
        attribute=column.name,
        description=column.label,
        cascade_delete=column.cascade_delete.value,
        introduced="1.0.0.0",
        custom=True,
    )


def ownership_relationships(table: Table) -> list[Relationship]:
    """What Dataverse links every user-owned custom table to: its business unit, users, teams and owner."""
    name = table.name
    found = [
        Relationship(
            f"business_unit_{name}",
            name,
            "BusinessUnit",
            "OwningBusinessUnit",
            "Unique identifier for the business unit that owns the record",
            cascade_delete="Restrict",
        ),
        Relationship(
            f"lk_{name}_createdby", name, "SystemUser", "CreatedBy", "Unique identifier of the user who created the record."
        ),
        Relationship(
            f"lk_{name}_modifiedby", name, "SystemUser", "ModifiedBy", "Unique identifier of the user who modified the record."
        ),
        Relationship(f"owner_{name}", name, "Owner", "OwnerId", "Owner Id"),
        Relationship(f"team_{name}", name, "Team", "OwningTeam", "Unique identifier for the team that owns the record."),
        Relationship(f"user_{name}", name, "SystemUser", "OwningUser", "Unique identifier for the user that owns the record."),
    ]
    if table.has_money:
        found.append(
            Relationship(
                f"TransactionCurrency_{name}",
                name,
                "TransactionCurrency",
                "TransactionCurrencyId",
                "Unique identifier of the currency associated with the entity.",
                cascade_delete="Restrict",
                introduced="1.0.0.0",
            )
        )
    return found


def relationship_element(relationship: Relationship, language: int) -> Element:
    node = element("EntityRelationship", Name=relationship.name)
    children(
        node,
        [
            ("EntityRelationshipType", "OneToMany"),
            ("IsCustomizable", "1"),
            ("IntroducedVersion", relationship.introduced),
            ("IsHierarchical", "0"),
            ("ReferencingEntityName", relationship.referencing),
            ("ReferencedEntityName", relationship.referenced),
            ("CascadeAssign", "NoCascade"),
            ("CascadeDelete", relationship.cascade_delete),
            ("CascadeReparent", "NoCascade"),
            ("CascadeShare", "NoCascade"),
            ("CascadeUnshare", "NoCascade"),
        ],
    )
    if relationship.custom:
        children(node, [("CascadeRollupView", "NoCascade"), ("IsValidForAdvancedFind", "1")])
    child(node, "ReferencingAttributeName", relationship.attribute)
    labels(child(node, "RelationshipDescription"), "Descriptions", "Description", relationship.description, language)
    if relationship.custom:
        node.append(_roles(relationship))
    return node


def _roles(relationship: Relationship) -> Element:
    roles = element("EntityRelationshipRoles")
    referencing = child(roles, "EntityRelationshipRole")
    children(
        referencing,
        [
            ("NavPaneDisplayOption", "UseCollectionName"),
            ("NavPaneArea", "Details"),
            ("NavPaneOrder", 10000),
            ("NavigationPropertyName", relationship.attribute),
            ("RelationshipRoleType", 1),
        ],
    )
    referenced = child(roles, "EntityRelationshipRole")
    children(referenced, [("NavigationPropertyName", relationship.name), ("RelationshipRoleType", 0)])
    return roles
