"""Signed-in people and their visits to an organisation.

A `Visit` is one request from a signed-in person to one of their organisations: who they are, their role
there, the organisation's Web API acting as them, and the way back to a page (POST-redirect-GET, with a
notice shown once on the next page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import HTMLResponse, RedirectResponse, Response

from dxsandbox.common.sessions import Session
from dxsandbox.microsoft.ui.forms import Input
from dxsandbox.microsoft.ui.gateway import ActingUser, Organisation
from dxsandbox.microsoft.ui.layout import Frame, framed

SESSION_COOKIE = "dynamics_app_session"  # cookies on 127.0.0.1 are shared by every port: not the sign-in host's name


@dataclass
class Visit:
    session: Session
    user: dict[str, Any]
    organisation: Organisation
    api: ActingUser
    role: str

    @property
    def base(self) -> str:
        return f"/orgs/{self.organisation.unique_name}"

    def path(self, *parts: str) -> str:
        return "/".join((self.base, *parts))

    def redirect(self, *parts: str, notice: str | None = None) -> RedirectResponse:
        if notice:
            self.session.notices = [notice]  # a browser shows the page in between; an older notice is stale
        return RedirectResponse(self.path(*parts), status_code=303)

    def page(self, area: str, title: str, body: str, *, status: int = 200) -> HTMLResponse:
        notices, self.session.notices = list(self.session.notices), []
        frame = Frame(
            self.organisation.friendly_name, self.base, str(self.user.get("display_name") or self.user["upn"]), self.role
        )
        return framed(frame, area, title, body, notices=notices, status=status)


Handler = Callable[[Visit, Input], Response]
