"""Importing a solution zip through the app's upload form: the Web API's ImportSolution, as the signed-in person.

Only this suite imports into Harbour Lights Trading (other suites import into the Oakwood organisations, and one
relies on Oakwood Sales (Test) being without the solution until it imports there), so Harbour starts without it.
"""

from __future__ import annotations

import pytest

from dxconnector.dynamics.solution.definition import DYNAMICS_XERO_CONNECTOR
from dxconnector.dynamics.solution.package import solution_zip_bytes, zip_name
from tests.sandbox.dynamics_ui.conftest import HARBOUR
from tests.sandbox.dynamics_ui.helpers import Person, error_text, field_value, html, new_id, notices, options, unique

SOLUTION = "DynamicsXeroConnector"


def upload(person: Person, data: bytes, filename: str = zip_name(DYNAMICS_XERO_CONNECTOR)):
    return person.post("solutions", "import", files={"solution_file": (filename, data, "application/zip")})


def installed(api) -> list[dict]:
    return api.rows("solutions", **{"$select": "uniquename,version,ismanaged", "$filter": f"uniquename eq '{SOLUTION}'"})


@pytest.fixture
def harbour_admin(person) -> Person:
    return person("admin@harbourlights.sandbox", HARBOUR)


def test_the_import_page_has_an_upload_form(harbour_admin):
    page = harbour_admin.get("solutions", "import")
    [form] = html(page).xpath("//form[@id='import-form']")
    assert (form.get("method"), form.get("enctype"), form.get("action")) == (
        "post",
        "multipart/form-data",
        harbour_admin.path("solutions", "import"),
    )
    assert form.xpath(".//input[@type='file']")[0].get("name") == "solution_file"
    assert html(page).xpath("//label[@for='solution_file']")[0].text_content() == "Solution file"


def test_a_user_who_may_not_import_customizations_is_refused(person):
    refused = upload(person("sales@oakwood.sandbox"), solution_zip_bytes())
    assert refused.status_code == 403
    message = error_text(refused)
    assert "Insufficient permissions" in message and "is missing prvImportCustomization privilege" in message
    assert "to import a solution" in message


def test_importing_the_solution_through_the_upload_form(harbour_admin, web_api):
    api = web_api(HARBOUR)
    assert installed(api) == []
    assert not html(harbour_admin.get("invoices", "new")).xpath("//*[starts-with(@name, 'stl3_')]")  # no Xero columns yet
    imported = upload(harbour_admin, solution_zip_bytes())
    assert imported.headers["location"] == harbour_admin.path("solutions")
    page = harbour_admin.follow(imported)
    assert notices(page) == ["The solution Dynamics Xero Connector 1.2.0.0 (managed) was imported."]
    [row] = html(page).xpath(f"//table[@id='solutions']//tr[@data-solution='{SOLUTION}']")
    assert [cell.text_content() for cell in row.xpath("td")][:4] == ["Dynamics Xero Connector", SOLUTION, "1.2.0.0", "Yes"]

    [solution] = installed(api)
    assert (solution["version"], solution["ismanaged"]) == ("1.2.0.0", True)
    definition = api.get("EntityDefinitions(LogicalName='stl3_dynamicsxeroconnector')", **{"$select": "EntitySetName"})
    assert definition["EntitySetName"] == "stl3_dynamicsxeroconnectors"
    assert api.rows("stl3_dynamicsxeroconnectors", **{"$select": "stl3_name"}) == []
    form = html(harbour_admin.get("invoices", "new"))
    assert {e.get("name") for e in form.xpath("//*[starts-with(@name, 'stl3_')]")} == {
        "stl3_connectorid",
        "stl3_xeroinvoicetype",
        "stl3_lineamounttypes",
    }


def test_a_file_that_is_not_a_solution_is_refused_with_the_reason(harbour_admin):
    refused = upload(harbour_admin, b"not a zip at all", "notes.txt")
    assert refused.status_code == 400
    assert "The import file is invalid" in error_text(refused)
    empty = harbour_admin.post("solutions", "import", data={})
    assert empty.status_code == 400 and "Solution file: choose the solution's .zip file to import." in error_text(empty)


@pytest.fixture
def solution_in_harbour(harbour_admin, web_api) -> Person:
    if not installed(web_api(HARBOUR)):  # this test run on its own
        assert upload(harbour_admin, solution_zip_bytes()).status_code == 303
    return harbour_admin


def test_with_the_solution_installed_invoices_take_the_xero_columns(solution_in_harbour, web_api):
    admin, api = solution_in_harbour, web_api(HARBOUR)
    connection_id = api.create("stl3_dynamicsxeroconnectors", {"stl3_name": unique("Harbour Xero")})
    account_id = new_id(admin.post("accounts", data={"name": unique("Harbour customer")}))
    form = admin.get("invoices", "new")
    invoice_types, amount_types = options(form, "stl3_xeroinvoicetype"), options(form, "stl3_lineamounttypes")
    assert {"Sales Invoice", "Purchase Invoice (Bill)"} <= set(invoice_types) and "Tax Inclusive" in amount_types
    assert connection_id in options(form, "stl3_connectorid").values()
    invoice_id = new_id(
        admin.post(
            "invoices",
            data={
                "name": unique("Bill"),
                "customerid": f"account:{account_id}",
                "pricelevelid": field_value(form, "pricelevelid"),
                "transactioncurrencyid": field_value(form, "transactioncurrencyid"),
                "stl3_xeroinvoicetype": invoice_types["Purchase Invoice (Bill)"],
                "stl3_lineamounttypes": amount_types["Tax Inclusive"],
                "stl3_connectorid": connection_id,
            },
        )
    )
    invoice = api.get(
        f"invoices({invoice_id})", **{"$select": "stl3_xeroinvoicetype,stl3_lineamounttypes,_stl3_connectorid_value"}
    )
    assert (invoice["stl3_xeroinvoicetype"], invoice["stl3_lineamounttypes"]) == (
        int(invoice_types["Purchase Invoice (Bill)"]),
        int(amount_types["Tax Inclusive"]),
    )
    assert invoice["_stl3_connectorid_value"] == connection_id
    assert field_value(admin.get("invoices", invoice_id), "stl3_xeroinvoicetype") == invoice_types["Purchase Invoice (Bill)"]
