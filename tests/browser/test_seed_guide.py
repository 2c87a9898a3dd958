"""The seed's setup guide, click by click in headless Chromium, against a sandbox of its own:
register → emailed link → password → Create a New Connection → New Dynamics Xero Connector → Connect to
Xero (sign in, Allow access, green tick) → download the solution and import it through the sandbox's
Dynamics app → Connect to Dynamics → select the organisation → permissions all green
→ defaults edited and Create Connection clicked once (it saves them) → every tick green → Back to Home → the trial has
started, and its first sync puts the demo organisation's invoices into Xero within seconds (the held-back paid one says
why in the history). Then an invoice with no lines made in Dynamics is held back by Sync now: the history names it by
its number (and links it in Dynamics and in the sandbox's Xero app), and the portal's dry run names the rule.
A second run with a Dynamics user lacking Account write shows that line failing with its tip.

The steps are in guide.py: test_accessibility and test_phone_and_keyboard walk the same guide."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from tests.browser.guide import (
    Person,
    an_invoice_held_back_is_explained,
    checklist_line,
    connect_dynamics,
    connect_xero,
    first_sync_sends_the_demo_invoices,
    new_connection,
    set_up_a_connection,
)
from tests.sandboxes import connector_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "seed-guide-walkthrough-2026"


@pytest.fixture
def portal(page, live_server, own_sandbox):
    with override_settings(**connector_settings(own_sandbox, base_url=live_server.url)):
        yield page


def test_the_whole_setup_guide(portal, own_sandbox, tmp_path, screenshot):
    page = portal
    person = Person(page)
    connection = set_up_a_connection(person, own_sandbox, tmp_path, "olive@example.org", PASSWORD)
    screenshot("all-green")
    page.get_by_role("button", name="Back to Home").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    expect(page.locator(f"tr[data-connection='{connection.pk}'] .trial")).to_have_text("30 days left")
    connection.refresh_from_db()
    assert connection.trial_started_at is not None and connection.status == "created"
    first_sync_sends_the_demo_invoices(person, connection)
    an_invoice_held_back_is_explained(person, connection, own_sandbox)

    # A second connection, signed in to Dynamics as a user whose role lacks Account write.
    new_connection(person)
    connect_xero(person, own_sandbox)
    connect_dynamics(person, own_sandbox, "noaccountwrite@oakwood.sandbox")
    line = checklist_line(page, "permissions")
    expect(line).to_have_class(re.compile(r"\btodo\b"))
    missing = page.locator(".access li.missing")
    expect(missing).to_have_count(1)
    expect(missing).to_have_attribute("data-table", "account")
    expect(missing).to_contain_text("Account")
    screenshot("missing-account-write")
