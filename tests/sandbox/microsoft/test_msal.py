"""Unmodified MSAL Python against the Microsoft sandbox, over real HTTPS: what the connector will do in production."""

from __future__ import annotations

import json
import time

import httpx
import msal
import pytest

from tests.sandbox.microsoft.browser import sign_in
from tests.sandbox.microsoft.oauth import REDIRECT, claims_of

# The query response mode is the one under test here (form_post has its own test); MSAL nudges towards form_post.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning")


def discovery_scope(microsoft) -> list[str]:
    return [microsoft["discovery_resource"] + "/user_impersonation"]


def signed_in(app: msal.ConfidentialClientApplication, microsoft, person, **flow_options) -> dict:
    """Sign in for Global Discovery, as the connector's onboarding does; MSAL's result."""
    flow = app.initiate_auth_code_flow(discovery_scope(microsoft), redirect_uri=REDIRECT, **flow_options)
    result = app.acquire_token_by_auth_code_flow(flow, sign_in(flow["auth_uri"], person))
    assert "access_token" in result, result
    return result


def who_am_i(sandbox, org, access_token: str) -> httpx.Response:
    return httpx.get(org["web_api_url"] + "/WhoAmI", headers={"Authorization": f"Bearer {access_token}"}, verify=sandbox.tls)


def test_msal_signs_a_person_in_and_remembers_the_account(msal_app, microsoft, user):
    app = msal_app()
    person = user("admin@oakwood.sandbox")
    result = signed_in(app, microsoft, person)
    assert result["id_token_claims"]["preferred_username"] == person["email"]
    assert result["id_token_claims"]["oid"] == person["object_id"]
    assert {"refresh_token", "id_token", "client_info"} <= set(result)
    [account] = app.get_accounts()
    assert account["username"] == person["email"]
    assert account["home_account_id"] == f"{person['object_id']}.{person['tenant_id']}"


def test_the_discovery_token_finds_the_persons_organisations(sandbox, msal_app, microsoft, user):
    result = signed_in(msal_app(), microsoft, user("admin@oakwood.sandbox"))
    listed = httpx.get(
        microsoft["discovery_url"], headers={"Authorization": f"Bearer {result['access_token']}"}, verify=sandbox.tls
    )
    assert sorted(i["UniqueName"] for i in listed.json()["value"]) == ["org1a2b3c4d", "org5e6f7a8b"]


def test_msal_gets_an_organisation_token_silently_after_signing_in_for_discovery(
    sandbox, msal_app, microsoft, user, organisation
):
    app = msal_app()
    signed_in(app, microsoft, user("admin@oakwood.sandbox"))
    org = organisation("org5e6f7a8b")
    result = app.acquire_token_silent([org["url"] + "/user_impersonation"], account=app.get_accounts()[0])
    assert result["token_source"] == "identity_provider"  # the refresh token was spent on a new resource
    assert claims_of(result["access_token"])["aud"] == org["url"]
    assert who_am_i(sandbox, org, result["access_token"]).json()["OrganizationId"] == org["id"]
    again = app.acquire_token_silent([org["url"] + "/user_impersonation"], account=app.get_accounts()[0])
    assert again["token_source"] == "cache" and again["access_token"] == result["access_token"]


def test_msal_refreshes_an_access_token_that_has_expired(msal_app, microsoft, user, organisation):
    cache = msal.SerializableTokenCache()
    app = msal_app(cache=cache)
    signed_in(app, microsoft, user("sales@oakwood.sandbox"))
    scopes = [organisation("org1a2b3c4d")["url"] + "/user_impersonation"]
    first = app.acquire_token_silent(scopes, account=app.get_accounts()[0])
    state = json.loads(cache.serialize())
    for entry in state["AccessToken"].values():
        entry["expires_on"] = entry["extended_expires_on"] = str(int(time.time()) - 60)
    cache.deserialize(json.dumps(state))
    refreshed = app.acquire_token_silent(scopes, account=app.get_accounts()[0])
    assert refreshed["token_source"] == "identity_provider"
    assert refreshed["access_token"] != first["access_token"]
    assert claims_of(refreshed["access_token"])["exp"] > time.time() + 3000


def test_msal_gets_an_app_only_token_with_the_tenant_authority(sandbox, msal_app, microsoft, daemon_app, organisation):
    org = organisation("org9c0d1e2f")
    tenant = next(t for t in microsoft["tenants"] if t["tenant_id"] == org["tenant_id"])
    result = msal_app(daemon_app, authority=tenant["authority"]).acquire_token_for_client([org["url"] + "/.default"])
    claims = claims_of(result["access_token"])
    assert (claims["aud"], claims["tid"], claims["appid"], claims["idtyp"]) == (
        org["url"],
        tenant["tenant_id"],
        daemon_app["client_id"],
        "app",
    )
    assert claims["oid"] == daemon_app["service_principals"][tenant["tenant_id"]] and "scp" not in claims
    assert who_am_i(sandbox, org, result["access_token"]).json()["OrganizationId"] == org["id"]


def test_cancelling_consent_gives_msal_access_denied(msal_app, microsoft, user):
    app = msal_app()
    flow = app.initiate_auth_code_flow(discovery_scope(microsoft), redirect_uri=REDIRECT, prompt="consent")
    result = app.acquire_token_by_auth_code_flow(
        flow, sign_in(flow["auth_uri"], user("auditor@oakwood.sandbox"), consent="cancel")
    )
    assert result["error"] == "access_denied"
    assert result["error_description"].startswith("AADSTS65004:")
    assert app.get_accounts() == []


def test_a_wrong_client_secret_is_invalid_client(msal_app, microsoft, user):
    app = msal_app(secret="not-the-secret")
    flow = app.initiate_auth_code_flow(discovery_scope(microsoft), redirect_uri=REDIRECT)
    result = app.acquire_token_by_auth_code_flow(flow, sign_in(flow["auth_uri"], user("admin@oakwood.sandbox")))
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000215]


def test_a_code_that_was_already_used_is_invalid_grant(msal_app, microsoft, user):
    app = msal_app()
    flow = app.initiate_auth_code_flow(discovery_scope(microsoft), redirect_uri=REDIRECT)
    answer = sign_in(flow["auth_uri"], user("admin@oakwood.sandbox"))
    assert "access_token" in app.acquire_token_by_auth_code_flow(flow, answer)
    again = app.acquire_token_by_auth_code_flow(flow, answer)
    assert again["error"] == "invalid_grant" and again["error_codes"] == [54005]


def test_a_made_up_code_is_invalid_grant(msal_app, microsoft):
    app = msal_app()
    flow = app.initiate_auth_code_flow(discovery_scope(microsoft), redirect_uri=REDIRECT)
    result = app.acquire_token_by_auth_code_flow(flow, {"code": "1.Anot-a-real-code", "state": flow["state"]})
    assert result["error"] == "invalid_grant" and result["error_codes"] == [70000]


def test_msal_works_with_the_form_post_response_mode(msal_app, microsoft, user):
    app = msal_app()
    result = signed_in(app, microsoft, user("admin@harbourlights.sandbox"), response_mode="form_post")
    assert result["id_token_claims"]["tid"] == user("admin@harbourlights.sandbox")["tenant_id"]
