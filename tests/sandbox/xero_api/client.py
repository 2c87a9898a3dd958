"""Test clients for the Accounting API: plain HTTPS (httpx) and the official xero-python SDK.

Both check every response they receive against Xero's OpenAPI files (spec.py), so a test that only
asserts behaviour still proves the shape of everything it saw.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.exceptions import HTTPStatusException

from tests.sandbox.xero_api.spec import accounting_validator, identity_validator
from tests.sandbox.xero_helpers import Connection


def unique(prefix: str) -> str:
    """Names and numbers no other test (or earlier run against the same sandbox) uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class XeroApi:
    """One organisation's Accounting API over HTTPS; every answer is validated against the spec."""

    def __init__(self, sandbox, connection: Connection):
        self.sandbox = sandbox
        self.connection = connection
        self.tenant_id = connection.tenant_id
        self.validator = accounting_validator()
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

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        response = self.http.request(method, path, **options)
        self.validator.check(method, urlsplit(path).path, response.status_code, response.content)
        return response

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.request("GET", path, **options)

    def put(self, path: str, **options: Any) -> httpx.Response:
        return self.request("PUT", path, **options)

    def post(self, path: str, **options: Any) -> httpx.Response:
        return self.request("POST", path, **options)

    def delete(self, path: str, **options: Any) -> httpx.Response:
        return self.request("DELETE", path, **options)

    # --- records the tests need, created with unique names ----------------------------------------------
    def created(self, collection: str, element: dict[str, Any], **options: Any) -> dict[str, Any]:
        response = self.put(f"/{collection}", json={collection: [element]}, **options)
        assert response.status_code == 200, response.text
        return response.json()[collection][0]

    def new_contact(self, **fields: Any) -> dict[str, Any]:
        return self.created("Contacts", {"Name": unique("Contact"), "EmailAddress": "accounts@example.com", **fields})

    def new_invoice(
        self, *, contact: dict[str, Any] | None = None, lines: list[dict[str, Any]] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """A sales invoice for 100.00 + GST; `Contact=` names the contact as Xero accepts it, `contact=` passes one created earlier."""
        if "Contact" not in fields:
            fields["Contact"] = {"ContactID": (contact or self.new_contact())["ContactID"]}
        return self.created(
            "Invoices",
            {
                "Type": "ACCREC",
                "Date": "2026-03-02",
                "LineItems": lines or [{"Description": "Consulting", "Quantity": 2, "UnitAmount": 50, "AccountCode": "200"}],
                **fields,
            },
        )

    def new_credit_note(self, *, contact: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return self.created(
            "CreditNotes",
            {
                "Type": "ACCRECCREDIT",
                "Contact": {"ContactID": contact["ContactID"]},
                "Date": "2026-03-03",
                "Status": "AUTHORISED",
                "LineItems": [{"Description": "Refund", "Quantity": 1, "UnitAmount": 20, "AccountCode": "200"}],
                **fields,
            },
        )

    def pay(
        self, invoice: dict[str, Any], amount: float, *, headers: dict[str, str] | None = None, **fields: Any
    ) -> httpx.Response:
        return self.put(
            "/Payments",
            headers=headers,
            json={
                "Payments": [
                    {
                        "Invoice": {"InvoiceID": invoice["InvoiceID"]},
                        "Account": {"Code": "090"},
                        "Amount": amount,
                        "Date": "2026-03-10",
                        **fields,
                    }
                ]
            },
        )

    def invoice(self, invoice_id: str, **options: Any) -> dict[str, Any]:
        return self.get(f"/Invoices/{invoice_id}", **options).json()["Invoices"][0]


# --- the official SDK ------------------------------------------------------------------------------------
def sdk_token(tokens: dict[str, Any]) -> dict[str, Any]:
    """The token dictionary the SDK keeps: scope as a list, and expires_at (without it, no refresh ever happens)."""
    return {
        "access_token": tokens["access_token"],
        "refresh_token": tokens.get("refresh_token"),
        "id_token": tokens.get("id_token"),
        "scope": tokens["scope"].split(),
        "expires_in": tokens["expires_in"],
        "token_type": tokens["token_type"],
        "expires_at": time.time() + tokens["expires_in"],
    }


def sdk_configuration(ca_file: str, connection: Connection) -> Configuration:
    """Configuration(...) ignores its arguments after the first call in a process (its metaclass hands out
    copies of the first instance) and takes no ssl_ca_cert argument at all: set the attributes instead."""
    configuration = Configuration()
    configuration.oauth2_token = OAuth2Token(client_id=connection.app["client_id"], client_secret=connection.app["client_secret"])
    configuration.ssl_ca_cert = ca_file
    return configuration


class SdkSession:
    """An SDK ApiClient for one connection, with a token store and every response checked against the spec."""

    def __init__(self, sandbox, connection: Connection):
        self.sandbox = sandbox
        self.tenant_id = connection.tenant_id
        self.token = sdk_token(connection.tokens)
        self.saved: list[dict[str, Any]] = []
        self.api_client = ApiClient(sdk_configuration(sandbox.ca_file, connection), pool_threads=1)
        # The SDK never releases some connections (token calls read unpreloaded responses); an open
        # keep-alive connection holds up the sandbox's shutdown, so ask for one connection per call.
        self.api_client.set_default_header("Connection", "close")
        self.api_client.oauth2_token_getter(lambda: self.token)
        self.api_client.oauth2_token_saver(self._save)
        self._validate_every_response()

    def close(self) -> None:
        self.api_client.rest_client.pool_manager.clear()  # idle keep-alive connections would hold up the sandbox's shutdown

    def _save(self, token: dict[str, Any]) -> None:
        self.token = token
        self.saved.append(token)

    def _validate_every_response(self) -> None:
        rest = self.api_client.rest_client
        send = rest.request

        def checked(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            try:
                response = send(method, url, *args, **kwargs)
            except HTTPStatusException as error:
                self._check(method, url, error.status, error.body or b"")
                raise
            self._check(method, url, response.status, response.data)
            return response

        rest.request = checked

    def _check(self, method: str, url: str, status: int, body: bytes) -> None:
        path = urlsplit(url).path
        api_url, api_host = self.sandbox.xero["api_url"], self.sandbox.url("xero-api")
        if url.startswith(api_url):
            accounting_validator().check(method, path[len(urlsplit(api_url).path) :], status, body)
        elif url.startswith(api_host) and path.lower().startswith("/connections"):
            identity_validator().check(method, path, status, body)
        # The token endpoint is described by no spec file; the SDK parsing the answer is the check there.
