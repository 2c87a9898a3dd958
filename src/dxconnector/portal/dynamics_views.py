"""The Dynamics steps of the connection page: install the solution, connect, select the organisation."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.dynamics.solution import (
    DYNAMICS_XERO_CONNECTOR,
    solution_zip_bytes,
    zip_name,
)
from dxconnector.portal import dynamics_connect, installation, organisation_change, sign_ins
from dxconnector.portal.ownership import own_connection
from dxconnector.portal.sign_ins import ConnectFailed


def _solution_zip() -> bytes:
    return solution_zip_bytes()


@login_required
@require_POST
def connect(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    if not dynamics_connect.is_configured():
        messages.error(
            request,
            "Connecting to Dynamics needs the Microsoft app's credentials: set DYNAMICS_CLIENT_ID and DYNAMICS_CLIENT_SECRET.",
        )
        return redirect("connection", pk=connection.pk)
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    if dynamics is not None and organisation_change.must_confirm(request, connection):
        return _confirm_sign_in_again(request, connection, dynamics)
    return redirect(dynamics_connect.start(request, connection))


def _confirm_sign_in_again(request: HttpRequest, connection: Connection, dynamics: DynamicsConnection) -> HttpResponse:
    if dynamics.has_organisation and organisation_change.has_synced(connection):
        which = (
            f"Sign in with an account that can use “{dynamics.org_name}”: this connection's invoices are linked to "
            "records there, so an account without it would be refused."
        )
    elif dynamics.has_organisation:
        which = f"If the account you sign in with can use “{dynamics.org_name}”, the connection keeps it."
    else:
        which = "Then select the organisation this connection uses."
    return organisation_change.confirmation(
        request,
        connection,
        title="Sign in to Microsoft again?",
        happens=[
            "You will sign in to Microsoft again, for example when the connector's sign-in expired or you want it to "
            "use another account.",
            which,
        ],
        button="Sign in again",
    )


@login_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    try:
        finished = dynamics_connect.finish(request, request.GET.dict())
    except ConnectFailed as failure:
        return sign_ins.back_after(request, failure)
    if finished.kept_organisation:
        messages.success(request, f"Signed in to Microsoft. The connection still uses “{finished.kept_organisation}”.")
    else:
        messages.success(request, "Signed in to Microsoft. Select your Dynamics organisation.")
    return redirect(reverse("connection", args=[finished.connection.pk]) + "#step-dynamics")


@login_required
@require_POST
def select(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    org_id = request.POST.get("org_id", "")
    refused = organisation_change.dynamics_refusal(connection, org_id)
    if refused:
        messages.error(request, refused)
        return redirect("connection", pk=connection.pk)
    current = DynamicsConnection.objects.filter(connection=connection).first()
    replacing = current is not None and current.has_organisation and current.org_id != org_id
    if current is not None and replacing and organisation_change.must_confirm(request, connection):
        return _confirm_select(request, connection, current, org_id)
    try:
        dynamics = dynamics_connect.select(connection, org_id)
    except (ConnectFailed, DynamicsConnection.DoesNotExist) as failure:
        messages.error(request, getattr(failure, "reason", "Connect to Dynamics first."))
        return redirect("connection", pk=connection.pk)
    messages.success(request, f"Dynamics organisation “{dynamics.org_name}” selected.")
    # The selected row flashes green once: the page learns which one from the query string.
    return redirect(reverse("connection", args=[connection.pk]) + f"?selected={dynamics.org_id}#step-dynamics")


@login_required
@require_POST
def disconnect(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    if dynamics is not None and organisation_change.must_confirm(request, connection):
        return _confirm_disconnect(request, connection, dynamics)
    dynamics_connect.disconnect(connection)
    messages.success(request, "Disconnected from Dynamics.")
    return redirect("connection", pk=connection.pk)


def _confirm_select(request: HttpRequest, connection: Connection, current: DynamicsConnection, org_id: str) -> HttpResponse:
    chosen = next((o["friendly_name"] for o in current.organisations if o["id"] == org_id), "the organisation you chose")
    happens = [
        f"The connection will use the Dynamics organisation “{chosen}”: invoices come from it from the next sync.",
        f"It stops syncing “{current.org_name}”. The solution and the connection's settings must be in “{chosen}” too: "
        "the page's checklist says what is missing.",
    ]
    return organisation_change.confirmation(
        request,
        connection,
        title="Use this Dynamics organisation?",
        happens=happens,
        button="Use this organisation",
        fields={"org_id": org_id},
    )


def _confirm_disconnect(request: HttpRequest, connection: Connection, dynamics: DynamicsConnection) -> HttpResponse:
    named = f"the Dynamics organisation “{dynamics.org_name}”" if dynamics.has_organisation else "Dynamics"
    happens = [
        f"The connector forgets its sign-in to {named} and removes the webhooks it registered there, and syncing "
        "stops: no invoice goes to Xero until you connect Dynamics again.",
        "Nothing is deleted: your invoices, the solution and the connection's settings stay in Dynamics.",
    ]
    if dynamics.has_organisation and organisation_change.has_synced(connection):
        happens.append(
            f"To connect again, select “{dynamics.org_name}”: this connection's invoices are linked to records there. "
            "To use another organisation, create a new connection instead."
        )
    return organisation_change.confirmation(
        request, connection, title="Disconnect from Dynamics?", happens=happens, button="Disconnect from Dynamics"
    )


@login_required
@require_GET
def solution_download(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    own_connection(request, pk)
    response = HttpResponse(_solution_zip(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{zip_name(DYNAMICS_XERO_CONNECTOR)}"'
    return response


@login_required
@require_POST
def solution_install(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
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
