"""Configuration warnings `dxconnector check` shows: features that stay off until they are configured."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def xero_app_configured(app_configs=None, **kwargs):
    warnings = []
    if not (settings.XERO_CLIENT_ID and settings.XERO_CLIENT_SECRET):
        warnings.append(
            Warning("“Connect to Xero” is off until XERO_CLIENT_ID and XERO_CLIENT_SECRET are set.", id="dxconnector.W001")
        )
    if not settings.XERO_WEBHOOK_KEY:
        warnings.append(
            Warning(
                "Xero webhooks are refused until XERO_WEBHOOK_KEY is set; changes in Xero then arrive only with the periodic sweep.",
                id="dxconnector.W002",
            )
        )
    return warnings


@register()
def metrics_configured(app_configs: object = None, **kwargs: object) -> list[Warning]:
    if settings.METRICS_TOKEN:
        return []
    return [
        Warning(
            "/metrics answers 404 until METRICS_TOKEN is set (Prometheus scrapes it bearing that token).", id="dxconnector.W003"
        )
    ]
