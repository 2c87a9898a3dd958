"""login.microsoftonline.com's pages: sign in, "Permissions requested", and the way back to the app.

Served over plain http on loopback (a person's browser opens them). A checked /authorize request waits
server-side under an opaque `ctx` while the person signs in and consents, as Entra's own pages keep it.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from dxsandbox.common.html import hidden_fields, page, sign_in_hint
from dxsandbox.microsoft import errors
from dxsandbox.microsoft.errors import EntraError
from dxsandbox.microsoft.identity import RESPONSE_MODES, AuthorizationRequest, MicrosoftIdentity, canonical_origin

SESSION_COOKIE = "microsoft_sandbox_session"
BRAND = "#0067b8"
PRODUCT = "Microsoft (sandbox)"
REQUEST_SECONDS = 3600  # how long a sign-in page stays usable
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "response_mode",
    "prompt",
    "login_hint",
    "max_age",
    "client_info",
)
PERMISSION_TEXT = {
    "resource": "Access Dynamics 365 as organization users",
    "profile": "Sign you in and read your profile",
    "email": "View your email address",
    "offline_access": "Maintain access to data you have given it access to",
}


@dataclass
class Session:
    user_id: str
    auth_time: float
    session_state: str


def ms_page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return page(title, body, brand=BRAND, product=PRODUCT, status=status)


def error_page(error: EntraError) -> HTMLResponse:
    return ms_page(
        "Sign-in error",
        f"""
<h1>Sorry, but we're having trouble signing you in.</h1>
<p class="error" id="error-code">{escape(error.summary)}</p>
<p class="muted">Request Id: {uuid.uuid4()}</p>""",
        status=400,
    )


def respond(redirect_uri: str, response_mode: str, params: dict[str, str | None]) -> Response:
    """Send the browser back to the app as the request's response_mode says."""
    values = {k: v for k, v in params.items() if v is not None}
    if response_mode == "form_post":
        return HTMLResponse(
            f"<!doctype html><html><head><title>Working...</title></head><body onload='document.forms[0].submit()'>"
            f"<form method='post' action='{escape(redirect_uri)}'>{hidden_fields(values)}"
            "<noscript><button type='submit'>Continue</button></noscript></form></body></html>"
        )
    separator = "#" if response_mode == "fragment" else ("&" if "?" in redirect_uri else "?")
    return RedirectResponse(f"{redirect_uri}{separator}{urlencode(values)}", status_code=302)


def back_to_app(auth: AuthorizationRequest, params: dict[str, str | None]) -> Response:
    return respond(auth.redirect_uri, auth.response_mode, params)


def back_with_error(auth: AuthorizationRequest, error: EntraError) -> Response:
    return back_to_app(auth, {**error.redirect_params(), "state": auth.state})


def sandbox_accounts_hint(users: Iterable[dict[str, Any]]) -> str:
    """The seeded accounts (fake, the sandbox's own) with their passwords, shown under every Microsoft sign-in form
    of the sandbox so that a newcomer signs in without looking anything up."""
    return sign_in_hint(
        "Sandbox accounts", "accounts", "Name", ((user["upn"], user["password"], user["display_name"]) for user in users)
    )


