"""GET /Organisation: the connected organisation, seeded from the sandbox's organisations."""

from __future__ import annotations

import re


def test_it_returns_the_connected_organisation(api, accounting_sandbox):
    body = api.get("/Organisation").json()
    [organisation] = body["Organisations"]
    seeded = next(org for org in accounting_sandbox.xero["organisations"] if org["tenant_id"] == api.tenant_id)
    assert organisation["OrganisationID"] == api.tenant_id
    assert (organisation["Name"], organisation["BaseCurrency"], organisation["CountryCode"], organisation["Timezone"]) == (
        seeded["name"],
        seeded["base_currency"],
        seeded["country_code"],
        seeded["timezone"],
    )
    assert organisation["Version"] == "NZ" and organisation["OrganisationStatus"] == "ACTIVE"


def test_it_wraps_the_answer_in_xeros_envelope(api):
    body = api.get("/Organisation").json()
    assert body["Status"] == "OK" and body["ProviderName"] == "Dynamics Xero Connector (sandbox)"
    assert re.fullmatch(r"/Date\(\d{13}\)/", body["DateTimeUTC"])
    assert re.fullmatch(r"[0-9a-f-]{36}", body["Id"])
    assert "pagination" not in body


def test_each_organisation_sees_its_own_details(au_api):
    [organisation] = au_api.get("/Organisation").json()["Organisations"]
    assert (organisation["Name"], organisation["BaseCurrency"], organisation["Version"]) == (
        "Bayside Wholesale Pty Ltd",
        "AUD",
        "AU",
    )


def test_its_creation_date_is_in_xeros_date_format(api):
    [organisation] = api.get("/Organisation").json()["Organisations"]
    assert re.fullmatch(r"/Date\(\d+\+0000\)/", organisation["CreatedDateUTC"])
