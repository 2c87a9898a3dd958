"""Xero's rate limits on the API host, as the generic limiter's rules and wire format.

Per organisation (the `xero-tenant-id`): 5 calls in flight, 60 a minute, 5,000 a day; per app (the
client id behind the bearer token): 10,000 a minute. Calls the API would refuse (no or bad token, a
tenant the token may not use) are let through untouched, so the API answers them 401/403 itself and
nobody can spend another organisation's quota. /connections is not limited.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import Scope

from dxsandbox.common.clock import ScaledClock
from dxsandbox.common.limits import Decision, LimitPolicy, RateLimiter, Rule
from dxsandbox.xero.oauth import XeroIdentity

MINUTE = 60.0
DAY = 86_400.0
TENANT, APP = "tenant", "app"

# The X-Rate-Limit-Problem values, lower-case.
CONCURRENT, PER_MINUTE, PER_DAY, APP_PER_MINUTE = "concurrent", "minute", "day", "appminute"

REMAINING_HEADERS = {
    PER_DAY: b"x-daylimit-remaining",
    PER_MINUTE: b"x-minlimit-remaining",
    APP_PER_MINUTE: b"x-appminlimit-remaining",
}


@dataclass(frozen=True)
class XeroLimits:
    concurrent: int = 5
    minute: int = 60
    day: int = 5_000
    app_minute: int = 10_000

    def rules(self) -> list[Rule]:
        # Checked in this order: the longest wait is the most useful one to report when several apply.
        return [
            Rule(PER_DAY, TENANT, self.day, DAY),
            Rule(PER_MINUTE, TENANT, self.minute, MINUTE),
            Rule(APP_PER_MINUTE, APP, self.app_minute, MINUTE),
            Rule(CONCURRENT, TENANT, self.concurrent, None),
        ]


def xero_limiter(clock: ScaledClock, limits: XeroLimits | None = None, *, enabled: bool = True) -> RateLimiter:
    return RateLimiter((limits or XeroLimits()).rules(), clock, enabled=enabled)


def identify_caller(identity: XeroIdentity, scope: Scope) -> Mapping[str, str] | None:
    """The tenant and app a call counts against, or None when it is not a limited call."""
    if scope["path"].lower().startswith("/connections"):
        return None
    headers = Headers(scope=scope)
    authorization = headers.get("authorization", "")
    if not authorization.lower().startswith("bearer "):
        return None
    grant = identity.grant_for_access_token(authorization[7:].strip())
    if grant is None:
        return None
    tenant_id = headers.get("xero-tenant-id", "").strip()
    if not tenant_id or not identity.tenant_allowed(grant, tenant_id):
        return None
    return {TENANT: tenant_id, APP: grant["client_id"]}


def remaining_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    return [
        (header, str(decision.remaining[name]).encode())
        for name, header in REMAINING_HEADERS.items()
        if name in decision.remaining
    ]


def rejection(decision: Decision, retry_after: int) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    body = json.dumps(
        {"Title": "Too Many Requests", "Status": 429, "Detail": f"Rate limit exceeded: {decision.problem}"}
    ).encode()
    return (
        429,
        [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"retry-after", str(retry_after).encode()),
            (b"x-rate-limit-problem", (decision.problem or "").encode()),
        ],
        body,
    )


def xero_limit_policy(identity: XeroIdentity) -> LimitPolicy:
    return LimitPolicy(identify=lambda scope: identify_caller(identity, scope), headers=remaining_headers, rejection=rejection)


def xero_fault_response(kind: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Injected errors shaped like Xero's; an injected 429 looks like a minute-limit refusal."""
    status = int(kind)
    titles = {429: "Too Many Requests", 500: "An error occurred", 503: "Service Unavailable"}
    details = {
        429: "Rate limit exceeded: minute",
        500: "An unexpected error occurred",
        503: "The Xero API is temporarily unavailable",
    }
    body = json.dumps({"Type": None, "Title": titles[status], "Status": status, "Detail": details[status]}).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    if status == 429:
        headers += [(b"retry-after", b"1"), (b"x-rate-limit-problem", PER_MINUTE.encode())]
    return status, headers, body
