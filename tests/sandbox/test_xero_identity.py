"""The Xero sandbox's sign-in, consent, token, refresh, revocation and /connections, over real sockets."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

REDIRECT = "http://127.0.0.1:8000/xero/callback/"
SCOPE = "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings"


def authorize_query(app, **extra) -> dict:
    return {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": "st-123",
        **extra,
    }


def consent(sandbox, app, tenant_index=0, action="allow", user_index=0, **extra) -> dict:
    """Drive the sign-in and consent forms as a browser would; return the redirect's query."""
    user = sandbox.xero["users"][user_index]
    login = sandbox.url("xero-login")
    with httpx.Client(base_url=login) as browser:
        query = authorize_query(app, **extra)
        page = browser.get("/identity/connect/authorize", params=query)
        assert "Log in to Xero" in page.text
        signed = browser.post(
            "/identity/connect/authorize/signin", data={**query, "email": user["email"], "password": user["password"]}
        )
        assert signed.status_code == 303
        page = browser.get(signed.headers["location"])
        assert "wants to access your Xero data" in page.text
        form = {**query, "action": action}
        if tenant_index is not None:
            form["tenant_id"] = user["organisations"][tenant_index]
        answer = browser.post("/identity/connect/authorize/consent", data=form)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def token_call(sandbox, data, auth=None) -> httpx.Response:
    return httpx.post(sandbox.xero["token_url"], data=data, auth=auth, verify=sandbox.tls)


def exchange(sandbox, app, code, **extra) -> httpx.Response:
    return token_call(
        sandbox,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **extra},
        auth=(app["client_id"], app["client_secret"]) if app["client_secret"] else None,
    )


def connections(sandbox, access_token) -> httpx.Response:
    return httpx.get(sandbox.xero["connections_url"], headers={"Authorization": f"Bearer {access_token}"}, verify=sandbox.tls)


def test_the_code_flow_returns_tokens_and_a_connection(sandbox):
    app = sandbox.xero_app()
    answer = consent(sandbox, app)
    assert answer["state"] == "st-123"
    tokens = exchange(sandbox, app, answer["code"]).json()
    assert tokens["expires_in"] == 1800 and tokens["token_type"] == "Bearer"
    assert {"access_token", "refresh_token", "id_token", "scope"} <= set(tokens)
    from dxconnector.xero.auth import jwt_claims

    event = jwt_claims(tokens["access_token"])["authentication_event_id"]
    everything = connections(sandbox, tokens["access_token"]).json()  # the session's other tests connect this user too
    listed = [c for c in everything if c["authEventId"] == event]
    org = sandbox.xero["organisations"][0]
    assert [(c["tenantId"], c["tenantName"], c["tenantType"]) for c in listed] == [
        (org["tenant_id"], org["name"], "ORGANISATION")
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}", listed[0]["createdDateUtc"])


def test_a_code_works_once(sandbox):
    app = sandbox.xero_app()
    code = consent(sandbox, app)["code"]
    assert exchange(sandbox, app, code).status_code == 200
    second = exchange(sandbox, app, code)
    assert (second.status_code, second.json()) == (400, {"error": "invalid_grant"})


def test_cancelling_consent_redirects_with_access_denied(sandbox):
    answer = consent(sandbox, sandbox.xero_app(), action="cancel")
    assert answer == {"error": "access_denied", "state": "st-123"}


def test_client_secret_is_accepted_in_the_body_too(sandbox):
    app = sandbox.xero_app()
    code = consent(sandbox, app)["code"]
    response = token_call(
        sandbox,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    )
    assert response.status_code == 200


def test_a_wrong_secret_is_an_invalid_client(sandbox):
    app = sandbox.xero_app()
    code = consent(sandbox, app)["code"]
    response = token_call(
        sandbox, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}, auth=(app["client_id"], "wrong")
    )
    assert (response.status_code, response.json()) == (400, {"error": "invalid_client"})


