"""Every grid on our forms shows a view the solution has, through a relationship it has: a customer's Xero contact
rows, payments and sync attempts, a product's Xero item rows, an invoice's products and payments."""

import io
import zipfile
from xml.etree.ElementTree import Element, fromstring

import pytest

from dxconnector.dynamics.solution import solution_zip_bytes

MICROSOFTS_RELATIONSHIPS = {"invoice_details"}  # Dynamics' own: the invoice's lines


@pytest.fixture(scope="module")
def customizations() -> Element:
    with zipfile.ZipFile(io.BytesIO(solution_zip_bytes())) as archive:
        return fromstring(archive.read("customizations.xml"))


def grids(customizations: Element) -> dict[tuple[str, str], dict[str, str]]:
    """(form, grid id) → the grid's parameters."""
    found = {}
    for form in customizations.iterfind(".//systemform"):
        name = form.find("LocalizedNames/LocalizedName").get("description")
        for control in form.iterfind(".//control[@indicationOfSubgrid='true']"):
            found[(name, control.get("id"))] = {p.tag: p.text or "" for p in control.find("parameters")}
    return found


def views_of(customizations: Element, table: str) -> dict[str, str]:
    """savedqueryid → name of the views the solution brings for `table`."""
    entity = next(e for e in customizations.iterfind("Entities/Entity") if e.findtext("Name").lower() == table)
    return {
        view.findtext("savedqueryid"): view.find("LocalizedNames/LocalizedName").get("description")
        for view in entity.iterfind("SavedQueries/savedqueries/savedquery")
    }


def test_the_forms_have_the_grids_people_see(customizations):
    shown = {form: [] for form, _ in grids(customizations)}
    for (form, _), parameters in grids(customizations).items():
        shown[form].append((parameters["TargetEntityType"], parameters["RelationshipName"]))
    assert shown == {
        "Invoice (Xero)": [("invoicedetail", "invoice_details"), ("stl3_xeropayment", "stl3_xeropayment_invoiceid")],
        "Account (Xero)": [
            ("stl3_xerocontact", "stl3_xerocontact_accountid"),
            ("stl3_xeropayment", "stl3_xeropayment_accountid"),
            ("stl3_synchistory", "stl3_synchistory_accountid"),
        ],
        "Contact (Xero)": [
            ("stl3_xerocontact", "stl3_xerocontact_contactid"),
            ("stl3_xeropayment", "stl3_xeropayment_contactid"),
            ("stl3_synchistory", "stl3_synchistory_contactid"),
        ],
        "Product (Xero)": [("stl3_xeroitem", "stl3_xeroitem_productid"), ("stl3_synchistory", "stl3_synchistory_productid")],
    }


def test_each_grid_shows_a_view_of_its_table_that_the_solution_brings(customizations):
    missing = {
        key: parameters["ViewId"]
        for key, parameters in grids(customizations).items()
        if parameters["ViewId"] not in views_of(customizations, parameters["TargetEntityType"])
    }
    assert missing == {}


def test_each_grid_follows_a_relationship_the_solution_brings_or_dynamics_has(customizations):
    ours = {r.get("Name") for r in customizations.iterfind("EntityRelationships/EntityRelationship")}
    unknown = {
        key: parameters["RelationshipName"]
        for key, parameters in grids(customizations).items()
        if parameters["RelationshipName"] not in ours | MICROSOFTS_RELATIONSHIPS
    }
    assert unknown == {}


def test_the_sync_attempts_view_shows_the_latest_first(customizations):
    entity = next(e for e in customizations.iterfind("Entities/Entity") if e.findtext("Name") == "stl3_synchistory")
    [view] = [
        v
        for v in entity.iterfind("SavedQueries/savedqueries/savedquery")
        if v.find("LocalizedNames/LocalizedName").get("description") == "Sync Attempts"
    ]
    order = view.find("fetchxml/fetch/entity/order")
    assert (order.get("attribute"), order.get("descending")) == ("stl3_attemptedon", "true")


@pytest.mark.parametrize("view", ["Xero Payments", "Xero Payments by Invoice"])
def test_the_payments_views_show_the_latest_payment_first(customizations, view):
    entity = next(e for e in customizations.iterfind("Entities/Entity") if e.findtext("Name") == "stl3_xeropayment")
    [found] = [
        v
        for v in entity.iterfind("SavedQueries/savedqueries/savedquery")
        if v.find("LocalizedNames/LocalizedName").get("description") == view
    ]
    order = found.find("fetchxml/fetch/entity/order")
    assert (order.get("attribute"), order.get("descending")) == ("stl3_paymentdate", "true")


def test_the_xero_contact_links_view_shows_the_customers_balances(customizations):
    entity = next(e for e in customizations.iterfind("Entities/Entity") if e.findtext("Name") == "stl3_xerocontact")
    [found] = [
        v
        for v in entity.iterfind("SavedQueries/savedqueries/savedquery")
        if v.find("LocalizedNames/LocalizedName").get("description") == "Xero Contact Links"
    ]
    cells = [cell.get("name") for cell in found.iterfind("layoutxml/grid/row/cell")]
    assert cells[-4:] == ["stl3_outstanding", "stl3_overdue", "stl3_balancecurrency", "stl3_balanceson"]
