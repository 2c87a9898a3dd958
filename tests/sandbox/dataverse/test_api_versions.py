"""Web API versions: v9.0 and v9.1 are served like v9.2 (links answer in the version called), others are refused
in Dataverse's error shape."""

from __future__ import annotations

import pytest

from tests.sandbox.dataverse.conftest import API


@pytest.mark.parametrize("version", ["v9.0", "v9.1", "v9.2"])
def test_each_version_dataverse_serves_answers_alike(org, version):
    client = org.client()
    body = client.get(f"/api/data/{version}/accounts", params={"$select": "name", "$top": "1"}).json()
    assert body["@odata.context"] == f"https://testserver/api/data/{version}/$metadata#accounts(name)"
    assert len(body["value"]) == 1
    created = client.post(f"/api/data/{version}/contacts", json={"lastname": f"Version {version}"})
    assert created.status_code == 204
    assert created.headers["OData-EntityId"].startswith(f"https://testserver/api/data/{version}/contacts(")


def test_a_reference_may_name_another_version_than_the_request(org):
    account = org.api.create("account", {"name": "Versioned parent"})
    response = org.client().post(
        "/api/data/v9.0/contacts",
        json={
            "lastname": "Versioned",
            "parentcustomerid_account@odata.bind": f"https://testserver{API}/accounts({account['accountid']})",
        },
    )
    assert response.status_code == 204, response.text


def test_an_unknown_version_is_refused_in_dataverses_shape(org):
    response = org.client().get("/api/data/v8.2/accounts")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "0x8006088a"
    assert "not emulated" in response.json()["error"]["message"]
