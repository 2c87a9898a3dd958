"""Table metadata carries the properties Dataverse's EntityMetadata, AttributeMetadata and relationship types have,
so the `$select`s that metadata-discovering tools send are served — over raw HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.sandbox.dataverse.conftest import API

CSDL = (
    Path(__file__).resolve().parents[3].parent
    / "shared/specs/dataverse/csdl/dataverse-v9.1-cds-metadata.davidmoten-odata-client.xml"
)


def csdl_properties(type_name: str) -> list[str]:
    """The structural properties of a metadata type in Dataverse's published CSDL (v9.1)."""
    text = CSDL.read_text()
    body = re.search(rf'<EntityType Name="{type_name}"[^>]*>(.*?)</EntityType>', text, re.S)
    assert body is not None
    return re.findall(r'<Property Name="([^"]+)"', body.group(1))


needs_csdl = pytest.mark.skipif(not CSDL.exists(), reason="Dataverse's CSDL is not beside the repository")


@needs_csdl
def test_every_entity_metadata_property_of_dataverse_can_be_selected(org):
    names = [*csdl_properties("EntityMetadata"), "MetadataId", "HasChanged"]
    response = org.client().get(f"{API}/EntityDefinitions(LogicalName='account')", params={"$select": ",".join(names)})
    assert response.status_code == 200, response.text
    assert set(names) <= set(response.json())


@needs_csdl
def test_every_attribute_metadata_property_of_dataverse_can_be_selected(org):
    names = csdl_properties("AttributeMetadata")
    response = org.client().get(f"{API}/EntityDefinitions(LogicalName='account')/Attributes", params={"$select": ",".join(names)})
    assert response.status_code == 200, response.text
    assert all(set(names) <= set(item) for item in response.json()["value"])


def test_the_properties_discovery_tools_select_have_dataverse_values(org):
    body = (
        org.client()
        .get(
            f"{API}/EntityDefinitions(LogicalName='contact')",
            params={
                "$select": "CanChangeTrackingBeEnabled,ChangeTrackingEnabled,IsCustomEntity,EntitySetName,"
                "LogicalCollectionName,PrimaryIdAttribute,PrimaryNameAttribute,DisplayName,ObjectTypeCode,IsActivity,"
                "PrimaryImageAttribute,IsCustomizable,Privileges"
            },
        )
        .json()
    )
    assert body["CanChangeTrackingBeEnabled"] == {
        "Value": True,
        "CanBeChanged": True,
        "ManagedPropertyLogicalName": "canchangetrackingbeenabled",
    }
    assert body["ChangeTrackingEnabled"] is True and body["IsCustomEntity"] is False and body["IsActivity"] is False
    assert (body["EntitySetName"], body["LogicalCollectionName"]) == ("contacts", "contacts")
    assert (body["PrimaryIdAttribute"], body["PrimaryNameAttribute"], body["ObjectTypeCode"]) == ("contactid", "fullname", 2)
    assert body["DisplayName"]["UserLocalizedLabel"]["Label"] == "Contact"
    assert body["PrimaryImageAttribute"] is None
    assert body["IsCustomizable"]["Value"] is True
    assert {p["Name"] for p in body["Privileges"]} >= {"prvCreateContact", "prvReadContact", "prvAppendToContact"}


def test_a_data_pipeline_connectors_discovery_query_is_served(org):
    """The request a data-pipeline source for Dataverse discovers its streams with: every table, its change
    tracking flags and its attributes' names and types, in one call."""
    response = org.client().get(
        f"{API}/EntityDefinitions",
        params={
            "$select": "LogicalName,EntitySetName,PrimaryIdAttribute,CanChangeTrackingBeEnabled,ChangeTrackingEnabled",
            "$expand": "Attributes($select=LogicalName,AttributeType)",
        },
    )
    assert response.status_code == 200, response.text
    tables = {entity["LogicalName"]: entity for entity in response.json()["value"]}
    account = tables["account"]
    assert account["CanChangeTrackingBeEnabled"]["Value"] and account["ChangeTrackingEnabled"]
    types = {attribute["LogicalName"]: attribute["AttributeType"] for attribute in account["Attributes"]}
    assert (types["name"], types["modifiedon"], types["primarycontactid"]) == ("String", "DateTime", "Lookup")
    assert set(account["Attributes"][0]) == {"@odata.type", "MetadataId", "LogicalName", "AttributeType"}


def test_tables_filter_on_a_managed_property_value(org):
    body = (
        org.client()
        .get(
            f"{API}/EntityDefinitions",
            params={
                "$select": "LogicalName",
                "$filter": "CanChangeTrackingBeEnabled/Value eq true and ChangeTrackingEnabled eq true",
            },
        )
        .json()
    )
    names = {entity["LogicalName"] for entity in body["value"]}
    assert {"account", "contact", "invoice"} <= names
    assert "sdkmessage" not in names


def test_one_to_many_and_many_to_one_relationships_follow_the_navigation_properties(org):
    client = org.client()
    one_to_many = client.get(f"{API}/EntityDefinitions(LogicalName='account')/OneToManyRelationships").json()["value"]
    by_name = {relationship["SchemaName"]: relationship for relationship in one_to_many}
    customers = by_name["contact_customer_accounts"]
    assert (customers["ReferencedEntity"], customers["ReferencedAttribute"]) == ("account", "accountid")
    assert (customers["ReferencingEntity"], customers["ReferencingAttribute"]) == ("contact", "parentcustomerid")
    assert customers["ReferencingEntityNavigationPropertyName"] == "parentcustomerid_account"
    assert customers["CascadeConfiguration"]["Delete"] == "RemoveLink"
    many_to_one = client.get(
        f"{API}/EntityDefinitions(LogicalName='invoicedetail')/ManyToOneRelationships",
        params={"$select": "SchemaName,ReferencedEntity,CascadeConfiguration"},
    ).json()["value"]
    lines = next(r for r in many_to_one if r["SchemaName"] == "invoice_details")
    assert lines["ReferencedEntity"] == "invoice" and lines["CascadeConfiguration"]["Delete"] == "Cascade"
    one = client.get(
        f"{API}/EntityDefinitions(LogicalName='account')/OneToManyRelationships(SchemaName='contact_customer_accounts')"
    )
    assert one.status_code == 200 and one.json()["SchemaName"] == "contact_customer_accounts"
    missing = client.get(f"{API}/EntityDefinitions(LogicalName='account')/OneToManyRelationships(SchemaName='nothing')")
    assert missing.status_code == 404


def test_a_property_dataverse_does_not_have_is_still_refused(org):
    response = org.client().get(f"{API}/EntityDefinitions(LogicalName='account')", params={"$select": "NoSuchProperty"})
    assert response.status_code == 400
    assert "NoSuchProperty" in response.json()["error"]["message"]
