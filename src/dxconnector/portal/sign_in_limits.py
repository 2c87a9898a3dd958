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
forgotten when it signs in. Emails are compared as the log-in form reads them (trimmed, lower case), so varying the
case of an email does not make a new account to count."""

from __future__ import annotations

from datetime import timedelta
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


def _locked_by(attempts: Any, limit: int) -> bool:
    totals = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    return sign_in_limits.locked(totals["failures"] or 0, totals["last"], timezone.now(), limit=limit, **_delays())


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
        by_account = email is not None and _locked_by(AccessAttempt.objects.filter(username=email), settings.AXES_FAILURE_LIMIT)
        by_address = _locked_by(AccessAttempt.objects.filter(ip_address=address), settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        return by_account or by_address

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
