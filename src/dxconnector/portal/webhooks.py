"""Webhook receivers. They answer fast, with no body and no cookies, and leave the work to the sync."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dxconnector.sync.models import XeroWebhookEvent
from dxconnector.xero.webhooks import BadPayload, parse_events, signature_matches


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
        [XeroWebhookEvent(tenant_id=e.tenant_id, category=e.category, event_type=e.event_type, resource_id=e.resource_id,
                          event_date=e.event_date) for e in events],
        ignore_conflicts=True,
    )
    return HttpResponse(status=200)
