"""The seed's setup guide, click by click in headless Chromium, against a sandbox of its own:
register → emailed link → password → Create a New Connection → New Dynamics Xero Connector → Connect to
Xero (sign in, Allow access, green tick) → download the solution and import it through the sandbox's
Dynamics app → Connect to Dynamics → select the organisation (it flashes green) → permissions all green
→ defaults edited and Create Connection clicked once (it saves them) → every tick green → Back to Home → the trial has started, and its first
sync puts the demo organisation's invoices into Xero within seconds (the held-back paid one says why in the
history). Then an invoice with no lines made in Dynamics is held back by Sync now: the history names it by its
number (and links it in Dynamics and in the sandbox's Xero app), and the portal's dry run names the rule.
A second run with a Dynamics user lacking Account write shows that line failing with its tip."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings
from playwright.sync_api import Page, expect

from dxconnector.connections.clients import dynamics_client
from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.connections.tokens import DatabaseTokenStore
from dxconnector.portal import webhooks as portal_webhooks
from dxconnector.sync.context import invoice_id_of
from dxconnector.sync.models import SyncRun
from dxconnector.xero import resources
from dxconnector.xero.client import XeroApiConfig, XeroClient
from dxsandbox.microsoft import seed as identity_seed
from dxsandbox.microsoft.dataverse.seed import DEMO_INVOICES, seeded_id
from tests.base import run_jobs
from tests.sandboxes import connector_settings, start_sandbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "seed-guide-walkthrough-2026"
ORGANISATION = "Oakwood Sales"


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory):
    """A fresh sandbox: no solution imported anywhere yet, whatever other tests did."""
    running = start_sandbox(tmp_path_factory.mktemp("seed-guide-sandbox"), "--limits", "off")
    yield running
    running.stop()


@pytest.fixture
def portal(page, live_server, own_sandbox):
    with override_settings(**connector_settings(own_sandbox, base_url=live_server.url)):
        yield page


def register(page: Page) -> None:
    page.goto("/register/")
    page.get_by_label("Your name").fill("Olive Owner")
    page.get_by_label("Company").fill("Oakwood Group")
    page.get_by_label("Work email").fill("olive@example.org")
    page.get_by_label("I agree to the terms and conditions").check()
    page.get_by_role("button", name="Register for the free trial").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    run_jobs()
    link = re.search(r"http://\S+/register/complete/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Complete registration").click()
    expect(page).to_have_url(re.compile(r"/home/$"))


def new_connection(page: Page) -> None:
    page.locator("summary", has_text="Create a New Connection").click()
    page.get_by_role("button", name="New Dynamics Xero Connector").click()
    expect(page).to_have_url(re.compile(r"/connections/[0-9a-f-]{36}/$"))


def connect_xero(page: Page, sandbox) -> str:
    user = sandbox.xero["users"][1]
    organisation = next(o["name"] for o in sandbox.xero["organisations"] if o["tenant_id"] == user["organisations"][0])
    page.get_by_role("button", name="Connect to Xero").click()
    expect(page.get_by_role("heading", name=re.compile("Log in to Xero|wants to access your Xero data"))).to_be_visible()
    if page.get_by_role("heading", name="Log in to Xero").count():  # Xero remembers a sign-in in the browser
        page.get_by_label("Email address").fill(user["email"])
        page.get_by_label("Password").fill(user["password"])
        page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Allow access").click()
    expect(page.locator("#step-xero").get_by_text(f"Connected to {organisation}")).to_be_visible()
    expect(page.locator("#step-xero .tick")).to_be_visible()
    return organisation


def microsoft_user(sandbox, email: str) -> dict:
    return next(u for u in sandbox.manifest["microsoft"]["users"] if u["email"] == email)


def connect_dynamics(page: Page, sandbox, email: str) -> None:
    user = microsoft_user(sandbox, email)
    page.get_by_role("button", name="Connect to Dynamics").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # select_account: always asked
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()
    accept = page.get_by_role("button", name="Accept")
    if accept.count():  # consent is asked once per user
        accept.click()
    expect(page.get_by_text("Select your Dynamics organisation.")).to_be_visible()
    page.locator("#dynamics-organisations").get_by_role("button", name=re.compile(rf"^{re.escape(ORGANISATION)} https:")).click()
    selected = page.locator("#dynamics-organisations li.selected")
    expect(selected).to_have_class(re.compile(r"\bflash\b"))  # flashes green once
    expect(selected).to_contain_text(ORGANISATION)


def checklist_line(page: Page, key: str):
    return page.locator(f".checklist li[data-check={key}]")


def import_through_dynamics_ui(context, sandbox, zip_path) -> None:
    """In a second tab, as the Dynamics admin would: sign in, open the organisation, Solutions › Import."""
    admin = microsoft_user(sandbox, "admin@oakwood.sandbox")
    dynamics = context.new_page()
    app = sandbox.manifest["microsoft"]["app_url"]
    dynamics.goto(f"{app}/signin")
    dynamics.get_by_label("Email address").fill(admin["email"])
    dynamics.get_by_label("Password").fill(admin["password"])
    dynamics.get_by_role("button", name="Sign in").click()
    dynamics.get_by_role("link", name=ORGANISATION, exact=True).click()
    dynamics.get_by_role("link", name="Solutions").click()
    dynamics.get_by_role("link", name="Import solution").click()
    dynamics.get_by_label("Solution file").set_input_files(str(zip_path))
    dynamics.get_by_role("button", name="Import").click()
    expect(dynamics.locator("p.notice[role=status]")).to_contain_text(
        "The solution Dynamics Xero Connector 1.0.0.0 (managed) was imported."
    )
    expect(dynamics.locator("tr[data-solution=DynamicsXeroConnector]")).to_contain_text("1.0.0.0")
    dynamics.close()


def demo_invoice_ids() -> dict[str, bool]:
    """The demo organisation's seeded invoices: id → whether it is active (and so goes to Xero)."""
    org_id = next(org["id"] for org in identity_seed.ORGANISATIONS if org["friendly_name"] == ORGANISATION)
    return {
        seeded_id(org_id.lower(), "invoice", f"demo-{n}"): state is None
        for n, (_, _, _, state, _) in enumerate(DEMO_INVOICES, start=1)
    }


