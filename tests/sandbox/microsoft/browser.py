"""Play the person in front of Microsoft's sign-in pages: read each page's form and submit it, as a browser would."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of each submit button


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get").lower()))
        elif self.forms and tag == "input" and values.get("name"):
            self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif self.forms and tag == "button" and values.get("name"):
            self.forms[-1].buttons.append((values["name"], values.get("value", "")))


def forms_of(page: httpx.Response) -> list[Form]:
    reader = _FormReader()
    reader.feed(page.text)
    return reader.forms


def submit(browser: httpx.Client, page: httpx.Response, button: str | None = None, **values: str) -> httpx.Response:
    """Fill in the page's (first) form and press the button whose value is `button` (or the only one)."""
    form = forms_of(page)[0]
    data = {**form.fields, **values}
    if button is not None:
        name = next(name for name, value in form.buttons if value == button)
        data[name] = button
    return browser.request(form.method.upper(), urljoin(str(page.url), form.action), data=data)


def is_sign_in(page: httpx.Response) -> bool:
    return page.status_code == 200 and any("passwd" in form.fields for form in forms_of(page))


def is_consent(page: httpx.Response) -> bool:
    return page.status_code == 200 and "Permissions requested" in page.text


def answer_of(response: httpx.Response) -> dict[str, str]:
    """What the app receives: the redirect's query (or fragment), or the fields of a form_post page."""
    if response.status_code in (302, 303):
        parts = urlsplit(response.headers["location"])
        return {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}
    forms = forms_of(response)
    assert response.status_code == 200 and forms, response.text
    return dict(forms[0].fields)


def sign_in(
    auth_uri: str, user: dict[str, Any], *, consent: str = "accept", browser: httpx.Client | None = None
) -> dict[str, str]:
    """Open `auth_uri`, sign in as `user` if asked, accept (or cancel) consent if asked; return the app's answer."""
    owned = browser is None
    browser = browser or httpx.Client()
    try:
        page = browser.get(auth_uri)
        if is_sign_in(page):
            page = submit(browser, page, login=user["email"], passwd=user["password"])
        if is_consent(page):
            page = submit(browser, page, button=consent)
        return answer_of(page)
    finally:
        if owned:
            browser.close()
