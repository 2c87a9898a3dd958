"""Getting Xero sandbox tokens the way an app does: sign-in and consent pages, then the token endpoint."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT = "http://127.0.0.1:8000/xero/callback/"
SCOPE = "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings"


def authorize_query(app: dict[str, Any], **extra: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": "st-123",
        **extra,
    }


def consent(
    sandbox, app: dict[str, Any], *, tenant_indexes: tuple[int, ...] = (0,), user_index: int = 0, **extra: str
) -> dict[str, str]:
    """Drive the sign-in and consent forms as a browser would; return the redirect's query."""
    user = sandbox.xero["users"][user_index]
    with httpx.Client(base_url=sandbox.url("xero-login")) as browser:
        query = authorize_query(app, **extra)
        signed = browser.post(
            "/identity/connect/authorize/signin", data={**query, "email": user["email"], "password": user["password"]}
        )
        assert signed.status_code == 303, signed.text
        browser.get(signed.headers["location"])
        form = {**query, "action": "allow", "tenant_id": [user["organisations"][index] for index in tenant_indexes]}
        answer = browser.post("/identity/connect/authorize/consent", data=form)
    assert answer.status_code == 302, answer.text
    return {key: values[0] for key, values in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def token_call(sandbox, data: dict[str, str], auth: tuple[str, str] | None = None) -> httpx.Response:
    return httpx.post(sandbox.xero["token_url"], data=data, auth=auth, verify=sandbox.tls)


def exchange(sandbox, app: dict[str, Any], code: str, **extra: str) -> httpx.Response:
    return token_call(
        sandbox,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **extra},
        auth=(app["client_id"], app["client_secret"]) if app["client_secret"] else None,
    )


@dataclass(frozen=True)
class Connection:
    """An app's tokens for one organisation of one user."""

    app: dict[str, Any]
    tokens: dict[str, Any]
    tenant_id: str

    @property
    def access_token(self) -> str:
        return self.tokens["access_token"]


def connect(sandbox, *, app_kind: str = "web", user_index: int = 0, tenant_index: int = 0) -> Connection:
    """Consent for one organisation and exchange the code (with PKCE for the PKCE app)."""
    app = sandbox.xero_app(app_kind)
    extra: dict[str, str] = {}
    verifier = None
    if app["client_secret"] is None:
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        extra = {"code_challenge": challenge, "code_challenge_method": "S256"}
    code = consent(sandbox, app, tenant_indexes=(tenant_index,), user_index=user_index, **extra)["code"]
    exchange_extra = {"client_id": app["client_id"], "code_verifier": verifier} if verifier else {}
    response = exchange(sandbox, app, code, **exchange_extra)
    assert response.status_code == 200, response.text
    return Connection(app, response.json(), sandbox.xero["users"][user_index]["organisations"][tenant_index])


def connect_custom(sandbox) -> Connection:
    """A custom connection: client credentials, no user, one organisation fixed by the app."""
    app = sandbox.xero_app("custom")
    response = token_call(sandbox, {"grant_type": "client_credentials"}, auth=(app["client_id"], app["client_secret"]))
    assert response.status_code == 200, response.text
    return Connection(app, response.json(), app["tenant_id"])
