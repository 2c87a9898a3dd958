"""Links into Dynamics' own UI: a record's form, or a table's list, under the organisation's URL."""

from __future__ import annotations


def record_url(org_url: str, table: str, record_id: str) -> str:
    """A record's form in Dynamics, e.g. an invoice (the link a Xero invoice keeps back to it)."""
    return f"{org_url}/main.aspx?etn={table}&pagetype=entityrecord&id={record_id}"


def list_url(org_url: str, table: str) -> str:
    """A table's list in Dynamics, e.g. the connector's settings rows."""
    return f"{org_url}/main.aspx?pagetype=entitylist&etn={table}"
