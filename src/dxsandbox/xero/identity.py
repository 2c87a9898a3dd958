"""identity.xero.com: the token and revocation endpoints, the OpenID configuration and its keys (JWKS).

OpenID Connect clients (the official Node SDK's `openid-client`, say) start from the configuration: they find the
endpoints there and check id tokens' RS256 signatures against the keys. The sandbox publishes the same document with
its own hosts' addresses, and answers only what it emulates: there is no userinfo endpoint, so none is advertised."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.xero.oauth import OAuthError, XeroIdentity


def client_credentials_of(request: Request, form) -> tuple[str, str | None]:
    """Client authentication in a Basic header or in the body; both are accepted."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:].strip()).decode().partition(":")
            return unquote(client_id), unquote(secret)
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client") from None
    return str(form.get("client_id") or ""), form.get("client_secret")


SCOPES_SUPPORTED = [
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.transactions",
    "accounting.transactions.read",
    "accounting.contacts",
    "accounting.contacts.read",
    "accounting.settings",
    "accounting.settings.read",
]


def openid_configuration(identity: XeroIdentity) -> dict[str, object]:
    """identity.xero.com/.well-known/openid-configuration, as Xero answers it, less what the sandbox does not serve."""
    issuer = identity.issuer
    return {
        "issuer": issuer,
        "jwks_uri": f"{issuer}/.well-known/openid-configuration/jwks",
        "authorization_endpoint": f"{identity.login_url}/identity/connect/authorize",
        "token_endpoint": f"{issuer}/connect/token",
        "revocation_endpoint": f"{issuer}/connect/revocation",
        "frontchannel_logout_supported": False,
        "backchannel_logout_supported": False,
        "scopes_supported": SCOPES_SUPPORTED,
        "claims_supported": [
            "sub",
            "xero_userid",
            "preferred_username",
            "email",
            "given_name",
            "family_name",
            "global_session_id",
            "sid",
            "idp",
            "amr",
            "auth_time",
        ],
        "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "request_parameter_supported": False,
    }


def build_identity_app(identity: XeroIdentity) -> Starlette:
    async def token(request: Request) -> Response:
        form = await request.form()
        grant_type = form.get("grant_type")
        try:
            client_id, secret = client_credentials_of(request, form)
            if grant_type == "authorization_code":
                app = identity.authenticate_client(client_id, secret, allow_public=True)
                body = identity.exchange_code(
                    app, str(form.get("code") or ""), str(form.get("redirect_uri") or ""), form.get("code_verifier")
                )
            elif grant_type == "refresh_token":
                app = identity.authenticate_client(client_id, secret, allow_public=True)
                body = identity.refresh(app, str(form.get("refresh_token") or ""))  # a `scope` sent along is accepted and ignored
            elif grant_type == "client_credentials":
                app = identity.authenticate_client(client_id, secret, allow_public=False)
                body = identity.client_credentials(app, str(form.get("scope") or ""))
            else:
                raise OAuthError("unsupported_grant_type")
        except OAuthError as error:
            return JSONResponse(error.body(), status_code=error.status)
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    async def revocation(request: Request) -> Response:
        form = await request.form()
        try:
            client_id, secret = client_credentials_of(request, form)
            app = identity.authenticate_client(client_id, secret, allow_public=True)
        except OAuthError as error:
            return JSONResponse(error.body(), status_code=error.status)
        identity.revoke(app, str(form.get("token") or ""))
        return Response(status_code=200)

    async def configuration(request: Request) -> Response:
        return JSONResponse(openid_configuration(identity))

    async def keys(request: Request) -> Response:
        return JSONResponse(identity.jwks())

    return Starlette(
        routes=[
            Route("/.well-known/openid-configuration", configuration, methods=["GET"]),
            Route("/.well-known/openid-configuration/jwks", keys, methods=["GET"]),
            Route("/connect/token", token, methods=["POST"]),
            Route("/connect/revocation", revocation, methods=["POST"]),
        ]
    )
