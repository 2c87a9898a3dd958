"""An organisation's Web API in-process (Starlette's TestClient) with a token validator of the tests' own."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

with warnings.catch_warnings():  # Starlette would rather run its test client on another HTTP library
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from dxsandbox.common import jwt
from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft.dataverse.app import build_dataverse_app
from dxsandbox.microsoft.dataverse.service import DataverseService
from dxsandbox.microsoft.dataverse.settings import DataverseSettings, OrgUser, SeedSize

API = "/api/data/v9.2"
BASE_URL = "https://testserver"
ODATA_HEADERS = {"Accept": "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0", "If-None-Match": "null"}

ADMIN = "0f5c1d2e-0000-4000-8000-000000000001"
SALES = "0f5c1d2e-0000-4000-8000-000000000002"
NO_ACCOUNT_WRITE = "0f5c1d2e-0000-4000-8000-000000000003"
AUDITOR = "0f5c1d2e-0000-4000-8000-000000000004"
INTEGRATION = "0f5c1d2e-0000-4000-8000-000000000005"
INTEGRATION_APP = "9a9a9a9a-0000-4000-8000-00000000000a"

USERS = [
    OrgUser(ADMIN, "Åsa", "Admin", "admin@contoso.test", ("System Administrator",)),
    OrgUser(SALES, "Sam", "Seller", "sales@contoso.test", ("Salesperson",)),
    OrgUser(NO_ACCOUNT_WRITE, "Nina", "Nowrite", "nina@contoso.test", ("Salesperson (no account write)",)),
    OrgUser(AUDITOR, "Ari", "Auditor", "ari@contoso.test", ("Read Only Auditor",)),
    OrgUser(INTEGRATION, "", "# Xero connector", "", ("Xero Integration",), application_id=INTEGRATION_APP),
]
ORG = {
    "id": "7d1d6a52-3f7e-4c43-9d0a-3c1b2f0e5a01",
    "unique_name": "orgcontoso",
    "friendly_name": "Contoso Sales",
    "business_unit_id": "5b1c8f0e-6d2a-4b7e-8c3f-9e0d1a2b3c4d",
    "base_currency": "EUR",
}


class TestTokens:
    """Signs and checks tokens like the identity host does: audience = the organisation's URL."""

    __test__ = False
    key = b"dataverse-tests-key"

    def issue(self, oid: str, audience: str = BASE_URL, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "aud": audience,
            "oid": oid,
            "tid": "tenant",
            "appid": "client",
            "scp": "user_impersonation",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode({k: v for k, v in body.items() if v is not None}, self.key)

    def validate(self, token: str, audience: str) -> dict[str, Any] | None:
        claims = jwt.decode(token, self.key)
        if claims is None or claims.get("aud") != audience or claims.get("exp", 0) <= time.time():
            return None
        return claims


@dataclass
class Org:
    app: Any
    service: DataverseService
    tokens: TestTokens
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, oid: str = ADMIN, **claims: Any) -> TestClient:
        key = oid + repr(sorted(claims.items()))
        if key not in self.clients:
            token = self.tokens.issue(oid, **claims)
            self.clients[key] = TestClient(
                self.app, base_url=BASE_URL, headers={**ODATA_HEADERS, "Authorization": f"Bearer {token}"}
            )
        return self.clients[key]

    @property
    def api(self):
        return self.service.api


def make_org(
    tmp_path, *, settings: DataverseSettings | None = None, clock: ScaledClock | None = None, org: dict | None = None
) -> Org:
    store = DocumentStore(tmp_path / "dataverse.sqlite3")
    settings = settings or DataverseSettings(
        users=list(USERS), seed=SeedSize(accounts=4, products=4, invoices=3, lines_per_invoice=2)
    )
    app = build_dataverse_app(dict(org or ORG), store, TestTokens(), settings=settings, clock=clock)
    return Org(app, app.state.dataverse, TestTokens())


@pytest.fixture
def org(tmp_path) -> Iterator[Org]:
    built = make_org(tmp_path)
    yield built
    built.service.webhooks.close()
