"""The operator's alternative to a person's Microsoft sign-in: an application user (client credentials).

The customer's administrator creates an application user for the connector's app in the organisation and
gives it a security role; the operator then points the connection at the organisation. The checklist
then checks that application user's privileges, as it would a person's.
"""

from __future__ import annotations

from django.utils import timezone

from dxconnector.connections.clients import dataverse_client
from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.dynamics import auth
from dxconnector.dynamics.hosts import checked_org_url


def use_application_user(connection: Connection, tenant_id: str, org_url: str, org_name: str = "") -> DynamicsConnection:
    """Prove the app can reach the organisation as its application user, then keep that as the connection's way in.
    `org_url` must be https on a Dataverse host (UntrustedHost otherwise, before any token is asked for)."""
    from django.conf import settings

    org_url = checked_org_url(org_url, settings.DATAVERSE_EXTRA_HOSTS)
    config = auth.DynamicsOAuthConfig.from_settings()
    client = dataverse_client(org_url, auth.TokenSource(lambda: auth.app_token(config, tenant_id, org_url)))
    try:
        who = client.who_am_i()
    finally:
        client.close()
    dynamics, _ = DynamicsConnection.objects.update_or_create(
        connection=connection,
        defaults={
            "mode": DynamicsConnection.Mode.APP,
            "token_cache": "",
            "home_account_id": "",
            "username": f"Application user of app {config.app_client_id or config.client_id}",
            "tenant_id": tenant_id,
            "organisations": [],
            "org_id": str(who.get("OrganizationId", "")),
            "org_url": org_url,
            "org_name": org_name or org_url,
            "org_unique_name": "",
            "selected_at": timezone.now(),
        },
    )
    return dynamics
