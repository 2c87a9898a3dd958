"""Sign-ins in progress (Xero's, Microsoft's), kept in the admin's session by their OAuth `state`.

A sign-in can be finished once, by the browser that started it, within a quarter of an hour; anything
else — a forged or replayed state, another browser, a stale tab — finds nothing.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from dxconnector.connections.models import Connection

LIFETIME_SECONDS = 15 * 60


class ConnectFailed(Exception):
    """A sign-in that could not be finished; `reason` is a sentence the admin can act on."""

    def __init__(self, reason: str, connection: Connection | None = None):
        super().__init__(reason)
        self.reason = reason
        self.connection = connection


def remember(request: HttpRequest, key: str, state: str, connection: Connection, **details: Any) -> None:
    now = time.time()
    pending = {s: v for s, v in request.session.get(key, {}).items() if now - v["started"] < LIFETIME_SECONDS}
    pending[state] = {"connection": str(connection.pk), "started": now, **details}
    request.session[key] = pending


def take(request: HttpRequest, key: str, state: str, service: str, button: str) -> tuple[Connection, dict[str, Any]]:
    """The sign-in started with this state (forgotten as it is taken) and its connection, or ConnectFailed."""
    pending = request.session.get(key, {})
    entry = pending.pop(state or "", None)
    request.session[key] = pending
    if entry is None or time.time() - entry["started"] > LIFETIME_SECONDS:
        raise ConnectFailed(
            f"We couldn't verify this {service} sign-in: it expired or was started elsewhere. Click “{button}” to try again."
        )
    connection = Connection.objects.filter(pk=entry["connection"], owner=request.user).first()
    if connection is None:
        raise ConnectFailed("That connection no longer exists.")
    return connection, entry


def back_after(request: HttpRequest, failure: ConnectFailed) -> HttpResponse:
    """Say why, and go back to the connection's page (or Home when there is none)."""
    messages.error(request, failure.reason)
    return redirect("connection", pk=failure.connection.pk) if failure.connection else redirect("home")
