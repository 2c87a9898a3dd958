"""The sandbox's Dynamics 365 app in headless Chromium: sign in, pick the organisation, bill a customer by clicking."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def sign_in(page: Page, user: dict) -> None:
    page.goto("/")
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()


def test_a_person_creates_an_invoice_with_a_line_and_sees_its_total(dynamics: Page, sandbox):
    page = dynamics
    user = next(u for u in sandbox.manifest["microsoft"]["users"] if u["email"] == "sales@oakwood.sandbox")
    account, invoice = f"Harbour Cruises {uuid.uuid4().hex[:6]}", f"Cruise booking {uuid.uuid4().hex[:6]}"
    sign_in(page, user)
    expect(page.get_by_role("heading", name="Choose an organisation")).to_be_visible()
    page.get_by_role("link", name="Oakwood Sales", exact=True).click()

    areas = page.get_by_role("navigation", name="Areas")
    areas.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Account Name").fill(account)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Account created.")

    areas.get_by_role("link", name="Invoices").click()
    page.get_by_role("link", name="New invoice").click()
    page.get_by_label("Name", exact=True).fill(invoice)
    page.get_by_label("Customer").select_option(label=account)
    expect(page.get_by_label("Price List").locator("option:checked")).to_have_text("Default Price List")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=invoice)).to_be_visible()

    page.get_by_label("Write-In Product").fill("Harbour cruise for two")
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Price Per Unit").fill("49.95")
    page.get_by_role("button", name="Add product").click()
    expect(page.get_by_role("status")).to_have_text("Product added; the totals were recalculated.")
    expect(page.locator("#lines")).to_contain_text("Harbour cruise for two (write-in)")
    expect(page.locator("#invoice-total")).to_have_text("$99.90")

    areas.get_by_role("link", name="Invoices").click()
    expect(page.get_by_role("row", name=invoice)).to_contain_text("$99.90")
