"""login.xero.com: the sign-in and consent pages a person sees when an app asks for access."""

from __future__ import annotations

import secrets
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dxsandbox.common.html import hidden_fields, page, sign_in_hint
from dxsandbox.xero.oauth import OAuthError, XeroIdentity

AUTHORIZE_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method")
SESSION_COOKIE = "xero_sandbox_session"


def _redirect_back(redirect_uri: str, params: dict[str, str | None]) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}", status_code=302)


def sandbox_users_hint(identity: XeroIdentity) -> str:
    """The seeded users (fake, the sandbox's own) with their passwords and organisations, shown under every Xero
    sign-in form of the sandbox so that a newcomer signs in without looking anything up."""
    return sign_in_hint(
        "Sandbox users",
        "users",
        "Organisations",
        ((user["email"], user["password"], ", ".join(_organisation_names(identity, user))) for user in identity.users()),
    )


def _organisation_names(identity: XeroIdentity, user: dict[str, Any]) -> list[str]:
    return [org["name"] for org in map(identity.organisation, user["tenant_ids"]) if org]


def build_login_app(identity: XeroIdentity) -> Starlette:
    sessions: dict[str, str] = {}  # session id → user id; signing in again is cheap in a sandbox

    def signed_in_user(request: Request):
        user_id = sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        return identity.user(user_id) if user_id else None

    def authorize_params(source) -> dict[str, str | None]:
        return {name: source.get(name) for name in AUTHORIZE_PARAMS}

    def error_page(error: OAuthError) -> Response:
        return page(
            "Error",
            f"<h1>Sorry, something went wrong</h1><p class='error' id='oauth-error'>{escape(error.error)}: "
            f"{escape(error.description)}</p>",
            status=400,
        )

    def sign_in_page(params, message: str = "") -> Response:
        return page(
            "Log in",
            f"""
<h1>Log in to Xero</h1>
{f"<p class='error' role='alert'>{escape(message)}</p>" if message else ""}
<form method="post" action="/identity/connect/authorize/signin">
  {hidden_fields(params)}
  <label for="email">Email address</label><input id="email" name="email" type="email" autofocus>
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button type="submit">Log in</button>
</form>
{sandbox_users_hint(identity)}""",
            status=400 if message else 200,
        )

    def consent_page(app, user, params, message: str = "") -> Response:
        organisations = [identity.organisation(t) for t in user["tenant_ids"]]
        choices = "".join(
            f"<div class='org'><input type='checkbox' name='tenant_id' value='{escape(org['tenant_id'])}' id='org-{i}'"
            f"{' checked' if i == 0 else ''}><label for='org-{i}'>{escape(org['name'])}</label></div>"
            for i, org in enumerate(organisations)
            if org
        )
        scopes = "".join(f"<li>{escape(s)}</li>" for s in (params.get("scope") or "").split())
        return page(
            "Allow access",
            f"""
<h1>{escape(app["name"])} wants to access your Xero data</h1>
<p>Signed in as {escape(user["email"])}.</p>
{f"<p class='error' role='alert'>{escape(message)}</p>" if message else ""}
<form method="post" action="/identity/connect/authorize/consent">
  {hidden_fields(params)}
  <h2>Organisations</h2>{choices}
  <h2>Permissions requested</h2><ul>{scopes}</ul>
  <button type="submit" name="action" value="allow">Allow access</button>
  <button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
</form>""",
            status=400 if message else 200,
        )

    async def authorize(request: Request) -> Response:
        params = authorize_params(request.query_params)
        try:
            app = identity.check_authorize_request(
                params["client_id"] or "", params["redirect_uri"] or "", params["response_type"] or ""
            )
        except OAuthError as error:
            return error_page(error)
        user = signed_in_user(request)
        return consent_page(app, user, params) if user else sign_in_page(params)

    async def sign_in(request: Request) -> Response:
        form = await request.form()
        params = authorize_params(form)
        try:
            identity.check_authorize_request(
                params["client_id"] or "", params["redirect_uri"] or "", params["response_type"] or ""
            )
        except OAuthError as error:
            return error_page(error)
        user = identity.sign_in(str(form.get("email", "")), str(form.get("password", "")))
        if user is None:
            return sign_in_page(params, "Your email or password is incorrect.")
        session = secrets.token_urlsafe(24)
        sessions[session] = user["user_id"]
        response = RedirectResponse(
            "/identity/connect/authorize?" + urlencode({k: v for k, v in params.items() if v is not None}), status_code=303
        )
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax")
        return response

    async def consent(request: Request) -> Response:
        form = await request.form()
        params = authorize_params(form)
        try:
            app = identity.check_authorize_request(
                params["client_id"] or "", params["redirect_uri"] or "", params["response_type"] or ""
            )
        except OAuthError as error:
            return error_page(error)
        user = signed_in_user(request)
        if user is None:
            return sign_in_page(params)
        redirect_uri = params["redirect_uri"] or ""
        if form.get("action") != "allow":
            return _redirect_back(redirect_uri, {"error": "access_denied", "state": params["state"]})
        tenant_ids = [t for t in form.getlist("tenant_id") if t in user["tenant_ids"]]
        if not tenant_ids:
            return consent_page(app, user, params, "Choose at least one organisation.")
        code = identity.issue_code(
            client_id=app["client_id"],
            user_id=user["user_id"],
            tenant_ids=tenant_ids,
            scope=params["scope"] or "",
            redirect_uri=redirect_uri,
            code_challenge=params["code_challenge"],
            code_challenge_method=params["code_challenge_method"],
        )
        return _redirect_back(
            redirect_uri,
            {"code": code, "scope": params["scope"], "state": params["state"], "session_state": secrets.token_hex(8)},
        )

    async def sign_out(request: Request) -> Response:
        sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        response = page("Signed out", "<h1>You are signed out of the Xero sandbox.</h1>")
        response.delete_cookie(SESSION_COOKIE)
        return response

    return Starlette(
        routes=[
            Route("/identity/connect/authorize", authorize, methods=["GET"]),
            Route("/identity/connect/authorize/signin", sign_in, methods=["POST"]),
            Route("/identity/connect/authorize/consent", consent, methods=["POST"]),
            Route("/logout", sign_out, methods=["GET", "POST"]),
        ]
    )
