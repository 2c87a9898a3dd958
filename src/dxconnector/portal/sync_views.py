""" "Sync now" on the connection page: queue the connection's sync, come back to the page."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.domain.trial import TrialState
from dxconnector.portal import pausing
from dxconnector.portal.ownership import own_connection
from dxconnector.sync import api as sync
from dxconnector.sync.models import Trigger


def why_not_syncing(connection: Connection) -> str:
    """Why a sync asked for by hand (Sync now, Retry) can't go now; empty when it can."""
    if connection.status != Connection.Status.CREATED:
        return "Create the connection first: syncing starts once every checklist step is green."
    if connection.deleting:
        return "This connection is being deleted: it syncs no more."
    if not XeroConnection.objects.filter(connection=connection).exclude(tenant_id="").exists():
        return "Reconnect Xero to sync: this connection is not connected to a Xero organisation."
    if not DynamicsConnection.objects.filter(connection=connection).exclude(org_url="").exists():
        return "Connect to Dynamics again to sync: this connection is not connected to a Dynamics organisation."
    if connection.paused:
        return pausing.SYNC_NOW_OFF
    if connection.trial_state() is TrialState.NOT_STARTED:
        return "Syncing starts with the free trial: start it from the connection page."
    if not connection.may_sync():
        return "Syncing is paused: the free trial has ended. Nothing is lost; it resumes with a subscription."
    return ""


@login_required
@require_POST
def sync_now(request: HttpRequest, pk: UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    refusal = why_not_syncing(connection)
    if refusal:
        messages.error(request, refusal)
    elif sync.request_sync(connection.pk, Trigger.SYNC_NOW):
        messages.success(request, "Sync started: changes made in Dynamics and Xero since the last sync are being brought across.")
    else:  # a second click, or a webhook's sync not started yet: that run takes every change
        messages.success(request, "A sync is already on its way: it takes every change made until it starts.")
    return redirect("connection", pk=connection.pk)
