"""The Dynamics steps of the connection page: install the solution, connect, select the organisation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dxconnector.connections.clients import dynamics_client
from dxconnector.connections.models import DynamicsConnection
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.dynamics.solution import (
    DYNAMICS_XERO_CONNECTOR,
    solution_zip_bytes,
    zip_name,
)
from dxconnector.portal import dynamics_connect, sign_ins
from dxconnector.portal.views import _own_connection


def _solution_zip() -> bytes:
    return solution_zip_bytes()


@login_required
@require_POST
def connect(request: HttpRequest, pk) -> HttpResponse:
    connection = _own_connection(request, pk)
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
    connection = _own_connection(request, pk)
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
    connection = _own_connection(request, pk)
    dynamics_connect.disconnect(connection)
    messages.success(request, "Disconnected from Dynamics.")
    return redirect("connection", pk=connection.pk)


@login_required
@require_GET
def solution_download(request: HttpRequest, pk) -> HttpResponse:
    _own_connection(request, pk)
    response = HttpResponse(_solution_zip(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{zip_name(DYNAMICS_XERO_CONNECTOR)}"'
    return response


@login_required
@require_POST
def solution_install(request: HttpRequest, pk) -> HttpResponse:
    """One-click install through ImportSolution, when the signed-in Dynamics user may import solutions."""
    connection = _own_connection(request, pk)
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    if dynamics is None or not dynamics.has_organisation:
        messages.error(request, "Connect to Dynamics and select the organisation first, then install.")
        return redirect("connection", pk=connection.pk)
    try:
        client = dynamics_client(dynamics)
    except DynamicsError as error:
        messages.error(request, f"Dynamics cannot be asked ({error}).")
        return redirect(reverse("connection", args=[connection.pk]) + "#step-solution")
    try:
        client.import_solution(_solution_zip())
    except DynamicsError as error:
        if error.status == 403:
            messages.error(
                request, "Your Dynamics user may not import solutions. Download the zip and ask an administrator to import it."
            )
        else:
            messages.error(request, f"Dynamics did not accept the solution ({error}). You can download it and import it by hand.")
    else:
        messages.success(request, "The managed solution was imported into Dynamics.")
    finally:
        client.close()
    return redirect(reverse("connection", args=[connection.pk]) + "#step-solution")
