"""GET /Organisations: the plural older clients call, which Xero answers like GET /Organisation."""

from __future__ import annotations

from tests.sandbox.xero_api.spec import accounting_validator


def test_the_plural_answers_the_connected_organisation_like_the_singular(api):
    # The spec has no /Organisations path, so the answer is checked against /Organisation's.
    response = api.http.get("/Organisations")
    assert response.status_code == 200, response.text
    accounting_validator().check("GET", "/Organisation", response.status_code, response.content)
    [plural] = response.json()["Organisations"]
    [singular] = api.get("/Organisation").json()["Organisations"]
    assert plural == singular and plural["OrganisationID"] == api.tenant_id


def test_the_plural_is_case_insensitive_like_every_resource_name(api):
    response = api.http.get("/organisations")
    assert response.status_code == 200 and response.json()["Organisations"][0]["OrganisationID"] == api.tenant_id
