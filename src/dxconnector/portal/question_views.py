""" "Why isn't it syncing?" on the connection page: ask about one invoice (the dry run runs as a job), then its page shows
the job's step until the answer — the rule and what to change — is in."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dxconnector.connections.models import Connection
from dxconnector.portal import invoice_questions
from dxconnector.portal.forms import InvoiceQuestionForm
from dxconnector.portal.ownership import own_connection

NOT_YET = "Create the connection first: the dry run reads the connection's settings in Dynamics."


def _page(request: HttpRequest, connection: Connection, form: InvoiceQuestionForm, status: int = 200) -> HttpResponse:
    question = invoice_questions.latest(connection)
    context = {"connection": connection, "form": form, "question": question}
    return render(request, "portal/why_not_syncing.html", context, status=status)


@login_required
def why(request: HttpRequest, pk: UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    return _page(request, connection, InvoiceQuestionForm(choices=invoice_questions.recent_choices(connection)))


@login_required
@require_POST
def ask(request: HttpRequest, pk: UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    form = InvoiceQuestionForm(request.POST, choices=invoice_questions.recent_choices(connection))
    if not form.is_valid():
        return _page(request, connection, form, status=400)
    if connection.status != Connection.Status.CREATED:
        messages.error(request, NOT_YET)
        return redirect("connection", pk=connection.pk)
    invoice_questions.ask(connection, form.cleaned_data["chosen"])
    return redirect("connection-why", pk=connection.pk)
