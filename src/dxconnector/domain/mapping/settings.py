"""The connection's settings row (`stl3_stellariseconnectorsettings`) ↔ `ConnectionSettings`.

Dynamics is the settings' home and the portal edits the same row, so both directions are here. An empty
column takes the solution's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from dxconnector.domain.mapping.choices import option_code, option_value
from dxconnector.domain.names import ConnectorSettingsTable, lookup_value
from dxconnector.domain.records import ConnectionSettings, XeroStatus

TABLE = ConnectorSettingsTable.TABLE

_YES_NO = {
    "is_default_connection": ConnectorSettingsTable.IS_DEFAULT_CONNECTION,
    "use_xero_invoice_number": ConnectorSettingsTable.USE_XERO_INVOICE_NUMBER,
    "use_invoice_name": ConnectorSettingsTable.USE_INVOICE_NAME,
    "create_new_contacts": ConnectorSettingsTable.CREATE_NEW_CONTACTS,
    "create_new_products": ConnectorSettingsTable.CREATE_NEW_PRODUCTS,
    "send_email_from_xero": ConnectorSettingsTable.SEND_EMAIL_FROM_XERO,
    "description_to_reference": ConnectorSettingsTable.DESCRIPTION_TO_REFERENCE,
    "credit_notes_automatically": ConnectorSettingsTable.CREDIT_NOTES_AUTOMATICALLY,
    "two_way_contact_sync": ConnectorSettingsTable.TWO_WAY_CONTACT_SYNC,
}
_TEXT = {
    "default_sales_account_code": ConnectorSettingsTable.DEFAULT_SALES_ACCOUNT_CODE,
    "default_purchase_account_code": ConnectorSettingsTable.DEFAULT_PURCHASE_ACCOUNT_CODE,
    "default_tax_type": ConnectorSettingsTable.DEFAULT_TAX_TYPE,
    "time_zone": ConnectorSettingsTable.TIME_ZONE,
}
_STATUS = {
    "default_sales_invoice_status": ConnectorSettingsTable.DEFAULT_SALES_INVOICE_STATUS,
    "default_purchase_invoice_status": ConnectorSettingsTable.DEFAULT_PURCHASE_INVOICE_STATUS,
}
_DEFAULTS = {field.name: field.default for field in fields(ConnectionSettings)}


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def settings_from_row(row: Mapping[str, Any]) -> ConnectionSettings:
    """From the row as the Web API returns it (the lookup as `_stl3_connectorid_value`, choices as numbers)."""
    connector = row.get(lookup_value(ConnectorSettingsTable.CONNECTOR_ID), row.get(ConnectorSettingsTable.CONNECTOR_ID))
    values: dict[str, Any] = {"connector_id": _text(connector)}
    for name, column in _YES_NO.items():
        if row.get(column) is not None:
            values[name] = bool(row[column])
    for name, column in _TEXT.items():
        values[name] = _text(row.get(column)) or _DEFAULTS[name]
    for name, column in _STATUS.items():
        code = option_code(TABLE, column, row.get(column))
        values[name] = XeroStatus(code) if code else _DEFAULTS[name]
    interval = row.get(ConnectorSettingsTable.SYNC_INTERVAL_MINUTES)
    if interval:
        values["sync_interval_minutes"] = min(1440, max(1, int(interval)))
    return ConnectionSettings(**values)


def settings_row(settings: ConnectionSettings) -> dict[str, Any]:
    """The columns the portal writes back (the connection lookup is set once, when the row is made)."""
    row: dict[str, Any] = {column: getattr(settings, name) for name, column in _YES_NO.items()}
    row.update({column: getattr(settings, name) for name, column in _TEXT.items()})
    row.update({column: option_value(TABLE, column, getattr(settings, name)) for name, column in _STATUS.items()})
    row[ConnectorSettingsTable.SYNC_INTERVAL_MINUTES] = settings.sync_interval_minutes
    return row
