"""solution.xml names the solution, its version, the managed flag and the stl3 publisher."""

import io
import zipfile
from xml.etree.ElementTree import fromstring

from dxconnector.dynamics.solution import solution_zip_bytes


def manifest():
    with zipfile.ZipFile(io.BytesIO(solution_zip_bytes())) as archive:
        return fromstring(archive.read("solution.xml")).find("SolutionManifest")


def test_unique_name_display_name_and_version():
    found = manifest()
    assert found.findtext("UniqueName") == "DynamicsXeroConnector"
    assert found.find("LocalizedNames/LocalizedName").get("description") == "Dynamics Xero Connector"
    assert found.findtext("Version") == "1.2.0.0"


def test_it_is_managed():
    assert manifest().findtext("Managed") == "1"


def test_the_publisher_is_stellarise_with_prefix_stl3():
    publisher = manifest().find("Publisher")
    assert publisher.findtext("UniqueName") == "stellarise"
    assert publisher.findtext("CustomizationPrefix") == "stl3"
    assert publisher.findtext("CustomizationOptionValuePrefix") == "10000"


def test_each_new_table_is_a_root_component_with_everything_in_it():
    components = {
        (c.get("type"), c.get("schemaName")): c.get("behavior") for c in manifest().iterfind("RootComponents/RootComponent")
    }
    for table in ("stl3_dynamicsxeroconnector", "stl3_stellariseconnectorsettings", "stl3_brandingtheme", "stl3_chartofaccounts"):
        assert components[("1", table)] == "0"


def test_microsofts_tables_are_only_shells_so_the_import_leaves_them_as_they_are():
    components = {
        (c.get("type"), c.get("schemaName")): c.get("behavior") for c in manifest().iterfind("RootComponents/RootComponent")
    }
    for table in ("invoice", "invoicedetail", "account", "contact", "product"):
        assert components[("1", table)] == "2"


def test_our_forms_and_views_on_microsofts_tables_are_listed_by_id():
    types = [c.get("type") for c in manifest().iterfind("RootComponents/RootComponent") if c.get("id")]
    assert types.count("60") == 5  # the invoice, invoice product, account, contact and product forms
    assert types.count("26") == 1  # the invoice products view (our tables' views come with their tables)
