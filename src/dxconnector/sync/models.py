from django.db import models
from django.utils import timezone


class XeroWebhookEvent(models.Model):
    """A change Xero told us about: the queue the sync drains (ids only — never amounts or names).

    Xero retries deliveries, so the same event can arrive twice; the unique constraint keeps one.
    """

    tenant_id = models.CharField(max_length=64)
    category = models.CharField(max_length=32)
    event_type = models.CharField(max_length=16)
    resource_id = models.CharField(max_length=64)
    event_date = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant_id", "category", "event_type", "resource_id", "event_date"], name="xero_event_once"),
        ]
        indexes = [models.Index(fields=["tenant_id", "processed_at"])]

    def __str__(self) -> str:
        return f"{self.category} {self.event_type} {self.resource_id}"
