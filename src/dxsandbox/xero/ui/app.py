"""The app's routes: signing in and out, choosing an organisation, then its invoices and contacts."""

from __future__ import annotations

from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dxsandbox.xero.api.accounting import AccountingApi
from dxsandbox.xero.api.accounting.books import Record
from dxsandbox.xero.api.accounting.contacts import KIND as CONTACT_KIND
from dxsandbox.xero.api.accounting.transactions import INVOICES
from dxsandbox.xero.api.accounting.validation import guid
from dxsandbox.xero.login import sandbox_users_hint
from dxsandbox.xero.oauth import XeroIdentity
from dxsandbox.xero.ui import contacts, invoices
from dxsandbox.xero.ui.layout import frame
from dxsandbox.xero.ui.web import SESSION_COOKIE, OrganisationHandler, XeroUi, for_organisation, sign_in_redirect

ORGANISATION = "/organisations/{tenant_id}"
RECORD_LINKS = ("/AccountsReceivable/View.aspx", "/AccountsPayable/View.aspx", "/Contacts/View/")  # deep links served here


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this host only, never another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/organisations"


def sign_in_page(identity: XeroIdentity, target: str, email: str = "", message: str = "") -> Response:
    alert = f"<p class='error' role='alert'>{escape(message)}</p>" if message else ""
    return frame(
        "Log in",
        f"""
<h1>Log in to Xero</h1>
{alert}
<form method="post" action="/login">
  <input type="hidden" name="next" value="{escape(target)}">
  <label for="email">Email address</label><input id="email" name="email" type="email" value="{escape(email)}" autofocus>
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button type="submit">Log in</button>
</form>
{sandbox_users_hint(identity)}""",
        status_code=400 if message else 200,
    )


