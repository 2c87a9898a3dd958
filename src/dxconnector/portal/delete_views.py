"""Delete on the connection page: a confirmation (the connection's name typed, and whether its rows in Dynamics go
too), then the job's progress on the same page; when a step fails, try again or delete it here only."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dxconnector.connections.models import Connection
from dxconnector.portal import deletion

SESSION_KEY = "deleted_connections"  # id → name of the connections this session asked to delete
State = Connection.SetupState


def _remember(request: HttpRequest, connection: Connection) -> None:
    asked = dict(request.session.get(SESSION_KEY, {}))
    asked[str(connection.pk)] = connection.display_name
    request.session[SESSION_KEY] = asked


def _gone(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The connection is no longer here: deleted, if this session asked for it; otherwise a 404 like any other id."""
    asked = dict(request.session.get(SESSION_KEY, {}))
    name = asked.pop(str(pk), None)
    if name is None:
        raise Http404
    request.session[SESSION_KEY] = asked
    messages.success(request, f"“{name}” is deleted.")
    return redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = Connection.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if connection is None:
        return _gone(request, pk)
    if request.method == "GET":
        return _page(request, connection)
    action = request.POST.get("action", "delete")
    if action == "local":
        if connection.deletion_state not in (State.FAILED, State.QUEUED):
            messages.error(request, "Deleting here only is offered once a step has failed, or while no worker has taken it.")
            return redirect("connection-delete", pk=connection.pk)
        name = connection.display_name
        for line in deletion.delete_locally(connection):
            messages.warning(request, line)
        messages.success(request, f"“{name}” is deleted here.")
        return redirect("home")
    if action == "retry":
        if deletion.retry(connection):
            _remember(request, connection)
        return redirect("connection-delete", pk=connection.pk)
    if connection.deleting:
        return redirect("connection-delete", pk=connection.pk)
    typed = request.POST.get("name", "").strip()
    if typed != connection.display_name:
        return _page(request, connection, error="Type the connection's name exactly as shown to confirm.", status=400)
    deletion.ask(connection, remove_rows=request.POST.get("remove_rows") == "on")
    _remember(request, connection)
    return redirect("connection-delete", pk=connection.pk)


def _page(request: HttpRequest, connection: Connection, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "portal/delete.html", {"connection": connection, "error": error}, status=status)
