"""The "Connect to Xero" step of the connection page."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from dxconnector.connections.models import Connection, XeroConnection
from dxconnector.portal import organisation_change, sign_ins, xero_connect
from dxconnector.portal.ownership import own_connection
from dxconnector.portal.sign_ins import ConnectFailed


@login_required
@require_POST
def connect(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    if not xero_connect.is_configured():
        messages.error(request, "Connecting to Xero needs the Xero app's credentials: set XERO_CLIENT_ID and XERO_CLIENT_SECRET.")
        return redirect("connection", pk=connection.pk)
    xero = XeroConnection.objects.filter(connection=connection).first()
    if xero is not None and organisation_change.must_confirm(request, connection):
        return _confirm_reconnect(request, connection, xero)
    return redirect(xero_connect.start(request, connection))


def _confirm_reconnect(request: HttpRequest, connection: Connection, xero: XeroConnection) -> HttpResponse:
    if organisation_change.has_synced(connection) and xero.is_chosen:
        which = (
            f"Choose “{xero.tenant_name}” again on Xero's page: this connection's invoices are linked to records there, "
            "so another organisation would be refused."
        )
    else:
        which = "Choose the organisation this connection should use: choosing another one moves the connection to it."
    return organisation_change.confirmation(
        request,
        connection,
        title="Reconnect to Xero?",
        happens=[
            "You will sign in to Xero again and allow the connector access afresh, for example when Xero's access "
            "expired or was removed.",
            which,
            "Syncing carries on as before once you are back.",
        ],
        button="Reconnect to Xero",
    )


@login_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        outcome = xero_connect.finish(request, request.GET)
    except ConnectFailed as failure:
        return sign_ins.back_after(request, failure)
    messages.success(request, outcome.message)
    return redirect("connection", pk=outcome.connection.pk)


@login_required
@require_POST
def choose(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    try:
        name = xero_connect.choose(connection, request.POST.get("tenant_id", ""))
    except ConnectFailed as failure:
        messages.error(request, failure.reason)
    else:
        messages.success(request, f"Connected to Xero organisation “{name}”.")
    return redirect("connection", pk=connection.pk)


@login_required
@require_POST
def disconnect(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    xero = XeroConnection.objects.filter(connection=connection).first()
    if xero is not None and organisation_change.must_confirm(request, connection):
        return _confirm_disconnect(request, connection, xero)
    for warning in xero_connect.disconnect(connection):
        messages.warning(request, warning)
    messages.success(request, "Disconnected from Xero.")
    return redirect("connection", pk=connection.pk)


def _confirm_disconnect(request: HttpRequest, connection: Connection, xero: XeroConnection) -> HttpResponse:
    happens = [
        f"The connector's access to {_organisation_named(xero)} is revoked, and syncing stops: no invoice goes to Xero "
        "and no payment comes back until you connect Xero again.",
        "Nothing is deleted, in Xero or in Dynamics.",
    ]
    if organisation_change.has_synced(connection) and xero.is_chosen:
        happens.append(
            f"To connect again, choose “{xero.tenant_name}”: this connection's invoices are linked to records there. "
            "To use another organisation, create a new connection instead."
        )
    return organisation_change.confirmation(
        request, connection, title="Disconnect from Xero?", happens=happens, button="Disconnect from Xero"
    )


def _organisation_named(xero: XeroConnection) -> str:
    return f"the Xero organisation “{xero.tenant_name}”" if xero.is_chosen else "Xero"
