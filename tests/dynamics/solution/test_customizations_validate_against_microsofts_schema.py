"""customizations.xml validates cleanly against Microsoft's CustomizationsSolution.xsd."""

from dxconnector.dynamics.solution import DYNAMICS_XERO_CONNECTOR, solution_parts
from dxconnector.dynamics.solution.schema import schema_errors
from tests.dynamics.solution.specs import SAMPLE_DIR, XSD, need


def test_our_customizations_xml_has_no_schema_error():
    customizations = dict(solution_parts(DYNAMICS_XERO_CONNECTOR))["customizations.xml"]
    assert schema_errors(customizations, need(XSD)) == []


def test_the_check_does_find_the_errors_of_a_newer_real_export():
    # Microsoft's own export uses elements newer than the published 9.0 schema (AutoNumberFormat, …): the
    # check must see them, or a clean result for ours would mean nothing.
    errors = schema_errors(need(SAMPLE_DIR / "customizations.xml").read_bytes(), need(XSD))
    assert any("AutoNumberFormat" in error for error in errors)
