"""Throttles on the forms anyone can post (log-in, registration, password reset): so many posts a window per address
and per email, counted in the database (`Throttle`) so that every web process counts the same posts. Over a limit the
view answers 429 with a page that says when to try again (`refused`). The rule is `domain.sign_in_limits.hit`."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dxconnector.domain import sign_in_limits
from dxconnector.portal.models import Throttle

# What each form is, in the words of its 429 page.
WHAT = {"login": "log-ins", "register": "registrations", "password_reset": "password resets"}


@dataclass(frozen=True)
class Refusal:
    wait: timedelta


def _key(scope: str, kind: str, value: str) -> str:
    # Neither the address nor the email is stored: only a hash, keyed with the secret key.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:40]
    return f"{scope}:{kind}:{digest}"


def _hit(key: str, limit: int, seconds: int) -> Refusal | None:
    now, length = timezone.now(), timedelta(seconds=seconds)
    with transaction.atomic():
        _row, created = Throttle.objects.get_or_create(key=key, defaults={"window_started_at": now})
        if created:  # a new address or email: the windows long over go (the table holds about an hour's posters)
            prune(now)
        row = Throttle.objects.select_for_update().get(key=key)
        window = sign_in_limits.hit(row.window_started_at, row.hits, now, limit=limit, length=length)
        if (window.started_at, window.hits) != (row.window_started_at, row.hits):
            Throttle.objects.filter(pk=row.pk).update(window_started_at=window.started_at, hits=window.hits)
    return None if window.allowed else Refusal(sign_in_limits.retry_after(window.started_at, now, length))


def count(scope: str, value: str, seconds: int) -> None:
    """Count one event of `scope` for `value`, with no limit of its own (see `over`)."""
    _hit(_key(scope, "value", value), 2**31 - 1, seconds)


def over(scope: str, value: str, limit: int, seconds: int) -> bool:
    """Whether `scope` has counted `limit` events or more for `value` in its current window."""
    row = Throttle.objects.filter(key=_key(scope, "value", value)).first()
    return row is not None and timezone.now() < row.window_started_at + timedelta(seconds=seconds) and row.hits >= limit


def email_of(request: HttpRequest, field: str) -> str:
    """The email a form was posted with, as the form would read it (spaces trimmed, lower case)."""
    return str(request.POST.get(field, "")).strip().lower()


def check(scope: str, request: HttpRequest, email: str = "") -> Refusal | None:
    """Count one post of `scope`'s form from the request's address (REMOTE_ADDR: the client's, behind a trusted proxy)
    and, when one was given, for `email`; a refusal when either is over its limit."""
    limits = settings.THROTTLES[scope]
    refusals = [_hit(_key(scope, "address", request.META.get("REMOTE_ADDR", "")), *limits["address"])]
    if email:
        refusals.append(_hit(_key(scope, "email", email), *limits["email"]))
    waits = [refusal.wait for refusal in refusals if refusal is not None]
    return Refusal(max(waits)) if waits else None


def refused(request: HttpRequest, scope: str, refusal: Refusal) -> HttpResponse:
    minutes = max(1, math.ceil(refusal.wait.total_seconds() / 60))
    response = render(request, "registration/throttled.html", {"what": WHAT[scope], "minutes": minutes}, status=429)
    response["Retry-After"] = str(max(1, math.ceil(refusal.wait.total_seconds())))
    return response


def prune(now: datetime | None = None) -> int:
    """Forget windows long over (when a new address or email is first counted)."""
    now = now or timezone.now()
    longest = max(seconds for limits in settings.THROTTLES.values() for _limit, seconds in limits.values())
    deleted, _ = Throttle.objects.filter(window_started_at__lt=now - timedelta(seconds=longest)).delete()
    return deleted
