"""Raw OAuth calls against the Microsoft sandbox, for tests that look at the wire rather than through MSAL."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx

REDIRECT = "http://127.0.0.1:8000/dynamics/callback/"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(
    microsoft: dict[str, Any], app: dict[str, Any], scope: str, *, tenant: str = "organizations", **extra: str
) -> str:
    login = microsoft["authorize_url"].split("/organizations/")[0]
    query = {
        "client_id": app["client_id"],
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "st-1",
        "nonce": "n-1",
        "client_info": "1",
        **extra,
    }
    return f"{login}/{tenant}/oauth2/v2.0/authorize?{urlencode(query)}"


def token_call(
    sandbox,
    microsoft: dict[str, Any],
    data: dict[str, str],
    *,
    auth: tuple[str, str] | None = None,
    tenant: str = "organizations",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    url = microsoft["authority_template"].replace("{tenant}", tenant) + "/oauth2/v2.0/token"
    return httpx.post(url, data=data, auth=auth, headers=headers, verify=sandbox.tls)


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def redeem(sandbox, microsoft: dict[str, Any], app: dict[str, Any], code: str, **extra: str) -> httpx.Response:
    return token_call(
        sandbox,
        microsoft,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **extra},
        auth=(app["client_id"], app["client_secret"]),
    )


def app_token(sandbox, microsoft: dict[str, Any], app: dict[str, Any], tenant_id: str, resource: str) -> dict[str, Any]:
    response = token_call(
        sandbox,
        microsoft,
        {"grant_type": "client_credentials", "scope": f"{resource}/.default"},
        auth=(app["client_id"], app["client_secret"]),
        tenant=tenant_id,
    )
    assert response.status_code == 200, response.text
    return response.json()
