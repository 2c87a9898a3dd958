"""solution.xml (the manifest: name, version, managed flag, publisher, root components) and
[Content_Types].xml (the package's part types, identical in every solution zip)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from dxconnector.dynamics.solution.forms import form_id
from dxconnector.dynamics.solution.model import Publisher, Solution
from dxconnector.dynamics.solution.views import view_id
from dxconnector.dynamics.solution.xmltext import XSI, child, children, element, flag, labels, serialize

# Byte for byte what Dataverse writes, byte-order mark included.
CONTENT_TYPES_XML = (
    '\ufeff<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/octet-stream" /></Types>'
).encode("utf-8")

# The package format we write: the version of Microsoft's schema set customizations.xml is checked against.
# Dataverse imports packages of an older format than its own.
PACKAGE_VERSION = "9.0.0.2090"
SOLUTION_PACKAGE_VERSION = "9.0"

# RootComponent types (solutioncomponent.componenttype)
ENTITY, SAVED_QUERY, SYSTEM_FORM = 1, 26, 60
# RootComponent behaviours: 0 the table with everything in it, 2 the table's shell (only what we list or add)
INCLUDE_SUBCOMPONENTS, SHELL_ONLY = 0, 2

ADDRESS_FIELDS = (
    "City",
    "County",
    "Country",
    "Fax",
    "FreightTermsCode",
    "ImportSequenceNumber",
    "Latitude",
    "Line1",
    "Line2",
    "Line3",
    "Longitude",
    "Name",
    "PostalCode",
    "PostOfficeBox",
    "PrimaryContactName",
)
ADDRESS_TAIL = (
    "StateOrProvince",
    "Telephone1",
    "Telephone2",
    "Telephone3",
    "TimeZoneRuleVersionNumber",
    "UPSZone",
    "UTCOffset",
    "UTCConversionTimeZoneCode",
)


def root_components(solution: Solution) -> list[tuple[int, str, int]]:
    """(type, schemaName or {id}, behaviour) of each root component."""
    found = [(ENTITY, table.name, INCLUDE_SUBCOMPONENTS) for table in solution.tables]
    for extension in solution.extensions:
        found.append((ENTITY, extension.name, SHELL_ONLY))
        found += [(SYSTEM_FORM, form_id(extension.name, form), INCLUDE_SUBCOMPONENTS) for form in extension.forms]
        found += [(SAVED_QUERY, view_id(extension.name, view.name), INCLUDE_SUBCOMPONENTS) for view in extension.views]
    return found


def manifest_tree(solution: Solution) -> Element:
    language = solution.language
    root = element(
        "ImportExportXml",
        version=PACKAGE_VERSION,
        SolutionPackageVersion=SOLUTION_PACKAGE_VERSION,
        languagecode=language,
        xmlns__xsi=XSI,
    )
    manifest = child(root, "SolutionManifest")
    child(manifest, "UniqueName", solution.unique_name)
    labels(manifest, "LocalizedNames", "LocalizedName", solution.display_name, language)
    labels(manifest, "Descriptions", "Description", solution.description, language)
    children(manifest, [("Version", solution.version), ("Managed", flag(solution.managed))])
    manifest.append(_publisher(solution.publisher, language))
    components = child(manifest, "RootComponents")
    for kind, name, behaviour in root_components(solution):
        key = {"id": name} if name.startswith("{") else {"schemaName": name}
        child(components, "RootComponent", type=kind, **key, behavior=behaviour)
    child(manifest, "MissingDependencies")
    return root


def _publisher(publisher: Publisher, language: int) -> Element:
    node = element("Publisher")
    child(node, "UniqueName", publisher.unique_name)
    labels(node, "LocalizedNames", "LocalizedName", publisher.display_name, language)
    labels(node, "Descriptions", "Description", publisher.description, language)
    child(node, "EMailAddress", "", xsi__nil="true")
    child(node, "SupportingWebsiteUrl", "", xsi__nil="true")
    children(node, [("CustomizationPrefix", publisher.prefix), ("CustomizationOptionValuePrefix", publisher.option_value_prefix)])
    addresses = child(node, "Addresses")
    for number in (1, 2):  # the two empty addresses every exported publisher has
        address = child(addresses, "Address")
        children(address, [("AddressNumber", number), ("AddressTypeCode", 1)])
        for field in ADDRESS_FIELDS:
            child(address, field, "", xsi__nil="true")
        child(address, "ShippingMethodCode", 1)
        for field in ADDRESS_TAIL:
            child(address, field, "", xsi__nil="true")
    return node


def solution_xml(solution: Solution) -> bytes:
    return serialize(manifest_tree(solution))