def first_sync_sends_the_demo_invoices(page: Page, connection: Connection, screenshot) -> None:
    """Starting the trial queued the first sync; a worker runs it and the seeded invoices are in Xero within seconds."""
    started = time.monotonic()
    # Dynamics' webhook calls the run's own write-back causes queue nothing meanwhile: one writer at a time.
    with mock.patch.object(portal_webhooks.sync, "request_sync"):
        run_jobs()
    run = SyncRun.objects.get(connection=connection, trigger="created")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    xero = XeroConnection.objects.get(connection=connection)
    client = XeroClient(XeroApiConfig.from_settings(), DatabaseTokenStore(xero.pk), xero.tenant_id)
    in_xero = {invoice_id_of(invoice.get("Url")) for invoice in client.records(resources.INVOICES)}
    elapsed = time.monotonic() - started
    expected = demo_invoice_ids()
    assert {invoice for invoice, active in expected.items() if active} <= in_xero
    assert not {invoice for invoice, active in expected.items() if not active} & in_xero
    assert elapsed < 10, f"the first sync took {elapsed:.1f}s"

    page.goto(f"/connections/{connection.pk}/")
    page.get_by_role("link", name="History", exact=True).click()
    expect(page.get_by_role("heading", name="Sync history")).to_be_visible()
    attempts = page.locator("table.attempts tbody tr")
    expect(attempts.and_(page.locator("[data-outcome=SUCCEEDED]"))).to_have_count(sum(expected.values()))
    held = attempts.and_(page.locator("[data-outcome=HELD_BACK]"))
    expect(held).to_have_count(1)
    expect(held).to_contain_text("Only active invoices go to Xero")
    expect(page.locator("table.runs")).to_contain_text("created")
    screenshot("history-after-first-sync")
    page.goto("/home/")


def an_invoice_held_back_is_explained(page: Page, connection: Connection, sandbox, screenshot) -> None:
    """A user makes an invoice with no lines in Dynamics; Sync now holds it back; the history names it by its number,
    with links to it in Dynamics and in Xero's app; the portal's dry run names the rule and what to change."""
    dynamics = dynamics_client(DynamicsConnection.objects.get(connection=connection))
    try:
        [customer] = dynamics.list("accounts", select="accountid", top="1")
        [price_list] = dynamics.list("pricelevels", select="pricelevelid", top="1")
        invoice_id = dynamics.create(
            "invoices",
            {
                "name": "Workshop booking",
                "customerid_account@odata.bind": f"/accounts({customer['accountid']})",
                "pricelevelid@odata.bind": f"/pricelevels({price_list['pricelevelid']})",
                "datedelivered": time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 86400)),
            },
        )
        number = dynamics.list("invoices", select="invoicenumber", filter=f"invoiceid eq {invoice_id}")[0]["invoicenumber"]
    finally:
        dynamics.close()
    assert number

    page.goto(f"/connections/{connection.pk}/")
    page.get_by_role("button", name="Sync now").click()
    with mock.patch.object(portal_webhooks.sync, "request_sync"):
        run_jobs()
    page.get_by_role("link", name="History", exact=True).click()
    held = page.locator(f"table.attempts tbody tr[data-outcome=HELD_BACK]:has(span[title='Dynamics id {invoice_id}'])")
    expect(held).to_have_count(1)
    expect(held.locator(".in-dynamics .number")).to_have_text(number)
    expect(held).to_contain_text("The invoice has no products: add at least one line.")
    sent = page.locator("table.attempts tbody tr[data-outcome=SUCCEEDED]").first
    expect(sent.locator(".in-dynamics .number")).to_have_text(re.compile(r"^INV-"))
    expect(sent.locator(".in-xero .number")).to_have_text(re.compile(r"^INV-"))
    expect(sent.locator(".in-dynamics a")).to_have_attribute(
        "href", re.compile(r"/main\.aspx\?etn=invoice&pagetype=entityrecord&id=")
    )
    xero_app = sandbox.xero["app_url"]
    expect(sent.locator(".in-xero a")).to_have_attribute(
        "href", re.compile(rf"^{re.escape(xero_app)}/AccountsReceivable/View\.aspx\?InvoiceID=[0-9a-f-]{{36}}$")
    )
    screenshot("history-with-numbers")

    # "Why isn't it syncing?" on the connection page: pick the held-back invoice, the dry run runs as a job.
    page.goto(f"/connections/{connection.pk}/")
    page.get_by_label("A recently held-back or failed invoice").select_option(invoice_id)
    page.get_by_role("button", name="Explain (dry run)").click()
    expect(page.get_by_role("heading", name="Why isn't it syncing?", exact=True)).to_be_visible()
    expect(page.locator("#why-answer")).to_have_attribute("data-state", "queued")
    run_jobs()
    page.reload()
    answer = page.locator("#why-answer")
    expect(answer).to_have_attribute("data-state", "done")
    expect(answer.locator(".verdict")).to_contain_text("It is held back. Change this in Dynamics")
    expect(answer.locator("li[data-rule=no_lines]")).to_contain_text("The invoice has no products: add at least one line.")
    screenshot("why-not-syncing")

    # Its Xero link opens the invoice in the sandbox's Xero app (over http, as a person would), after signing in there.
    page.goto(f"/connections/{connection.pk}/history/")
    link = page.locator("table.attempts tbody tr[data-outcome=SUCCEEDED] .in-xero a").first
    shown = link.inner_text()
    page.goto(link.get_attribute("href"))
    user = sandbox.xero["users"][1]
    if page.get_by_role("heading", name="Log in to Xero").count():
        page.get_by_label("Email address").fill(user["email"])
        page.get_by_label("Password").fill(user["password"])
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/organisations/[0-9a-f-]{36}/invoices/[0-9a-f-]{36}$"))
    expect(page.locator("h1")).to_contain_text(shown)
    page.goto("/home/")