def build_ui_app(accounting: AccountingApi, *, api_base: str) -> Starlette:
    """go.xero.com for a person: `api_base` is the API host's /api.xro/2.0, which change events point at."""
    ui = XeroUi(accounting, api_base)

    async def home(request: Request) -> Response:
        return RedirectResponse("/organisations" if ui.signed_in(request) else "/login", status_code=303)

    async def login_form(request: Request) -> Response:
        target = safe_next(request.query_params.get("next"))
        return RedirectResponse(target, status_code=303) if ui.signed_in(request) else sign_in_page(ui.identity, target)

    async def login(request: Request) -> Response:
        form = await request.form()
        email, target = str(form.get("email") or ""), safe_next(str(form.get("next") or ""))
        user = ui.identity.sign_in(email, str(form.get("password") or ""))
        if user is None:
            return sign_in_page(ui.identity, target, email, "Your email or password is incorrect.")
        ui.sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, ui.sessions.start(user["user_id"]), httponly=True, samesite="lax")
        return response

    async def logout(request: Request) -> Response:
        ui.sessions.end(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def organisations(request: Request) -> Response:
        signed_in = ui.signed_in(request)
        if signed_in is None:
            return sign_in_redirect(request)
        _, user = signed_in
        choices = "".join(organisation_choice(ui.identity.organisation(tenant_id)) for tenant_id in user["tenant_ids"])
        return frame(
            "Organisations",
            f"<h1>Choose an organisation</h1><p>Signed in as {escape(user['email'])}.</p>"
            f"<ul class='organisations'>{choices}</ul>"
            "<form method='post' action='/logout'><button type='submit' class='secondary'>Log out</button></form>",
        )

    def held_by(request: Request, kind: str, record_id: str, path: str, what: str) -> Response:
        """The record's page in whichever of the signed-in person's organisations holds it, else not found."""
        signed_in = ui.signed_in(request)
        if signed_in is None:
            return sign_in_redirect(request)
        _, user = signed_in
        for tenant_id in user["tenant_ids"]:
            if record_id and ui.accounting.books(tenant_id).get(kind, record_id) is not None:
                return RedirectResponse(f"/organisations/{tenant_id}/{path}/{record_id}", status_code=303)
        return frame(
            "Not found",
            f"<h1>{what.capitalize()} not found</h1><p>None of your organisations has this {what}. "
            "<a href='/organisations'>Choose one of yours</a>.</p>",
            status_code=404,
        )

    async def deep_link(request: Request) -> Response:
        """go.xero.com's link to an invoice (/AccountsReceivable/View.aspx?InvoiceID=…, /AccountsPayable/… for a bill).
        Credit notes have no page here, so their links (ViewCreditNote.aspx) are not found, as any unknown page."""
        invoice_id = guid(request.query_params.get("InvoiceID", "")) or ""
        return held_by(request, INVOICES.store_kind, invoice_id, "invoices", "invoice")

    async def contact_link(request: Request) -> Response:
        """go.xero.com's link to a contact (/Contacts/View/{ContactID})."""
        contact_id = guid(request.path_params["contact_id"]) or ""
        return held_by(request, CONTACT_KIND, contact_id, "contacts", "contact")

    async def organisation_login(request: Request) -> Response:
        """go.xero.com's link into one organisation (/organisationlogin/default.aspx?shortcode=!abc12&redirecturl=/…):
        the dashboard opens as the organisation's invoices; a link to a record goes on to its own deep link."""
        signed_in = ui.signed_in(request)
        if signed_in is None:
            return sign_in_redirect(request)
        _, user = signed_in
        short_code, target = request.query_params.get("shortcode", ""), request.query_params.get("redirecturl", "")
        for tenant_id in user["tenant_ids"]:
            organisation = ui.identity.organisation(tenant_id)
            if organisation is not None and short_code and organisation["short_code"] == short_code:
                on_to_record = target.startswith(RECORD_LINKS) and not target.startswith("//")
                return RedirectResponse(target if on_to_record else f"/organisations/{tenant_id}/invoices", status_code=303)
        return frame(
            "Not found",
            "<h1>Organisation not found</h1><p>None of your organisations has this short code. "
            "<a href='/organisations'>Choose one of yours</a>.</p>",
            status_code=404,
        )

    async def organisation_home(request: Request) -> Response:
        return RedirectResponse(f"/organisations/{request.path_params['tenant_id']}/invoices", status_code=303)

    def page(path: str, handler: OrganisationHandler, method: str = "GET") -> Route:
        return Route(ORGANISATION + path, for_organisation(ui, handler), methods=[method])

    return Starlette(
        routes=[
            Route("/", home, methods=["GET"]),
            Route("/login", login_form, methods=["GET"]),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["GET", "POST"]),
            Route("/organisations", organisations, methods=["GET"]),
            Route(ORGANISATION, organisation_home, methods=["GET"]),
            Route("/AccountsReceivable/View.aspx", deep_link, methods=["GET"]),
            Route("/AccountsPayable/View.aspx", deep_link, methods=["GET"]),
            Route("/Contacts/View/{contact_id}", contact_link, methods=["GET"]),
            Route("/organisationlogin/default.aspx", organisation_login, methods=["GET"]),
            page("/invoices", invoices.invoice_list),
            page("/invoices/{invoice_id}", invoices.invoice_page),
            page("/invoices/{invoice_id}/approve", invoices.approve, "POST"),
            page("/invoices/{invoice_id}/void", invoices.void, "POST"),
            page("/invoices/{invoice_id}/delete", invoices.delete, "POST"),
            page("/invoices/{invoice_id}/payments", invoices.record_payment, "POST"),
            page("/contacts", contacts.contact_list),
            page("/contacts/{contact_id}", contacts.contact_page),
            page("/contacts/{contact_id}", contacts.save_contact, "POST"),
        ]
    )


def organisation_choice(organisation: Record | None) -> str:
    if organisation is None:
        return ""
    return (
        f"<li class='org'><a href='/organisations/{escape(organisation['tenant_id'])}/invoices'>{escape(organisation['name'])}</a>"
        f"<span class='muted'>{escape(organisation['country_code'])} · {escape(organisation['base_currency'])}</span></li>"
    )
