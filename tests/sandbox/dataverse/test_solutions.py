"""ImportSolution: a solution zip's tables, columns and keys are usable at once; `solutions` records it."""

from __future__ import annotations

import base64
import io
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.sandbox.dataverse.conftest import API

SHARED_SAMPLE = (
    Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "dataverse" / "sample-solution" / "CodeSiteSample_managed"
)


def solution_xml(unique_name: str, version: str, managed: bool) -> str:
    return f"""<ImportExportXml version="9.2.25042.234" SolutionPackageVersion="9.2" languagecode="1033">
  <SolutionManifest>
    <UniqueName>{unique_name}</UniqueName>
    <LocalizedNames><LocalizedName description="Xero Connector Tables" languagecode="1033" /></LocalizedNames>
    <Descriptions />
    <Version>{version}</Version>
    <Managed>{1 if managed else 0}</Managed>
    <Publisher>
      <UniqueName>dxconnector</UniqueName>
      <LocalizedNames><LocalizedName description="dxconnector" languagecode="1033" /></LocalizedNames>
      <CustomizationPrefix>dxc</CustomizationPrefix>
      <CustomizationOptionValuePrefix>61234</CustomizationOptionValuePrefix>
    </Publisher>
    <RootComponents><RootComponent type="1" schemaName="dxc_xerolink" behavior="0" /></RootComponents>
  </SolutionManifest>
</ImportExportXml>"""


def attribute(physical: str, kind: str, extra: str = "", mask: str = "ValidForAdvancedFind|ValidForForm|ValidForGrid") -> str:
    return f"""<attribute PhysicalName="{physical}"><Type>{kind}</Type><Name>{physical.lower()}</Name><LogicalName>{physical.lower()}</LogicalName>
      <RequiredLevel>none</RequiredLevel><DisplayMask>{mask}</DisplayMask><ValidForCreateApi>1</ValidForCreateApi>
      <ValidForUpdateApi>1</ValidForUpdateApi><IsCustomField>1</IsCustomField>{extra}
      <displaynames><displayname description="{physical}" languagecode="1033" /></displaynames></attribute>"""


CUSTOMIZATIONS = f"""<ImportExportXml>
  <Entities>
    <Entity>
      <Name LocalizedName="Xero Link" OriginalName="Xero Link">dxc_XeroLink</Name>
      <EntityInfo>
        <entity Name="dxc_XeroLink">
          <LocalizedNames><LocalizedName description="Xero Link" languagecode="1033" /></LocalizedNames>
          <LocalizedCollectionNames><LocalizedName description="Xero Links" languagecode="1033" /></LocalizedCollectionNames>
          <OwnershipTypeMask>UserOwned</OwnershipTypeMask>
          <ChangeTrackingEnabled>1</ChangeTrackingEnabled>
          <EntityKeys>
            <EntityKey><Name>dxc_XeroIdKey</Name><LogicalName>dxc_xeroidkey</LogicalName>
              <EntityKeyAttributes><AttributeName>dxc_xeroid</AttributeName></EntityKeyAttributes></EntityKey>
          </EntityKeys>
          <attributes>
            {attribute("dxc_XeroLinkId", "primarykey")}
            {attribute("dxc_Name", "nvarchar", "<MaxLength>200</MaxLength>", "PrimaryName|ValidForAdvancedFind")}
            {attribute("dxc_XeroId", "nvarchar", "<MaxLength>36</MaxLength>")}
            {attribute("dxc_Amount", "money")}
            {attribute("dxc_Synced", "bit")}
            {attribute("dxc_SyncedOn", "datetime", "<Format>datetime</Format>")}
            {
    attribute(
        "dxc_Status",
        "picklist",
        '''<optionset Name="dxc_xerolink_dxc_status"><OptionSetType>picklist</OptionSetType><options>
              <option value="612340000"><labels><label description="Pending" languagecode="1033" /></labels></option>
              <option value="612340001"><labels><label description="Synchronisé" languagecode="1033" /></labels></option>
            </options></optionset>''',
    )
}
            {attribute("dxc_AccountId", "lookup")}
          </attributes>
        </entity>
      </EntityInfo>
    </Entity>
    <Entity>
      <Name LocalizedName="Account" OriginalName="Account">Account</Name>
      <EntityInfo><entity Name="Account"><attributes>{
    attribute("dxc_XeroContactId", "nvarchar", "<MaxLength>36</MaxLength>")
}</attributes></entity></EntityInfo>
    </Entity>
  </Entities>
  <Roles />
  <Workflows />
  <EntityRelationships>
    <EntityRelationship Name="dxc_account_dxc_xerolink">
      <EntityRelationshipType>OneToMany</EntityRelationshipType>
      <ReferencingEntityName>dxc_XeroLink</ReferencingEntityName>
      <ReferencedEntityName>Account</ReferencedEntityName>
      <ReferencingAttributeName>dxc_AccountId</ReferencingAttributeName>
    </EntityRelationship>
  </EntityRelationships>
  <Languages><Language>1033</Language></Languages>
</ImportExportXml>"""


