""""Sync now" on the connection page: queue the connection's sync, come back to the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from dxconnector.portal.models import Connection
from dxconnector.sync.tasks import sync_connection


@login_required
@require_POST
def sync_now(request: HttpRequest, pk) -> HttpResponse:
    connection = get_object_or_404(Connection, pk=pk, owner=request.user)
    if connection.status != Connection.Status.CREATED:
        messages.error(request, "Create the connection first: syncing starts once every checklist step is green.")
    elif not connection.may_sync():
        messages.error(request, "Syncing is paused: the free trial has ended. Nothing is lost; it resumes with a subscription.")
    else:
        sync_connection.enqueue(str(connection.pk), "sync_now")
        messages.success(request, "Sync started. Invoices changed in Dynamics are on their way to Xero.")
    return redirect("connection", pk=connection.pk)
