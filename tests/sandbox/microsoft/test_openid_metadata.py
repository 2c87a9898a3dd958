"""What MSAL and other OpenID clients read first: the OpenID configuration, the signing keys, instance discovery."""

from __future__ import annotations

import base64

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.sandbox.microsoft.oauth import app_token


def configuration(sandbox, microsoft, tenant: str) -> httpx.Response:
    url = microsoft["authority_template"].replace("{tenant}", tenant) + "/v2.0/.well-known/openid-configuration"
    return httpx.get(url, verify=sandbox.tls)


def _int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def test_the_organizations_configuration_sends_browsers_to_the_http_login_host(sandbox, microsoft):
    config = configuration(sandbox, microsoft, "organizations").json()
    identity, login = sandbox.url("microsoft-identity"), sandbox.url("microsoft-login")
    assert config["authorization_endpoint"] == f"{login}/organizations/oauth2/v2.0/authorize"
    assert config["token_endpoint"] == microsoft["token_url"] == f"{identity}/organizations/oauth2/v2.0/token"
    assert config["issuer"] == identity + "/{tenantid}/v2.0"
    assert config["end_session_endpoint"] == f"{login}/organizations/oauth2/v2.0/logout"
    assert config["jwks_uri"].startswith(identity + "/")


def test_a_tenant_configuration_names_the_tenant_even_when_asked_by_domain(sandbox, microsoft):
    tenant = microsoft["tenants"][0]
    by_id = configuration(sandbox, microsoft, tenant["tenant_id"]).json()
    by_domain = configuration(sandbox, microsoft, tenant["domain"]).json()
    assert by_id == by_domain
    assert (
        by_id["issuer"] == f"{tenant['authority']}/v2.0" and by_id["token_endpoint"] == f"{tenant['authority']}/oauth2/v2.0/token"
    )


def test_an_unknown_tenant_has_no_configuration(sandbox, microsoft):
    response = configuration(sandbox, microsoft, "nowhere.example")
    assert response.status_code == 400 and response.json()["error_codes"] == [90002]


def test_the_published_key_verifies_the_tokens(sandbox, microsoft, daemon_app):
    org = microsoft["organisations"][0]
    token = app_token(sandbox, microsoft, daemon_app, org["tenant_id"], org["url"])["access_token"]
    keys = httpx.get(configuration(sandbox, microsoft, "common").json()["jwks_uri"], verify=sandbox.tls).json()["keys"]
    [key] = keys
    public = rsa.RSAPublicNumbers(_int(key["e"]), _int(key["n"])).public_key()
    header, payload, signature = token.split(".")
    public.verify(
        base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
        f"{header}.{payload}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )  # raises if the signature does not match


def test_instance_discovery_knows_the_sandbox_authority(sandbox, microsoft):
    identity = sandbox.url("microsoft-identity")
    answer = httpx.get(
        f"{identity}/common/discovery/instance",
        verify=sandbox.tls,
        params={"api-version": "1.1", "authorization_endpoint": "https://127.0.0.1/organizations/oauth2/v2.0/authorize"},
    ).json()
    assert answer["tenant_discovery_endpoint"] == microsoft["openid_configuration_url"]
    assert answer["metadata"][0]["aliases"] == ["127.0.0.1"]


def test_instance_discovery_refuses_other_authorities(sandbox):
    response = httpx.get(
        sandbox.url("microsoft-identity") + "/common/discovery/instance",
        verify=sandbox.tls,
        params={"authorization_endpoint": "https://login.example.com/common/oauth2/v2.0/authorize"},
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_instance"
