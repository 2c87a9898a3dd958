"""The Dynamics 365 app a person uses in the sandbox: sign in, choose an organisation, then work in it.

Routes (plain http, server-rendered; every POST answers with a redirect, or with its form again and the
reason it was refused):

    /signin, /signout                          sign in with a sandbox Microsoft user's email and password
    /orgs                                      the organisations the person belongs to
    /orgs/{org}/accounts|contacts|products     grid (?q= searches by name), /new, /{id} to edit
    /orgs/{org}/invoices                       grid, /new, /{id} (header, products, totals, status)
    /orgs/{org}/invoices/{id}/lines            add a product; /lines/{line} edit, /lines/{line}/delete
    /orgs/{org}/solutions                      installed solutions; /solutions/import uploads a solution zip

`{org}` is the organisation's unique name. Pages run as the person's systemuser in that organisation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dxsandbox.common.html import hidden_fields
from dxsandbox.common.sessions import Sessions
from dxsandbox.microsoft.dataverse.service import DataverseService
from dxsandbox.microsoft.identity import MicrosoftIdentity
from dxsandbox.microsoft.login import sandbox_accounts_hint
from dxsandbox.microsoft.ui import customers, invoices, lines, products, solutions
from dxsandbox.microsoft.ui.forms import Input, Upload
from dxsandbox.microsoft.ui.gateway import ActingUser, Organisation, Refused
from dxsandbox.microsoft.ui.layout import app_page, refusal
from dxsandbox.microsoft.ui.visits import SESSION_COOKIE, Handler, Session, Visit

logger = logging.getLogger(__name__)

HOME_AREA = "invoices"


class DynamicsUi:
    def __init__(self, identity: MicrosoftIdentity, services: Sequence[DataverseService]):
        self.identity = identity
        self.services = list(services)
        self.sessions = Sessions()

    # --- who --------------------------------------------------------------------------------------
    def organisation(self, unique_name: str) -> Organisation | None:
        for service in self.services:
            if service.org_name == unique_name:
                url = self.identity.organisation_url(service.org_id) or service.base_url or ""
                return Organisation(service.org, service, url)
        return None

    def signed_in(self, request: Request) -> tuple[Session, dict[str, Any]] | None:
        session = self.sessions.get(request.cookies.get(SESSION_COOKIE))
        user = self.identity.user(session.user_id) if session else None
        return (session, user) if session and user else None

    def memberships(self, user: dict[str, Any]) -> list[tuple[Organisation, str]]:
        """The organisations this app serves that the person belongs to, with their role in each."""
        found = []
        for entry in self.identity.organisations_of(user):
            organisation = self.organisation(entry["unique_name"])
            if organisation is not None:
                found.append((organisation, str(user["roles"][entry["unique_name"]])))
        return found

    def visit(self, request: Request) -> Visit | Response:
        """The person's visit to the organisation in the path, or where to send them instead."""
        signed_in = self.signed_in(request)
        if signed_in is None:  # back here after signing in (to the organisation, for a form sent meanwhile)
            target = request.url.path if request.method == "GET" else f"/orgs/{request.path_params['org']}"
            return RedirectResponse("/signin?" + urlencode({"next": target}), status_code=303)
        session, user = signed_in
        unique_name = request.path_params["org"]
        membership = next(((o, role) for o, role in self.memberships(user) if o.unique_name == unique_name), None)
        caller = membership[0].caller_for(user["object_id"]) if membership else None
        if membership is None or caller is None:
            return app_page(
                "Not a member",
                f"<h1>You can't open this organisation</h1><p class='error'>{escape(user['upn'])} "
                "is not a member of it.</p><p><a href='/orgs'>Your organisations</a></p>",
                status=403,
            )
        organisation, role = membership
        return Visit(session, user, organisation, ActingUser(organisation, caller), role)

    # --- pages outside an organisation ----------------------------------------------------------------
    async def home(self, request: Request) -> Response:
        return RedirectResponse("/orgs" if self.signed_in(request) else "/signin", status_code=303)

    async def sign_in_page(self, request: Request) -> Response:
        return sign_in_form(self.identity.users(), request.query_params.get("next", ""))

    async def sign_in(self, request: Request) -> Response:
        form = await request.form()
        login, target = str(form.get("login") or ""), safe_next(str(form.get("next") or ""))
        user = self.identity.sign_in(login, str(form.get("passwd") or ""))
        if user is None:
            return sign_in_form(self.identity.users(), target, login, "Your account or password is incorrect.")
        response = RedirectResponse(target or "/orgs", status_code=303)
        response.set_cookie(SESSION_COOKIE, self.sessions.start(user["object_id"]), httponly=True, samesite="lax")
        return response

    async def sign_out(self, request: Request) -> Response:
        self.sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def organisations(self, request: Request) -> Response:
        signed_in = self.signed_in(request)
        if signed_in is None:
            return RedirectResponse("/signin?next=/orgs", status_code=303)
        _, user = signed_in
        return organisations_page(user, self.memberships(user))

    async def organisation_home(self, request: Request) -> Response:
        return RedirectResponse(f"/orgs/{request.path_params['org']}/{HOME_AREA}", status_code=303)

    # --- pages of an organisation ------------------------------------------------------------------------
    def route(self, path: str, methods: list[str], handler: Handler) -> Route:
        area = path.strip("/").split("/")[0]

        async def endpoint(request: Request) -> Response:
            data = await read_input(request)
            return await run_in_threadpool(self.serve, request, handler, data, area)

        return Route("/orgs/{org}" + path, endpoint, methods=methods)

    def serve(self, request: Request, handler: Handler, data: Input, area: str) -> Response:
        """In a worker thread: the organisation's service is synchronous and serialises its callers."""
        visit = self.visit(request)
        return visit if isinstance(visit, Response) else run(handler, visit, data, area)

    def routes(self) -> list[Route]:
        pages = [
            *customers.ACCOUNTS.routes(),
            *customers.CONTACTS.routes(),
            *products.PRODUCTS.routes(),
            *invoices.routes(),
            *lines.routes(),
            *solutions.routes(),
        ]
        return [
            Route("/", self.home, methods=["GET"]),
            Route("/signin", self.sign_in_page, methods=["GET"]),
            Route("/signin", self.sign_in, methods=["POST"]),
            Route("/signout", self.sign_out, methods=["POST"]),
            Route("/orgs", self.organisations, methods=["GET"]),
            Route("/orgs/{org}", self.organisation_home, methods=["GET"]),
            *(self.route(path, methods, handler) for path, methods, handler in pages),
        ]


