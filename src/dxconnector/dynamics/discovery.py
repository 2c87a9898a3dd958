"""Global Discovery: the Dynamics organisations the signed-in user belongs to."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from dxconnector import tls
from dxconnector.dynamics.errors import AuthExpired, RetryableError


@dataclass(frozen=True)
class Instance:
    id: str
    unique_name: str
    friendly_name: str
    url: str
    api_url: str
    version: str
    tenant_id: str
    enabled: bool

    def as_record(self) -> dict:
        return {
            "id": self.id,
            "unique_name": self.unique_name,
            "friendly_name": self.friendly_name,
            "url": self.url,
            "api_url": self.api_url,
            "version": self.version,
            "tenant_id": self.tenant_id,
        }


def instances(discovery_url: str, access_token: str, ca_bundle: str = "", timeout: float = 20) -> list[Instance]:
    try:
        response = httpx.get(
            f"{discovery_url.rstrip('/')}/api/discovery/v2.0/Instances",
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            verify=tls.verify(ca_bundle),
            timeout=timeout,
        )
    except httpx.HTTPError as error:
        raise RetryableError(f"Global Discovery could not be reached: {error}") from error
    if response.status_code == 401:
        raise AuthExpired("Global Discovery refused the token", 401)
    if response.status_code >= 400:
        raise RetryableError(f"Global Discovery answered {response.status_code}", response.status_code)
    return [
        Instance(
            id=str(item.get("Id", "")),
            unique_name=item.get("UniqueName", ""),
            friendly_name=item.get("FriendlyName", ""),
            url=(item.get("Url") or "").rstrip("/"),
            api_url=(item.get("ApiUrl") or "").rstrip("/"),
            version=item.get("Version", ""),
            tenant_id=str(item.get("TenantId", "")),
            enabled=item.get("State", 0) == 0,
        )
        for item in response.json().get("value", [])
    ]
