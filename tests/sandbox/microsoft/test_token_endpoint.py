"""The token endpoint on the wire: grants, rotation, multi-resource refresh, claims, and Entra's error shape."""

from __future__ import annotations

import re
import time

import pytest

from tests.sandbox.microsoft.browser import sign_in
from tests.sandbox.microsoft.oauth import REDIRECT, app_token, authorize_url, claims_of, pkce_pair, redeem, token_call

SIGN_IN = "openid profile offline_access"


def code_for(microsoft, app, person, scope: str, **extra: str) -> str:
    return sign_in(authorize_url(microsoft, app, f"{scope} {SIGN_IN}", **extra), person)["code"]


def refresh(sandbox, microsoft, app, refresh_token: str, scope: str):
    return token_call(
        sandbox,
        microsoft,
        {"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": f"{scope} {SIGN_IN}"},
        auth=(app["client_id"], app["client_secret"]),
    )


def test_errors_have_entras_shape(sandbox, microsoft, web_app):
    response = token_call(
        sandbox,
        microsoft,
        {"grant_type": "authorization_code", "code": "nope", "redirect_uri": REDIRECT},
        auth=(web_app["client_id"], web_app["client_secret"]),
        headers={"client-request-id": "my-correlation"},
    )
    body = response.json()
    assert response.status_code == 400
    assert set(body) == {"error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}
    assert body["error"] == "invalid_grant" and body["error_codes"] == [70000]
    assert body["error_description"].startswith("AADSTS70000: ")
    assert (
        f"Trace ID: {body['trace_id']}\r\nCorrelation ID: my-correlation\r\nTimestamp: {body['timestamp']}"
        in body["error_description"]
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", body["timestamp"])


def test_the_code_grant_answers_like_entra(sandbox, microsoft, web_app, user, organisation):
    org = organisation("org1a2b3c4d")
    code = code_for(microsoft, web_app, user("sales@oakwood.sandbox"), f"{org['url']}/user_impersonation")
    tokens = redeem(sandbox, microsoft, web_app, code, client_info="1").json()
    assert tokens["token_type"] == "Bearer"
    assert 3600 <= tokens["expires_in"] <= 4500 and tokens["ext_expires_in"] == tokens["expires_in"]
    assert tokens["scope"].split()[0] == f"{org['url']}/user_impersonation"
    assert {"access_token", "refresh_token", "id_token", "client_info"} <= set(tokens)


def test_delegated_access_tokens_carry_the_users_claims(sandbox, microsoft, web_app, user, organisation):
    org, person = organisation("org1a2b3c4d"), user("sales@oakwood.sandbox")
    tokens = redeem(sandbox, microsoft, web_app, code_for(microsoft, web_app, person, f"{org['url']}/.default")).json()
    claims = claims_of(tokens["access_token"])
    assert claims["aud"] == org["url"]
    assert (claims["oid"], claims["tid"], claims["appid"], claims["upn"], claims["name"]) == (
        person["object_id"],
        person["tenant_id"],
        web_app["client_id"],
        person["email"],
        person["name"],
    )
    assert claims["scp"] == "user_impersonation" and claims["idtyp"] == "user" and claims["ver"] == "1.0"
    assert claims["iss"] == microsoft["authority_template"].replace("{tenant}", person["tenant_id"]) + "/"
    assert 3600 <= claims["exp"] - claims["iat"] <= 4500
    assert f"{org['url']}/.default" in tokens["scope"].split() and f"{org['url']}/user_impersonation" in tokens["scope"].split()


def test_the_id_token_carries_the_nonce_sent_to_authorize(sandbox, microsoft, web_app, user):
    person = user("sales@oakwood.sandbox")
    code = code_for(microsoft, web_app, person, f"{microsoft['discovery_resource']}/user_impersonation", nonce="nonce-42")
    claims = claims_of(redeem(sandbox, microsoft, web_app, code).json()["id_token"])
    assert claims["nonce"] == "nonce-42" and claims["aud"] == web_app["client_id"]
    assert (claims["oid"], claims["tid"], claims["preferred_username"], claims["ver"]) == (
        person["object_id"],
        person["tenant_id"],
        person["email"],
        "2.0",
    )


@pytest.mark.parametrize("method", ["S256", "plain"])
def test_pkce_needs_the_right_verifier(sandbox, microsoft, web_app, user, method):
    verifier, challenge = pkce_pair()
    person, scope = user("sales@oakwood.sandbox"), f"{microsoft['discovery_resource']}/user_impersonation"
    sent = challenge if method == "S256" else verifier
    bad = redeem(
        sandbox,
        microsoft,
        web_app,
        code_for(microsoft, web_app, person, scope, code_challenge=sent, code_challenge_method=method),
        code_verifier="x" * 43,
    )
    assert bad.status_code == 400 and bad.json()["error_codes"] == [501481]
    good = redeem(
        sandbox,
        microsoft,
        web_app,
        code_for(microsoft, web_app, person, scope, code_challenge=sent, code_challenge_method=method),
        code_verifier=verifier,
    )
    assert good.status_code == 200


def test_the_redirect_uri_must_match_the_one_the_code_was_issued_for(sandbox, microsoft, web_app, user):
    code = code_for(microsoft, web_app, user("sales@oakwood.sandbox"), f"{microsoft['discovery_resource']}/user_impersonation")
    response = redeem(sandbox, microsoft, web_app, code, redirect_uri="http://localhost:8000/dynamics/callback/")
    assert response.json()["error"] == "invalid_grant"


def test_client_credentials_in_the_body_work_too(sandbox, microsoft, web_app, user):
    code = code_for(microsoft, web_app, user("sales@oakwood.sandbox"), f"{microsoft['discovery_resource']}/user_impersonation")
    response = token_call(
        sandbox,
        microsoft,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": web_app["client_id"],
            "client_secret": web_app["client_secret"],
        },
    )
    assert response.status_code == 200


def test_a_missing_secret_is_invalid_client(sandbox, microsoft, web_app):
    response = token_call(
        sandbox,
        microsoft,
        {"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT, "client_id": web_app["client_id"]},
    )
    assert (response.status_code, response.json()["error"], response.json()["error_codes"]) == (401, "invalid_client", [7000218])


def test_each_refresh_returns_a_new_refresh_token_and_the_old_one_keeps_working(sandbox, microsoft, web_app, user):
    scope = f"{microsoft['discovery_resource']}/user_impersonation"
    first = redeem(sandbox, microsoft, web_app, code_for(microsoft, web_app, user("sales@oakwood.sandbox"), scope)).json()
    second = refresh(sandbox, microsoft, web_app, first["refresh_token"], scope).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert refresh(sandbox, microsoft, web_app, first["refresh_token"], scope).status_code == 200
    assert refresh(sandbox, microsoft, web_app, second["refresh_token"], scope).status_code == 200


def test_one_refresh_token_serves_every_organisation(sandbox, microsoft, web_app, user, organisation):
    # The double slash is how Microsoft's own sample writes the discovery scope (its resource ends in '/').
    tokens = redeem(
        sandbox,
        microsoft,
        web_app,
        code_for(microsoft, web_app, user("admin@oakwood.sandbox"), f"{microsoft['discovery_resource']}//user_impersonation"),
    ).json()
    assert claims_of(tokens["access_token"])["aud"] == microsoft["discovery_resource"]
    for unique_name in ("org1a2b3c4d", "org5e6f7a8b"):
        url = organisation(unique_name)["url"]
        tokens = refresh(sandbox, microsoft, web_app, tokens["refresh_token"], f"{url}/user_impersonation").json()
        assert claims_of(tokens["access_token"])["aud"] == url


def test_a_refresh_token_belongs_to_its_client(sandbox, microsoft, web_app, daemon_app, user):
    scope = f"{microsoft['discovery_resource']}/user_impersonation"
    tokens = redeem(sandbox, microsoft, web_app, code_for(microsoft, web_app, user("sales@oakwood.sandbox"), scope)).json()
    response = refresh(sandbox, microsoft, daemon_app, tokens["refresh_token"], scope)
    assert response.json()["error"] == "invalid_grant"


def test_a_made_up_refresh_token_is_invalid_grant(sandbox, microsoft, web_app):
    response = refresh(
        sandbox, microsoft, web_app, "1.Anot-a-refresh-token", f"{microsoft['discovery_resource']}/user_impersonation"
    )
    assert (response.json()["error"], response.json()["error_codes"]) == ("invalid_grant", [9002313])


def test_app_only_tokens_name_the_application_user(sandbox, microsoft, daemon_app, organisation):
    org = organisation("org1a2b3c4d")
    tokens = app_token(sandbox, microsoft, daemon_app, org["tenant_id"], org["url"])
    assert "refresh_token" not in tokens and 3600 <= tokens["expires_in"] <= 4500
    claims = claims_of(tokens["access_token"])
    assert claims["roles"] == [] and claims["idtyp"] == "app" and "upn" not in claims
    assert claims["oid"] == daemon_app["service_principals"][org["tenant_id"]]
    assert any(u["object_id"] == claims["oid"] and u["organisation"] == "org1a2b3c4d" for u in microsoft["application_users"])


def test_client_credentials_need_a_tenant(sandbox, microsoft, daemon_app, organisation):
    response = token_call(
        sandbox,
        microsoft,
        {"grant_type": "client_credentials", "scope": organisation("org1a2b3c4d")["url"] + "/.default"},
        auth=(daemon_app["client_id"], daemon_app["client_secret"]),
        tenant="organizations",
    )
    assert response.json()["error_codes"] == [50059]


def test_client_credentials_need_a_default_scope(sandbox, microsoft, daemon_app, organisation):
    org = organisation("org1a2b3c4d")
    response = token_call(
        sandbox,
        microsoft,
        {"grant_type": "client_credentials", "scope": org["url"] + "/user_impersonation"},
        auth=(daemon_app["client_id"], daemon_app["client_secret"]),
        tenant=org["tenant_id"],
    )
    assert (response.json()["error"], response.json()["error_codes"]) == ("invalid_scope", [1002012])


def test_an_unknown_resource_is_refused(sandbox, microsoft, daemon_app, organisation):
    org = organisation("org1a2b3c4d")
    response = token_call(
        sandbox,
        microsoft,
        {"grant_type": "client_credentials", "scope": "https://127.0.0.1:1/.default"},
        auth=(daemon_app["client_id"], daemon_app["client_secret"]),
        tenant=org["tenant_id"],
    )
    assert (response.json()["error"], response.json()["error_codes"]) == ("invalid_resource", [500011])


def test_an_unknown_tenant_is_refused(sandbox, microsoft, daemon_app):
    response = token_call(
        sandbox,
        microsoft,
        {"grant_type": "client_credentials", "scope": "x"},
        auth=(daemon_app["client_id"], daemon_app["client_secret"]),
        tenant="nowhere.example",
    )
    assert response.json()["error_codes"] == [90002]


def test_an_unsupported_grant_type_is_named(sandbox, microsoft, web_app):
    response = token_call(
        sandbox,
        microsoft,
        {"grant_type": "password", "username": "a", "password": "b"},
        auth=(web_app["client_id"], web_app["client_secret"]),
    )
    assert response.json()["error"] == "unsupported_grant_type"


def test_tokens_are_issued_in_real_time(sandbox, microsoft, daemon_app, organisation):
    org = organisation("org9c0d1e2f")
    claims = claims_of(app_token(sandbox, microsoft, daemon_app, org["tenant_id"], org["url"])["access_token"])
    assert abs(claims["iat"] - time.time()) < 60
