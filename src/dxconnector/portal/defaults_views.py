from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dxconnector.portal import settings_row
from dxconnector.portal.forms import DefaultsForm
from dxconnector.portal.ownership import own_connection
from dxconnector.portal.views import connection_page


@login_required
@require_POST
def connection_defaults(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Save the settings: checked first (the account code with Xero), then, on a created connection, put into its
    settings row in Dynamics, where the sync reads them; only then saved here. Whatever fails, nothing is saved and the
    page shows what was typed with the reason. Invoices the old values held back are looked at again."""
    connection = own_connection(request, pk)
    sync_from_before = connection.sync_invoices_from  # the form writes the typed values into `connection`
    form = DefaultsForm(request.POST, instance=connection)
    if not form.is_valid():
        return connection_page(request, connection, defaults_form=form, status=400)
    try:
        settings_row.write_changes(connection, form.changed_data)
    except settings_row.NotWritten as failure:
        form.add_error(None, str(failure))
        return connection_page(request, own_connection(request, pk), defaults_form=form, status=503)
    connection = form.save()
    rechecked = settings_row.recheck(
        connection, settings_row.reasons_to_recheck(form.changed_data, sync_from_before, connection.sync_invoices_from)
    )
    if rechecked:
        invoices = "1 invoice" if rechecked == 1 else f"{rechecked} invoices"
        messages.success(
            request, f"Defaults saved. {invoices} held back by the old settings will be checked again in the next sync."
        )
    else:
        messages.success(request, "Defaults saved.")
    return redirect("connection", pk=connection.pk)
