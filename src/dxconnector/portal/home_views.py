from __future__ import annotations

import uuid
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dxconnector.connections.models import Connection
from dxconnector.portal import settings_row, summaries
from dxconnector.portal.home_forms import RenameForm
from dxconnector.portal.models import User
from dxconnector.portal.ownership import own_connection


def landing(request: HttpRequest) -> HttpResponse:
    """What this is, for a visitor; Home for someone logged in."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "portal/landing.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rows = summaries.rows(cast(User, request.user).connections.all())
    return render(request, "portal/home.html", {"rows": rows, "kinds": Connection.Kind.choices})


def _untouched(owner: User, kind: str) -> Connection | None:
    """The owner's newest connection of `kind` that nothing was done with yet: no name, neither side connected."""
    return (
        Connection.objects.filter(
            owner=owner,
            kind=kind,
            name="",
            status=Connection.Status.DRAFT,
            trial_started_at__isnull=True,
            deletion_state="",
            xero__isnull=True,
            dynamics__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )


@login_required
@require_POST
def connection_new(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind")
    if kind not in Connection.Kind.values:
        messages.error(request, "Choose a connector type from the list.")
        return redirect("home")
    # A second click opens the new connection the first one made, rather than a twin of it.
    owner = cast(User, request.user)  # login_required
    connection = _untouched(owner, kind) or Connection.objects.create(owner=owner, kind=kind)
    return redirect("connection", pk=connection.pk)


@login_required
@require_http_methods(["GET", "POST"])
def connection_rename(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    if connection.deleting:
        messages.error(request, f"“{connection.display_name}” is being deleted, so it can't be renamed.")
        return redirect("connection-delete", pk=connection.pk)
    form = RenameForm(connection, request.POST or None, initial={"name": connection.name})
    status = 400 if form.errors else 200
    if request.method == "POST" and form.is_valid():
        old_name = connection.display_name
        connection.name = form.cleaned_data["name"]
        try:
            # A created connection's name is in its rows in Dynamics too (people pick it on an invoice): there first.
            settings_row.write_changes(connection, ["name"])
        except settings_row.NotWritten as failure:
            form.add_error(None, str(failure))
            connection = own_connection(request, pk)
            status = 503
        else:
            connection.save(update_fields=["name"])
            messages.success(request, f"“{old_name}” is now called “{connection.name}”.")
            return redirect("home")
    return render(request, "portal/rename.html", {"connection": connection, "form": form}, status=status)