def build_login_app(identity: MicrosoftIdentity) -> Starlette:
    pending: dict[str, AuthorizationRequest] = {}  # ctx → request being signed in
    sessions: dict[str, Session] = {}  # cookie → who signed in; signing in again is cheap in a sandbox

    def remember(request: AuthorizationRequest) -> str:
        for ctx in [c for c, r in pending.items() if time.time() - r.created > REQUEST_SECONDS]:
            del pending[ctx]
        ctx = secrets.token_urlsafe(24)
        pending[ctx] = request
        return ctx

    def session_of(request: Request) -> Session | None:
        return sessions.get(request.cookies.get(SESSION_COOKIE, ""))

    def sign_in_page(ctx: str, auth: AuthorizationRequest, message: str = "") -> Response:
        return ms_page(
            "Sign in to your account",
            f"""
<h1>Sign in</h1>
<p class="muted">to continue to {escape(auth.app["name"])}</p>
{f"<p class='error' role='alert' id='sign-in-error'>{escape(message)}</p>" if message else ""}
<form method="post" action="/{escape(auth.tenant.segment)}/login">
  {hidden_fields({"ctx": ctx})}
  <label for="login">Email address</label><input id="login" name="login" type="email" value="{escape(auth.login_hint or "")}" autofocus>
  <label for="passwd">Password</label><input id="passwd" name="passwd" type="password">
  <button type="submit">Sign in</button>
</form>
{sandbox_accounts_hint(user for user in identity.users() if auth.tenant.admits(user["tenant_id"]))}""",
            status=400 if message else 200,
        )

    def consent_page(ctx: str, auth: AuthorizationRequest, user: dict[str, Any]) -> Response:
        wanted = (["resource"] if auth.scopes.resource else []) + [
            s for s in ("profile", "email", "offline_access") if s in auth.scopes.oidc
        ]
        items = "".join(f"<li>{escape(PERMISSION_TEXT[w])}</li>" for w in wanted)
        return ms_page(
            "Permissions requested",
            f"""
<h1>Permissions requested</h1>
<p><strong>{escape(auth.app["name"])}</strong></p>
<p class="muted">Signed in as {escape(user["upn"])}</p>
<p>This app would like to:</p><ul id="permissions">{items}</ul>
<p class="muted">Accepting these permissions means that you allow this app to use your data as specified in their terms
of service and privacy statement. You can change these permissions at https://myapps.microsoft.com.</p>
<form method="post" action="/{escape(auth.tenant.segment)}/Consent/Set">
  {hidden_fields({"ctx": ctx})}
  <button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
  <button type="submit" name="action" value="accept">Accept</button>
</form>""",
        )

    def finish(ctx: str, auth: AuthorizationRequest, user: dict[str, Any], session: Session) -> Response:
        pending.pop(ctx, None)
        code = identity.issue_code(auth, user, session.auth_time)
        return back_to_app(
            auth,
            {
                "code": code,
                "client_info": identity.client_info(user) if auth.client_info else None,
                "state": auth.state,
                "session_state": session.session_state,
            },
        )

    def proceed(ctx: str, auth: AuthorizationRequest, session: Session | None, *, just_signed_in: bool = False) -> Response:
        """Sign-in if needed, then consent if needed, then the code; `prompt=none` turns each page into an error."""
        user = identity.user(session.user_id) if session else None
        wants_sign_in = not just_signed_in and (
            auth.prompt in ("login", "select_account", "create")
            or (auth.login_hint and user and user["upn"].lower() != auth.login_hint.lower())
        )
        if session is None or user is None or wants_sign_in or not auth.tenant.admits(user["tenant_id"]):
            return back_with_error(auth, errors.login_required()) if auth.prompt == "none" else sign_in_page(ctx, auth)
        if auth.prompt == "consent" or identity.needs_consent(auth.app, user, auth.scopes):
            if auth.prompt == "none":
                return back_with_error(auth, errors.consent_required(auth.app["client_id"], auth.app["name"]))
            return consent_page(ctx, auth, user)
        return finish(ctx, auth, user, session)

    async def authorize(request: Request) -> Response:
        params = {name: request.query_params.get(name) for name in AUTHORIZE_PARAMS}
        redirect_uri = params["redirect_uri"] or ""
        try:
            tenant, app = identity.check_client(request.path_params["tenant"], params["client_id"] or "", redirect_uri)
        except EntraError as error:
            return error_page(error)
        try:
            auth = identity.read_authorization(tenant, app, redirect_uri, {k: v for k, v in params.items() if v is not None})
        except EntraError as error:
            mode = params["response_mode"] if params["response_mode"] in RESPONSE_MODES else "query"
            return respond(redirect_uri, mode, {**error.redirect_params(), "state": params["state"]})
        return proceed(remember(auth), auth, session_of(request))

    async def sign_in(request: Request) -> Response:
        form = await request.form()
        ctx = str(form.get("ctx") or "")
        auth = pending.get(ctx)
        if auth is None:
            return error_page(errors.request_expired())
        user = identity.sign_in(str(form.get("login") or ""), str(form.get("passwd") or ""))
        if user is None:
            return sign_in_page(ctx, auth, "Your account or password is incorrect.")
        try:
            identity.check_user(auth, user)
        except EntraError as error:
            return sign_in_page(ctx, auth, error.summary)
        cookie = secrets.token_urlsafe(24)
        sessions[cookie] = Session(user["object_id"], time.time(), str(uuid.uuid4()))
        response = proceed(ctx, auth, sessions[cookie], just_signed_in=True)
        response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax")
        return response

    async def consent(request: Request) -> Response:
        form = await request.form()
        ctx = str(form.get("ctx") or "")
        auth = pending.get(ctx)
        if auth is None:
            return error_page(errors.request_expired())
        session = session_of(request)
        user = identity.user(session.user_id) if session else None
        if session is None or user is None:
            return sign_in_page(ctx, auth)
        if form.get("action") != "accept":
            pending.pop(ctx, None)
            return back_with_error(auth, errors.user_declined_consent())
        identity.grant_consent(auth.app, user, auth.scopes)
        return finish(ctx, auth, user, session)

    async def sign_out(request: Request) -> Response:
        sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        target = request.query_params.get("post_logout_redirect_uri") or ""
        origin = canonical_origin(target)
        if origin and origin.startswith(("http://127.0.0.1:", "https://127.0.0.1:")):
            response: Response = RedirectResponse(target, status_code=302)
        else:
            response = ms_page(
                "Signed out", "<h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p>"
            )
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def error_help(request: Request) -> Response:
        code = escape(request.query_params.get("code", ""))
        return ms_page("Error", f"<h1>AADSTS{code}</h1><p>See the error description the sandbox returned with this code.</p>")

    return Starlette(
        routes=[
            Route("/{tenant}/oauth2/v2.0/authorize", authorize, methods=["GET"]),
            Route("/{tenant}/login", sign_in, methods=["POST"]),
            Route("/{tenant}/Consent/Set", consent, methods=["POST"]),
            Route("/{tenant}/oauth2/v2.0/logout", sign_out, methods=["GET", "POST"]),
            Route("/error", error_help, methods=["GET"]),
        ]
    )
