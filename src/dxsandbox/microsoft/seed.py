"""What a new Microsoft sandbox holds: tenants, users, Dataverse organisations and app registrations.

Users belong to organisations with one security role each (by name); the Dataverse emulator defines
what each role may do, so every role named here appears in ROLES. Organisation URLs are not seeded:
each organisation is served on its own port, so its Dataverse URL is known only when the sandbox starts.
Oakwood Sales, the organisation the demo's setup picks, holds the demo's sales data; the others hold
generated data.
"""

from __future__ import annotations

from typing import Any

PASSWORD = "sandbox-password"

# The first-party API that Dataverse environments and Global Discovery belong to in Entra ID.
DYNAMICS_CRM_APP_ID = "00000007-0000-0000-c000-000000000000"
DYNAMICS_PERMISSIONS = ("user_impersonation",)

OAKWOOD = "4108305e-94fb-4abf-b693-8b402d553121"
HARBOUR = "f92bf378-f183-4644-94ac-8694626a5fc9"

TENANTS = [
    {"tenant_id": OAKWOOD, "name": "Oakwood Group", "domain": "oakwood.sandbox"},
    {"tenant_id": HARBOUR, "name": "Harbour Lights Ltd", "domain": "harbourlights.sandbox"},
]

# Security role name → what it means (the Dataverse emulator grants privileges by these names).
ROLES = {
    "System Administrator": "every privilege on every table",
    "Salesperson": "creates and updates accounts, contacts, products and invoices",
    "Salesperson (no account write)": "a Salesperson whose role lacks Account write: the checklist's failing example",
    "Read Only Auditor": "reads everything, creates and writes nothing (no Account write)",
    "Xero Integration": "the custom role an administrator gives the connector's application user",
}

ORGANISATIONS = [
    {
        "id": "a0e72881-ad0b-4888-9f98-c15aed17d67f",
        "unique_name": "org1a2b3c4d",
        "url_name": "oakwood-sales",
        "friendly_name": "Oakwood Sales",
        "version": "9.2.25113.00174",
        "tenant_id": OAKWOOD,
        "region": "OCE",
        "business_unit_id": "c6b2919d-4732-421f-aec5-eb9e6b03d612",
        "environment_id": "f3d37d3a-9ebc-4c5e-9321-1f53303e6f24",
        "purpose": "Production",
        "state": 0,
        "last_updated": "2025-11-03T21:14:52Z",
        "sales_data": "demo",  # the demo's customers, products and invoices (dataverse/seed.py DEMO_INVOICES)
    },
    {
        "id": "965414ae-99e9-4cd6-aa1d-a7e4dd3d2035",
        "unique_name": "org5e6f7a8b",
        "url_name": "oakwood-test",
        "friendly_name": "Oakwood Sales (Test)",
        "version": "9.2.25113.00174",
        "tenant_id": OAKWOOD,
        "region": "OCE",
        "business_unit_id": "aa73cf46-94bd-4900-9f59-4f8841fd696a",
        "environment_id": "8fef3a41-f41b-4f59-a88f-dfd4a0a7d49e",
        "purpose": "Sandbox",
        "state": 0,
        "last_updated": "2025-11-04T02:40:07Z",
    },
    {
        "id": "d36f85b7-f6bf-46b0-baf0-5c87085dcd1e",
        "unique_name": "org9c0d1e2f",
        "url_name": "harbourlights",
        "friendly_name": "Harbour Lights Trading",
        "version": "9.2.25113.00174",
        "tenant_id": HARBOUR,
        "region": "OCE",
        "business_unit_id": "b9db521b-aa8d-4f0c-8164-47f221d1d5d8",
        "environment_id": "e954483a-460c-4273-bbe1-5be31b96e277",
        "purpose": "Production",
        "state": 0,
        "last_updated": "2025-10-28T09:05:33Z",
    },
]

