"""What a new Xero sandbox holds: apps, users and organisations (reference data comes with the API)."""

from __future__ import annotations

SCOPES_BROAD = "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings"

APPS = [
    {
        "name": "Dynamics Xero Connector (sandbox)",
        "kind": "web",
        "client_id": "DXC0SANDBOX0CLIENT0ID00000000001",
        "client_secret": "sandbox-client-secret-connector-web-app-0001",
        # Loopback redirect URIs match on scheme, host and path: any port is accepted (see docs/sandbox.md).
        "redirect_uris": ["http://127.0.0.1:8000/xero/callback/", "http://localhost:8000/xero/callback/"],
        "webhook_key": "sandbox-webhook-signing-key-0001-dxconnector-xero-demo==",
    },
    {
        "name": "PKCE desktop app (sandbox)",
        "kind": "pkce",
        "client_id": "DXC0SANDBOX0PKCE0CLIENT000000002",
        "client_secret": None,
        "redirect_uris": ["http://127.0.0.1:8000/xero/callback/"],
        "webhook_key": None,
    },
    {
        "name": "Custom connection (sandbox)",
        "kind": "custom",
        "client_id": "DXC0SANDBOX0CUSTOM0CONNECTION003",
        "client_secret": "sandbox-client-secret-custom-connection-0003",
        "redirect_uris": [],
        "webhook_key": None,
        "tenant_id": "7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60",
    },
]

ORGANISATIONS = [
    {
        "tenant_id": "7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60",
        "name": "Oakwood Trading Ltd",
        "short_code": "!Oak01",
        "country_code": "NZ",
        "base_currency": "NZD",
        "timezone": "NEWZEALANDSTANDARDTIME",
        "version": "NZ",
    },
    {
        "tenant_id": "2b9d6e1f-3c4a-4f7b-8e2d-5a6b7c8d9e01",
        "name": "Bayside Wholesale Pty Ltd",
        "short_code": "!Bay02",
        "country_code": "AU",
        "base_currency": "AUD",
        "timezone": "AUSEASTERNSTANDARDTIME",
        "version": "AU",
    },
    {
        "tenant_id": "c4e5f6a7-8b9c-4d0e-a1b2-c3d4e5f6a7b8",
        "name": "Thistle & Rose Ltd",
        "short_code": "!Thi03",
        "country_code": "GB",
        "base_currency": "GBP",
        "timezone": "GMTSTANDARDTIME",
        "version": "UK",
    },
]

USERS = [
    {
        "user_id": "0d1e2f3a-4b5c-4d6e-8f70-819203a4b5c6",
        "email": "accountant@xero.sandbox",
        "password": "sandbox-password",
        "first_name": "Ava",
        "last_name": "Accountant",
        "tenant_ids": ["7f1c2a4e-0b5d-4c1e-9a7e-1d2c3b4a5f60", "2b9d6e1f-3c4a-4f7b-8e2d-5a6b7c8d9e01"],
    },
    {
        "user_id": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "email": "bookkeeper@xero.sandbox",
        "password": "sandbox-password",
        "first_name": "Ben",
        "last_name": "Bookkeeper",
        "tenant_ids": ["c4e5f6a7-8b9c-4d0e-a1b2-c3d4e5f6a7b8"],
    },
]
