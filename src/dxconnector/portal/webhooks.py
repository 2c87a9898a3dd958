"""Webhook receivers. They answer fast, with no body and no cookies, and leave the work to the sync."""

from __future__ import annotations

import hmac
import logging
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.dynamics.webhooks import SECRET_HEADER, BadContext, parse_context
from dxconnector.sync import api as sync
from dxconnector.sync.models import Trigger, XeroWebhookEvent
from dxconnector.xero.webhooks import BadPayload, parse_events, signature_matches

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def xero(request: HttpRequest) -> HttpResponse:
    body = request.body  # the raw bytes, exactly as signed
    if not signature_matches(settings.XERO_WEBHOOK_KEY, body, request.headers.get("x-xero-signature", "")):
        return HttpResponse(status=401)
    try:
        events = parse_events(body)
    except BadPayload:
        return HttpResponse(status=400)
    XeroWebhookEvent.objects.bulk_create(
        [
            XeroWebhookEvent(
                tenant_id=e.tenant_id,
                category=e.category,
                event_type=e.event_type,
                resource_id=e.resource_id,
                event_date=e.event_date,
            )
            for e in events
        ],
        ignore_conflicts=True,
    )
    sync.xero_events_arrived({e.tenant_id for e in events})
    return HttpResponse(status=200)


def _secret_of(connection_id: uuid.UUID) -> str:
    return DynamicsConnection.objects.filter(connection_id=connection_id).values_list("webhook_secret", flat=True).first() or ""


def _presented_matches(secret: str, presented: str) -> bool:
    """Compared in constant time; with no secret on file nothing matches (the comparison still runs)."""
    matches = hmac.compare_digest(presented.encode(), (secret or uuid.uuid4().hex).encode())
    return matches and bool(secret)


@csrf_exempt
@require_POST
def dynamics(request: HttpRequest, connection_id: uuid.UUID) -> HttpResponse:
    """A Dataverse step's call: check the connection's secret, then queue its sync (one, however many calls)."""
    if not _presented_matches(_secret_of(connection_id), request.headers.get(SECRET_HEADER, "")):
        return HttpResponse(status=401)
    try:
        change = parse_context(request.body)
    except BadContext:
        return HttpResponse(status=400)
    connection = Connection.objects.get(pk=connection_id)
    if connection.status == Connection.Status.CREATED and connection.may_sync():
        queued = sync.request_sync(connection.pk, Trigger.DYNAMICS_WEBHOOK)
        logger.info(
            "Dynamics %s of %s %s for connection %s: %s",
            change.message,
            change.entity,
            change.record_id,
            connection.pk,
            "sync queued" if queued else "a sync is queued already",
        )
    return HttpResponse(status=200)