def package(unique_name: str, version: str = "1.0.0.0", managed: bool = False, customizations: str = CUSTOMIZATIONS) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr("solution.xml", solution_xml(unique_name, version, managed))
        archive.writestr("customizations.xml", customizations)
    return base64.b64encode(buffer.getvalue()).decode()


def import_solution(client, encoded: str, **extra):
    return client.post(
        f"{API}/ImportSolution",
        json={
            "OverwriteUnmanagedCustomizations": True,
            "PublishWorkflows": True,
            "CustomizationFile": encoded,
            "ImportJobId": str(uuid.uuid4()),
            **extra,
        },
    )


def test_importing_a_solution_creates_its_tables_and_records_the_solution(org):
    client = org.client()
    assert import_solution(client, package("dxcXeroTables", "1.0.0.3", managed=True)).status_code == 204
    solutions = client.get(
        f"{API}/solutions",
        params={"$filter": "uniquename eq 'dxcXeroTables'", "$select": "solutionid,uniquename,version,ismanaged,friendlyname"},
    ).json()["value"]
    assert [(s["uniquename"], s["version"], s["ismanaged"], s["friendlyname"]) for s in solutions] == [
        ("dxcXeroTables", "1.0.0.3", True, "Xero Connector Tables")
    ]
    definition = client.get(
        f"{API}/EntityDefinitions",
        params={
            "$select": "LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute,IsCustomEntity",
            "$filter": "LogicalName eq 'dxc_xerolink'",
        },
    ).json()["value"][0]
    assert (
        definition["EntitySetName"],
        definition["PrimaryIdAttribute"],
        definition["PrimaryNameAttribute"],
        definition["IsCustomEntity"],
    ) == ("dxc_xerolinks", "dxc_xerolinkid", "dxc_name", True)


