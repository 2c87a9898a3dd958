"""The Xero sandbox's own app (go.xero.com) in headless Chromium: sign in, open an invoice, record a
payment by clicking, then the rest of it; the Accounting API then shows the invoice PAID."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.sandbox.xero_helpers import connect
from tests.sandbox.xero_ui.clients import AccountingClient, unique

pytestmark = pytest.mark.browser


@pytest.fixture
def api(sandbox) -> Iterator[AccountingClient]:
    client = AccountingClient(sandbox, connect(sandbox, app_kind="web", tenant_index=0))
    yield client
    client.close()


@pytest.fixture
def app_page(browser, sandbox) -> Iterator[Page]:
    context = browser.new_context(base_url=sandbox.url("xero-app"))
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, user: dict) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in to Xero")).to_be_visible()
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Choose an organisation")).to_be_visible()


def test_recording_payments_by_clicking(app_page, sandbox, api, request):
    page, user = app_page, sandbox.xero["users"][0]
    organisation = next(o["name"] for o in sandbox.xero["organisations"] if o["tenant_id"] == api.tenant_id)
    reference = unique("Browser")
    invoice = api.new_invoice(Status="AUTHORISED", Reference=reference)

    sign_in(page, user)
    page.get_by_role("link", name=organisation).click()
    expect(page.get_by_role("heading", name="Invoices")).to_be_visible()
    page.get_by_label("Search").fill(reference)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=invoice["InvoiceNumber"]).click()

    expect(page).to_have_url(re.compile(rf"/invoices/{invoice['InvoiceID']}$"))
    expect(page.get_by_label("Amount paid")).to_have_value("115.00")
    page.get_by_label("Amount paid").fill("15")
    page.get_by_label("Paid to").select_option(label="Business Savings Account (091)")
    page.get_by_role("button", name="Record payment").click()

    expect(page.get_by_role("status")).to_have_text("Payment of 15.00 recorded.")
    expect(page.locator("#amount-due")).to_have_text("100.00")
    expect(page.get_by_label("Amount paid")).to_have_value("100.00")
    page.get_by_role("button", name="Record payment").click()

    expect(page.get_by_role("status")).to_have_text("Payment of 100.00 recorded.")
    expect(page.locator("#amount-due")).to_have_text("0.00")
    expect(page.locator("h1 .badge")).to_have_text("Paid")
    expect(page.get_by_role("button", name="Record payment")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-paid.png"), full_page=True)

    read = api.invoice(invoice["InvoiceID"])
    assert (read["Status"], read["AmountDue"], [payment["Amount"] for payment in read["Payments"]]) == ("PAID", 0, [15, 100])
