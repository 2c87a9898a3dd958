"""The connection's settings row (`stl3_stellariseconnectorsettings`) ↔ `ConnectionSettings`.

Dynamics is the settings' home and the portal edits the same row, so both directions are here. An empty
column takes the solution's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from dxconnector.domain.mapping.choices import option_code, option_value
from dxconnector.domain.records import ConnectionSettings, XeroStatus

TABLE = "stl3_stellariseconnectorsettings"

_YES_NO = {
    "is_default_connection": "stl3_isdefaultconnection",
    "use_xero_invoice_number": "stl3_usexeroinvoicenumber",
    "use_invoice_name": "stl3_useinvoicename",
    "create_new_contacts": "stl3_createnewcontacts",
    "create_new_products": "stl3_createnewproducts",
    "send_email_from_xero": "stl3_sendemailfromxero",
    "description_to_reference": "stl3_descriptiontoreference",
    "credit_notes_automatically": "stl3_creditnotesautomatically",
    "two_way_contact_sync": "stl3_twowaycontactsync",
}
_TEXT = {
    "default_sales_account_code": "stl3_defaultsalesaccountcode",
    "default_purchase_account_code": "stl3_defaultpurchaseaccountcode",
    "default_tax_type": "stl3_defaulttaxtype",
    "time_zone": "stl3_timezone",
}
_STATUS = {
    "default_sales_invoice_status": "stl3_defaultsalesinvoicestatus",
    "default_purchase_invoice_status": "stl3_defaultpurchaseinvoicestatus",
}
_DEFAULTS = {field.name: field.default for field in fields(ConnectionSettings)}


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def settings_from_row(row: Mapping[str, Any]) -> ConnectionSettings:
    """From the row as the Web API returns it (the lookup as `_stl3_connectorid_value`, choices as numbers)."""
    values: dict[str, Any] = {"connector_id": _text(row.get("_stl3_connectorid_value", row.get("stl3_connectorid")))}
    for name, column in _YES_NO.items():
        if row.get(column) is not None:
            values[name] = bool(row[column])
    for name, column in _TEXT.items():
        values[name] = _text(row.get(column)) or _DEFAULTS[name]
    for name, column in _STATUS.items():
        code = option_code(TABLE, column, row.get(column))
        values[name] = XeroStatus(code) if code else _DEFAULTS[name]
    interval = row.get("stl3_syncintervalminutes")
    if interval:
        values["sync_interval_minutes"] = min(1440, max(1, int(interval)))
    return ConnectionSettings(**values)


def settings_row(settings: ConnectionSettings) -> dict[str, Any]:
    """The columns the portal writes back (the connection lookup is set once, when the row is made)."""
    row: dict[str, Any] = {column: getattr(settings, name) for name, column in _YES_NO.items()}
    row.update({column: getattr(settings, name) for name, column in _TEXT.items()})
    row.update({column: option_value(TABLE, column, getattr(settings, name)) for name, column in _STATUS.items()})
    row["stl3_syncintervalminutes"] = settings.sync_interval_minutes
    return row