def test_an_imported_table_is_usable_through_the_api_at_once(org):
    client = org.client()
    import_solution(client, package("dxcUsable"))
    account = org.api.create("account", {"name": "Linked Ltd", "dxc_xerocontactid": "c0ffee00-0000-0000-0000-000000000001"})
    created = client.post(
        f"{API}/dxc_xerolinks",
        json={
            "dxc_name": "Link ä",
            "dxc_xeroid": "XERO-1",
            "dxc_amount": 12.345,
            "dxc_synced": True,
            "dxc_syncedon": "2025-03-01T10:00:00Z",
            "dxc_status": 612340001,
            "dxc_AccountId@odata.bind": f"/accounts({account['accountid']})",
        },
        headers={"Prefer": "return=representation"},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["dxc_amount"], body["_dxc_accountid_value"], body["statecode"]) == (12.35, account["accountid"], 0)
    formatted = client.get(
        f"{API}/dxc_xerolinks(dxc_xeroid='XERO-1')",
        params={"$select": "dxc_status"},
        headers={"Prefer": 'odata.include-annotations="*"'},
    ).json()
    assert formatted["dxc_status@OData.Community.Display.V1.FormattedValue"] == "Synchronisé"
    related = client.get(
        f"{API}/accounts({account['accountid']})",
        params={"$select": "dxc_xerocontactid", "$expand": "dxc_account_dxc_xerolink($select=dxc_name)"},
    ).json()
    assert related["dxc_xerocontactid"] == "c0ffee00-0000-0000-0000-000000000001"
    assert [link["dxc_name"] for link in related["dxc_account_dxc_xerolink"]] == ["Link ä"]
    duplicate = client.post(f"{API}/dxc_xerolinks", json={"dxc_name": "again", "dxc_xeroid": "XERO-1"})
    assert duplicate.status_code == 412


def test_reimporting_updates_the_version_and_a_managed_downgrade_is_refused(org):
    client = org.client()
    assert import_solution(client, package("dxcVersions", "1.0.0.0", managed=True)).status_code == 204
    assert import_solution(client, package("dxcVersions", "1.2.0.0", managed=True)).status_code == 204
    versions = client.get(f"{API}/solutions", params={"$filter": "uniquename eq 'dxcVersions'", "$select": "version"}).json()[
        "value"
    ]
    assert [v["version"] for v in versions] == ["1.2.0.0"]
    older = import_solution(client, package("dxcVersions", "1.1.0.0", managed=True))
    assert older.status_code == 400
    unmanaged = import_solution(client, package("dxcVersions", "1.3.0.0", managed=False))
    assert unmanaged.status_code == 400


def test_import_solution_async_reports_the_job(org):
    client = org.client()
    job_id = str(uuid.uuid4())
    response = client.post(
        f"{API}/ImportSolutionAsync",
        json={
            "CustomizationFile": package("dxcAsync"),
            "ImportJobId": job_id,
            "OverwriteUnmanagedCustomizations": False,
            "PublishWorkflows": False,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ImportJobKey"] == job_id
    job = client.get(f"{API}/importjobs({job_id})", params={"$select": "progress,completedon,solutionname,data"}).json()
    assert job["progress"] == 100.0 and job["solutionname"] == "dxcAsync" and "success" in job["data"]
    operation = client.get(
        f"{API}/asyncoperations({body['AsyncOperationId']})", params={"$select": "statecode,statuscode"}
    ).json()
    assert (operation["statecode"], operation["statuscode"]) == (3, 30)


def test_a_broken_package_is_refused(org):
    client = org.client()
    assert import_solution(client, base64.b64encode(b"not a zip").decode()).status_code == 400
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("solution.xml", solution_xml("x", "1.0", False))
    assert import_solution(client, base64.b64encode(buffer.getvalue()).decode()).status_code == 400


def test_the_microsoft_sample_solution_imports(org):
    archive = SHARED_SAMPLE / "CodeSiteSample_1_0_0_1_managed.zip"
    if not archive.exists():
        pytest.skip(f"the research bundle's sample solution is not beside the repository ({archive})")
    client = org.client()
    assert import_solution(client, base64.b64encode(archive.read_bytes()).decode()).status_code == 204
    lead = client.post(
        f"{API}/sample_salesleads",
        json={"sample_name": "Ådne", "sample_accountid": "A-1", "sample_amount": 10, "sample_type": 156860001},
        headers={"Prefer": "return=representation"},
    )
    assert lead.status_code == 201, lead.text
    solution = client.get(
        f"{API}/solutions", params={"$filter": "uniquename eq 'CodeSiteSample'", "$select": "version,ismanaged"}
    ).json()
    assert [(s["version"], s["ismanaged"]) for s in solution["value"]] == [("1.0.0.1", True)]
