"""The Xero sandbox as one object: its storage, identity, and the hosts it serves.

The API host runs behind Xero's rate limits and the fault injector, with the /_sandbox/ control routes
beside them; `events` is the sink the Accounting API reports committed changes to (webhook delivery).
With DXCONNECTOR_SANDBOX_RECORD set, the API host's answers and the token endpoint's are recorded (common/recording.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.types import ASGIApp

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.control import ControlPlane, build_api_host, new_control_token
from dxsandbox.common.faults import FaultInjector, FaultPlan
from dxsandbox.common.recording import record_responses
from dxsandbox.common.server import Host
from dxsandbox.common.store import DocumentStore
from dxsandbox.xero.api.accounting import AccountingApi
from dxsandbox.xero.api.accounting.http import API_PREFIX
from dxsandbox.xero.api.app import build_api_app
from dxsandbox.xero.identity import build_identity_app
from dxsandbox.xero.limits import XeroLimits, xero_fault_response, xero_limit_policy, xero_limiter
from dxsandbox.xero.login import build_login_app
from dxsandbox.xero.oauth import XeroIdentity
from dxsandbox.xero.ui import build_ui_app
from dxsandbox.xero.webhooks import WebhookDeliverer, webhook_control_routes

PORT_OFFSETS = {"xero-login": 0, "xero-identity": 1, "xero-api": 2, "xero-app": 3}


class XeroSandbox:
    def __init__(
        self,
        state_dir: Path,
        clock: ScaledClock,
        *,
        limits: XeroLimits | None = None,
        limits_enabled: bool = True,
        fault_plan: FaultPlan | None = None,
        control_token: str | None = None,
        ca_file: Path | None = None,
    ):
        self.store = DocumentStore(state_dir / "xero.sqlite3")
        self.clock = clock
        self.identity = XeroIdentity(self.store)
        self.limiter = xero_limiter(clock, limits, enabled=limits_enabled)
        self.faults = FaultInjector(fault_plan)
        self.events = WebhookDeliverer(self.identity, ca_file=ca_file)  # the EventSink the Accounting API emits to
        self.control = ControlPlane(
            control_token or new_control_token(),
            clock,
            self.limiter,
            self.faults,
            stats_sources={"webhooks": self.events.stats},
            resetters=[self.events.reset_stats],
        )
        self.accounting = AccountingApi(self.store, self.identity, sink=self.events)
        self.accounting.seed()

    def hosts(self, port_base: int) -> list[Host]:
        api = Host(
            "xero-api",
            record_responses(self.api_host(build_api_app(self.identity, extra_routes=self.accounting.routes())), "xero-api"),
            port_base + PORT_OFFSETS["xero-api"],
            tls=True,
        )
        login = Host("xero-login", build_login_app(self.identity), port_base + PORT_OFFSETS["xero-login"], tls=False)
        identity = Host(
            "xero-identity",
            record_responses(build_identity_app(self.identity), "xero-identity", paths=["/connect/token"]),
            port_base + PORT_OFFSETS["xero-identity"],
            tls=True,
        )
        self.identity.issuer, self.identity.login_url = identity.base_url, login.base_url
        return [
            login,
            identity,
            api,
            # The person's app changes the books like the API and announces changes with the API host's URLs.
            Host(
                "xero-app",
                build_ui_app(self.accounting, api_base=api.base_url + API_PREFIX),
                port_base + PORT_OFFSETS["xero-app"],
                tls=False,
            ),
        ]

    def api_host(self, api: ASGIApp) -> ASGIApp:
        """The API app behind Xero's limits and the fault injector, with the control routes beside it."""
        return build_api_host(
            api,
            self.control,
            limit_policy=xero_limit_policy(self.identity),
            fault_response=xero_fault_response,
            extra_routes=list(webhook_control_routes(self.identity, self.events)),
        )

    def manifest(self, urls: dict[str, str]) -> dict[str, Any]:
        users = [
            {
                "email": u["email"],
                "password": u["password"],
                "name": f"{u['first_name']} {u['last_name']}",
                "organisations": u["tenant_ids"],
            }
            for u in self.identity.users()
        ]
        organisations = [
            {
                "tenant_id": o["tenant_id"],
                "name": o["name"],
                "country_code": o["country_code"],
                "base_currency": o["base_currency"],
                "timezone": o["timezone"],
            }
            for o in self.identity.organisations()
        ]
        return {
            "authorize_url": urls["xero-login"] + "/identity/connect/authorize",
            "openid_configuration_url": urls["xero-identity"] + "/.well-known/openid-configuration",
            "token_url": urls["xero-identity"] + "/connect/token",
            "revocation_url": urls["xero-identity"] + "/connect/revocation",
            "connections_url": urls["xero-api"] + "/connections",
            "api_url": urls["xero-api"] + "/api.xro/2.0",
            "control_url": urls["xero-api"] + "/_sandbox",
            "app_url": urls["xero-app"],
            "limits": self.limiter.settings(),
            "apps": self.identity.apps(),
            "users": users,
            "organisations": organisations,
        }
