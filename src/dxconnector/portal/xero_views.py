"""The "Connect to Xero" step of the connection page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from dxconnector.portal import sign_ins, xero_connect
from dxconnector.portal.ownership import own_connection


@login_required
@require_POST
def connect(request: HttpRequest, pk) -> HttpResponse:
    connection = own_connection(request, pk)
    if not xero_connect.is_configured():
        messages.error(request, "Connecting to Xero needs the Xero app's credentials: set XERO_CLIENT_ID and XERO_CLIENT_SECRET.")
        return redirect("connection", pk=connection.pk)
    return redirect(xero_connect.start(request, connection))


@login_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        outcome = xero_connect.finish(request, request.GET)
    except xero_connect.ConnectFailed as failure:
        return sign_ins.back_after(request, failure)
    messages.success(request, outcome.message)
    return redirect("connection", pk=outcome.connection.pk)


@login_required
@require_POST
def choose(request: HttpRequest, pk) -> HttpResponse:
    connection = own_connection(request, pk)
    try:
        name = xero_connect.choose(connection, request.POST.get("tenant_id", ""))
    except xero_connect.ConnectFailed as failure:
        messages.error(request, failure.reason)
    else:
        messages.success(request, f"Connected to Xero organisation “{name}”.")
    return redirect("connection", pk=connection.pk)


@login_required
@require_POST
def disconnect(request: HttpRequest, pk) -> HttpResponse:
    connection = own_connection(request, pk)
    for warning in xero_connect.disconnect(connection):
        messages.warning(request, warning)
    messages.success(request, "Disconnected from Xero.")
    return redirect("connection", pk=connection.pk)
