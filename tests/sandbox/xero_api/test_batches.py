"""PUT and POST batches: summarizeErrors both ways, and valid elements saved even when others fail."""

from __future__ import annotations

import pytest

from tests.sandbox.xero_api.client import unique


def batch(*names):
    return {"Contacts": [{"Name": name} for name in names]}


@pytest.mark.parametrize("flag", ["False", "false", "FALSE"])
def test_with_summarize_errors_false_every_element_reports_and_the_answer_is_200(api, flag):
    taken = api.new_contact()["Name"]
    fresh = unique("Fresh")
    response = api.put("/Contacts", params={"summarizeErrors": flag}, json=batch(fresh, taken))
    assert response.status_code == 200
    good, bad = response.json()["Contacts"]
    assert (good["StatusAttributeString"], good["HasValidationErrors"], good["Name"]) == ("OK", False, fresh)
    assert (bad["StatusAttributeString"], bad["HasValidationErrors"], bad["Name"]) == ("ERROR", True, taken)
    assert "already assigned to another contact" in bad["ValidationErrors"][0]["Message"]


@pytest.mark.parametrize("params", [{}, {"summarizeErrors": "True"}, {"summarizeErrors": "true"}])
def test_by_default_a_failure_makes_a_400_but_valid_elements_are_still_saved(api, params):
    taken = api.new_contact()["Name"]
    fresh = unique("Saved anyway")
    response = api.put("/Contacts", params=params, json=batch(fresh, taken))
    assert response.status_code == 400
    body = response.json()
    assert (body["ErrorNumber"], body["Type"], body["Message"]) == (10, "ValidationException", "A validation exception occurred")
    assert [element["Name"] for element in body["Elements"]] == [taken]
    assert len(api.get("/Contacts", params={"where": f'Name=="{fresh}"'}).json()["Contacts"]) == 1


def test_invoice_errors_are_flagged_with_has_errors_and_dates_echo_in_xero_format(api):
    response = api.put(
        "/Invoices",
        params={"summarizeErrors": "False"},
        json={
            "Invoices": [
                {"Type": "ACCREC", "Contact": {"Name": unique("Echo")}, "Date": "2026-02-01", "InvoiceNumber": "X" * 256},
            ]
        },
    )
    [element] = response.json()["Invoices"]
    assert (element["HasErrors"], element["StatusAttributeString"], element["Date"]) == (
        True,
        "ERROR",
        "/Date(1769904000000+0000)/",
    )


def test_unknown_enum_values_are_reported_but_not_echoed(api):
    response = api.put(
        "/Invoices",
        params={"summarizeErrors": "False"},
        json={"Invoices": [{"Type": "ACCREC", "Contact": {"Name": unique("Enum")}, "LineAmountTypes": "Sometimes"}]},
    )
    [element] = response.json()["Invoices"]
    assert (
        "LineAmountTypes" not in element and "not a valid value for LineAmountTypes" in element["ValidationErrors"][0]["Message"]
    )


def test_a_single_object_or_a_bare_list_is_accepted_as_a_batch(api):
    single = api.put("/Contacts", json={"Name": unique("Single")})
    bare = api.put("/Contacts", json=[{"Name": unique("Bare")}])
    assert single.status_code == bare.status_code == 200 and len(bare.json()["Contacts"]) == 1


def test_a_body_that_is_not_json_is_a_post_data_error(api):
    response = api.put("/Contacts", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["Type"] == "PostDataInvalidException"


def test_post_creates_and_updates_in_one_batch(api):
    existing = api.new_contact()
    response = api.post(
        "/Contacts",
        json={"Contacts": [{"ContactID": existing["ContactID"], "LastName": "Updated"}, {"Name": unique("Brand new")}]},
    )
    updated, created = response.json()["Contacts"]
    assert updated["ContactID"] == existing["ContactID"] and updated["LastName"] == "Updated"
    assert created["ContactID"] != existing["ContactID"]
