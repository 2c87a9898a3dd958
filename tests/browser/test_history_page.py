"""The history page in a browser with every kind of row it shows (runs that finished, with problems, or stopped; the
invoices waiting for the owner; each outcome with its links and Retry): axe-core finds no serious or critical
violation, a phone shows it without sideways scrolling, the counters open from the keyboard, and a reviewer gets a
screenshot at desktop and phone width."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.portal.models import User
from dxconnector.sync.models import SyncAttempt, SyncRun
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
FAILING = {"serious", "critical"}


def a_history_with_every_kind_of_row() -> tuple[User, Connection]:
    owner = User.objects.create_user(email="ines@example.org", password="history-page-2026")
    connection = Connection.objects.create(
        owner=owner, name="Oakwood Sales", status=Connection.Status.CREATED, time_zone="Pacific/Auckland"
    )
    DynamicsConnection.objects.create(connection=connection, org_url="https://oakwood.crm6.dynamics.com")
    now = timezone.now()
    runs = [
        ("webhook", "succeeded", {"succeeded": 3, "held_back": 1, "xero_calls": 6, "dynamics_calls": 9}, ""),
        ("xero_webhook", "succeeded", {"brought_back": 2, "failed": 1, "xero_calls": 2}, ""),
        ("sweep", "failed", {"xero_calls": 1}, "xero_unavailable"),
        ("sync_now", "succeeded", {}, ""),
    ]
    for minutes, (trigger, status, counts, cause) in enumerate(runs):
        started = now - timedelta(minutes=10 * minutes + 1)
        SyncRun.objects.create(
            connection=connection,
            trigger=trigger,
            status=status,
            started_at=started,
            finished_at=started + timedelta(seconds=3),
            counts=counts,
            cause=cause,
        )
    rows: list[dict[str, Any]] = [
        {"outcome": "SUCCEEDED", "dynamics_number": "INV-01001", "xero_id": "c0ffee00-1111-4222-8333-444455556601"},
        {"outcome": "SUCCEEDED", "direction": "XERO_TO_D365", "reason": "Xero: part paid", "dynamics_number": "INV-01002"},
        {"outcome": "HELD_BACK", "reason": "The invoice has no products: add at least one line.", "reason_code": "no_lines"},
        {
            "outcome": "SKIPPED",
            "reason": "Delivered before the date this connection syncs from.",
            "reason_code": "before_sync_from",
        },
        {"outcome": "FAILED", "reason": "Xero refused the account code 999: choose one of the chart of accounts."},
    ]
    for n, row in enumerate(rows):
        SyncAttempt.objects.create(
            connection=connection,
            record_kind="invoice",
            dynamics_id=f"6f1c2a9e-0000-4000-8000-{n:012d}",
            attempted_at=now - timedelta(minutes=n),
            **row,
        )
    return owner, connection


def signed_in(page: Page, live_server, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def serious_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} elements)" for v in found if v["impact"] in FAILING]


def test_the_history_page_passes_axe_and_its_counters_open_from_the_keyboard(page: Page, live_server):
    owner, connection = a_history_with_every_kind_of_row()
    signed_in(page, live_server, owner)
    page.goto(f"/connections/{connection.pk}/history/")
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expect(page.locator("table.runs .result").first).to_contain_text("Finished")
    assert serious_violations(page) == []

    details = page.locator("table.runs details").first
    expect(details.locator(".count").first).to_be_hidden()
    details.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(details.locator(".count", has_text="dynamics calls: 9")).to_be_visible()
    assert serious_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "history-page-desktop.png"), full_page=True)


def test_a_phone_shows_the_history_without_sideways_scrolling(browser, live_server):
    owner, connection = a_history_with_every_kind_of_row()
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        signed_in(page, live_server, owner)
        page.goto(f"/connections/{connection.pk}/history/")
        expect(page.get_by_role("button", name="Retry").first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the history is {overflow}px wider than a 390px phone"
        assert serious_violations(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "history-page-phone.png"), full_page=True)
    finally:
        context.close()
