"""The history's link to an invoice in Dynamics opens a page the browser shows: with DYNAMICS_RECORD_URL pointing at the
sandbox's Dynamics app (plain http, as the demo does), the link lands on that invoice's page there, not on the
organisation's HTTPS API host, whose private certificate a browser would warn about."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.test import Client, override_settings
from playwright.sync_api import Page, expect

from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.portal.models import User
from dxconnector.sync.models import SyncAttempt
from tests.sandboxes import connector_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SALES = "sales@oakwood.sandbox"


def an_invoice_made_in_the_dynamics_app(page: Page, sandbox) -> tuple[str, str, str]:
    """Sign in as a salesperson, make an invoice for a new account; its organisation, id and name."""
    user = next(u for u in sandbox.manifest["microsoft"]["users"] if u["email"] == SALES)
    account, invoice = f"Harbour Cruises {uuid.uuid4().hex[:6]}", f"Cruise booking {uuid.uuid4().hex[:6]}"
    page.goto("/")
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Oakwood Sales", exact=True).click()
    areas = page.get_by_role("navigation", name="Areas")
    areas.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Account Name").fill(account)
    page.get_by_role("button", name="Save").click()
    areas.get_by_role("link", name="Invoices").click()
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Name", exact=True).fill(invoice)
    page.get_by_label("Customer").select_option(label=account)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=invoice)).to_be_visible()
    org, invoice_id = re.search(r"/orgs/([^/]+)/invoices/([0-9a-f-]{36})", page.url).groups()
    return org, invoice_id, invoice


def signed_in(page: Page, live_server, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def test_the_history_links_an_invoice_to_its_page_in_the_dynamics_app(page: Page, dynamics: Page, live_server, sandbox):
    org, invoice_id, name = an_invoice_made_in_the_dynamics_app(dynamics, sandbox)
    organisation = next(o for o in sandbox.manifest["microsoft"]["organisations"] if o["unique_name"] == org)
    app = sandbox.manifest["microsoft"]["app_url"]
    owner = User.objects.create_user(email="hana@example.org", password="history-links-2026")
    connection = Connection.objects.create(owner=owner, name="Oakwood", status=Connection.Status.CREATED)
    DynamicsConnection.objects.create(connection=connection, org_url=organisation["url"], org_unique_name=org)
    SyncAttempt.objects.create(
        connection=connection, record_kind="invoice", dynamics_id=invoice_id, outcome="HELD_BACK", reason="No lines."
    )
    with override_settings(**connector_settings(sandbox, base_url=live_server.url)):  # as the demo sets DYNAMICS_RECORD_URL
        signed_in(page, live_server, owner)
        page.goto(f"/connections/{connection.pk}/history/")
        link = page.locator(f"tr[data-outcome=HELD_BACK] .in-dynamics a[href*='{invoice_id}']")
        expect(link).to_have_attribute("href", f"{app}/orgs/{org}/invoices/{invoice_id}")
        href = link.get_attribute("href")
    assert href is not None and not href.startswith(organisation["url"])
    dynamics.goto(href)
    expect(dynamics.get_by_role("heading", name=name)).to_be_visible()
