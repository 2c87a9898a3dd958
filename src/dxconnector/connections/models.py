"""Connections: one Dynamics organisation ↔ one Xero organisation, owned by one portal user, with each side's
(encrypted) tokens. Below the sync and the portal: both use them, neither owns them."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from dxconnector.domain import trial
from dxconnector.vault import EncryptedTextField

SWEEP_INTERVAL_MINUTES = 10  # the solution's default Sync Interval (minutes)


def sweep_floor_minutes() -> int:
    """The shortest interval a connection's sweep keeps: the sweep looks once a period (SYNC_SWEEP_SECONDS), so a shorter
    one could not be kept anyway, and never under a minute."""
    return max(1, math.ceil(settings.SYNC_SWEEP_SECONDS / 60))


class Connection(models.Model):
    """One Dynamics organisation ↔ one Xero organisation, owned by one portal user."""

    class Kind(models.TextChoices):
        DYNAMICS_XERO = "dynamics_xero", "Dynamics Xero Connector"

    class Status(models.TextChoices):
        DRAFT = "draft", "Setting up"
        CREATED = "created", "Created"

    class SetupState(models.TextChoices):
        NONE = "", "Not asked"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.DYNAMICS_XERO)
    name = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    default_sales_account_code = models.CharField(
        max_length=10, blank=True, help_text="written into the settings row in Dynamics on Create Connection"
    )
    sync_invoices_from = models.DateField(
        null=True, blank=True, help_text="the first sync's backfill: invoices delivered on or after this day (empty: all)"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    trial_started_at = models.DateTimeField(null=True, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    subscription_active = models.BooleanField(default=False, help_text="Set by the operator when the customer pays.")
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # Create Connection's work (rows and webhooks in Dynamics, Xero's lists) runs as a job; the page shows where it is.
    setup_state = models.CharField(max_length=16, choices=SetupState.choices, default=SetupState.NONE)
    setup_step = models.CharField(max_length=200, blank=True, help_text="what Create Connection is doing, or failed at")
    setup_error = models.CharField(max_length=300, blank=True, help_text="why Create Connection failed, in words to act on")
    # What the sync found the admin must fix (a `domain.health.Cause` that needs attention), set by a run that failed for
    # it and cleared by a run that succeeds; and whether the owner was emailed it (and not yet told it recovered).
    attention = models.CharField(max_length=32, blank=True, help_text="what the last failed run found the admin must fix")
    attention_since = models.DateTimeField(null=True, blank=True, help_text="when a run first found it")
    attention_emailed = models.BooleanField(
        default=False, help_text="the owner was emailed that it needs attention, and not yet that it recovered"
    )
    # The owner paused syncing: nothing runs until they resume (webhooks are still taken; the cursors wait where they are).
    paused_at = models.DateTimeField(null=True, blank=True, help_text="when the owner paused syncing; empty: not paused")
    # Delete, as a job (portal/deletion.py): where it is, what it is doing or failed at, and whether the owner asked for
    # the connection's rows in Dynamics to go too. Once asked, nothing syncs.
    deletion_state = models.CharField(max_length=16, choices=SetupState.choices, default=SetupState.NONE)
    deletion_step = models.CharField(max_length=200, blank=True, help_text="what Delete is doing, or failed at")
    deletion_error = models.CharField(max_length=300, blank=True, help_text="why Delete stopped, in words to act on")
    deletion_removes_rows = models.BooleanField(default=False, help_text="Delete also removes the connection's rows in Dynamics")
    # The sweep's cadence for this connection (sync.triggers): its settings row's Sync Interval, kept by every run, and
    # when the sweep looks at it next. Any run moves it on, so a connection its webhooks keep busy is not swept as well.
    sweep_interval_minutes = models.PositiveSmallIntegerField(
        default=SWEEP_INTERVAL_MINUTES,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
        help_text="how often the sweep looks for changes the webhooks may have missed (the settings row's Sync Interval)",
    )
    next_sweep_at = models.DateTimeField(null=True, blank=True, help_text="when the sweep next queues a sync; empty: now")

    class Meta:
        ordering = ["created_at"]
        db_table = "portal_connection"  # made by the portal app, before connections were their own layer

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or f"New {self.get_kind_display()}"

    def trial_state(self, now: datetime | None = None) -> trial.TrialState:
        return trial.trial_state(self.trial_started_at, self.trial_ends_at, self.subscription_active, now or timezone.now())

    def trial_days_left(self, now: datetime | None = None) -> int:
        return trial.days_left(self.trial_ends_at, now or timezone.now())

    def may_sync(self, now: datetime | None = None) -> bool:
        """Whether a sync may run now: the trial or a subscription allows it, the owner has not paused it, and it is
        not being deleted."""
        return self.paused_at is None and not self.deletion_state and trial.may_sync(self.trial_state(now))

    @staticmethod
    def may_sync_filter(now: datetime) -> models.Q:
        """`may_sync` as a filter, so a query picks the connections that may sync without looking at each in Python."""
        trial_running = models.Q(trial_started_at__isnull=False, trial_ends_at__gt=now)
        return models.Q(paused_at__isnull=True, deletion_state="") & (models.Q(subscription_active=True) | trial_running)

    def note_sweep_interval(self, minutes: int, now: datetime | None = None) -> None:
        """Keep this sweep interval (at least `sweep_floor_minutes`) and put the next sweep an interval after `now`: in
        the row (one UPDATE) and on this object, so a later `save()` of it keeps them."""
        self.sweep_interval_minutes = max(int(minutes), sweep_floor_minutes())
        self.next_sweep_at = (now or timezone.now()) + timedelta(minutes=self.sweep_interval_minutes)
        Connection.objects.filter(pk=self.pk).update(
            sweep_interval_minutes=self.sweep_interval_minutes, next_sweep_at=self.next_sweep_at
        )

    @property
    def paused(self) -> bool:
        """The owner paused syncing."""
        return self.paused_at is not None

    @property
    def deleting(self) -> bool:
        """Delete was asked for: queued, running, or stopped on a step the owner can retry."""
        return bool(self.deletion_state)

    @property
    def setting_up(self) -> bool:
        """Create Connection's job is queued or running."""
        return self.setup_state in (self.SetupState.QUEUED, self.SetupState.RUNNING)

    def organisations(self) -> list[tuple[str, str]]:
        """(side, identifier) of the organisations this connection joins, as far as they are known: Xero's tenant id,
        Dynamics' organisation id (or its URL when no id is known, as for an application user)."""
        found: list[tuple[str, str]] = []
        xero = XeroConnection.objects.filter(connection=self).exclude(tenant_id="").first()
        if xero is not None:
            found.append((TrialUse.Side.XERO, xero.tenant_id.lower()))
        dynamics = DynamicsConnection.objects.filter(connection=self).exclude(org_url="").first()
        if dynamics is not None:
            found.append((TrialUse.Side.DYNAMICS, (dynamics.org_id or dynamics.org_url.rstrip("/")).lower()))
        return found

    def start_trial(self, now: datetime | None = None) -> bool:
        """Start the free trial once; later calls change nothing. Returns whether it started now.

        A trial is used once per Xero organisation and once per Dynamics organisation (`TrialUse`, which outlives the
        connection): a new connection to an organisation whose trial is running joins it and ends with it; one to an
        organisation whose trial has ended starts none, unless the operator allowed one more (admin).
        `trial_used_up` tells the two apart."""
        now = now or timezone.now()
        with transaction.atomic():
            if not Connection.objects.select_for_update().filter(pk=self.pk, trial_started_at__isnull=True).exists():
                self.refresh_from_db(fields=["trial_started_at", "trial_ends_at"])
                return False
            uses = [TrialUse.lock(side, identifier) for side, identifier in self.organisations()]
            ends_at = trial.trial_for_new_connection(
                [(use.used, use.allowed, use.ends_at) for use in uses], now, settings.TRIAL_DAYS
            )
            if ends_at is None:
                return False
            if trial.trial_available([(use.used, use.allowed) for use in uses]):  # a new trial, not one joined
                for use in uses:
                    TrialUse.objects.filter(pk=use.pk).update(
                        used=models.F("used") + 1, last_connection_id=self.pk, last_used_at=now, ends_at=ends_at
                    )
            Connection.objects.filter(pk=self.pk).update(trial_started_at=now, trial_ends_at=ends_at)
        self.refresh_from_db(fields=["trial_started_at", "trial_ends_at"])
        return True

    def trial_used_up(self) -> bool:
        """Whether an organisation of this connection has had all the trials it was allowed."""
        uses = [TrialUse.objects.filter(side=side, organisation=name).first() for side, name in self.organisations()]
        return not trial.trial_available([(use.used, use.allowed) for use in uses if use is not None])


