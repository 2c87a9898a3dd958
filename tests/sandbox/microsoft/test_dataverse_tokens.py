"""Each organisation's Dataverse host trusts tokens issued for its own URL, and no others."""

from __future__ import annotations

import httpx

from tests.sandbox.microsoft.oauth import app_token


def who_am_i(sandbox, org, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(org["web_api_url"] + "/WhoAmI", headers=headers, verify=sandbox.tls)


def test_whoami_accepts_a_token_for_its_own_url(sandbox, user_tokens, organisation):
    org = organisation("org1a2b3c4d")
    token = user_tokens("sales@oakwood.sandbox", org["url"] + "/user_impersonation")["access_token"]
    response = who_am_i(sandbox, org, token)
    assert response.status_code == 200
    assert (response.json()["OrganizationId"], response.json()["BusinessUnitId"]) == (org["id"], org["business_unit_id"])


def test_whoami_refuses_a_token_for_another_organisation(sandbox, user_tokens, organisation):
    token = user_tokens("admin@oakwood.sandbox", organisation("org1a2b3c4d")["url"] + "/user_impersonation")["access_token"]
    assert who_am_i(sandbox, organisation("org5e6f7a8b"), token).status_code == 401


def test_whoami_refuses_a_discovery_token(sandbox, microsoft, user_tokens, organisation):
    token = user_tokens("admin@oakwood.sandbox", microsoft["discovery_resource"] + "/user_impersonation")["access_token"]
    assert who_am_i(sandbox, organisation("org1a2b3c4d"), token).status_code == 401


def test_whoami_refuses_a_missing_or_forged_token(sandbox, organisation):
    org = organisation("org1a2b3c4d")
    assert who_am_i(sandbox, org, None).status_code == 401
    assert who_am_i(sandbox, org, "eyJhbGciOiJub25lIn0.e30.").status_code == 401


def test_whoami_runs_an_app_only_token_as_the_application_user(sandbox, microsoft, daemon_app, organisation):
    org = organisation("org5e6f7a8b")
    token = app_token(sandbox, microsoft, daemon_app, org["tenant_id"], org["url"])["access_token"]
    [application_user] = [u for u in microsoft["application_users"] if u["organisation"] == org["unique_name"]]
    assert who_am_i(sandbox, org, token).json()["UserId"] == application_user["systemuser_id"]
