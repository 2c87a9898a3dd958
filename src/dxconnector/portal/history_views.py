"""The connection's sync history (PRODUCT §3.6): every attempt per record, newest first, filterable, with the
rule's reason for each failure and a Retry for every invoice that did not get through (failed, held back, or not sent
by a rule or a setting); the last runs on top, and the invoices waiting for the owner grouped by reason, each group
with a Retry of its own (after a setting changed, say)."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dxconnector.connections.clients import dynamics_client
from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.domain.health import Cause
from dxconnector.domain.mapping.contact import xero_contact_url
from dxconnector.domain.mapping.invoice import xero_invoice_url
from dxconnector.domain.records import InvoiceType
from dxconnector.domain.rules.reasons import Why
from dxconnector.dynamics import history as history_rows
from dxconnector.dynamics import links as dynamics_links
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.portal import run_words
from dxconnector.portal.forms import HistoryFilterForm
from dxconnector.portal.ownership import own_connection
from dxconnector.portal.sync_views import why_not_syncing
from dxconnector.sync import api as sync
from dxconnector.sync.models import Link, SyncAttempt, SyncRun

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
RUNS_SHOWN = 5
RETRYABLE = (SyncAttempt.Outcome.FAILED, SyncAttempt.Outcome.HELD_BACK, SyncAttempt.Outcome.SKIPPED)
# Not sent because there is nothing left to do: trying again changes nothing.
SETTLED = (Why.ALREADY_CANCELLED.value, Why.DELETED_IN_DYNAMICS.value, Why.UNCHANGED.value)
FILTERS = ("outcome", "record", "date_from", "date_to")


def _zone(connection: Connection) -> tzinfo:
    """Dates are the connection's days (its time zone), UTC until one is set."""
    try:
        return zoneinfo.ZoneInfo(connection.time_zone) if connection.time_zone else zoneinfo.ZoneInfo("UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def filtered_attempts(connection: Connection, filters: dict[str, Any]) -> QuerySet[SyncAttempt]:
    attempts = SyncAttempt.objects.filter(connection=connection)
    if filters.get("outcome"):
        attempts = attempts.filter(outcome=filters["outcome"])
    record = (filters.get("record") or "").strip()
    if record:
        attempts = attempts.filter(
            Q(dynamics_id__istartswith=record)
            | Q(xero_id__istartswith=record)
            | Q(dynamics_number__iexact=record)
            | Q(xero_number__iexact=record)
        )
    zone = _zone(connection)
    if filters.get("date_from"):
        attempts = attempts.filter(attempted_at__gte=_day_start(filters["date_from"], zone))
    if filters.get("date_to"):
        attempts = attempts.filter(attempted_at__lt=_day_start(filters["date_to"] + timedelta(days=1), zone))
    return attempts.order_by("-attempted_at", "-pk")


@dataclass(frozen=True)
class RunRow:
    run: SyncRun
    trigger: str
    status: run_words.RunStatus
    sentence: str
    counters: list[tuple[str, Any]]
    duration: str

    @property
    def why(self) -> str:
        """Why a run stopped early, in the admin's words (the cause's), else the failure's kind as recorded."""
        try:
            return Cause(self.run.cause).words if self.run.cause else self.run.error
        except ValueError:
            return self.run.error


def _duration(run: SyncRun) -> str:
    if run.finished_at is None:
        return "still running" if run.status == SyncRun.Status.RUNNING else ""
    seconds = max(0.0, (run.finished_at - run.started_at).total_seconds())
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _run_rows(connection: Connection) -> list[RunRow]:
    runs = SyncRun.objects.filter(connection=connection).order_by("-started_at")[:RUNS_SHOWN]
    return [
        RunRow(
            run,
            trigger=run_words.trigger_words(run.trigger),
            status=run_words.run_status(run),
            sentence=run_words.run_sentence(run.counts or {}) if run.status == SyncRun.Status.SUCCEEDED else "",
            counters=run_words.counter_rows(run.counts or {}),
            duration=_duration(run),
        )
        for run in runs
    ]


RECORD_KINDS = ("invoice", "account", "contact", "product")  # what a history row can name, each its Dynamics table


def may_retry(attempt: SyncAttempt) -> bool:
    """Whether trying the record again could change anything: an invoice (or a customer's or product's edit) that
    failed, was held back, or was not sent for a reason the owner can change (a setting, the record itself)."""
    return (
        attempt.record_kind in RECORD_KINDS
        and attempt.outcome in RETRYABLE
        and not (attempt.outcome == SyncAttempt.Outcome.SKIPPED and attempt.reason_code in SETTLED)
    )


def latest_attempts(connection: Connection, record_ids: Iterable[str]) -> dict[str, SyncAttempt]:
    """Each record's latest attempt, by Dynamics id: only that one is offered a Retry."""
    latest: dict[str, SyncAttempt] = {}
    attempts = SyncAttempt.objects.filter(connection=connection, record_kind__in=RECORD_KINDS, dynamics_id__in=set(record_ids))
    for attempt in attempts.order_by("dynamics_id", "-attempted_at", "-pk"):
        latest.setdefault(attempt.dynamics_id, attempt)
    return latest


@dataclass(frozen=True)
class Waiting:
    """Invoices whose latest attempt did not get them through, for one reason."""

    outcome: str
    reason_code: str
    count: int
    example: str  # the latest of their reasons

    @property
    def words(self) -> str:
        invoices = "1 invoice" if self.count == 1 else f"{self.count} invoices"
        verbs: dict[str, str] = {SyncAttempt.Outcome.FAILED: "failed", SyncAttempt.Outcome.HELD_BACK: "held back"}
        return f"{invoices} {verbs.get(self.outcome, 'not sent')}"


def _waiting_attempts(connection: Connection) -> QuerySet[SyncAttempt]:
    """Each invoice's latest attempt, where it did not get the invoice through and trying again could."""
    newer = SyncAttempt.objects.filter(
        connection=connection,
        record_kind="invoice",
        dynamics_id=OuterRef("dynamics_id"),
        attempted_at__gt=OuterRef("attempted_at"),
    )
    return (
        SyncAttempt.objects.filter(connection=connection, record_kind="invoice", outcome__in=RETRYABLE)
        .exclude(outcome=SyncAttempt.Outcome.SKIPPED, reason_code__in=SETTLED)
        .exclude(Exists(newer))
    )


def waiting(connection: Connection) -> list[Waiting]:
    """The invoices waiting for the owner, grouped by the outcome and reason of their latest attempt, most invoices
    first. Counted by the database: a first sync may pass over thousands of old invoices."""
    groups = (
        _waiting_attempts(connection)
        .values("outcome", "reason_code")
        .annotate(count=Count("dynamics_id", distinct=True), last=Max("attempted_at"))
        .order_by("-count", "-last")
    )
    found = []
    for group in groups:
        example = (
            _waiting_attempts(connection)
            .filter(outcome=group["outcome"], reason_code=group["reason_code"])
            .order_by("-attempted_at", "-pk")
            .values_list("reason", flat=True)
            .first()
        )
        found.append(Waiting(group["outcome"], group["reason_code"], group["count"], example or ""))
    return found


def waiting_ids(connection: Connection, outcome: str, reason_code: str) -> list[str]:
    """The invoices waiting for one reason, by Dynamics id."""
    attempts = _waiting_attempts(connection).filter(outcome=outcome, reason_code=reason_code)
    return sorted(set(attempts.values_list("dynamics_id", flat=True)))


def _kept_query(data: QueryDict, *, page: bool = True) -> str:
    """The filters (and page) to keep on links and after a retry."""
    kept = QueryDict(mutable=True)
    for name in FILTERS + (("page",) if page else ()):
        value = data.get(name, "")
        if value:
            kept[name] = value
    return kept.urlencode()


def xero_links(connection: Connection, attempts: Iterable[SyncAttempt]) -> dict[str, str]:
    """Each shown invoice's page in Xero's web app (XERO_APP_URL), by Xero id: the type it went as (the ledger's) picks the
    page, an invoice's or a credit note's; a customer's is its contact's. One query for the page."""
    attempts = list(attempts)
    contacts = {
        attempt.xero_id: xero_contact_url(attempt.xero_id, settings.XERO_APP_URL)
        for attempt in attempts
        if attempt.record_kind in ("account", "contact") and attempt.xero_id
    }
    xero_ids = {attempt.xero_id for attempt in attempts if attempt.record_kind == "invoice" and attempt.xero_id}
    if not xero_ids:
        return contacts
    sent = dict(
        Link.objects.filter(connection=connection, kind=Link.Kind.INVOICE, xero_id__in=xero_ids).values_list(
            "xero_id", "sent_type"
        )
    )
    links = {}
    for xero_id in xero_ids:
        try:
            invoice_type = InvoiceType(sent.get(xero_id) or InvoiceType.ACCREC)
        except ValueError:
            invoice_type = InvoiceType.ACCREC
        links[xero_id] = xero_invoice_url(invoice_type, xero_id, settings.XERO_APP_URL)
    return {**contacts, **links}


def history_words(dynamics: DynamicsConnection | None, attempts: Iterable[SyncAttempt]) -> tuple[dict[str, str], bool]:
    """What the history rows in Dynamics say of the failed and held-back attempts shown, where that is more than the
    attempt's own reason (Xero's words, which the connector never keeps), by attempt id; and whether Dynamics could
    not be asked. One query for the page."""
    wanted = {str(attempt.pk): attempt.reason for attempt in attempts if attempt.outcome in RETRYABLE and attempt.reported_at}
    if not wanted or dynamics is None or not dynamics.has_organisation:
        return {}, False
    try:
        client = dynamics_client(dynamics, for_a_page=True)
    except DynamicsError as error:
        logger.warning("the history rows of connection %s could not be read from Dynamics: %s", dynamics.connection_id, error)
        return {}, True
    try:
        found = history_rows.messages(client, list(wanted))
    except DynamicsError as error:
        logger.warning("the history rows of connection %s could not be read from Dynamics: %s", dynamics.connection_id, error)
        return {}, True
    finally:
        client.close()
    return {row_id: message for row_id, message in found.items() if message.strip() != wanted[row_id].strip()}, False


def record_page_url(dynamics: DynamicsConnection | None, attempt: SyncAttempt) -> str:
    """The record's page in Dynamics for a person's browser (DYNAMICS_RECORD_URL), when the organisation is known."""
    if dynamics is None or not dynamics.has_organisation or attempt.record_kind not in RECORD_KINDS:
        return ""
    return dynamics_links.page_url(
        getattr(settings, "DYNAMICS_RECORD_URL", ""),
        org_url=dynamics.org_url,
        org=dynamics.org_unique_name,
        table=attempt.record_kind,
        record_id=attempt.dynamics_id,
    )


@login_required
def history(request: HttpRequest, pk) -> HttpResponse:
    connection = own_connection(request, pk)
    form = HistoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(filtered_attempts(connection, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    said, unheard = history_words(dynamics, page.object_list)
    in_xero = xero_links(connection, page.object_list)
    latest = latest_attempts(connection, (attempt.dynamics_id for attempt in page.object_list))
    rows = [
        {
            "attempt": attempt,
            "outcome": run_words.outcome_words(attempt),
            "badge": run_words.outcome_badge(attempt),
            "dynamics_url": record_page_url(dynamics, attempt),
            "xero_url": in_xero.get(attempt.xero_id, ""),
            "retryable": may_retry(attempt) and latest.get(attempt.dynamics_id) == attempt,
            "words": said.get(str(attempt.pk), ""),
        }
        for attempt in page.object_list
    ]
    context = {
        "connection": connection,
        "form": form,
        "page": page,
        "rows": rows,
        "runs": _run_rows(connection),
        "waiting": waiting(connection),
        "filtered": any(request.GET.get(name) for name in FILTERS),
        "filter_query": _kept_query(request.GET, page=False),
        "current_query": _kept_query(request.GET),
        "time_zone": str(_zone(connection)),
        "words_unheard": unheard,
    }
    return render(request, "portal/history.html", context)


def _to_retry(request: HttpRequest, connection: Connection) -> tuple[list[str], str, str]:
    """The records a Retry names, how the message calls them, and their kind; or ([], why there is nothing to retry,
    ""): one record by its id, or a group of invoices waiting by its outcome and reason. A page shown before they went
    through asks for nothing any more; an id the history never had is not found."""
    if "reason_code" in request.POST:
        outcome, code = request.POST.get("outcome", ""), request.POST.get("reason_code", "")
        invoice_ids = [] if "\x00" in outcome + code else waiting_ids(connection, outcome, code)
        if not invoice_ids:
            return [], "No invoice is waiting for this reason any more: nothing was retried.", ""
        return invoice_ids, "1 invoice" if len(invoice_ids) == 1 else f"{len(invoice_ids)} invoices", "invoice"
    record_id = request.POST.get("dynamics_id", "").strip()
    # No id has a NUL, which PostgreSQL would refuse.
    latest = None if "\x00" in record_id else latest_attempts(connection, [record_id]).get(record_id)
    if latest is None:
        raise Http404("No record with this id is in the history.")
    named = f"{latest.record_kind.capitalize()} {latest.dynamics_number or record_id}"
    if not may_retry(latest):
        return [], f"{named} needs no retry: its latest sync went through, or there is nothing left to do.", ""
    return [record_id], named, latest.record_kind


@login_required
@require_POST
def retry(request: HttpRequest, pk) -> HttpResponse:
    """Retry a failed, held-back or unsent invoice, or every invoice waiting for one reason: they are synced again in
    the next run, queued now."""
    connection = own_connection(request, pk)
    record_ids, named, kind = _to_retry(request, connection)
    refusal = why_not_syncing(connection)
    if not record_ids:
        messages.info(request, named)
    elif refusal:
        messages.error(request, refusal)
    else:
        sync.retry_records(connection.pk, kind, record_ids)
        messages.success(request, f"{named} will be synced again in a moment: refresh this page to see how it went.")
    query = _kept_query(QueryDict(request.POST.get("query", "")))
    target = reverse("connection-history", args=[connection.pk])
    return redirect(f"{target}?{query}" if query else target)