def build_dynamics_app(identity: MicrosoftIdentity, services: Sequence[DataverseService]) -> Starlette:
    """The app for the organisations of `services` (each one's Web API origin is known to `identity`)."""
    return Starlette(routes=DynamicsUi(identity, services).routes())


async def read_input(request: Request) -> Input:
    data = Input(params={k: str(v) for k, v in request.path_params.items()}, query=dict(request.query_params))
    if request.method == "POST":
        async with request.form() as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data.files[name] = Upload(value.filename or "", await value.read())
                else:
                    data.form[name] = value
    return data


def run(handler: Handler, visit: Visit, data: Input, area: str) -> Response:
    """A page or an action; what Dynamics refused is shown on the page, never as a server error."""
    try:
        return handler(visit, data)
    except Refused as error:
        back = f"<p><a href='{escape(visit.path(area))}'>Back to the list</a></p>"
        return visit.page(area, "Error", refusal(error) + back, status=error.status)
    except Exception:  # a bug: say so on the page, as Dynamics does, and keep the details in the log
        logger.exception("The Dynamics sandbox app failed on %s %s", handler.__name__, data.params)
        return visit.page(area, "Error", refusal(Refused("An unexpected error occurred.", 500)), status=500)


def safe_next(target: str) -> str:
    """Only a path of this app (never another site) to go on to after signing in."""
    return target if target.startswith("/") and not target.startswith("//") else ""


def sign_in_form(users: list[dict[str, Any]], target: str, login: str = "", message: str = "") -> Response:
    error = f"<p class='error' role='alert' id='sign-in-error'>{escape(message)}</p>" if message else ""
    return app_page(
        "Sign in",
        f"""
<h1>Sign in</h1>
<p class="muted">to continue to Dynamics 365</p>
{error}
<form method="post" action="/signin">
  {hidden_fields({"next": safe_next(target) or None})}
  <label for="login">Email address</label><input id="login" name="login" type="email" value="{escape(login)}" autofocus>
  <label for="passwd">Password</label><input id="passwd" name="passwd" type="password">
  <button type="submit">Sign in</button>
</form>
{sandbox_accounts_hint(users)}""",
        status=400 if message else 200,
    )


def organisations_page(user: dict[str, Any], memberships: list[tuple[Organisation, str]]) -> Response:
    items = "".join(
        f"<li class='org' data-org='{escape(o.unique_name)}'><a href='/orgs/{escape(o.unique_name)}'>"
        f"{escape(o.friendly_name)}</a> <span class='muted'>{escape(o.unique_name)} · {escape(role)}</span></li>"
        for o, role in memberships
    )
    listing = (
        f"<ul id='organisations'>{items}</ul>"
        if items
        else "<p id='no-organisations'>You don't have access to any Dynamics 365 organisation. Ask an administrator to add "
        "you to one.</p>"
    )
    return app_page(
        "Organisations",
        f"""
<h1>Choose an organisation</h1>
<p class="muted">Signed in as {escape(user["upn"])}</p>
{listing}
<form method="post" action="/signout"><button type="submit" class="secondary">Sign out</button></form>""",
    )
