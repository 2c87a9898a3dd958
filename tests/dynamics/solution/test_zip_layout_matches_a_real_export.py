"""Our zip is laid out and shaped like a real managed export (Microsoft's CodeSiteSample), element by element.

Where we differ it is on purpose: we leave out the elements that Microsoft's published 9.0 schema does not
know (so the file validates), and the attributes that say which server exported the file.
"""

import io
import zipfile
from xml.etree.ElementTree import Element, fromstring

import pytest

from dxconnector.dynamics.solution import solution_zip_bytes
from tests.dynamics.solution.specs import sample_zip

NEWER_THAN_THE_SCHEMA = {
    "AutoNumberFormat",
    "IsSearchable",
    "IsFilterable",
    "IsRetrievable",
    "IsLocalizable",
    "IsRetrieveAuditEnabled",
    "IsRetrieveMultipleAuditEnabled",
    "IsMSTeamsIntegrationEnabled",
    "IsSolutionAware",
    "CascadeArchive",
}


def parts(zip_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def ours():
    return {name: fromstring(data) for name, data in parts(solution_zip_bytes()).items()}


@pytest.fixture(scope="module")
def real():
    return {name: fromstring(data) for name, data in parts(sample_zip()).items()}


def tags(node: Element) -> list[str]:
    return [kid.tag for kid in node if kid.tag not in NEWER_THAN_THE_SCHEMA]


def test_same_files_in_the_same_order():
    with zipfile.ZipFile(io.BytesIO(sample_zip())) as real_archive, zipfile.ZipFile(io.BytesIO(solution_zip_bytes())) as archive:
        assert archive.namelist() == real_archive.namelist()
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())


def test_content_types_are_byte_for_byte_the_real_ones():
    assert parts(solution_zip_bytes())["[Content_Types].xml"] == parts(sample_zip())["[Content_Types].xml"]


def test_xml_is_written_as_dataverse_writes_it():
    for name in ("solution.xml", "customizations.xml"):
        data = parts(solution_zip_bytes())[name]
        assert data.startswith(b"<ImportExportXml ")  # no declaration, no byte-order mark
        assert b"\r\n  <" in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF, two-space indent


def test_manifest_root_attributes_are_the_real_ones_without_the_server_details(ours, real):
    assert set(ours["solution.xml"].attrib) <= set(real["solution.xml"].attrib)
    assert {"version", "SolutionPackageVersion", "languagecode"} <= set(ours["solution.xml"].attrib)


def test_solution_manifest_publisher_and_address_have_the_real_elements_in_order(ours, real):
    for path in ("SolutionManifest", "SolutionManifest/Publisher", "SolutionManifest/Publisher/Addresses/Address"):
        assert tags(ours["solution.xml"].find(path)) == tags(real["solution.xml"].find(path)), path


def test_root_components_are_written_like_the_real_ones(ours, real):
    real_component = real["solution.xml"].find("SolutionManifest/RootComponents/RootComponent")
    for component in ours["solution.xml"].iterfind("SolutionManifest/RootComponents/RootComponent"):
        assert next(iter(component.attrib)) == "type" and list(component.attrib)[-1] == "behavior"
    assert list(real_component.attrib) == ["type", "schemaName", "behavior"]


def test_customizations_sections_are_the_real_ones_in_order(ours, real):
    assert tags(ours["customizations.xml"]) == tags(real["customizations.xml"])


def test_a_custom_table_has_the_real_parts(ours, real):
    our_entity = ours["customizations.xml"].find("Entities/Entity")
    real_entity = real["customizations.xml"].find("Entities/Entity")
    assert tags(our_entity) == tags(real_entity)
    assert tags(our_entity.find("EntityInfo/entity")) == tags(real_entity.find("EntityInfo/entity"))
    assert tags(our_entity.find("RibbonDiffXml")) == tags(real_entity.find("RibbonDiffXml"))


