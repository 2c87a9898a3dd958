"""Two ways into one Xero sandbox organisation: the person's app (`Person`, plain http with a cookie, pages
read with lxml) and the Accounting API (`AccountingClient`, HTTPS with a bearer token) to set up records
and to read back what the person's changes did."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from lxml import html as lxml_html

from tests.sandbox.xero_helpers import Connection

PASSWORD_ERROR = "Your email or password is incorrect."


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Page:
    """A page the app answered with, parsed."""

    response: httpx.Response

    def __post_init__(self) -> None:
        self.tree = lxml_html.fromstring(self.response.text)

    @property
    def status_code(self) -> int:
        return self.response.status_code

    def texts(self, xpath: str) -> list[str]:
        return [" ".join(node.text_content().split()) for node in self.tree.xpath(xpath)]

    def text(self, xpath: str) -> str:
        [found] = self.texts(xpath)
        return found

    @property
    def errors(self) -> list[str]:
        return self.texts("//div[@class='errors']//li")

    @property
    def notices(self) -> list[str]:
        return self.texts("//p[@class='notice']")

    @property
    def heading(self) -> str:
        return self.text("//h1")

    def field(self, name: str) -> str:
        [value] = self.tree.xpath(f"//*[@name='{name}']/@value")
        return value

    def selected(self, name: str) -> str:
        [value] = self.tree.xpath(f"//select[@name='{name}']/option[@selected]/@value")
        return value

    def options(self, name: str) -> list[tuple[str, str]]:
        return [(option.get("value"), option.text_content()) for option in self.tree.xpath(f"//select[@name='{name}']/option")]

    def invoice_ids(self) -> list[str]:
        return self.tree.xpath("//tr/@data-invoice-id")

    def invoice_row(self, invoice_id: str) -> list[str]:
        return self.texts(f"//tr[@data-invoice-id='{invoice_id}']/td")

    def invoice_status(self) -> str:
        [value] = self.tree.xpath("//dl[@id='invoice-facts']/@data-status")
        return value

    def amount(self, key: str) -> str:
        return self.text(f"//td[@id='{key}']")

    def buttons(self) -> list[str]:
        return self.texts("//*[@id='actions' or @id='payment-form']//button")

    def links(self, rel: str) -> list[str]:
        return self.tree.xpath(f"//a[@rel='{rel}']/@href")


class Person:
    """Someone using the app at sandbox.url("xero-app"), as a browser would (cookies kept, redirects seen)."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def close(self) -> None:
        self.http.close()

    def sign_in(self, email: str, password: str, next_path: str = "") -> httpx.Response:
        return self.http.post("/login", data={"email": email, "password": password, "next": next_path})

    def open(self, path: str, **params: str) -> Page:
        return Page(self.http.get(path, params=params or None))  # params={} would drop a query written in `path`

    def submit(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(path, data=data or {})

    def submit_and_follow(self, path: str, data: dict[str, str] | None = None) -> Page:
        """A change answered with 303 (POST-redirect-GET), then the page it redirects to."""
        response = self.submit(path, data)
        assert response.status_code == 303, response.text
        return self.open(response.headers["location"])


class AccountingClient:
    """One organisation's Accounting API over HTTPS."""

    def __init__(self, sandbox, connection: Connection):
        self.tenant_id = connection.tenant_id
        self.http = httpx.Client(
            base_url=sandbox.xero["api_url"],
            verify=sandbox.tls,
            timeout=10,
            headers={
                "Authorization": f"Bearer {connection.access_token}",
                "xero-tenant-id": connection.tenant_id,
                "Accept": "application/json",
            },
        )

    def close(self) -> None:
        self.http.close()

    def created(self, collection: str, *elements: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.http.put(f"/{collection}", json={collection: list(elements)})
        assert response.status_code == 200, response.text
        return response.json()[collection]

    def new_contact(self, **fields: Any) -> dict[str, Any]:
        return self.created("Contacts", {"Name": unique("UI Contact"), **fields})[0]

    def invoice_element(self, contact: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """A sales invoice for 100.00 + 15% GST = 115.00."""
        return {
            "Type": "ACCREC",
            "Contact": {"ContactID": contact["ContactID"]},
            "Date": "2026-03-02",
            "LineItems": [{"Description": "Consulting", "Quantity": 2, "UnitAmount": 50, "AccountCode": "200"}],
            **fields,
        }

    def new_invoice(self, contact: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        return self.created("Invoices", self.invoice_element(contact or self.new_contact(), **fields))[0]

    def invoice(self, invoice_id: str) -> dict[str, Any]:
        response = self.http.get(f"/Invoices/{invoice_id}")
        assert response.status_code == 200, response.text
        return response.json()["Invoices"][0]

    def contact(self, contact_id: str) -> dict[str, Any]:
        response = self.http.get(f"/Contacts/{contact_id}")
        assert response.status_code == 200, response.text
        return response.json()["Contacts"][0]

    def bank_account_ids(self) -> dict[str, str]:
        """{code: AccountID} of the organisation's BANK accounts."""
        response = self.http.get("/Accounts", params={"where": 'Type=="BANK"'})
        assert response.status_code == 200, response.text
        return {account["Code"]: account["AccountID"] for account in response.json()["Accounts"]}

    def payment(self, payment_id: str) -> dict[str, Any]:
        response = self.http.get(f"/Payments/{payment_id}")
        assert response.status_code == 200, response.text
        return response.json()["Payments"][0]
