from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dxconnector.portal.forms import DefaultsForm
from dxconnector.portal.ownership import own_connection
from dxconnector.portal.views import connection_page


@login_required
@require_POST
def connection_defaults(request: HttpRequest, pk) -> HttpResponse:
    connection = own_connection(request, pk)
    form = DefaultsForm(request.POST, instance=connection)
    if not form.is_valid():
        return connection_page(request, connection, defaults_form=form, status=400)
    form.save()
    messages.success(request, "Defaults saved.")
    return redirect("connection", pk=connection.pk)
