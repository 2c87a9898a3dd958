"""The emulator as the sandbox serves it: real tokens from the identity host, one HTTPS host per organisation."""

from __future__ import annotations

import uuid

import httpx
import pytest

API = "/api/data/v9.2"


@pytest.fixture(autouse=True)
def requests_trusts_the_sandbox(sandbox, monkeypatch):
    """requests lets REQUESTS_CA_BUNDLE override a session's `verify` (psf/requests#3829): point it at the sandbox CA."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", sandbox.ca_file)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture(scope="module")
def microsoft(sandbox):
    if "microsoft" not in sandbox.manifest:
        pytest.skip("this sandbox has no Microsoft side yet")
    return sandbox.manifest["microsoft"]


def app_token(sandbox, microsoft, organisation) -> str:
    """An app-only token for the organisation, by MSAL's client-credentials flow against the identity host."""
    msal = pytest.importorskip("msal")
    daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
    tenant = next(t for t in microsoft["tenants"] if t["tenant_id"] == organisation["tenant_id"])
    client = msal.ConfidentialClientApplication(
        daemon["client_id"],
        client_credential=daemon["client_secret"],
        authority=tenant["authority"],
        verify=sandbox.ca_file,
        instance_discovery=False,
    )
    try:
        result = client.acquire_token_for_client([f"{organisation['url']}/.default"])
    finally:
        client.http_client.close()  # idle keep-alive connections would hold up the sandbox's shutdown
    assert "access_token" in result, result
    return result["access_token"]


def test_an_application_user_calls_the_web_api_with_a_real_token(sandbox, microsoft):
    organisation = microsoft["organisations"][0]
    token = app_token(sandbox, microsoft, organisation)
    with httpx.Client(
        base_url=organisation["web_api_url"], verify=sandbox.tls, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        me = client.get(f"{organisation['web_api_url']}/WhoAmI")
        assert me.status_code == 200, me.text
        assert (
            me.json()["OrganizationId"] == organisation["id"] and me.json()["BusinessUnitId"] == organisation["business_unit_id"]
        )
        application_user = next(u for u in microsoft["application_users"] if u["organisation"] == organisation["unique_name"])
        assert me.json()["UserId"] == application_user["systemuser_id"]
        name = f"Sandbox Ünternehmen {uuid.uuid4().hex[:6]}"
        created = client.post(f"{organisation['web_api_url']}/accounts", json={"name": name})
        assert created.status_code == 204, created.text
        privileges = client.get(
            f"{organisation['web_api_url']}/systemusers({me.json()['UserId']})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges"
        )
        names = {p["PrivilegeName"] for p in privileges.json()["RolePrivileges"]}
        assert {"prvReadInvoice", "prvWriteAccount", "prvCreateSdkMessageProcessingStep"} <= names


def test_a_token_for_one_organisation_does_not_open_another(sandbox, microsoft):
    first, second = microsoft["organisations"][0], microsoft["organisations"][1]
    token = app_token(sandbox, microsoft, first)
    refused = httpx.get(f"{second['web_api_url']}/WhoAmI", headers={"Authorization": f"Bearer {token}"}, verify=sandbox.tls)
    assert refused.status_code == 401
