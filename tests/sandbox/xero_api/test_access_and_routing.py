"""Who may call (a valid token, else 401; a connected organisation, else 403) and which paths exist."""

from __future__ import annotations


def test_without_a_token_the_answer_is_401(api):
    response = api.get("/Organisation", headers={"Authorization": ""})
    assert response.status_code == 401 and response.json()["Detail"] == "AuthenticationUnsuccessful"


def test_a_bad_token_is_401(api):
    assert api.get("/Invoices", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_without_the_tenant_header_the_answer_is_403(api):
    response = api.get("/Organisation", headers={"xero-tenant-id": ""})
    assert response.status_code == 403 and response.json()["Title"] == "Forbidden"


def test_an_organisation_the_token_is_not_connected_to_is_403(api, au_api):
    assert api.get("/Organisation", headers={"xero-tenant-id": au_api.tenant_id}).status_code == 403


def test_organisations_do_not_see_each_others_records(api, au_api):
    invoice = api.new_invoice()
    assert au_api.get(f"/Invoices/{invoice['InvoiceID']}").status_code == 404


def test_an_endpoint_the_sandbox_does_not_emulate_is_xeros_501_that_says_so(api):
    response = api.get("/Journals")
    assert response.status_code == 501 and "GET /api.xro/2.0/Journals is not emulated" in response.json()["Message"]
