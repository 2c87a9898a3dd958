"""The portal's own records: its users and the links that complete their registration. Connections are their own
layer (`dxconnector.connections`)."""

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


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        if fields.get("is_active", True):
            fields.setdefault("activated_at", timezone.now())
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True, is_active=True, activated_at=timezone.now())
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150)
    company = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    accepted_terms_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set once, when the account first became usable (its registration link spent, or made by an operator). An inactive
    # account with it set was switched off by the operator: registering again or an old link must not switch it back on;
    # one without it never finished registering.
    activated_at = models.DateTimeField(null=True, blank=True, help_text="when the account first became active")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    def __str__(self) -> str:
        return self.email

    @property
    def switched_off(self) -> bool:
        """Deactivated by the operator (as opposed to a registration not yet finished)."""
        return not self.is_active and self.activated_at is not None

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


class InvoiceQuestion(models.Model):
    """ "Why isn't it syncing?" asked on the connection page about one invoice. The dry run reads Dynamics and Xero, so
    it runs as a job (`portal.tasks.explain_invoice`) whose step and answer are kept here for the page to show. The
    answer is the rules' words (as `dxconnector sync --dry-run --invoice` prints them): codes and what to change,
    never amounts or names. A connection keeps only its latest question."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    connection = models.ForeignKey("connections.Connection", on_delete=models.CASCADE, related_name="invoice_questions")
    asked = models.CharField(max_length=100, help_text="the invoice as the admin gave it: its id or its number")
    invoice_id = models.CharField(max_length=64, blank=True, help_text="the Dynamics invoice it is, once found")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    answer = models.JSONField(default=dict, blank=True, help_text="verdict, rules and their words")
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"why not {self.asked}: {self.state}"

    @property
    def waiting(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class Throttle(models.Model):
    """How many requests one scope (log-in, registration, password reset) has had from one address or for one email in the
    current window (`portal.throttles`; the rule is `domain.sign_in_limits.hit`). In the database, so that every web process counts
    the same requests. The address or email is kept only as a hash inside `key`."""

    key = models.CharField(max_length=100, unique=True, help_text="scope, what is counted, and the hash of its value")
    window_started_at = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
