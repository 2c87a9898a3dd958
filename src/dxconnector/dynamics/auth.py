"""Microsoft sign-in through MSAL: the authorization-code flow, a token cache kept by the caller
(encrypted at rest), silent tokens for any organisation afterwards, and app-only tokens.

MSAL handles state, PKCE and nonce. Its token cache is serialised to a string that we store; the
refresh token inside it works for every Dynamics resource the user may use (discovery first, then the
chosen organisation).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import msal
import requests

from dxconnector.dynamics.errors import AuthExpired, SignInFailed


@dataclass(frozen=True)
class DynamicsOAuthConfig:
    client_id: str
    client_secret: str
    authority: str  # e.g. https://login.microsoftonline.com/organizations
    discovery_url: str  # e.g. https://globaldisco.crm.dynamics.com
    discovery_scope: str  # e.g. https://globaldisco.crm.dynamics.com//user_impersonation
    ca_bundle: str = ""
    app_client_id: str = ""  # the application user's app (client credentials); defaults to the web app
    app_client_secret: str = ""

    @classmethod
    def from_settings(cls) -> DynamicsOAuthConfig:
        from django.conf import settings

        return cls(
            settings.DYNAMICS_CLIENT_ID,
            settings.DYNAMICS_CLIENT_SECRET,
            settings.DYNAMICS_AUTHORITY,
            settings.DYNAMICS_DISCOVERY_URL,
            settings.DYNAMICS_DISCOVERY_SCOPE,
            settings.CA_BUNDLE,
            settings.DYNAMICS_APP_CLIENT_ID,
            settings.DYNAMICS_APP_CLIENT_SECRET,
        )

    def tenant_authority(self, tenant_id: str) -> str:
        return self.authority.rsplit("/", 1)[0] + "/" + tenant_id


@dataclass(frozen=True)
class SignIn:
    token_cache: str  # MSAL's serialised cache: store it encrypted
    home_account_id: str
    username: str
    tenant_id: str
    discovery_token: str


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # Unix time

    @classmethod
    def of(cls, result: dict[str, Any]) -> AccessToken:
        return cls(result["access_token"], time.time() + int(result.get("expires_in") or 3600))


class TokenSource:
    """Hands out one access token until shortly before it expires, then fetches the next.

    A Dataverse client asks for a token on every request; without this each request would build an MSAL
    application (which fetches the authority's OpenID configuration) and go to the token cache or endpoint.
    """

    def __init__(self, fetch: Callable[[], AccessToken], margin_seconds: float = 300, clock: Callable[[], float] = time.time):
        self._fetch, self._margin, self._clock = fetch, margin_seconds, clock
        self._token: AccessToken | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._token is None or self._token.expires_at - self._margin <= self._clock():
                self._token = self._fetch()
            return self._token.value


def user_scope(org_url: str) -> str:
    return org_url.rstrip("/") + "/user_impersonation"


MICROSOFT_LOGIN_HOSTS = (
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "login.partner.microsoftonline.cn",
)


@cache
def _http(ca_bundle: str) -> requests.Session:
    """MSAL's HTTP session, trusting exactly CA_BUNDLE (or the system store). `trust_env` is off so a
    REQUESTS_CA_BUNDLE in the environment cannot silently replace the CA the operator configured."""
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_bundle or True
    return session


def _app(
    config: DynamicsOAuthConfig,
    token_cache: msal.SerializableTokenCache | None = None,
    authority: str | None = None,
    *,
    as_application: bool = False,
):
    authority = authority or config.authority
    known_host = urlsplit(authority).hostname in MICROSOFT_LOGIN_HOSTS
    client_id, secret = (
        (config.app_client_id or config.client_id, config.app_client_secret or config.client_secret)
        if as_application
        else (config.client_id, config.client_secret)
    )
    return msal.ConfidentialClientApplication(
        client_id,
        client_credential=secret,
        authority=authority,
        token_cache=token_cache,
        http_client=_http(config.ca_bundle),
        # Instance discovery asks Microsoft whether an authority is genuine; an operator's own (or the
        # sandbox's) authority cannot be known to it.
        instance_discovery=None if known_host else False,
    )


def begin(config: DynamicsOAuthConfig, redirect_uri: str) -> dict[str, Any]:
    """MSAL's flow (state, PKCE verifier, nonce) to keep in the session; `flow["auth_uri"]` is where to go."""
    return _app(config).initiate_auth_code_flow([config.discovery_scope], redirect_uri=redirect_uri, prompt="select_account")


def finish(config: DynamicsOAuthConfig, flow: dict[str, Any], response: dict[str, str]) -> SignIn:
    if response.get("error"):
        if response["error"] == "access_denied":
            raise SignInFailed("You cancelled the Microsoft sign-in, so nothing was connected.")
        raise SignInFailed(f"Microsoft reported an error ({response['error']}): {response.get('error_description', '')}".strip())
    token_cache = msal.SerializableTokenCache()
    app = _app(config, token_cache)
    try:
        result = app.acquire_token_by_auth_code_flow(flow, response)
    except ValueError as error:  # MSAL: state mismatch or a flow that was already used
        raise SignInFailed(
            "We couldn't verify this Microsoft sign-in: it expired or was started elsewhere. Please try again."
        ) from error
    if "error" in result:
        raise SignInFailed(f"Microsoft refused the sign-in ({result.get('error')}). Please try again.")
    accounts = app.get_accounts()
    if not accounts:
        raise SignInFailed("Microsoft returned no account for this sign-in. Please try again.")
    account = accounts[0]
    claims = result.get("id_token_claims") or {}
    return SignIn(
        token_cache.serialize(),
        account["home_account_id"],
        account.get("username", ""),
        str(claims.get("tid", "")),
        result["access_token"],
    )


def silent_token(
    config: DynamicsOAuthConfig, token_cache: str, home_account_id: str, scope: str
) -> tuple[AccessToken, str | None]:
    """An access token from the cache or its refresh token; also the cache to save when it changed."""
    msal_cache = msal.SerializableTokenCache()
    msal_cache.deserialize(token_cache)
    app = _app(config, msal_cache)
    account = next((a for a in app.get_accounts() if a["home_account_id"] == home_account_id), None)
    result = app.acquire_token_silent([scope], account=account) if account else None
    if not result or "access_token" not in result:
        raise AuthExpired("The Microsoft sign-in has expired: click “Connect to Dynamics” again.")
    return AccessToken.of(result), msal_cache.serialize() if msal_cache.has_state_changed else None


def app_token(config: DynamicsOAuthConfig, tenant_id: str, org_url: str) -> AccessToken:
    """Client credentials for an application user (operators who prefer no person's sign-in)."""
    app = _app(config, authority=config.tenant_authority(tenant_id), as_application=True)
    result = app.acquire_token_for_client([org_url.rstrip("/") + "/.default"])
    if "access_token" not in result:
        raise AuthExpired(f"Microsoft refused the app's credentials ({result.get('error')}).")
    return AccessToken.of(result)
