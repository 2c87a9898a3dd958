"""Links into Dynamics' own UI: a record's form, or a table's list, under the organisation's URL."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# A record's form in a person's browser, as Dynamics itself links it. DYNAMICS_RECORD_URL may name another address
# with the same fields: {org_url}, {org} (the organisation's unique name), {table} and {id}.
RECORD_PAGE = "{org_url}/main.aspx?etn={table}&pagetype=entityrecord&id={id}"


def record_url(org_url: str, table: str, record_id: str) -> str:
    """A record's form in Dynamics, e.g. an invoice (the link a Xero invoice keeps back to it)."""
    return RECORD_PAGE.format(org_url=org_url, table=table, id=record_id)


def page_url(template: str, *, org_url: str, org: str, table: str, record_id: str) -> str:
    """A record's page for a person to open: Dynamics' own form, or where `template` says (the sandbox's Dynamics app
    in the demo, whose API host a browser would not trust)."""
    fields = {"org_url": org_url.rstrip("/"), "org": org, "table": table, "id": record_id}
    try:
        return (template or RECORD_PAGE).format(**fields)
    except (KeyError, IndexError, ValueError):
        logger.warning("DYNAMICS_RECORD_URL %r has a field other than {org_url}, {org}, {table} and {id}", template)
        return RECORD_PAGE.format(**fields)


def list_url(org_url: str, table: str) -> str:
    """A table's list in Dynamics, e.g. the connector's settings rows."""
    return f"{org_url}/main.aspx?pagetype=entitylist&etn={table}"
