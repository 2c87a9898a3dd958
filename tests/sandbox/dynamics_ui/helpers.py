"""Driving the sandbox's Dynamics 365 app over HTTP as a person would, and checking it against the Web API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import lxml.html

from tests.sandbox.microsoft.oauth import app_token

PASSWORD_FIELD, LOGIN_FIELD = "passwd", "login"


def unique(prefix: str) -> str:
    """A name no other test (or earlier run of this one) uses."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def html(response: httpx.Response) -> Any:
    return lxml.html.fromstring(response.text)


def text_of(response: httpx.Response, css_id: str) -> str:
    return html(response).get_element_by_id(css_id).text_content().strip()


def notices(response: httpx.Response) -> list[str]:
    return [p.text_content().strip() for p in html(response).xpath("//p[@class='notice']")]


def error_text(response: httpx.Response) -> str:
    found = html(response).xpath("//*[@id='error']")
    return found[0].text_content() if found else ""


def field_value(response: httpx.Response, name: str) -> str:
    """What an input, text area or select of the page holds."""
    element = html(response).xpath(f"//*[@name='{name}']")[0]
    if element.tag == "select":
        chosen = element.xpath(".//option[@selected]")
        return chosen[0].get("value") if chosen else ""
    return element.text_content() if element.tag == "textarea" else element.get("value", "")


def options(response: httpx.Response, name: str) -> dict[str, str]:
    """A select's options: label → value."""
    return {o.text_content(): o.get("value") for o in html(response).xpath(f"//select[@name='{name}']//option")}


def amount(response: httpx.Response, css_id: str = "invoice-total") -> float:
    return float(html(response).get_element_by_id(css_id).get("data-amount"))


def line_ids(response: httpx.Response) -> list[str]:
    return [row.get("data-line-id") for row in html(response).xpath("//table[@id='lines']//tr[@data-line-id]")]


def line_amount(response: httpx.Response, line_id: str, field: str) -> float:
    cell = html(response).xpath(f"//tr[@data-line-id='{line_id}']/td[@data-field='{field}']")[0]
    return float(cell.get("data-amount"))


def new_id(response: httpx.Response) -> str:
    """The row a create redirected to: the last segment of its Location."""
    assert response.status_code == 303, response.text
    return response.headers["location"].rstrip("/").rsplit("/", 1)[1]


@dataclass
class Person:
    """A signed-in browser (cookies and all) working in one organisation of the app."""

    client: httpx.Client
    org: dict[str, Any]

    def path(self, *parts: str) -> str:
        return "/".join((f"/orgs/{self.org['unique_name']}", *parts))

    def get(self, *parts: str, **params: str) -> httpx.Response:
        return self.client.get(self.path(*parts), params=params)

    def post(self, *parts: str, data: dict[str, str] | None = None, files: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(self.path(*parts), data=data or {}, files=files)

    def follow(self, response: httpx.Response) -> httpx.Response:
        """The page a POST redirected to (POST-redirect-GET)."""
        assert response.status_code == 303, (response.status_code, error_text(response) or response.text)
        return self.client.get(response.headers["location"])


def sign_in(app_url: str, user: dict[str, Any]) -> httpx.Client:
    client = httpx.Client(base_url=app_url)
    response = client.post("/signin", data={LOGIN_FIELD: user["email"], PASSWORD_FIELD: user["password"]})
    assert response.status_code == 303, response.text
    return client


class WebApi:
    """The organisation's Web API over HTTPS with the connector's application user (an app-only token)."""

    def __init__(self, sandbox: Any, microsoft: dict[str, Any], org: dict[str, Any]):
        daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
        token = app_token(sandbox, microsoft, daemon, org["tenant_id"], org["url"])["access_token"]
        self.client = httpx.Client(
            base_url=org["web_api_url"] + "/",
            verify=sandbox.tls,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )

    def get(self, path: str, **params: str) -> dict[str, Any]:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def rows(self, entity_set: str, **params: str) -> list[dict[str, Any]]:
        return self.get(entity_set, **params)["value"]

    def create(self, entity_set: str, values: dict[str, Any]) -> str:
        response = self.client.post(entity_set, json=values)
        assert response.status_code == 204, response.text
        return response.headers["odata-entityid"].rsplit("(", 1)[1].rstrip(")")

    def delete(self, path: str) -> None:
        response = self.client.delete(path)
        assert response.status_code == 204, response.text

    def close(self) -> None:
        self.client.close()
