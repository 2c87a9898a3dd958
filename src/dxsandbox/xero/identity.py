"""identity.xero.com: the token and revocation endpoints."""

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

    return Starlette(
        routes=[
            Route("/connect/token", token, methods=["POST"]),
            Route("/connect/revocation", revocation, methods=["POST"]),
        ]
    )
