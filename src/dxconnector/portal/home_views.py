from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dxconnector.connections.models import Connection
from dxconnector.portal import summaries


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rows = summaries.rows(request.user.connections.all())
    return render(request, "portal/home.html", {"rows": rows, "kinds": Connection.Kind.choices})


@login_required
@require_POST
def connection_new(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind")
    if kind not in Connection.Kind.values:
        messages.error(request, "Choose a connector type from the list.")
        return redirect("home")
    connection = Connection.objects.create(owner=request.user, kind=kind)
    return redirect("connection", pk=connection.pk)