def test_the_whole_setup_guide(portal, own_sandbox, tmp_path, screenshot):
    page = portal
    register(page)
    new_connection(page)
    connection = Connection.objects.get(owner__email="olive@example.org")

    organisation = connect_xero(page, own_sandbox)
    expect(checklist_line(page, "xero")).to_have_class(re.compile(r"\bdone\b"))

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the solution").click()
    zip_path = tmp_path / download.value.suggested_filename
    download.value.save_as(zip_path)
    assert zip_path.name == "DynamicsXeroConnector_1_0_0_0_managed.zip"
    import_through_dynamics_ui(page.context, own_sandbox, zip_path)

    page.goto(f"/connections/{connection.pk}/")
    connect_dynamics(page, own_sandbox, "admin@oakwood.sandbox")
    for key in ("solution", "dynamics", "organisation", "permissions"):
        expect(checklist_line(page, key)).to_have_class(re.compile(r"\bdone\b"))
    expect(checklist_line(page, "solution")).to_contain_text("Version 1.0.0.0 (managed)")
    expect(page.locator(".access li.missing")).to_have_count(0)

    # Defaults come pre-filled from the Xero organisation; the admin edits the name and clicks Create Connection once,
    # which saves them as filled in (no "Save defaults" first).
    expect(page.get_by_label("1. Connection name")).to_have_value(organisation)
    page.get_by_label("1. Connection name").fill(f"{organisation} invoices")
    page.get_by_label("2. Time zone of Dynamics and Xero").select_option("Europe/London")
    page.get_by_label("3. Default sales account code").fill("200")
    page.get_by_role("button", name="Create Connection").click()
    expect(page.get_by_role("status")).to_contain_text("Creating the connection…")
    connection.refresh_from_db()
    assert (connection.name, connection.time_zone) == (f"{organisation} invoices", "Europe/London")
    run_jobs()  # the worker's part: the job writes into Dynamics and brings in Xero's lists
    page.reload()
    expect(page.locator(".checklist li.done")).to_have_count(6)
    expect(page.get_by_role("dialog")).to_contain_text("Your connection is working!")
    screenshot("all-green")
    page.get_by_role("button", name="Back to Home").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    expect(page.locator(f"tr[data-connection='{connection.pk}'] .trial")).to_have_text("30 days left")
    connection.refresh_from_db()
    assert connection.trial_started_at is not None and connection.status == "created"
    first_sync_sends_the_demo_invoices(page, connection, screenshot)
    an_invoice_held_back_is_explained(page, connection, own_sandbox, screenshot)

    # A second connection, signed in to Dynamics as a user whose role lacks Account write.
    new_connection(page)
    connect_xero(page, own_sandbox)
    connect_dynamics(page, own_sandbox, "noaccountwrite@oakwood.sandbox")
    line = checklist_line(page, "permissions")
    expect(line).to_have_class(re.compile(r"\btodo\b"))
    expect(line).to_contain_text("Give the user's security role Write access on the Account table (account)")
    expect(page.locator(".access li.missing")).to_have_count(1)
    expect(page.locator(".access li.missing")).to_have_attribute("data-table", "account")
    screenshot("missing-account-write")
