from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from dxconnector.domain import trial
from dxconnector.vault import EncryptedTextField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True, is_active=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150)
    company = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    accepted_terms_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class RegistrationLink(models.Model):
    """A single-use, expiring link that completes a registration. Only the token's hash is stored."""

    class State(models.TextChoices):
        VALID = "valid"
        EXPIRED = "expired"
        USED = "used"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="registration_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, user: User, now: datetime | None = None) -> tuple[RegistrationLink, str]:
        now = now or timezone.now()
        raw = secrets.token_urlsafe(32)
        link = cls.objects.create(
            user=user,
            token_hash=_hash_token(raw),
            created_at=now,
            expires_at=now + timedelta(hours=settings.REGISTRATION_LINK_HOURS),
        )
        return link, raw

    @classmethod
    def find(cls, raw: str) -> RegistrationLink | None:
        return cls.objects.select_related("user").filter(token_hash=_hash_token(raw)).first()

    def state(self, now: datetime | None = None) -> State:
        now = now or timezone.now()
        if self.used_at is not None:
            return self.State.USED
        if now >= self.expires_at:
            return self.State.EXPIRED
        return self.State.VALID


class Connection(models.Model):
    """One Dynamics organisation ↔ one Xero organisation, owned by one portal user."""

    class Kind(models.TextChoices):
        DYNAMICS_XERO = "dynamics_xero", "Dynamics Xero Connector"

    class Status(models.TextChoices):
        DRAFT = "draft", "Setting up"
        CREATED = "created", "Created"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.DYNAMICS_XERO)
    name = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    default_sales_account_code = models.CharField(
        max_length=10, blank=True, help_text="written into the settings row in Dynamics on Create Connection")
    sync_invoices_from = models.DateField(
        null=True, blank=True, help_text="the first sync's backfill: invoices delivered on or after this day (empty: all)")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    trial_started_at = models.DateTimeField(null=True, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    subscription_active = models.BooleanField(default=False, help_text="Set by the operator when the customer pays.")
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

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
        return trial.may_sync(self.trial_state(now))

    def start_trial(self, now: datetime | None = None) -> bool:
        """Start the free trial once; later calls change nothing. Returns whether it started now."""
        now = now or timezone.now()
        started = Connection.objects.filter(pk=self.pk, trial_started_at__isnull=True).update(
            trial_started_at=now, trial_ends_at=trial.trial_end(now, settings.TRIAL_DAYS)
        )
        self.refresh_from_db(fields=["trial_started_at", "trial_ends_at"])
        return bool(started)


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

    def __str__(self) -> str:
        return self.org_name or self.username or "Dynamics"

    @property
    def has_organisation(self) -> bool:
        return bool(self.org_url)