def test_pkce_needs_the_right_verifier(sandbox):
    app = sandbox.xero_app("pkce")
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = consent(sandbox, app, code_challenge=challenge, code_challenge_method="S256")["code"]
    bad = token_call(
        sandbox,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app["client_id"],
            "code_verifier": "x" * 43,
        },
    )
    assert bad.status_code == 400
    code = consent(sandbox, app, code_challenge=challenge, code_challenge_method="S256")["code"]
    good = token_call(
        sandbox,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "client_id": app["client_id"],
            "code_verifier": verifier,
        },
    )
    assert good.status_code == 200 and "refresh_token" in good.json()


def test_refresh_rotates_and_the_old_token_replays_within_the_grace_period(sandbox):
    app = sandbox.xero_app()
    first = exchange(sandbox, app, consent(sandbox, app)["code"]).json()
    auth = (app["client_id"], app["client_secret"])
    second = token_call(sandbox, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, auth=auth).json()
    assert second["refresh_token"] != first["refresh_token"]
    replay = token_call(
        sandbox, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "scope": SCOPE}, auth=auth
    ).json()
    assert replay == second
    third = token_call(sandbox, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]}, auth=auth)
    assert third.status_code == 200
    assert connections(sandbox, third.json()["access_token"]).status_code == 200


def test_revocation_kills_the_grant(sandbox):
    app = sandbox.xero_app()
    tokens = exchange(sandbox, app, consent(sandbox, app)["code"]).json()
    revoked = httpx.post(
        sandbox.xero["revocation_url"],
        data={"token": tokens["refresh_token"]},
        auth=(app["client_id"], app["client_secret"]),
        verify=sandbox.tls,
    )
    assert revoked.status_code == 200
    assert connections(sandbox, tokens["access_token"]).status_code == 401
    again = token_call(
        sandbox,
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=(app["client_id"], app["client_secret"]),
    )
    assert again.json() == {"error": "invalid_grant"}


def test_client_credentials_for_a_custom_connection(sandbox):
    app = sandbox.xero_app("custom")
    response = token_call(sandbox, {"grant_type": "client_credentials"}, auth=(app["client_id"], app["client_secret"]))
    tokens = response.json()
    assert "refresh_token" not in tokens
    assert [c["tenantId"] for c in connections(sandbox, tokens["access_token"]).json()] == [app["tenant_id"]]


def test_deleting_a_connection(sandbox):
    app = sandbox.xero_app()
    tokens = exchange(sandbox, app, consent(sandbox, app, user_index=1)["code"]).json()
    connection = connections(sandbox, tokens["access_token"]).json()[0]
    url = sandbox.xero["connections_url"].replace("/connections", "/Connections") + "/" + connection["id"]
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert httpx.delete(url, headers=headers, verify=sandbox.tls).status_code == 204
    assert httpx.delete(url, headers=headers, verify=sandbox.tls).status_code == 404
    assert connections(sandbox, tokens["access_token"]).json() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client_id": "nope"}, "unauthorized_client"),
        ({"redirect_uri": "https://evil.example.com/cb"}, "Invalid redirect_uri"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_bad_authorize_requests_are_shown_not_redirected(sandbox, change, message):
    query = {**authorize_query(sandbox.xero_app()), **change}
    page = httpx.get(sandbox.url("xero-login") + "/identity/connect/authorize?" + urlencode(query))
    assert page.status_code == 400 and message in page.text


def test_a_wrong_password_is_refused(sandbox):
    query = authorize_query(sandbox.xero_app())
    page = httpx.post(
        sandbox.url("xero-login") + "/identity/connect/authorize/signin",
        data={**query, "email": sandbox.xero["users"][0]["email"], "password": "nope"},
    )
    assert page.status_code == 400 and "Your email or password is incorrect." in page.text


def test_the_api_host_speaks_https_with_the_sandbox_ca(sandbox):
    with pytest.raises(httpx.ConnectError):
        httpx.get(sandbox.xero["connections_url"])  # the system trust store does not know our CA
    assert httpx.get(sandbox.xero["connections_url"], verify=sandbox.tls).status_code == 401
