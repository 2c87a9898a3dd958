"""The sandbox's own web pages, its small Xero app and Dynamics app, with axe-core run on each page of them a person
opens: none may have a serious or critical violation (their sign-in and consent pages are checked on the way through
the setup guide, in test_accessibility). Screenshots under test-artifacts/sandbox-xero/ and sandbox-dynamics/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Audit

pytestmark = pytest.mark.browser


@pytest.fixture
def new_page(browser):
    contexts = []

    def open_on(base_url: str):
        context = browser.new_context(base_url=base_url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_on
    for context in contexts:
        context.close()


def test_the_xero_apps_pages_have_no_serious_accessibility_violation(new_page, sandbox):
    page = new_page(sandbox.url("xero-app"))
    audit = Audit(None, "sandbox-xero")
    user = sandbox.xero["users"][0]
    page.goto("/")
    audit.look(page, "log in")
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    audit.look(page, "log in with a wrong password")
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Log in").click()
    page.goto("/organisations")
    audit.look(page, "organisations")
    page.locator("ul.organisations a").first.click()
    expect(page).to_have_url(re.compile(r"/invoices$"))
    audit.look(page, "invoices")
    page.get_by_role("link", name="Contacts").click()
    audit.look(page, "contacts")
    contact = page.locator("table tbody a").first
    if contact.count():  # an invoice's page is looked at in test_accessibility, after the first sync
        contact.click()
        audit.look(page, "a contact")
    audit.assert_clean()


def test_the_dynamics_apps_pages_have_no_serious_accessibility_violation(new_page, sandbox):
    page = new_page(sandbox.manifest["microsoft"]["app_url"])
    audit = Audit(None, "sandbox-dynamics")
    admin = next(u for u in sandbox.manifest["microsoft"]["users"] if u["email"] == "admin@oakwood.sandbox")
    page.goto("/signin")
    audit.look(page, "sign in")
    page.get_by_label("Email address").fill(admin["email"])
    page.get_by_label("Password").fill(admin["password"])
    page.get_by_role("button", name="Sign in").click()
    audit.look(page, "organisations")
    page.get_by_role("link", name="Oakwood Sales", exact=True).click()
    areas = page.get_by_role("navigation", name="Areas")
    for area in ("Accounts", "Contacts", "Products", "Invoices", "Solutions"):
        areas.get_by_role("link", name=area).click()
        audit.look(page, area)
        record = page.locator("table#records tbody a").first
        if area != "Solutions" and record.count():
            record.click()
            audit.look(page, f"one of the {area.lower()}")
    areas.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    audit.look(page, "new account")
    audit.assert_clean()
