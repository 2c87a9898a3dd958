"""The Xero sandbox as one object: its storage, identity, and the hosts it serves.

The API host runs behind Xero's rate limits and the fault injector, with the /_sandbox/ control routes
beside them; `events` is the sink the Accounting API reports committed changes to (webhook delivery).
With DXCONNECTOR_SANDBOX_RECORD set, the API host's answers and the token endpoint's are recorded (common/recording.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.control import PREFIX, ControlError, ControlPlane, build_api_host, json_object, new_control_token
from dxsandbox.common.faults import FaultInjector, FaultPlan
from dxsandbox.common.recording import record_responses
from dxsandbox.common.server import Host
from dxsandbox.common.store import DocumentStore
from dxsandbox.xero.api.accounting import AccountingApi
from dxsandbox.xero.api.accounting.http import API_PREFIX
from dxsandbox.xero.api.accounting.reference import seed_books
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
            extra_routes=[*webhook_control_routes(self.identity, self.events), *self.organisation_control_routes()],
        )

    def organisation_control_routes(self) -> list[BaseRoute]:
        """POST /_sandbox/organisations: new organisations, each with the reference data a seeded one starts with (chart
        of accounts, tax rates, currencies… of its country), which the named users may then choose on the consent page.

        Body: `name`, `country_code` (NZ, AU or GB; default NZ), `users` (emails of existing users), and optionally
        `count`: that many organisations named `name 1`, `name 2`… Answers 201 with `organisations` (tenant ids first)."""

        async def create(request: Request) -> Response:
            body = await json_object(request)
            name, country, users, count = _organisation_request(body)
            names = [name] if count is None else [f"{name} {n}" for n in range(1, count + 1)]
            made = await run_in_threadpool(lambda: [self.create_organisation(each, country, users) for each in names])
            return JSONResponse({"organisations": [_organisation_view(org) for org in made]}, status_code=201)

        return [Route(PREFIX + "/organisations", create, methods=["POST"])]

    def create_organisation(self, name: str, country_code: str, user_emails: list[str]) -> dict[str, Any]:
        """An organisation and its books, as the seeded ones have them."""
        try:
            organisation = self.identity.create_organisation(name, country_code, user_emails)
        except ValueError as error:
            raise ControlError(str(error)) from None
        seed_books(self.accounting.books(organisation["tenant_id"]), organisation)
        return organisation

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
        organisations = [_organisation_view(o) for o in self.identity.organisations()]
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


MAX_ORGANISATIONS_AT_ONCE = 1000


def _organisation_view(organisation: dict[str, Any]) -> dict[str, Any]:
    """An organisation as the manifest and the control routes show it."""
    keys = ("tenant_id", "name", "short_code", "country_code", "base_currency", "timezone")
    return {key: organisation[key] for key in keys}


def _organisation_request(body: dict[str, Any]) -> tuple[str, str, list[str], int | None]:
    """POST /_sandbox/organisations's body checked: (name, country code, user emails, count or None)."""
    name, country, users, count = body.get("name"), body.get("country_code", "NZ"), body.get("users", []), body.get("count")
    if not isinstance(name, str) or not name.strip():
        raise ControlError("name is the organisation's name (with count: the start of each one's)")
    if not isinstance(country, str):
        raise ControlError("country_code is a string: NZ, AU or GB")
    if not isinstance(users, list) or not all(isinstance(email, str) for email in users):
        raise ControlError("users is a list of the emails of sandbox users to give access")
    if count is not None and (
        isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_ORGANISATIONS_AT_ONCE
    ):
        raise ControlError(f"count is a whole number from 1 to {MAX_ORGANISATIONS_AT_ONCE}")
    return name, country, users, count
