from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dxconnector.connections.models import (
    Connection,
    DynamicsConnection,
    XeroConnection,
)
from dxconnector.domain.access import REQUIRED_ACCESS, AccessCheck, RequiredAccess
from dxconnector.domain.names import ConnectorSettingsTable
from dxconnector.domain.timezones import iana_for_xero
from dxconnector.dynamics import links as dynamics_links
from dxconnector.portal import (
    checklist,
    creation,
    dynamics_connect,
    invoice_questions,
    summaries,
    xero_connect,
)
from dxconnector.portal.forms import DefaultsForm, InvoiceQuestionForm
from dxconnector.portal.ownership import own_connection
from dxconnector.portal.sync_views import why_not_syncing

logger = logging.getLogger(__name__)


def _suggested_defaults(connection: Connection, xero: XeroConnection | None) -> dict[str, str]:
    """Blank defaults are pre-filled from the connected Xero organisation (its name and time zone)."""
    if xero is None or not xero.is_chosen:
        return {}
    suggested = {"name": xero.tenant_name, "time_zone": iana_for_xero(xero.organisation_timezone) or ""}
    return {field: value for field, value in suggested.items() if value and not getattr(connection, field)}


def _dynamics_settings_url(dynamics: DynamicsConnection | None) -> str | None:
    """The connector's settings row in Dynamics' own UI (the pop-up's "Connector Settings in Dynamics")."""
    if dynamics is None or not dynamics.has_organisation:
        return None
    return dynamics_links.list_url(dynamics.org_url, ConnectorSettingsTable.TABLE)


@dataclass(frozen=True)
class AccessRow:
    """One line of the Required access list: its check, or why it is not checked yet."""

    item: RequiredAccess
    check: AccessCheck | None
    waiting: str = ""  # why it is not checked yet

    @property
    def state(self) -> str:
        if self.check is None:
            return ""
        return "ok" if self.check.ok else "missing"


def _access_rows(live: checklist.Live) -> list[AccessRow]:
    """The access list: each table's live check, or what it waits for (Dynamics connected, the solution installed)."""
    facts = live.dynamics_facts
    if facts is None or facts.access_problem:
        return [AccessRow(item, None) for item in REQUIRED_ACCESS]
    checks = {check.item.table: check for check in checklist.access_to_check(facts)}
    return [
        AccessRow(item, checks.get(item.table), "" if item.table in checks else "checked once the solution is installed")
        for item in REQUIRED_ACCESS
    ]


def _page_name(connection: Connection, xero: XeroConnection | None) -> str:
    """The heading: the connection's name, else its Xero organisation's, before the defaults are saved."""
    if connection.name:
        return connection.name
    if xero is not None and xero.is_chosen and xero.tenant_name:
        return xero.tenant_name
    return connection.display_name


def connection_page(
    request: HttpRequest, connection: Connection, defaults_form: DefaultsForm | None = None, status: int = 200
) -> HttpResponse:
    """A connection's page: the onboarding steps in the order they can be done until Create Connection made it, then a
    dashboard (its state, last runs, Sync now, settings, history)."""
    xero_budget, dynamics_budget = summaries.api_budget(connection)  # before the page's own calls to Dynamics
    live = checklist.Live(connection)
    lines = checklist.evaluate(connection, live)
    created = connection.status == Connection.Status.CREATED
    xero = live.xero
    next_line = checklist.next_line(lines)
    context = {
        "connection": connection,
        "page_name": _page_name(connection, xero),
        "checklist": lines,
        "all_done": checklist.all_done(lines),
        "next_key": next_line.key if next_line and not created else "",
        "next_step": checklist.next_step(lines),
        "defaults_form": defaults_form or DefaultsForm(instance=connection, initial=_suggested_defaults(connection, xero)),
        "dynamics": live.dynamics,
        "dynamics_configured": dynamics_connect.is_configured(),
        "xero": xero,
        "xero_configured": xero_connect.is_configured(),
        "trial_text": summaries.trial_text_on_its_page(connection),
        "dynamics_settings_url": _dynamics_settings_url(live.dynamics),
        "show_ready_popup": created and checklist.all_done(lines) and connection.trial_started_at is None,
    }
    if created:
        state = summaries.health(connection)
        context |= {
            "state": state,
            "state_class": summaries.BADGE_CLASSES[state.state],
            "xero_budget": xero_budget,
            "dynamics_budget": dynamics_budget,
            "sync_now_off": why_not_syncing(connection),
            "last_sync": summaries.last_sync_text(connection),
            "runs": summaries.last_runs(connection),
            "why_form": InvoiceQuestionForm(choices=invoice_questions.recent_choices(connection)),
        }
    else:
        context |= {
            "access_rows": _access_rows(live),
            "selected_org": request.GET.get("selected", ""),
            "solution_installed": next((line.done for line in lines if line.key == "solution"), False),
        }
    return render(request, "portal/connection.html", context, status=status)


@login_required
def connection_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    connection = own_connection(request, pk)
    if connection.deleting:  # its page is where the deletion is, until it is gone
        return redirect("connection-delete", pk=connection.pk)
    return connection_page(request, connection)


@login_required
@require_POST
def connection_create(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Create Connection: the Defaults as filled in on the page are saved first (no separate "Save defaults" needed), the
    checklist is checked live, then the work (Dynamics and Xero over the network) runs as a job whose steps the page
    shows."""
    connection = own_connection(request, pk)
    if any(name in request.POST for name in DefaultsForm.base_fields):  # the Defaults as filled in go with it
        form = DefaultsForm(request.POST, instance=connection)
        if not form.is_valid():
            return connection_page(request, connection, defaults_form=form, status=400)
        connection = form.save()
    lines = checklist.evaluate(connection)
    if not checklist.all_done(lines):
        left = [line.label for line in lines if not line.done]
        messages.error(request, f"Not ready yet — still to do: {', '.join(left)}. See the checklist for tips.")
    elif not creation.queue(connection):
        messages.info(request, "Create Connection is under way already.")
    return redirect("connection", pk=connection.pk)


TRIAL_USED_UP = (
    "This Xero organisation or Dynamics organisation has had its free trial already, with another connection. "
    "Contact the operator of this service to subscribe or to ask for more time."
)


@login_required
@require_POST
def connection_start_trial(request: HttpRequest, pk: UUID) -> HttpResponse:
    """Closing the "connection works" pop-up (any of its three ways) starts the free trial."""
    connection = own_connection(request, pk)
    if connection.status != Connection.Status.CREATED or not checklist.all_done(checklist.evaluate(connection)):
        messages.error(request, "The free trial starts once every checklist step is green.")
        return redirect("connection", pk=connection.pk)
    if connection.start_trial():
        creation.queue_first_sync(connection)
        messages.success(request, f"Your free trial of “{connection.display_name}” has started.")
    elif connection.trial_started_at is None:
        messages.error(request, TRIAL_USED_UP)
        return redirect("connection", pk=connection.pk)
    target = request.POST.get("next") or reverse("home")
    dynamics_settings = _dynamics_settings_url(DynamicsConnection.objects.filter(connection=connection).first())
    local = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    if not local and target != dynamics_settings:
        target = reverse("home")
    return redirect(target)
