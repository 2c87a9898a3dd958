"""The Xero sandbox as one object: its storage, identity, and the hosts it serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dxconnector.sandbox.common.clock import ScaledClock
from dxconnector.sandbox.common.server import Host
from dxconnector.sandbox.common.store import DocumentStore
from dxconnector.sandbox.xero.api.app import build_api_app
from dxconnector.sandbox.xero.identity import build_identity_app
from dxconnector.sandbox.xero.login import build_login_app
from dxconnector.sandbox.xero.oauth import XeroIdentity

PORT_OFFSETS = {"xero-login": 0, "xero-identity": 1, "xero-api": 2}


class XeroSandbox:
    def __init__(self, state_dir: Path, clock: ScaledClock):
        self.store = DocumentStore(state_dir / "xero.sqlite3")
        self.clock = clock
        self.identity = XeroIdentity(self.store)

    def hosts(self, port_base: int) -> list[Host]:
        return [
            Host("xero-login", build_login_app(self.identity), port_base + PORT_OFFSETS["xero-login"], tls=False),
            Host("xero-identity", build_identity_app(self.identity), port_base + PORT_OFFSETS["xero-identity"], tls=True),
            Host("xero-api", build_api_app(self.identity), port_base + PORT_OFFSETS["xero-api"], tls=True),
        ]

    def manifest(self, urls: dict[str, str]) -> dict[str, Any]:
        users = [
            {"email": u["email"], "password": u["password"], "name": f"{u['first_name']} {u['last_name']}",
             "organisations": u["tenant_ids"]}
            for u in self.identity.users()
        ]
        organisations = [
            {"tenant_id": o["tenant_id"], "name": o["name"], "country_code": o["country_code"],
             "base_currency": o["base_currency"], "timezone": o["timezone"]}
            for o in self.identity.organisations()
        ]
        return {
            "authorize_url": urls["xero-login"] + "/identity/connect/authorize",
            "token_url": urls["xero-identity"] + "/connect/token",
            "revocation_url": urls["xero-identity"] + "/connect/revocation",
            "connections_url": urls["xero-api"] + "/connections",
            "api_url": urls["xero-api"] + "/api.xro/2.0",
            "apps": self.identity.apps(),
            "users": users,
            "organisations": organisations,
        }
