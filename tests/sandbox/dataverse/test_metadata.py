"""EntityDefinitions, Attributes (with type casts and option sets), Keys and $metadata, as clients query them."""

from __future__ import annotations

from tests.sandbox.dataverse.conftest import API


def get(org, path, **params):
    response = org.client().get(f"{API}/{path}", params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_sdk_table_lookup_returns_the_entity_set_and_primary_id(org):
    body = get(
        org,
        "EntityDefinitions",
        **{"$select": "LogicalName,EntitySetName,PrimaryIdAttribute", "$filter": "LogicalName eq 'transactioncurrency'"},
    )
    assert body["value"] == [
        {
            "@odata.type": "#Microsoft.Dynamics.CRM.EntityMetadata",
            "MetadataId": body["value"][0]["MetadataId"],
            "LogicalName": "transactioncurrency",
            "EntitySetName": "transactioncurrencies",
            "PrimaryIdAttribute": "transactioncurrencyid",
        }
    ]
    assert get(org, "EntityDefinitions", **{"$filter": "LogicalName eq 'nosuchtable'"})["value"] == []


def test_a_table_by_logical_name_or_metadata_id_with_expanded_attributes(org):
    invoice = get(
        org, "EntityDefinitions(LogicalName='invoicedetail')", **{"$select": "PrimaryNameAttribute,OwnershipType,ObjectTypeCode"}
    )
    assert (invoice["PrimaryNameAttribute"], invoice["OwnershipType"], invoice["ObjectTypeCode"]) == (
        "productidname",
        "UserOwned",
        1091,
    )
    same = get(
        org,
        f"EntityDefinitions({invoice['MetadataId']})",
        **{"$select": "LogicalName", "$expand": "Attributes($select=LogicalName)"},
    )
    assert same["LogicalName"] == "invoicedetail" and "extendedamount" in {a["LogicalName"] for a in same["Attributes"]}


def test_picklist_attributes_with_their_options_as_the_sdk_asks_for_them(org):
    body = get(
        org,
        "EntityDefinitions(LogicalName='invoice')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
        **{"$select": "LogicalName", "$expand": "OptionSet($select=Options)"},
    )
    options = {a["LogicalName"]: [o["Value"] for o in a["OptionSet"]["Options"]] for a in body["value"]}
    assert options["shippingmethodcode"] == [1, 2, 3, 4, 5, 6, 7]
    label = body["value"][0]["OptionSet"]["Options"][0]["Label"]
    assert label["UserLocalizedLabel"]["LanguageCode"] == 1033
    statuses = get(
        org,
        "EntityDefinitions(LogicalName='invoice')/Attributes/Microsoft.Dynamics.CRM.StatusAttributeMetadata",
        **{"$expand": "OptionSet"},
    )
    paid = [o for o in statuses["value"][0]["OptionSet"]["Options"] if o["Value"] == 100001]
    assert paid[0]["State"] == 2


def test_attributes_report_types_validity_and_lookup_targets(org):
    body = get(
        org,
        "EntityDefinitions(LogicalName='contact')/Attributes",
        **{"$select": "LogicalName,AttributeType,IsValidForCreate,RequiredLevel", "$filter": "AttributeType eq 'Customer'"},
    )
    [customer] = body["value"]
    assert customer["LogicalName"] == "parentcustomerid" and customer["IsValidForCreate"] is True
    one = get(org, "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='parentcustomerid')")
    assert one["Targets"] == ["account", "contact"] and one["@odata.type"] == "#Microsoft.Dynamics.CRM.LookupAttributeMetadata"
    fullname = get(
        org,
        "EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='fullname')",
        **{"$select": "IsValidForCreate,MaxLength"},
    )
    assert fullname["IsValidForCreate"] is False and fullname["MaxLength"] == 160


def test_keys_are_listed_created_and_deleted(org):
    client = org.client()
    assert get(org, "EntityDefinitions(LogicalName='contact')/Keys")["value"] == []
    created = client.post(
        f"{API}/EntityDefinitions(LogicalName='contact')/Keys",
        json={
            "SchemaName": "dxc_email",
            "KeyAttributes": ["emailaddress1"],
            "DisplayName": {"LocalizedLabels": [{"Label": "E-mail key", "LanguageCode": 1033}]},
        },
    )
    assert created.status_code == 204
    [key] = get(org, "EntityDefinitions(LogicalName='contact')/Keys")["value"]
    assert (key["KeyAttributes"], key["EntityKeyIndexStatus"]) == (["emailaddress1"], "Active")
    assert client.delete(f"{API}/EntityDefinitions(LogicalName='contact')/Keys({key['MetadataId']})").status_code == 204
    assert get(org, "EntityDefinitions(LogicalName='contact')/Keys")["value"] == []


def test_the_metadata_document_and_the_service_document_list_the_entity_sets(org):
    client = org.client()
    csdl = client.get(f"{API}/$metadata")
    assert (
        csdl.status_code == 200
        and '<EntitySet Name="invoicedetails" EntityType="Microsoft.Dynamics.CRM.invoicedetail"/>' in csdl.text
    )
    assert '<NavigationProperty Name="customerid_account"' in csdl.text
    sets = {s["name"] for s in client.get(f"{API}/").json()["value"]}
    assert {"accounts", "contacts", "invoices", "invoicedetails", "products", "solutions", "serviceendpoints"} <= sets
