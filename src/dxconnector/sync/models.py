"""The sync's own state: ids, versions, keyed hashes, cursors, leases and counts — never amounts, lines,
descriptions or names (PRODUCT §3.8). No column here could hold one."""

import uuid

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
            models.UniqueConstraint(
                fields=["tenant_id", "category", "event_type", "resource_id", "event_date"], name="xero_event_once"
            ),
        ]
        indexes = [models.Index(fields=["tenant_id", "processed_at"])]

    def __str__(self) -> str:
        return f"{self.category} {self.event_type} {self.resource_id}"


class Link(models.Model):
    """The links ledger: one Dynamics record ↔ its Xero record, with what was last sent (the row version and
    a keyed hash of the fields). It makes every write repeatable and stops echoes between the two systems.

    `pending_since` is set just before a record is first created in Xero and cleared once Xero's answer is
    recorded: a link still pending after a crash is looked up in Xero before anything is created again.
    `writeback_due` says Xero's answer has not reached Dynamics yet; `xero_hash` is what that answer said of
    status, number and payments, so a change in Xero that Dynamics already shows (our own write) is no change.
    `dynamics_deleted_at` is set when Dynamics' change tracking says the invoice was deleted, and `deletion_due`
    until its Xero copy is voided or deleted (or Xero refused, until Xero changes it again).

    A customer's or product's link keeps `seen` (`rules.conflicts.Seen`: which side changed which field since),
    `sent_version` (its Dynamics version last read or written by us), `sent_type` (a customer's table: account or
    contact), and `writeback_due` while its Xero row in Dynamics (id, status, link) is still to be written.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice"
        CONTACT = "contact"  # a Dynamics account or contact ↔ a Xero contact
        ITEM = "item"  # a Dynamics product ↔ a Xero item

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    dynamics_id = models.CharField(max_length=64)
    xero_id = models.CharField(max_length=64, blank=True)
    sent_type = models.CharField(max_length=16, blank=True, help_text="Xero's type it went as, e.g. ACCREC")
    sent_version = models.CharField(max_length=64, blank=True, help_text="Dataverse versionnumber last sent")
    sent_hash = models.CharField(max_length=64, blank=True, help_text="HMAC-SHA256 of the fields last sent")
    xero_hash = models.CharField(max_length=64, blank=True, help_text="HMAC-SHA256 of Xero's state last written back")
    pending_since = models.DateTimeField(null=True, blank=True)
    writeback_due = models.BooleanField(default=False)
    dynamics_deleted_at = models.DateTimeField(null=True, blank=True, help_text="when Dynamics said the record was deleted")
    deletion_due = models.BooleanField(default=False, help_text="the Xero record is still to be voided or deleted")
    seen = models.JSONField(
        default=dict,
        blank=True,
        help_text="a customer's or product's fields after the last sync: a keyed hash of each, per side, never the values",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "kind", "dynamics_id"], name="one_link_per_record")]
        indexes = [
            models.Index(fields=["connection", "kind", "xero_id"]),
            models.Index(fields=["connection", "writeback_due"]),
            models.Index(fields=["connection", "deletion_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.dynamics_id} → {self.xero_id or 'pending'}"


class Cursor(models.Model):
    """Where a stream reads on from: an opaque value (Dataverse delta links, or a modifiedon watermark)."""

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="cursors")
    stream = models.CharField(max_length=64)
    value = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "stream"], name="one_cursor_per_stream")]

    def __str__(self) -> str:
        return f"{self.stream} @ {self.updated_at:%Y-%m-%d %H:%M:%S}"


class Lease(models.Model):
    """Who may sync a connection right now. Taken and renewed with one conditional UPDATE, so only one
    holder wins whatever the number of workers or machines; an expired lease is free to take."""

    connection = models.OneToOneField("connections.Connection", on_delete=models.CASCADE, related_name="sync_lease")
    holder = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.holder or 'free'} until {self.expires_at:%H:%M:%S}"


class Trigger(models.TextChoices):
    """What started a run."""

    CREATED = "created"  # Create Connection: the first sync
    SYNC_NOW = "sync_now"
    RETRY = "retry"  # Retry in the history
    DYNAMICS_WEBHOOK = "webhook"  # a change in Dynamics
    XERO_WEBHOOK = "xero_webhook"
    SWEEP = "sweep"  # the clock
    CLI = "cli"  # `dxconnector sync`
    RESUMED = "resumed"  # the owner resumed syncing: catch up on everything changed meanwhile
    CONTINUED = "continued"  # the rest of a run that stopped at its slice (SYNC_SLICE_INVOICES)


class SyncRun(models.Model):
    """One run of the engine for a connection: when, why, how it ended, and counts (numbers only)."""

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # stopped early; the cursor stayed where the last committed batch left it
        BUSY = "busy"  # another run held the lease
        PAUSED = "paused"  # the trial ended or syncing is paused: nothing was read or written

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="records by outcome, and API calls by service")
    error = models.CharField(max_length=300, blank=True, help_text="the kind of failure that stopped the run")
    cause = models.CharField(max_length=32, blank=True, help_text="why it stopped, as the connection's state tells it")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["connection", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.trigger} run {self.status}"

    @property
    def summary(self) -> str:
        """How the run ended, in words: a run that went through completed, with the records it could not sync."""
        if self.status != self.Status.SUCCEEDED:
            return str(self.get_status_display())
        failed = (self.counts or {}).get("failed", 0)
        return f"Completed with {failed} failed" if failed else "Completed"


class SyncAttempt(models.Model):
    """What happened to one record in one run. `reason` is a rule's explanation (rules name lines by position
    and product number only); Xero's own messages go to the history row in Dynamics, never here.
    `reported_at` is set once the attempt's history row is in Dynamics (its id is this attempt's id).
    `dynamics_number` and `xero_number` are the invoice's numbers as people know it (Dynamics' invoice ID, Xero's
    InvoiceNumber): identifiers, like the ids, that the history shows in place of GUIDs."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"
        SKIPPED = "SKIPPED"
        HELD_BACK = "HELD_BACK"

    class Direction(models.TextChoices):
        TO_XERO = "D365_TO_XERO"
        TO_DYNAMICS = "XERO_TO_D365"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="sync_attempts")
    run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts")
    record_kind = models.CharField(max_length=16)
    direction = models.CharField(max_length=16, choices=Direction.choices, default=Direction.TO_XERO)
    dynamics_id = models.CharField(max_length=64)
    xero_id = models.CharField(max_length=64, blank=True)
    dynamics_number = models.CharField(max_length=100, blank=True, help_text="the record's number in Dynamics (invoicenumber)")
    xero_number = models.CharField(max_length=255, blank=True, help_text="the record's number in Xero (InvoiceNumber)")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    dynamics_version = models.CharField(max_length=64, blank=True, help_text="the Dataverse versionnumber of the record tried")
    attempted_at = models.DateTimeField(default=timezone.now)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-attempted_at"]
        indexes = [
            models.Index(fields=["connection", "dynamics_id", "-attempted_at"]),
            models.Index(fields=["connection", "reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_kind} {self.dynamics_id}: {self.outcome}"


class QueuedSync(models.Model):
    """A sync of the connection is queued and has not started: further triggers add nothing until it starts."""

    connection = models.OneToOneField("connections.Connection", on_delete=models.CASCADE, related_name="queued_sync")
    trigger = models.CharField(max_length=32)
    queued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.trigger} queued at {self.queued_at:%H:%M:%S}"


class RequestedRecord(models.Model):
    """A record someone asked to sync again (Retry in the history): the next run reads it whatever its cursor
    says, and forgets the request once that run's batches are committed."""

    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="requested_records")
    record_kind = models.CharField(max_length=16)
    dynamics_id = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "record_kind", "dynamics_id"], name="one_request_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.record_kind} {self.dynamics_id} requested at {self.requested_at:%H:%M:%S}"
