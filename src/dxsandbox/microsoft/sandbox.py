"""The Microsoft sandbox as one object: Entra ID, Global Discovery and one Dataverse host per organisation.

Identity lives in `microsoft.sqlite3`; each organisation's Dataverse data in its own
`dataverse-<unique_name>.sqlite3`. Hosts, from the port base: the sign-in pages (http, +10), the token
endpoint and OpenID configuration (https, +11), Global Discovery (https, +12), the Dynamics 365 app a person
uses (http, +13), then one https host per organisation (+14, +15, …) in seed order, so an organisation keeps
its URL across restarts.

Each organisation's host runs behind the fault injector with the `/_sandbox/` control routes beside it
(common/control.py), as the Xero API host does: its own fault plan (the one given at start to begin
with), its own stats, its service protection limits steered through `PUT /_sandbox/limits`, and its security roles
edited through `PUT /_sandbox/roles/{role}` (dataverse/control.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.control import PREFIX as CONTROL_PREFIX
from dxsandbox.common.control import ControlPlane, build_api_host, new_control_token
from dxsandbox.common.faults import FaultInjector, FaultPlan
from dxsandbox.common.server import Host
from dxsandbox.common.store import DocumentStore
from dxsandbox.microsoft import seed
from dxsandbox.microsoft.dataverse.app import build_dataverse_app
from dxsandbox.microsoft.dataverse.control import role_routes
from dxsandbox.microsoft.dataverse.settings import DataverseSettings
from dxsandbox.microsoft.discovery import API as DISCOVERY_API
from dxsandbox.microsoft.discovery import build_discovery_app
from dxsandbox.microsoft.identity import MicrosoftIdentity
from dxsandbox.microsoft.identity_app import build_identity_app
from dxsandbox.microsoft.login import build_login_app
from dxsandbox.microsoft.ui import build_dynamics_app

PORT_OFFSETS = {"microsoft-login": 10, "microsoft-identity": 11, "microsoft-discovery": 12, "dynamics-app": 13}
FIRST_ORGANISATION_OFFSET = 14
DATAVERSE_API = "/api/data/v9.2"


def dataverse_host_name(org: dict[str, Any]) -> str:
    return f"dataverse-{org['url_name']}"


class MicrosoftSandbox:
    def __init__(
        self,
        state_dir: Path,
        clock: ScaledClock,
        *,
        limits_enabled: bool = True,
        ca_file: Path | None = None,
        fault_plan: FaultPlan | None = None,
        control_token: str | None = None,
    ):
        self.fault_plan = fault_plan or FaultPlan()
        self.control_token = control_token or new_control_token()
        self.store = DocumentStore(state_dir / "microsoft.sqlite3")
        self.clock = clock
        self.dataverse_settings = DataverseSettings(limits_enabled=limits_enabled, webhook_ca_file=ca_file)
        self.dataverse_services: list[Any] = []
        self.identity = MicrosoftIdentity(self.store)
        self.organisations = self.identity.organisations()
        self.organisation_stores = {
            org["unique_name"]: DocumentStore(state_dir / f"dataverse-{org['unique_name']}.sqlite3") for org in self.organisations
        }

    def hosts(self, port_base: int) -> list[Host]:
        login = Host("microsoft-login", None, port_base + PORT_OFFSETS["microsoft-login"], tls=False)
        identity = Host("microsoft-identity", None, port_base + PORT_OFFSETS["microsoft-identity"], tls=True)
        discovery = Host("microsoft-discovery", None, port_base + PORT_OFFSETS["microsoft-discovery"], tls=True)
        self.identity.configure(login_url=login.base_url, identity_url=identity.base_url)
        self.identity.add_resource(discovery.base_url, "discovery")
        login.app = build_login_app(self.identity)
        identity.app = build_identity_app(self.identity)
        discovery.app = build_discovery_app(self.identity, discovery.base_url)
        organisations = self._organisation_hosts(port_base)
        app = Host(
            "dynamics-app",
            build_dynamics_app(self.identity, self.dataverse_services),
            port_base + PORT_OFFSETS["dynamics-app"],
            tls=False,
        )
        return [login, identity, discovery, app, *organisations]

    def _organisation_hosts(self, port_base: int) -> list[Host]:
        hosts = []
        for index, org in enumerate(self.organisations):
            host = Host(dataverse_host_name(org), None, port_base + FIRST_ORGANISATION_OFFSET + index, tls=True)
            self.identity.add_resource(host.base_url, "dataverse", org["id"])
            app = build_dataverse_app(
                org,
                self.organisation_stores[org["unique_name"]],
                self.identity,
                settings=self.dataverse_settings,
                clock=self.clock,
            )
            service = app.state.dataverse
            self.dataverse_services.append(service)
            host.app = self._api_host(app, service)
            hosts.append(host)
        return hosts

    def _api_host(self, app: Any, service: Any) -> Any:
        """The organisation's Web API behind its own fault injector, with the control routes beside it. The
        service protection limits stay inside the app (they need the caller, known once the token is
        checked): the plane steers and reports that limiter, and injected faults never reach it."""
        plane = ControlPlane(self.control_token, self.clock, service.protection.limiter, FaultInjector(self.fault_plan))
        return build_api_host(
            app, plane, fault_response=service.protection.fault_response, extra_routes=list(role_routes(service))
        )

    def close(self) -> None:
        """Stop the webhook deliverers' threads."""
        for service in self.dataverse_services:
            service.webhooks.close()

    def manifest(self, urls: dict[str, str]) -> dict[str, Any]:
        identity, login, discovery = urls["microsoft-identity"], urls["microsoft-login"], urls["microsoft-discovery"]
        return {
            "authority": f"{identity}/organizations",
            "authority_template": identity + "/{tenant}",
            "openid_configuration_url": f"{identity}/organizations/v2.0/.well-known/openid-configuration",
            "authorize_url": f"{login}/organizations/oauth2/v2.0/authorize",
            "token_url": f"{identity}/organizations/oauth2/v2.0/token",
            "discovery_resource": discovery,
            "discovery_url": discovery + DISCOVERY_API + "/Instances",
            "app_url": urls["dynamics-app"],
            # Service protection limits of every organisation as started (per user over `window_seconds`).
            "limits": {
                **self.dataverse_services[0].protection.limiter.settings(),
                "window_seconds": self.dataverse_services[0].protection.window,
            }
            if self.dataverse_services
            else {},
            "tenants": [{**tenant, "authority": f"{identity}/{tenant['tenant_id']}"} for tenant in self.identity.tenants()],
            "organisations": [self._organisation_entry(org, urls[dataverse_host_name(org)]) for org in self.organisations],
            "apps": [
                {key: app[key] for key in ("name", "kind", "client_id", "client_secret", "redirect_uris", "service_principals")}
                for app in self.identity.apps()
            ],
            "users": [self._user_entry(user) for user in self.identity.users()],
            "application_users": [entry for org in self.organisations for entry in seed.application_users(org)],
            "roles": seed.ROLES,
        }

    @staticmethod
    def _organisation_entry(org: dict[str, Any], url: str) -> dict[str, Any]:
        return {
            "id": org["id"],
            "unique_name": org["unique_name"],
            "url_name": org["url_name"],
            "friendly_name": org["friendly_name"],
            "tenant_id": org["tenant_id"],
            "region": org["region"],
            "version": org["version"],
            "business_unit_id": org["business_unit_id"],
            "url": url,
            "web_api_url": url + DATAVERSE_API,
            "control_url": url + CONTROL_PREFIX,
            "host": dataverse_host_name(org),
        }

    @staticmethod
    def _user_entry(user: dict[str, Any]) -> dict[str, Any]:
        return {
            "email": user["upn"],
            "password": user["password"],
            "name": user["display_name"],
            "object_id": user["object_id"],
            "tenant_id": user["tenant_id"],
            "roles": user["roles"],
        }