class XeroConnection(models.Model):
    """The Xero side of a connection: which organisation, and the (encrypted) tokens to reach it.

    Saved only once the code exchange and the organisation lookup have both succeeded, so a failed or
    cancelled sign-in leaves nothing behind. When the admin consented to several organisations the
    row waits with `pending_tenants` until one is chosen.
    """

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="xero")
    tenant_id = models.CharField(max_length=64, blank=True)
    tenant_name = models.CharField(max_length=255, blank=True)
    xero_connection_id = models.CharField(max_length=64, blank=True)
    auth_event_id = models.CharField(max_length=64, blank=True)
    organisation_timezone = models.CharField(max_length=64, blank=True, help_text="Xero's Windows-style zone name")
    pending_tenants = models.JSONField(default=list, blank=True)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField()
    id_token = EncryptedTextField(blank=True, default="")
    expires_at = models.DateTimeField()
    scope = models.TextField(blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    tokens_saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "portal_xeroconnection"

    def __str__(self) -> str:
        return self.tenant_name or "Xero (choosing an organisation)"

    @property
    def is_chosen(self) -> bool:
        return bool(self.tenant_id)


class DynamicsConnection(models.Model):
    """The Dynamics side of a connection: the admin's Microsoft sign-in (MSAL's token cache, encrypted)
    and the organisation chosen from Global Discovery."""

    class Mode(models.TextChoices):
        USER = "user", "Signed-in user"
        APP = "app", "Application user (client credentials)"

    class InstallState(models.TextChoices):
        NONE = "", "Not asked"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="dynamics")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.USER)
    token_cache = EncryptedTextField(blank=True, default="")
    home_account_id = models.CharField(max_length=200, blank=True)
    username = models.CharField(max_length=254, blank=True)
    tenant_id = models.CharField(max_length=64, blank=True)
    organisations = models.JSONField(default=list, blank=True)
    org_id = models.CharField(max_length=64, blank=True)
    org_url = models.URLField(max_length=300, blank=True)
    org_name = models.CharField(max_length=200, blank=True)
    org_unique_name = models.CharField(max_length=100, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    selected_at = models.DateTimeField(null=True, blank=True)
    webhook_secret = EncryptedTextField(blank=True, default="", help_text="what Dynamics' webhook calls must present")
    # "Install into Dynamics" runs as a job (ImportSolution is long); the page shows where it is, and why it failed.
    install_state = models.CharField(max_length=16, choices=InstallState.choices, default=InstallState.NONE, blank=True)
    install_error = models.CharField(
        max_length=300, blank=True, help_text="why the solution's install failed, in words to act on"
    )

    class Meta:
        db_table = "portal_dynamicsconnection"

    def __str__(self) -> str:
        return self.org_name or self.username or "Dynamics"

    @property
    def has_organisation(self) -> bool:
        return bool(self.org_url)

    @property
    def installing(self) -> bool:
        """The solution's install job is queued or running."""
        return self.install_state in (self.InstallState.QUEUED, self.InstallState.RUNNING)


class TrialUse(models.Model):
    """The free trials an organisation has had, on either side, across all its connections: kept when a connection is
    deleted, so deleting and connecting again does not start another trial. The operator allows one more by raising
    `allowed` (admin)."""

    class Side(models.TextChoices):
        XERO = "xero", "Xero organisation"
        DYNAMICS = "dynamics", "Dynamics organisation"

    side = models.CharField(max_length=16, choices=Side.choices)
    organisation = models.CharField(max_length=300, help_text="Xero's tenant id, or Dynamics' organisation id (else its URL)")
    used = models.PositiveIntegerField(default=0, help_text="trials started with this organisation")
    allowed = models.PositiveIntegerField(default=1, help_text="trials it may have; raise it to grant another")
    last_connection_id = models.UUIDField(null=True, blank=True, help_text="the connection that last started one")
    last_used_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="when its latest trial ends; connections made before then join it"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["side", "organisation"], name="one_trial_record_per_organisation")]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.organisation}: {self.used} of {self.allowed}"

    @classmethod
    def lock(cls, side: str, organisation: str) -> TrialUse:
        """The organisation's record, made if new, locked until the transaction ends (two connections starting a trial
        at once are counted one after the other)."""
        cls.objects.get_or_create(side=side, organisation=organisation)
        return cls.objects.select_for_update().get(side=side, organisation=organisation)


