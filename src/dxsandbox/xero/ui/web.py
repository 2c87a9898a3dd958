"""Who is using the app and for which organisation: sessions, the per-request `Visit`, and the guard that
turns a request for /organisations/{tenant_id}/… into one (or sends the person to sign in).

Changes go through `Visit.attempt`: the accounting business layer in one committed unit of work, its
change events announced with the API host's URLs (as if the API had made them), then a redirect (POST-
redirect-GET); a refusal (ValidationFailure) shows the business layer's own messages instead.
"""

from __future__ import annotations

import decimal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from typing import TypeVar
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dxsandbox.common.sessions import Session, Sessions
from dxsandbox.xero.api.accounting import AccountingApi
from dxsandbox.xero.api.accounting.books import Books, Record
from dxsandbox.xero.api.accounting.outcome import Work
from dxsandbox.xero.api.accounting.validation import ValidationFailure
from dxsandbox.xero.oauth import XeroIdentity
from dxsandbox.xero.ui.layout import NavLink, frame, navigation

SESSION_COOKIE = "xero_app_session"  # not login.xero.com's cookie: cookies on 127.0.0.1 are shared by every port
# Figures too large for the business layer's money arithmetic (an amount of 1e30) fail there with these.
OUT_OF_RANGE = (decimal.InvalidOperation, decimal.Overflow)
OUT_OF_RANGE_MESSAGE = "A number given is too large to be calculated."
T = TypeVar("T")


@dataclass
class XeroUi:
    accounting: AccountingApi
    api_base: str  # the API host's /api.xro/2.0: change events name resources there
    sessions: Sessions = field(default_factory=Sessions)

    @property
    def identity(self) -> XeroIdentity:
        return self.accounting.identity

    def signed_in(self, request: Request) -> tuple[Session, Record] | None:
        session = self.sessions.get(request.cookies.get(SESSION_COOKIE))
        user = self.identity.user(session.user_id) if session else None
        return (session, user) if session and user else None


class NotFound(Exception):
    """The record a page or an action names does not exist in this organisation."""


@dataclass
class Visit:
    """One request from a signed-in person to one of their organisations."""

    ui: XeroUi
    request: Request
    session: Session
    user: Record
    organisation: Record  # the identity's organisation: tenant_id, name, base_currency…

    @property
    def tenant_id(self) -> str:
        return self.organisation["tenant_id"]

    @cached_property
    def books(self) -> Books:
        return self.ui.accounting.books(self.tenant_id)

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def param(self, name: str) -> str:
        return self.request.query_params.get(name, "")

    def link(self, *segments: str) -> str:
        return "/".join(("", "organisations", self.tenant_id, *segments))

    async def form(self) -> FormData:
        return await self.request.form()

    def render(self, title: str, body: str, *, section: str, errors: list[str] | None = None, status_code: int = 200) -> Response:
        notices, self.session.notices = self.session.notices, []
        links = [
            NavLink("Invoices", self.link("invoices"), section == "invoices"),
            NavLink("Contacts", self.link("contacts"), section == "contacts"),
        ]
        nav = navigation(self.organisation["name"], links, who=self.user["email"])
        return frame(title, body, nav=nav, notices=notices, errors=errors or [], status_code=status_code)

    def attempt(
        self, change: Callable[[Work], T], *, done: str | Callable[[T], str], then: str, refused: Callable[[list[str]], Response]
    ) -> Response:
        """Commit `change`; on success say `done` (or what `done` makes of the result) on the page at `then`,
        else show why it was refused."""
        try:
            result = self.ui.accounting.commit(self.tenant_id, change, api_base=self.ui.api_base)
        except ValidationFailure as failure:
            return refused(failure.messages)
        except OUT_OF_RANGE:  # rolled back like a refusal, and said on the page rather than as a server error
            return refused([OUT_OF_RANGE_MESSAGE])
        self.session.notices.append(done if isinstance(done, str) else done(result))
        return RedirectResponse(then, status_code=303)


OrganisationHandler = Callable[[Visit], Awaitable[Response]]


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def for_organisation(ui: XeroUi, handler: OrganisationHandler) -> Callable[[Request], Awaitable[Response]]:
    """The signed-in person's visit to /organisations/{tenant_id}/…: only their own organisations exist for them."""

    async def run(request: Request) -> Response:
        signed_in = ui.signed_in(request)
        if signed_in is None:
            return sign_in_redirect(request)
        session, user = signed_in
        tenant_id = str(request.path_params["tenant_id"]).lower()
        organisation = ui.identity.organisation(tenant_id) if tenant_id in user["tenant_ids"] else None
        if organisation is None:
            return frame(
                "Not found",
                "<h1>Organisation not found</h1><p>You have no access to this organisation. "
                "<a href='/organisations'>Choose one of yours</a>.</p>",
                status_code=404,
            )
        visit = Visit(ui, request, session, user, organisation)
        try:
            return await handler(visit)
        except NotFound as missing:
            return visit.render("Not found", f"<h1>{escape(str(missing))}</h1>", section="", status_code=404)

    return run
