"""Xero OAuth 2.0: the authorization URL (state + PKCE), the code exchange, refresh and revocation.

Plain HTTPS calls with httpx; every URL and the CA bundle come from settings, so the same code talks to
Xero or to the sandbox.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from dxconnector import tls
from dxconnector.xero.errors import AuthExpired, OAuthFlowError, RetryableError


@dataclass(frozen=True)
class XeroOAuthConfig:
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    revocation_url: str
    connections_url: str
    scopes: str
    ca_bundle: str = ""
    timeout: float = 20.0

    @property
    def verify(self):
        return tls.verify(self.ca_bundle)

    @classmethod
    def from_settings(cls) -> XeroOAuthConfig:
        from django.conf import settings

        return cls(
            client_id=settings.XERO_CLIENT_ID,
            client_secret=settings.XERO_CLIENT_SECRET,
            authorize_url=settings.XERO_AUTHORIZE_URL,
            token_url=settings.XERO_TOKEN_URL,
            revocation_url=settings.XERO_REVOCATION_URL,
            connections_url=settings.XERO_CONNECTIONS_URL,
            scopes=settings.XERO_SCOPES,
            ca_bundle=settings.CA_BUNDLE,
        )


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    code_verifier: str


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: float  # Unix time; the SDK refreshes a minute before it
    scope: str
    id_token: str = ""

    @classmethod
    def from_response(cls, body: dict, now: float | None = None) -> TokenSet:
        return cls(
            access_token=body["access_token"],
            refresh_token=body.get("refresh_token", ""),
            expires_at=(now or time.time()) + int(body.get("expires_in", 1800)),
            scope=body.get("scope", ""),
            id_token=body.get("id_token", ""),
        )

    def authentication_event_id(self) -> str:
        """Xero puts the sign-in's event id in the access token; /connections?authEventId= narrows to it."""
        return str(jwt_claims(self.access_token).get("authentication_event_id", ""))


def jwt_claims(token: str) -> dict:
    """The payload of a JWT we were just handed over TLS by the token endpoint (not a trust decision)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def begin(config: XeroOAuthConfig, redirect_uri: str) -> Authorization:
    state = secrets.token_urlsafe(24)
    verifier, challenge = pkce_pair()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": config.client_id,
            "redirect_uri": redirect_uri,
            "scope": config.scopes,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return Authorization(f"{config.authorize_url}?{query}", state, verifier)


def _token_call(config: XeroOAuthConfig, data: dict) -> dict:
    try:
        response = httpx.post(
            config.token_url,
            data=data,
            auth=(config.client_id, config.client_secret),
            verify=config.verify,
            timeout=config.timeout,
            headers={"Accept": "application/json"},
        )
    except httpx.HTTPError as error:
        raise RetryableError(f"Xero's token endpoint could not be reached: {error}") from error
    if response.status_code >= 500:
        raise RetryableError(f"Xero's token endpoint answered {response.status_code}", response.status_code)
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200:
        error = body.get("error", "")
        if error == "invalid_grant":
            raise AuthExpired("Xero refused the grant (expired, revoked or already used)", response.status_code, body)
        raise OAuthFlowError(
            f"Xero's token endpoint refused the request ({error or response.status_code}).", error, response.status_code
        )
    return body


def exchange_code(config: XeroOAuthConfig, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
    body = _token_call(
        config, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": code_verifier}
    )
    return TokenSet.from_response(body)


def refresh(config: XeroOAuthConfig, refresh_token: str) -> TokenSet:
    return TokenSet.from_response(_token_call(config, {"grant_type": "refresh_token", "refresh_token": refresh_token}))


def revoke(config: XeroOAuthConfig, refresh_token: str) -> None:
    """Revoke the grant (the refresh token and the access tokens it gave). A token Xero no longer knows is revoked
    already and answers 200 (RFC 7009); a 5xx raises RetryableError, any other refusal OAuthFlowError."""
    try:
        response = httpx.post(
            config.revocation_url,
            data={"token": refresh_token},
            auth=(config.client_id, config.client_secret),
            verify=config.verify,
            timeout=config.timeout,
        )
    except httpx.HTTPError as error:
        raise RetryableError(f"Xero's revocation endpoint could not be reached: {error}") from error
    if response.status_code >= 500:
        raise RetryableError(f"Xero's revocation endpoint answered {response.status_code}", response.status_code)
    if response.status_code >= 400:
        raise OAuthFlowError(
            f"Xero's revocation endpoint refused the request ({response.status_code}).", status=response.status_code
        )