class ApiBudget(models.Model):
    """The last word of an API on what is left of one budget, saved by the workers' clients (connections/budgets.py) for
    the connection page, which is served by another process: Xero's calls left this minute and today for an
    organisation; Dataverse's requests left in its 5-minute window for a user of an organisation."""

    class Api(models.TextChoices):
        XERO = "xero", "Xero"
        DATAVERSE = "dataverse", "Dataverse"

    api = models.CharField(max_length=16, choices=Api.choices)
    key = models.CharField(max_length=400, help_text="Xero: the organisation's tenant id; Dataverse: its URL and the user")
    window_left = models.PositiveIntegerField(null=True, blank=True, help_text="left in the short window (a minute, 5 minutes)")
    window_limit = models.PositiveIntegerField()
    window_seconds = models.FloatField(help_text="the short window's length in real seconds")
    day_left = models.PositiveIntegerField(null=True, blank=True, help_text="Xero: left today")
    day_limit = models.PositiveIntegerField(null=True, blank=True)
    day_seconds = models.FloatField(null=True, blank=True)
    read_at = models.DateTimeField(help_text="when the answer that said so came")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api", "key"], name="one_budget_per_api_and_key")]

    def __str__(self) -> str:
        return f"{self.get_api_display()} {self.key}: {self.window_left} of {self.window_limit}"


class SharedBudget(models.Model):
    """One API budget every process spends from (connections/shared_limits.py, when the budgets are kept in the
    database): a Xero organisation's, a Xero app's or a Dataverse organisation's user's calls counted in their windows,
    the leases on its concurrent slots and until when the API asked everyone to stand back (`xero.limits.BudgetState`, as
    JSON). A process takes a call from it under the row's lock, so two processes never both take the last one."""

    key = models.CharField(
        max_length=300,
        unique=True,
        help_text="xero-org:<tenant id>, xero-app:<client id> or dataverse:<organisation URL> <user>",
    )
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.key
