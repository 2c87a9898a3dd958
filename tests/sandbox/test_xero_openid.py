"""Xero Identity's OpenID configuration and keys: an OpenID Connect client finds the endpoints there and checks the
sandbox's id and access tokens the way it checks Xero's (RS256 against the published JWKS), here with PyJWT's
`PyJWKClient`, a client nobody here wrote."""

from __future__ import annotations

import base64
import json

import httpx
import jwt
import pytest

from tests.sandbox.test_xero_identity import consent, exchange


@pytest.fixture
def configuration(sandbox) -> dict:
    answer = httpx.get(sandbox.xero["openid_configuration_url"], verify=sandbox.tls)
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture
def tokens(sandbox) -> dict:
    app = sandbox.xero_app()
    return exchange(sandbox, app, consent(sandbox, app)["code"]).json() | {"client_id": app["client_id"]}


def keys_of(sandbox, configuration) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(configuration["jwks_uri"], ssl_context=sandbox.tls)


def test_the_configuration_names_the_sandboxs_own_endpoints(sandbox, configuration):
    assert configuration["issuer"] == sandbox.url("xero-identity")
    assert configuration["token_endpoint"] == sandbox.xero["token_url"]
    assert configuration["revocation_endpoint"] == sandbox.xero["revocation_url"]
    assert configuration["authorization_endpoint"] == sandbox.xero["authorize_url"]
    assert configuration["id_token_signing_alg_values_supported"] == ["RS256"]


def test_every_url_it_advertises_on_its_own_host_is_served(sandbox, configuration):
    """The authorization endpoint is a person's page on the login host, driven by `consent` in the other tests."""
    served = [("GET", configuration["jwks_uri"])]
    served += [
        ("POST", url) for name, url in configuration.items() if name.endswith("_endpoint") and name != "authorization_endpoint"
    ]
    for method, url in served:
        assert httpx.request(method, url, verify=sandbox.tls).status_code != 404, f"{url} is advertised but not served"


def test_an_id_token_verifies_against_the_published_keys(sandbox, configuration, tokens):
    key = keys_of(sandbox, configuration).get_signing_key_from_jwt(tokens["id_token"])
    claims = jwt.decode(
        tokens["id_token"], key.key, algorithms=["RS256"], audience=tokens["client_id"], issuer=configuration["issuer"]
    )
    user = sandbox.xero["users"][0]
    assert claims["email"] == user["email"] == claims["preferred_username"]
    assert claims["sub"] == claims["xero_userid"]
    assert {"iat", "exp", "auth_time", "sid"} <= set(claims)


def test_an_access_token_verifies_against_the_published_keys_too(sandbox, configuration, tokens):
    key = keys_of(sandbox, configuration).get_signing_key_from_jwt(tokens["access_token"])
    claims = jwt.decode(tokens["access_token"], key.key, algorithms=["RS256"], options={"verify_aud": False})
    assert claims["client_id"] == tokens["client_id"]
    assert claims["iss"] == configuration["issuer"]


def test_a_token_whose_claims_were_changed_is_refused_by_the_api(sandbox, tokens):
    header, _, signature = tokens["access_token"].split(".")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    longer = base64.urlsafe_b64encode(json.dumps({**claims, "exp": claims["exp"] + 9999}).encode()).rstrip(b"=").decode()
    answer = httpx.get(
        sandbox.xero["connections_url"], headers={"Authorization": f"Bearer {header}.{longer}.{signature}"}, verify=sandbox.tls
    )
    assert answer.status_code == 401
