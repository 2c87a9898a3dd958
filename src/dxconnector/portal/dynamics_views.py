"""The Dynamics steps of the connection page: install the solution, connect, select the organisation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dxconnector.connections.models import DynamicsConnection
from dxconnector.dynamics.solution import (
    DYNAMICS_XERO_CONNECTOR,
    solution_zip_bytes,
    zip_name,
)
from dxconnector.portal import dynamics_connect, installation, sign_ins
from dxconnector.portal.ownership import own_connection


def _solution_zip() -> bytes:
    return solution_zip_bytes()


@login_required
@require_POST
def connect(request: HttpRequest, pk) -> HttpResponse:
    connection = own_connection(request, pk)
    if not dynamics_connect.is_configured():
        messages.error(
            request,
            "Connecting to Dynamics needs the Microsoft app's credentials: set DYNAMICS_CLIENT_ID and DYNAMICS_CLIENT_SECRET.",
        )
        return redirect("connection", pk=connection.pk)
    return redirect(dynamics_connect.start(request, connection))


@login_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        connection = dynamics_connect.finish(request, request.GET.dict())
    except dynamics_connect.ConnectFailed as failure:
        return sign_ins.back_after(request, failure)
    messages.success(request, "Signed in to Microsoft. Select your Dynamics organisation.")
    return redirect(reverse("connection", args=[connection.pk]) + "#step-dynamics")


@login_required
@require_POST
def select(request: HttpRequest, pk) -> HttpResponse:
    connection = own_connection(request, pk)
    try:
        dynamics = dynamics_connect.select(connection, request.POST.get("org_id", ""))
    except (dynamics_connect.ConnectFailed, DynamicsConnection.DoesNotExist) as failure:
        messages.error(request, getattr(failure, "reason", "Connect to Dynamics first."))
        return redirect("connection", pk=connection.pk)
    messages.success(request, f"Dynamics organisation “{dynamics.org_name}” selected.")
    # The selected row flashes green once: the page learns which one from the query string.
    return redirect(reverse("connection", args=[connection.pk]) + f"?selected={dynamics.org_id}#step-dynamics")


@login_required
@require_POST
def disconnect(request: HttpRequest, pk) -> HttpResponse:
    connection = own_connection(request, pk)
    dynamics_connect.disconnect(connection)
    messages.success(request, "Disconnected from Dynamics.")
    return redirect("connection", pk=connection.pk)


@login_required
@require_GET
def solution_download(request: HttpRequest, pk) -> HttpResponse:
    own_connection(request, pk)
    response = HttpResponse(_solution_zip(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{zip_name(DYNAMICS_XERO_CONNECTOR)}"'
    return response


@login_required
@require_POST
def solution_install(request: HttpRequest, pk) -> HttpResponse:
    """One-click install through ImportSolution, when the signed-in Dynamics user may import solutions: queued as a job
    (a long Dataverse operation has no place in a web request); the page shows its progress and its outcome."""
    connection = own_connection(request, pk)
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    if dynamics is None or not dynamics.has_organisation:
        messages.error(request, "Connect to Dynamics and select the organisation first, then install.")
        return redirect("connection", pk=connection.pk)
    if installation.queue(connection):
        messages.success(request, "Installing the solution into Dynamics…")
    else:
        messages.info(request, "The solution is being installed into Dynamics already.")
    return redirect(reverse("connection", args=[connection.pk]) + "#step-solution")
