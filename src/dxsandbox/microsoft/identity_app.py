"""login.microsoftonline.com's machine endpoints (https): token, OpenID configuration, keys, instance discovery.

MSAL insists that the authority and the token endpoint be https (msal/authority.py `canonicalize`), and
reads the authorization endpoint from the OpenID configuration without that check, so the configuration
points the browser at the plain-http login host.

MSAL clients pass `instance_discovery=False`: otherwise MSAL asks login.microsoftonline.com whether a
127.0.0.1 authority is known. /common/discovery/instance answers an MSAL pointed at it
(`instance_discovery=<url>`), but MSAL still asks the real service for aliases when its cache has no account.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dxsandbox.microsoft import errors
from dxsandbox.microsoft.errors import EntraError
from dxsandbox.microsoft.identity import LOOPBACK_HOSTS, MicrosoftIdentity

NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def client_credentials_of(request: Request, form: FormData) -> tuple[str, str | None]:
    """Client authentication in a Basic header (form-urlencoded parts, RFC 6749 §2.3.1) or in the body."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:].strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise errors.missing_client_secret() from None
        return unquote_plus(client_id), unquote_plus(secret)
    return _field(form, "client_id"), _field(form, "client_secret") or None


def build_identity_app(identity: MicrosoftIdentity) -> Starlette:
    def error_response(error: EntraError, correlation_id: str | None) -> JSONResponse:
        body = error.body(correlation_id=correlation_id, error_uri=f"{identity.login_url}/error?code={error.code}")
        return JSONResponse(body, status_code=error.status, headers=NO_STORE)

    def grant(request: Request, form: FormData) -> dict[str, Any]:
        tenant = identity.tenant_path(request.path_params["tenant"])
        grant_type = _field(form, "grant_type")
        if not grant_type:
            raise errors.missing_parameter("grant_type")
        if grant_type not in GRANT_TYPES:
            raise errors.unsupported_grant_type(grant_type)
        client_id, secret = client_credentials_of(request, form)
        app = identity.authenticate_client(tenant, client_id, secret)
        client_info = _field(form, "client_info") == "1"
        if grant_type == "authorization_code":
            return identity.redeem_code(
                tenant,
                app,
                _field(form, "code"),
                _field(form, "redirect_uri"),
                _field(form, "code_verifier") or None,
                client_info=client_info,
            )
        if grant_type == "refresh_token":
            return identity.refresh(tenant, app, _field(form, "refresh_token"), _field(form, "scope"), client_info=client_info)
        return identity.client_credentials(tenant, app, _field(form, "scope"))

    async def token(request: Request) -> Response:
        form = await request.form()
        correlation_id = request.headers.get("client-request-id")
        try:
            body = grant(request, form)
        except EntraError as error:
            return error_response(error, correlation_id)
        headers = {**NO_STORE, **({"client-request-id": correlation_id} if correlation_id else {})}
        return JSONResponse(body, headers=headers)

    async def openid_configuration(request: Request) -> Response:
        try:
            tenant = identity.tenant_path(request.path_params["tenant"])
        except EntraError as error:
            return error_response(error, request.headers.get("client-request-id"))
        return JSONResponse(identity.openid_configuration(tenant))

    async def keys(request: Request) -> Response:
        return JSONResponse(identity.jwks())

    async def instance_discovery(request: Request) -> Response:
        """What MSAL asks when given an `instance_discovery` URL: is this authority known, and where is its OIDC configuration."""
        endpoint = request.query_params.get("authorization_endpoint", "")
        if urlsplit(endpoint).hostname not in LOOPBACK_HOSTS:  # MSAL sends the authority's host without its port
            return JSONResponse(
                {
                    "error": "invalid_instance",
                    "error_description": "AADSTS50049: Unknown or invalid instance.",
                    "error_codes": [50049],
                },
                status_code=400,
            )
        tenant = (urlsplit(endpoint).path.strip("/").split("/") or ["common"])[0] or "common"
        host = urlsplit(identity.identity_url).hostname
        return JSONResponse(
            {
                "tenant_discovery_endpoint": f"{identity.identity_url}/{tenant}/v2.0/.well-known/openid-configuration",
                "api-version": request.query_params.get("api-version", "1.1"),
                "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
            }
        )

    return Starlette(
        routes=[
            Route("/common/discovery/instance", instance_discovery, methods=["GET"]),
            Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
            Route("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
            Route("/{tenant}/discovery/v2.0/keys", keys, methods=["GET"]),
        ]
    )