def attributes(root: Element, table: str) -> dict[str, Element]:
    entity = next(e for e in root.iterfind("Entities/Entity") if e.find("EntityInfo/entity").get("Name").lower() == table)
    return {a.get("PhysicalName").lower(): a for a in entity.iterfind("EntityInfo/entity/attributes/attribute")}


SYSTEM_COLUMNS = [
    "createdby",
    "createdon",
    "createdonbehalfby",
    "exchangerate",
    "importsequencenumber",
    "modifiedby",
    "modifiedon",
    "modifiedonbehalfby",
    "overriddencreatedon",
    "ownerid",
    "owningbusinessunit",
    "owningteam",
    "owninguser",
    "statecode",
    "statuscode",
    "timezoneruleversionnumber",
    "transactioncurrencyid",
    "utcconversiontimezonecode",
]


@pytest.mark.parametrize("column", SYSTEM_COLUMNS)
def test_system_columns_are_written_exactly_like_the_real_ones(ours, real, column):
    our = attributes(ours["customizations.xml"], "stl3_xeroinvoice")[column]
    theirs = attributes(real["customizations.xml"], "sample_saleslead")[column]
    assert tags(our) == tags(theirs)
    for tag in ("Type", "RequiredLevel", "DisplayMask", "ImeMode", "ValidForCreateApi", "ValidForUpdateApi", "IsCustomField"):
        assert our.findtext(tag) == theirs.findtext(tag), tag


@pytest.mark.parametrize(
    ("our_column", "their_column"),
    [
        ("stl3_name", "sample_accountid"),  # primary name
        ("stl3_xeroinvoiceid", "sample_salesleadid"),  # primary key
        ("stl3_xeronumber", "sample_name"),  # text
        ("stl3_amountdue", "sample_amount"),  # money
        ("stl3_amountdue_base", "sample_amount_base"),  # money in the base currency
        ("stl3_exportstatus", "sample_type"),  # choice
    ],
)
def test_our_columns_have_the_elements_of_their_real_kind(ours, real, our_column, their_column):
    our = attributes(ours["customizations.xml"], "stl3_xeroinvoice")[our_column]
    theirs = attributes(real["customizations.xml"], "sample_saleslead")[their_column]
    assert tags(our) == tags(theirs)
    assert tags(our.find("optionset") if our.find("optionset") is not None else our) == tags(
        theirs.find("optionset") if theirs.find("optionset") is not None else theirs
    )


def test_forms_and_views_have_the_real_parts(ours, real):
    our_entity = ours["customizations.xml"].find("Entities/Entity")
    real_entity = real["customizations.xml"].find("Entities/Entity")
    our_form = our_entity.find("FormXml/forms[@type='main']/systemform")
    real_form = real_entity.find("FormXml/forms[@type='main']/systemform")
    assert tags(our_form) == tags(real_form)
    for query_type in ("0", "1", "2", "4", "64"):
        our_view = next(
            v for v in our_entity.iterfind("SavedQueries/savedqueries/savedquery") if v.findtext("querytype") == query_type
        )
        real_view = next(
            v for v in real_entity.iterfind("SavedQueries/savedqueries/savedquery") if v.findtext("querytype") == query_type
        )
        assert [t for t in tags(our_view) if t != "Descriptions"] == [t for t in tags(real_view) if t != "Descriptions"]


def test_ownership_relationships_are_written_like_the_real_ones(ours, real):
    real_relationships = {
        r.get("Name").replace("sample_saleslead", "X").replace("sample_SalesLead", "X"): r
        for r in real["customizations.xml"].iterfind("EntityRelationships/EntityRelationship")
    }
    our_relationships = {
        r.get("Name").replace("stl3_xeroinvoice", "X"): r
        for r in ours["customizations.xml"].iterfind("EntityRelationships/EntityRelationship")
    }
    for name, theirs in real_relationships.items():
        assert tags(our_relationships[name]) == tags(theirs), name
        assert our_relationships[name].findtext("ReferencedEntityName") == theirs.findtext("ReferencedEntityName")
