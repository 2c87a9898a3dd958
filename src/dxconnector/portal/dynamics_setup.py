"""On "Create Connection": the connection's row and its settings row, written into Dynamics.

Dynamics is the settings' home (PRODUCT §3.3). A settings row that already exists keeps the values an
admin edited there; only the name and time zone from the portal's defaults are refreshed, and the default
sales account code when one is filled in on the portal.
"""

from __future__ import annotations

import secrets

from django.conf import settings as django_settings
from django.urls import reverse

from dxconnector.connections.clients import dynamics_client
from dxconnector.connections.models import (
    Connection,
    DynamicsConnection,
    XeroConnection,
)
from dxconnector.domain.mapping.settings import settings_row
from dxconnector.domain.names import ConnectorSettingsTable, ConnectorTable, lookup_value, odata_bind
from dxconnector.domain.records import ConnectionSettings
from dxconnector.dynamics import webhooks
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.ids import derived_id
from dxconnector.dynamics.solution.definition import CONNECTION, SETTINGS


def _connector_columns(connection: Connection, xero: XeroConnection) -> dict:
    return {
        CONNECTION.primary_name: connection.name,
        ConnectorTable.XERO_TENANT_ID: xero.tenant_id,
        ConnectorTable.ORGANISATION_NAME: xero.tenant_name,
        ConnectorTable.PORTAL_CONNECTION_ID: str(connection.pk),
    }


def webhook_url(connection: Connection) -> str:
    return django_settings.BASE_URL + reverse("dynamics-webhook", args=[connection.pk])


def register_webhooks(client: DataverseClient, connection: Connection, dynamics: DynamicsConnection) -> webhooks.Registration:
    """Dynamics calls the portal when an invoice (or what it is made of) changes, with a new secret each time."""
    secret = secrets.token_urlsafe(32)
    DynamicsConnection.objects.filter(pk=dynamics.pk).update(webhook_secret=secret)
    dynamics.webhook_secret = secret
    return webhooks.register(client, str(connection.pk), webhook_url(connection), secret)


def write_connection_rows(connection: Connection, dynamics: DynamicsConnection, xero: XeroConnection) -> str:
    """Create or refresh both rows and register the webhooks; returns the settings row's id."""
    client = dynamics_client(dynamics)
    try:
        settings_id = _write_rows(client, connection, xero)
        register_webhooks(client, connection, dynamics)
        return settings_id
    finally:
        client.close()


def _write_rows(client: DataverseClient, connection: Connection, xero: XeroConnection) -> str:
    for_this_connection = f"{ConnectorTable.PORTAL_CONNECTION_ID} eq '{connection.pk}'"
    found = client.list(CONNECTION.set_name, select=CONNECTION.primary_id, filter=for_this_connection)
    if found:
        connector_id = found[0][CONNECTION.primary_id]
        client.update(CONNECTION.set_name, connector_id, _connector_columns(connection, xero))
    else:
        connector_id = derived_id(connection.pk, "connector")
        client.upsert(CONNECTION.set_name, connector_id, _connector_columns(connection, xero))
    of_this_connector = f"{lookup_value(ConnectorSettingsTable.CONNECTOR_ID)} eq {connector_id}"
    existing = client.list(SETTINGS.set_name, select=SETTINGS.primary_id, filter=of_this_connector)
    refreshed = {SETTINGS.primary_name: connection.name, ConnectorSettingsTable.TIME_ZONE: connection.time_zone}
    if connection.default_sales_account_code:
        refreshed[ConnectorSettingsTable.DEFAULT_SALES_ACCOUNT_CODE] = connection.default_sales_account_code
    if existing:
        settings_id = existing[0][SETTINGS.primary_id]
        client.update(SETTINGS.set_name, settings_id, refreshed)
        return settings_id
    first_here = not client.list(SETTINGS.set_name, select=SETTINGS.primary_id, top="1")
    settings = ConnectionSettings(time_zone=connection.time_zone, is_default_connection=first_here)
    settings_id = derived_id(connection.pk, "settings")
    client.upsert(
        SETTINGS.set_name,
        settings_id,
        {
            **settings_row(settings),
            **refreshed,
            odata_bind(ConnectorSettingsTable.CONNECTOR_ID): f"/{CONNECTION.set_name}({connector_id})",
        },
    )
    return settings_id
