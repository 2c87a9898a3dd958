"""Changes to a live connection's organisations, made safely.

Once a connection has synced, its links ledger ties Dynamics records to records in one Xero organisation and one
Dynamics organisation: pointing it at another would make every linked invoice look deleted, and sending them again
would duplicate them. So changing either organisation is refused; signing in again to the same one is fine. Once a
side was disconnected, its organisation is not known here any more: connecting one is then refused when it holds none
of the connection's linked records.

On a live connection (created), Disconnect, Reconnect and choosing an organisation ask first: the view answers with a
confirmation page whose Confirm button posts the same form again with `CONFIRMED`.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.dynamics.client import DataverseClient
from dxconnector.sync.models import Link
from dxconnector.xero.client import XeroClient
from dxconnector.xero.resources import CONTACTS, INVOICES

CONFIRMED = "confirmed"
LOOKED_FOR = 5  # linked records looked for in an organisation, to tell whether the connection synced with it


def has_synced(connection: Connection) -> bool:
    """Whether the connection has linked records: a Dynamics record it sent to Xero, or matched with one there."""
    return Link.objects.filter(connection=connection).exists()


def refusal(side: str, linked_name: str) -> str:
    return (
        f"This connection's invoices are linked to records in the {side} organisation “{linked_name}”, so it can't "
        "change to another organisation; to use another organisation, create a new connection. Nothing was changed."
    )


def linked_xero(connection: Connection) -> XeroConnection | None:
    """The Xero organisation this connection's links belong to, when it has synced and is connected to it."""
    xero = XeroConnection.objects.filter(connection=connection).exclude(tenant_id="").first()
    return xero if xero is not None and has_synced(connection) else None


def linked_dynamics(connection: Connection) -> DynamicsConnection | None:
    """The Dynamics organisation this connection's links belong to, when it has synced and is connected to it."""
    dynamics = DynamicsConnection.objects.filter(connection=connection).exclude(org_id="").first()
    return dynamics if dynamics is not None and has_synced(connection) else None


def xero_refusal(connection: Connection, tenant_id: str) -> str:
    """Why this connection may not use that Xero organisation, or ""."""
    linked = linked_xero(connection)
    return refusal("Xero", linked.tenant_name) if linked is not None and linked.tenant_id != tenant_id else ""


def dynamics_refusal(connection: Connection, org_id: str) -> str:
    """Why this connection may not use that Dynamics organisation, or ""."""
    linked = linked_dynamics(connection)
    return refusal("Dynamics", linked.org_name) if linked is not None and linked.org_id != org_id else ""


def elsewhere(side: str, name: str) -> str:
    """Why a connection that has synced, and was disconnected from that side, may not use this organisation."""
    return (
        f"This connection's invoices are linked to records in another {side} organisation than “{name}”, so it can't "
        f"use “{name}”: connect the organisation they were synced with, or create a new connection to use “{name}”. "
        "Nothing was connected."
    )


def xero_holds_linked_records(connection: Connection, client: XeroClient) -> bool:
    """Whether the organisation the client reads holds some of the connection's linked Xero records; what is asked for
    first are contacts, which Xero never deletes (it archives them). True when the connection has none to look for."""
    for kind, resource, archived in ((Link.Kind.CONTACT, CONTACTS, True), (Link.Kind.INVOICE, INVOICES, False)):
        ids = _some_linked(connection, kind, "xero_id")
        if ids:
            extra = {"include_archived": True} if archived else {}
            body, _ = client.request(resource.list_method, i_ds=ids, page=1, **extra)
            return bool(body.get(resource.name))
    return True


def dynamics_holds_linked_records(connection: Connection, client: DataverseClient) -> bool:
    """Whether the Dynamics organisation the client reads holds some of the connection's linked invoices. True when the
    connection has none to look for."""
    ids = _some_linked(connection, Link.Kind.INVOICE, "dynamics_id")
    if not ids:
        return True
    found = client.list("invoices", select="invoiceid", filter=" or ".join(f"invoiceid eq {i}" for i in ids))
    return bool(found)


def _some_linked(connection: Connection, kind: str, field: str) -> list[str]:
    """A few of the connection's linked ids of this kind: one found in an organisation is enough to know it is theirs."""
    linked = Link.objects.filter(connection=connection, kind=kind).exclude(**{field: ""}).order_by("-updated_at")
    return [str(value) for value in linked.values_list(field, flat=True)[:LOOKED_FOR]]


def must_confirm(request: HttpRequest, connection: Connection) -> bool:
    """A live connection's organisations change only once the admin confirmed, on the confirmation page."""
    return connection.status == Connection.Status.CREATED and request.POST.get(CONFIRMED) != "yes"


def confirmation(
    request: HttpRequest,
    connection: Connection,
    *,
    title: str,
    happens: list[str],
    button: str,
    fields: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The "are you sure" page: what will happen, Confirm (the same form posted again, confirmed) and Cancel."""
    return render(
        request,
        "portal/confirm.html",
        {
            "connection": connection,
            "title": title,
            "happens": happens,
            "button": button,
            "action": request.path,
            "fields": dict(fields or {}),
            "confirmed_field": CONFIRMED,
        },
    )
