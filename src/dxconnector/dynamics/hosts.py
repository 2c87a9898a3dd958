"""Which hosts are Dataverse organisations: the only hosts the connector sends a Dynamics token to.

Microsoft's clouds (the Global Discovery Service's list: commercial, GCC, GCC High, DoD, China) name an organisation
`<org>.crm<N>.dynamics.com` (N empty or a region's number: crm4 EMEA, crm6 Oceania, crm9 GCC, …),
`<org>.crm.microsoftdynamics.us` (GCC High), `<org>.crm.appsplatform.us` (DoD) and `<org>.crm.dynamics.cn` (China), and its
Web API also answers on `<org>.api.crm<N>…`. An operator adds others (an emulator, a proxy of their own) by name in
DATAVERSE_EXTRA_HOSTS: `host` for any port, `host:port` for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from dxconnector.dynamics.errors import UntrustedHost

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
MICROSOFT_DATAVERSE_HOSTS = re.compile(
    rf"{_LABEL}(?:\.api)?\.(?:crm[0-9]*\.dynamics\.com|crm\.microsoftdynamics\.us|crm\.appsplatform\.us|crm\.dynamics\.cn)"
)


def _matches_extra(host: str, port: int | None, extra_hosts: Iterable[str]) -> bool:
    for entry in extra_hosts:
        entry = entry.strip().lower()
        if entry == host or entry == f"{host}:{port}" or (port is None and entry == f"{host}:443"):
            return True
        if entry.startswith("[") and (entry == f"[{host}]" or entry == f"[{host}]:{port}"):
            return True
    return False


def why_untrusted(url: str, extra_hosts: Iterable[str] = ()) -> str:
    """Why a Dynamics token must not go to `url` as an organisation's URL; empty when it may."""
    try:
        parts = urlsplit(url.strip())
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return f"{url!r} is not a URL"
    if parts.scheme != "https":
        return f"{url!r} is not an https URL"
    if parts.username or parts.password or not host:
        return f"{url!r} is not an organisation's URL (https://<organisation>.crm.dynamics.com)"
    if _matches_extra(host, port, extra_hosts):
        return ""
    if port not in (None, 443) or not MICROSOFT_DATAVERSE_HOSTS.fullmatch(host):
        return (
            f"{parts.netloc} is not a Dataverse host (<organisation>.crm.dynamics.com, or a sovereign cloud's); "
            "an operator may add another in DATAVERSE_EXTRA_HOSTS"
        )
    return ""


def checked_org_url(url: str, extra_hosts: Iterable[str] = ()) -> str:
    """`url` without its trailing slash, or UntrustedHost saying why no token may go there."""
    reason = why_untrusted(url, extra_hosts)
    if reason:
        raise UntrustedHost(f"Not a Dataverse organisation: {reason}.")
    return url.strip().rstrip("/")


def extra_hosts_from_settings() -> list[str]:
    from django.conf import settings

    return list(getattr(settings, "DATAVERSE_EXTRA_HOSTS", []))