# `roles`: organisation unique name → the user's security role there.
USERS = [
    {
        "object_id": "ba66f58b-1499-442e-acf6-7edc0ae82929",
        "upn": "admin@oakwood.sandbox",
        "password": PASSWORD,
        "display_name": "Avery Admin",
        "given_name": "Avery",
        "family_name": "Admin",
        "tenant_id": OAKWOOD,
        "roles": {"org1a2b3c4d": "System Administrator", "org5e6f7a8b": "System Administrator"},
    },
    {
        "object_id": "5ac8b2de-8d72-407f-a02e-a4f383e2519d",
        "upn": "sales@oakwood.sandbox",
        "password": PASSWORD,
        "display_name": "Sam Seller",
        "given_name": "Sam",
        "family_name": "Seller",
        "tenant_id": OAKWOOD,
        "roles": {"org1a2b3c4d": "Salesperson"},
    },
    {
        "object_id": "6e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b",
        "upn": "noaccountwrite@oakwood.sandbox",
        "password": PASSWORD,
        "display_name": "Nico Noaccount",
        "given_name": "Nico",
        "family_name": "Noaccount",
        "tenant_id": OAKWOOD,
        "roles": {"org1a2b3c4d": "Salesperson (no account write)", "org5e6f7a8b": "Salesperson (no account write)"},
    },
    {
        "object_id": "4d0a128a-286b-4791-a7e6-d07f67171c94",
        "upn": "auditor@oakwood.sandbox",
        "password": PASSWORD,
        "display_name": "Ari Auditor",
        "given_name": "Ari",
        "family_name": "Auditor",
        "tenant_id": OAKWOOD,
        "roles": {"org1a2b3c4d": "Read Only Auditor"},
    },
    {
        "object_id": "330d984b-0491-4265-9a2c-195c76b5d665",
        "upn": "admin@harbourlights.sandbox",
        "password": PASSWORD,
        "display_name": "Hana Harbour",
        "given_name": "Hana",
        "family_name": "Harbour",
        "tenant_id": HARBOUR,
        "roles": {"org9c0d1e2f": "System Administrator"},
    },
    {
        "object_id": "817b2390-e870-41c5-b3b9-f7535dea18bb",
        "upn": "newstarter@harbourlights.sandbox",
        "password": PASSWORD,
        "display_name": "Noor Newstarter",
        "given_name": "Noor",
        "family_name": "Newstarter",
        "tenant_id": HARBOUR,
        "roles": {},
    },
]

WEB_APP_ID = "bb4bed00-e3cd-4356-80a5-dcfc7cfd2fb4"
DAEMON_APP_ID = "af321ae5-48e7-4a89-a106-9bab55bafe76"

# Both registrations are multi-tenant; `service_principals` maps each tenant to the app's enterprise
# application object id there (the `oid` of app-only tokens, and the application user's Entra object id).
APPS = [
    {
        "name": "Dynamics Xero Connector (sandbox)",
        "kind": "web",
        "client_id": WEB_APP_ID,
        "client_secret": "sandbox~web~Q8x7Vd2pLr5Kt9Nw3Zc6Hb1Mf4Gj0Sa",
        # Loopback redirect URIs match on scheme, host and path: any port is accepted.
        "redirect_uris": ["http://127.0.0.1:8000/dynamics/callback/", "http://localhost:8000/dynamics/callback/"],
        "home_tenant_id": OAKWOOD,
        "sign_in_audience": "AzureADMultipleOrgs",
        "service_principals": {OAKWOOD: "cb487b08-e1b9-458b-801f-7524a2d5c6a6", HARBOUR: "d06981e4-bb9a-4cee-8a53-4e3119bf6fb6"},
    },
    {
        "name": "Dynamics Xero Connector background sync (sandbox)",
        "kind": "daemon",
        "client_id": DAEMON_APP_ID,
        "client_secret": "sandbox~daemon~T3n6Wq9Xe2Ry5Uo8Ip1As4Df7Gh0Jk",
        "redirect_uris": [],
        "home_tenant_id": OAKWOOD,
        "sign_in_audience": "AzureADMultipleOrgs",
        "service_principals": {OAKWOOD: "97e3ffb6-41a9-46ae-9dd0-ea184c41dc69", HARBOUR: "34586014-cd54-4259-8c70-f0e55b20bebb"},
    },
]

# Application users (systemusers bound to an app registration), one per organisation for the daemon app.
APPLICATION_USERS = [
    {
        "client_id": DAEMON_APP_ID,
        "organisation": "org1a2b3c4d",
        "systemuser_id": "fd8eb32e-f11a-493b-ba4d-055b97eebd72",
        "name": "# Xero connector sync",
        "role": "Xero Integration",
    },
    {
        "client_id": DAEMON_APP_ID,
        "organisation": "org5e6f7a8b",
        "systemuser_id": "eab0941a-8071-4dba-bc64-ccc2e43b384d",
        "name": "# Xero connector sync",
        "role": "Xero Integration",
    },
    {
        "client_id": DAEMON_APP_ID,
        "organisation": "org9c0d1e2f",
        "systemuser_id": "10034235-00c8-4deb-b784-d86aee6e6b6c",
        "name": "# Xero connector sync",
        "role": "Xero Integration",
    },
]


def members(org: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The organisation's people as (user, role name)."""
    return [(user, user["roles"][org["unique_name"]]) for user in USERS if org["unique_name"] in user["roles"]]


def application_users(org: dict[str, Any]) -> list[dict[str, Any]]:
    """The organisation's application users, each with the app's object id in the organisation's tenant."""
    apps = {app["client_id"]: app for app in APPS}
    return [
        {**entry, "object_id": apps[entry["client_id"]]["service_principals"][org["tenant_id"]]}
        for entry in APPLICATION_USERS
        if entry["organisation"] == org["unique_name"]
    ]
