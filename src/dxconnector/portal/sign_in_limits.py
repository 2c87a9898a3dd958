"""Log-in lock-outs: django-axes records each failure (AccessAttempt: email, address, count, last time); this handler
decides from those records, with `domain.sign_in_limits`, whether a log-in is refused (docs/operating.md, "Security").

- **Per account**, from any address: `LOGIN_FAILURE_LIMIT` failures lock the email for `LOGIN_LOCKOUT_MINUTES`, doubling
  with each further failure up to `LOGIN_LOCKOUT_MAX_HOURS`. Twenty addresses get no more guesses than one.
- **Per address**, for any account: `LOGIN_ADDRESS_FAILURE_LIMIT` failures lock the address alike. One address trying
  many emails is stopped, without locking those accounts anywhere else.
- **A known browser** — one its user signed in with before (a signed cookie naming the email, set at each successful
  log-in) — is not held by either lock for that email: whoever keeps failing from a shared address, or from anywhere,
  locks out new browsers, never the user's own. Its own failures are counted apart (`LOGIN_FAILURE_LIMIT` per
  window), and past them it is a browser like any other.

Failures are forgotten `LOGIN_LOCKOUT_MAX_HOURS` after the last one (AXES_COOLOFF_TIME), and an account's own are
forgotten when it signs in or its password is reset (the lock-out page says how long is left and offers the reset).
Emails are compared as the log-in form reads them (trimmed, lower case), so varying the case of an email does not make
a new account to count."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dxconnector.domain import sign_in_limits
from dxconnector.portal import throttles

KNOWN_BROWSER_COOKIE = "dx_known"
_SALT = "dxconnector.known-browser"


def username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the email as the log-in form reads it."""
    value = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if value is None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return str(value).strip().lower() if value is not None else None


def remember_browser(response: HttpResponse, email: str) -> None:
    """After a successful log-in: this browser is known to this email's user."""
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        signing.dumps(email.strip().lower(), salt=_SALT),
        max_age=settings.LOGIN_KNOWN_BROWSER_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def known_browser(request: HttpRequest, email: str | None) -> str | None:
    """The request's known-browser cookie when it names `email` (and is ours and not too old)."""
    value = request.COOKIES.get(KNOWN_BROWSER_COOKIE, "")
    if not value or not email:
        return None
    try:
        named = signing.loads(value, salt=_SALT, max_age=settings.LOGIN_KNOWN_BROWSER_DAYS * 86400)
    except signing.BadSignature:
        return None
    return value if named == email else None


def _delays() -> dict[str, timedelta]:
    return {
        "first_delay": timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES),
        "longest_delay": timedelta(hours=settings.LOGIN_LOCKOUT_MAX_HOURS),
    }


def _lock_ends(attempts: Any, limit: int) -> datetime | None:
    """When the lock-out these failures make ends; None when they make none now."""
    totals = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    ends = sign_in_limits.lockout_ends(totals["failures"] or 0, totals["last"], limit=limit, **_delays())
    return ends if ends is not None and timezone.now() < ends else None


def wait_in_words(moment: datetime) -> str:
    """How long until `moment`, rounded up, as the lock-out page says it: "1 minute", "15 minutes", "3 hours"."""
    minutes = max(1, math.ceil((moment - timezone.now()).total_seconds() / 60))
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes > 1 else ''}"
    return f"{math.ceil(minutes / 60)} hours"


def forget_failures(email: str) -> None:
    """The account's failed log-ins are forgotten (its owner proved they hold its email by resetting the password); the
    failures counted against addresses stay."""
    AccessAttempt.objects.filter(username=email.strip().lower()).delete()


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes has no type hints
    """AXES_HANDLER: axes' database handler, deciding lock-outs per account and per address (see above)."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        email = get_client_username(request, credentials)
        browser = known_browser(request, email)
        if browser is not None and not throttles.over(
            "login-known-browser", browser, settings.AXES_FAILURE_LIMIT, settings.LOGIN_LOCKOUT_MAX_HOURS * 3600
        ):
            return False
        address = getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
        by_account = None
        if email is not None:
            by_account = _lock_ends(AccessAttempt.objects.filter(username=email), settings.AXES_FAILURE_LIMIT)
        by_address = _lock_ends(AccessAttempt.objects.filter(ip_address=address), settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        ends = [end for end in (by_account, by_address) if end is not None]
        # Kept on the request for the lock-out page (AXES_LOCKOUT_TEMPLATE), which says how long is left.
        request.lockout_wait = wait_in_words(max(ends)) if ends else None  # type: ignore[attr-defined]
        return bool(ends)

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # Axes asks, after recording a failure, whether it locked: failures >= its limit. The answer is is_locked's.
        return get_failure_limit(request, credentials) if self.is_locked(request, credentials) else 0

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        if request is not None:
            browser = known_browser(request, get_client_username(request, credentials))
            if browser is not None:
                throttles.count("login-known-browser", browser, settings.LOGIN_LOCKOUT_MAX_HOURS * 3600)
        super().user_login_failed(sender, credentials, request, **kwargs)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # A successful log-in forgets the account's failures — not the address's: signing in to an account of one's own
        # must not buy another round of guesses at others.
        email = get_client_username(request, credentials)
        deleted, _ = AccessAttempt.objects.filter(username=email).delete()
        return int(deleted)
