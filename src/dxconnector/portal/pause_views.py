"""Pause and resume on the connection page: pausing asks for a confirmation first; resuming catches up at once."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dxconnector.portal import pausing
from dxconnector.portal.ownership import own_connection


@login_required
@require_http_methods(["GET", "POST"])
def pause(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    if request.method == "GET":
        return render(request, "portal/pause.html", {"connection": connection})
    if pausing.pause(connection):
        messages.success(
            request, f"Syncing of “{connection.display_name}” is paused. Resume it whenever you like: nothing is lost."
        )
    else:
        messages.info(request, "Syncing was paused already.")
    return redirect("connection", pk=connection.pk)


@login_required
@require_POST
def resume(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    if not connection.paused:
        messages.info(request, "Syncing was not paused.")
    elif pausing.resume(connection):
        messages.success(request, "Syncing resumed: a sync is on its way with everything changed while it was paused.")
    else:
        messages.success(request, "Syncing resumed.")
    return redirect("connection", pk=connection.pk)
