"""The seed's setup guide as steps a person takes in the browser, shared by the browser tests that walk it: with the
mouse at desktop size (test_seed_guide, test_accessibility) or with the keyboard only on a phone
(test_phone_and_keyboard). A `Person` does the clicking or the tabbing; an optional `Audit` (conftest) looks at every
page state the walk reaches."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.core import mail
from playwright.sync_api import Locator, Page, expect

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

ORGANISATION = "Oakwood Sales"
# How many presses of Tab a person makes at most to reach a control before the test calls it unreachable.
MOST_TABS = 150

IS_FOCUSED = "(element) => element === document.activeElement"
# A focused control shows it: an outline (the portal's own or the browser's ring) or a box-shadow.
SHOWS_FOCUS = """(element) => {
  const style = getComputedStyle(element);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none";
}"""


@dataclass
class Person:
    """Acts on a page with the mouse, or with the keyboard only: Tab (or Shift+Tab) to the control, then Enter, Space or
    typing. `look(label)` hands the page as it is now to the audit, if any."""

    page: Page
    keyboard: bool = False
    audit: Any = None
    tabs: dict[str, int] = field(default_factory=dict)

    def look(self, label: str) -> None:
        if self.audit is not None:
            self.audit.look(self.page, label)

    def reach(self, control: Locator, backwards: bool = False) -> None:
        """Tab until `control` has the focus, and check that it shows it."""
        control.wait_for()
        element = control.element_handle()
        for presses in range(MOST_TABS):
            if element.evaluate(IS_FOCUSED):
                assert element.evaluate(SHOWS_FOCUS), f"{control} has the focus but does not show it"
                self.tabs[str(control)] = presses
                return
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"{MOST_TABS} presses of Tab never reached {control} on {self.page.url}")

    def click(self, control: Locator) -> None:
        if self.keyboard:
            self.reach(control)
            self.page.keyboard.press("Enter")
        else:
            control.click()

    def fill(self, control: Locator, text: str) -> None:
        if self.keyboard:
            self.reach(control)
            self.page.keyboard.press("ControlOrMeta+a")
            self.page.keyboard.press("Delete")
            self.page.keyboard.type(text)
        else:
            control.fill(text)

    def check(self, control: Locator) -> None:
        if self.keyboard:
            self.reach(control)
            if not control.is_checked():
                self.page.keyboard.press("Space")
            expect(control).to_be_checked()
        else:
            control.check()

    def select(self, control: Locator, value: str) -> None:
        """A <select>: reached with Tab, then set as a person would pick with the arrow keys."""
        if self.keyboard:
            self.reach(control)
        control.select_option(value)


def register(person: Person, email: str, password: str) -> None:
    page = person.page
    page.goto("/register/")
    person.look("register")
    person.click(page.get_by_role("button", name="Register for the free trial"))
    expect(page.locator(".error, .form-errors").first).to_be_visible()
    person.look("register with nothing filled in")
    person.fill(page.get_by_label("Your name"), "Olive Owner")
    person.fill(page.get_by_label("Company"), "Oakwood Group")
    person.fill(page.get_by_label("Work email"), email)
    person.check(page.get_by_label("I agree to the terms and conditions"))
    person.click(page.get_by_role("button", name="Register for the free trial"))
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    person.look("registration email sent")
    run_jobs()
    link = re.search(r"http://\S+/register/complete/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    person.look("choose a password")
    person.fill(page.get_by_label("Password", exact=True), password)
    person.fill(page.get_by_label("Password again"), password)
    person.click(page.get_by_role("button", name="Complete registration"))
    expect(page).to_have_url(re.compile(r"/home/$"))
    person.look("home with no connection")


def new_connection(person: Person) -> None:
    """Create a New Connection › New Dynamics Xero Connector; on the way, the menu is closed once as a person would:
    with Esc from the keyboard (focus back on its button), with a click outside it with the mouse."""
    page = person.page
    summary = page.locator("summary", has_text="Create a New Connection")
    menu_item = page.get_by_role("button", name="New Dynamics Xero Connector")
    person.click(summary)
    expect(menu_item).to_be_visible()
    person.look("home with the create menu open")
    if person.keyboard:
        page.keyboard.press("Escape")
        expect(summary).to_be_focused()
    else:
        page.get_by_role("heading", level=1).click()
    expect(menu_item).to_be_hidden()
    person.click(summary)
    person.click(menu_item)
    expect(page).to_have_url(re.compile(r"/connections/[0-9a-f-]{36}/$"))
    person.look("new connection")


def sign_in_to_xero(person: Person, user: dict) -> None:
    page = person.page
    if page.get_by_role("heading", name="Log in to Xero").count():  # Xero remembers a sign-in in the browser
        person.look("Xero sign-in (sandbox)")
        person.fill(page.get_by_label("Email address"), user["email"])
        person.fill(page.get_by_label("Password"), user["password"])
        person.click(page.get_by_role("button", name="Log in"))


def connect_xero(person: Person, sandbox) -> str:
    page = person.page
    user = sandbox.xero["users"][1]
    organisation = next(o["name"] for o in sandbox.xero["organisations"] if o["tenant_id"] == user["organisations"][0])
    person.click(page.get_by_role("button", name="Connect to Xero"))
    expect(page.get_by_role("heading", name=re.compile("Log in to Xero|wants to access your Xero data"))).to_be_visible()
    sign_in_to_xero(person, user)
    allow = page.get_by_role("button", name="Allow access")
    expect(allow).to_be_visible()
    person.look("Xero consent (sandbox)")
    person.click(allow)
    expect(page.locator("#step-xero").get_by_text(f"Connected to {organisation}")).to_be_visible()
    person.look("Xero connected")
    return organisation


def microsoft_user(sandbox, email: str) -> dict:
    return next(u for u in sandbox.manifest["microsoft"]["users"] if u["email"] == email)


def connect_dynamics(person: Person, sandbox, email: str) -> None:
    page = person.page
    user = microsoft_user(sandbox, email)
    person.click(page.get_by_role("button", name="Connect to Dynamics"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # select_account: always asked
    person.look("Microsoft sign-in (sandbox)")
    person.fill(page.get_by_label("Email address"), user["email"])
    person.fill(page.get_by_label("Password"), user["password"])
    person.click(page.get_by_role("button", name="Sign in"))
    accept = page.get_by_role("button", name="Accept")
    expect(accept.or_(page.locator("#step-dynamics"))).to_be_visible()
    if accept.count():  # consent is asked once per user
        person.look("Microsoft consent (sandbox)")
        person.click(accept)
    organisations = page.locator("#dynamics-organisations")
    expect(organisations).to_be_visible()
    person.look("Dynamics signed in, organisations listed")
    person.click(organisations.get_by_role("button", name=re.compile(rf"^{re.escape(ORGANISATION)} https:")))
    selected = organisations.locator("li.selected")
    expect(selected).to_contain_text(ORGANISATION)
    person.look("Dynamics organisation selected")


def checklist_line(page: Page, key: str) -> Locator:
    return page.locator(f".checklist li[data-check={key}]")


def download_the_solution(person: Person, folder) -> Any:
    page = person.page
    with page.expect_download() as download:
        person.click(page.get_by_role("link", name="Download the solution"))
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def import_through_dynamics_ui(person: Person, sandbox, zip_path) -> None:
    """In a second tab, as the Dynamics admin would: sign in, open the organisation, Solutions › Import (with the mouse:
    it is the sandbox's Dynamics app, not the portal)."""
    admin = microsoft_user(sandbox, "admin@oakwood.sandbox")
    dynamics = person.page.context.new_page()
    app = sandbox.manifest["microsoft"]["app_url"]
    helper = Person(dynamics, audit=person.audit)
    dynamics.goto(f"{app}/signin")
    helper.look("Dynamics app sign-in (sandbox)")
    dynamics.get_by_label("Email address").fill(admin["email"])
    dynamics.get_by_label("Password").fill(admin["password"])
    dynamics.get_by_role("button", name="Sign in").click()
    expect(dynamics.get_by_role("link", name=ORGANISATION, exact=True)).to_be_visible()
    helper.look("Dynamics app organisations (sandbox)")
    dynamics.get_by_role("link", name=ORGANISATION, exact=True).click()
    dynamics.get_by_role("link", name="Solutions").click()
    helper.look("Dynamics app solutions (sandbox)")
    dynamics.get_by_role("link", name="Import solution").click()
    helper.look("Dynamics app import (sandbox)")
    dynamics.get_by_label("Solution file").set_input_files(str(zip_path))
    dynamics.get_by_role("button", name="Import").click()
    expect(dynamics.locator("p.notice[role=status]")).to_contain_text(
        "The solution Dynamics Xero Connector 1.2.0.0 (managed) was imported."
    )
    expect(dynamics.locator("tr[data-solution=DynamicsXeroConnector]")).to_contain_text("1.2.0.0")
    helper.look("Dynamics app solution imported (sandbox)")
    dynamics.close()


def demo_invoice_ids() -> dict[str, bool]:
    """The demo organisation's seeded invoices: id → whether it is active (and so goes to Xero)."""
    org_id = next(org["id"] for org in identity_seed.ORGANISATIONS if org["friendly_name"] == ORGANISATION)
    return {
        seeded_id(org_id.lower(), "invoice", f"demo-{n}"): state is None
        for n, (_, _, _, state, _) in enumerate(DEMO_INVOICES, start=1)
    }


def set_up_a_connection(person: Person, sandbox, folder, email: str, password: str) -> Connection:
    """The guide from registering to every tick green: returns the connection, its page showing the ready pop-up."""
    page = person.page
    register(person, email, password)
    new_connection(person)
    connection = Connection.objects.get(owner__email=email)

    organisation = connect_xero(person, sandbox)
    expect(checklist_line(page, "xero")).to_have_class(re.compile(r"\bdone\b"))
    zip_path = download_the_solution(person, folder)
    assert zip_path.name == "DynamicsXeroConnector_1_2_0_0_managed.zip"
    import_through_dynamics_ui(person, sandbox, zip_path)

    page.goto(f"/connections/{connection.pk}/")
    connect_dynamics(person, sandbox, "admin@oakwood.sandbox")
    for key in ("solution", "dynamics", "organisation", "permissions"):
        expect(checklist_line(page, key)).to_have_class(re.compile(r"\bdone\b"))
    expect(checklist_line(page, "solution")).to_contain_text("Version 1.2.0.0 (managed)")
    expect(page.locator(".access li.missing")).to_have_count(0)

    # Defaults come pre-filled from the Xero organisation; the admin edits the name and clicks Create Connection once,
    # which saves them as filled in (no "Save defaults" first).
    expect(page.get_by_label("1. Connection name")).to_have_value(organisation)
    person.fill(page.get_by_label("1. Connection name"), f"{organisation} invoices")
    person.select(page.get_by_label("2. Time zone of Dynamics and Xero"), "Europe/London")
    person.fill(page.get_by_label("3. Default sales account code"), "200")
    person.look("defaults filled in")
    person.click(page.get_by_role("button", name="Create Connection"))
    expect(page.locator("#setup")).to_contain_text("Creating the connection…")
    person.look("creating the connection")
    connection.refresh_from_db()
    assert (connection.name, connection.time_zone) == (f"{organisation} invoices", "Europe/London")
    run_jobs()  # the worker's part: the job writes into Dynamics and brings in Xero's lists
    page.reload()
    expect(page.locator(".checklist li.done")).to_have_count(6)
    expect(page.get_by_role("dialog")).to_contain_text("Your connection is working!")
    person.look("ready pop-up")
    return connection


def run_the_queued_sync() -> None:
    # Dynamics' webhook calls the run's own write-back causes queue nothing meanwhile: one writer at a time.
    with mock.patch.object(portal_webhooks.sync, "request_sync"):
        run_jobs()


def first_sync_sends_the_demo_invoices(person: Person, connection: Connection) -> None:
    """Starting the trial queued the first sync; a worker runs it and the seeded invoices are in Xero within seconds."""
    page = person.page
    started = time.monotonic()
    run_the_queued_sync()
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
    person.click(page.get_by_role("link", name="History", exact=True))
    expect(page.get_by_role("heading", name="Sync history")).to_be_visible()
    attempts = page.locator("table.attempts tbody tr")
    expect(attempts.and_(page.locator("[data-outcome=SUCCEEDED]"))).to_have_count(sum(expected.values()))
    held = attempts.and_(page.locator("[data-outcome=HELD_BACK]"))
    expect(held).to_have_count(1)
    expect(held).to_contain_text("Only active invoices go to Xero")
    expect(page.locator("table.runs")).to_contain_text("created")
    person.look("history after the first sync")
    page.goto("/home/")


def an_invoice_held_back_is_explained(person: Person, connection: Connection, sandbox) -> None:
    """A user makes an invoice with no lines in Dynamics; Sync now holds it back; the history names it by its number,
    with links to it in Dynamics and in Xero's app; the portal's dry run names the rule and what to change."""
    page = person.page
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
    person.look("connection dashboard")
    person.click(page.get_by_role("button", name="Sync now"))
    expect(page.locator(".messages")).to_be_visible()
    person.look("Sync now clicked")
    run_the_queued_sync()
    person.click(page.get_by_role("link", name="History", exact=True))
    held = page.locator(f"table.attempts tbody tr[data-outcome=HELD_BACK]:has(span[title='Dynamics id {invoice_id}'])")
    expect(held).to_have_count(1)
    expect(held.locator(".in-dynamics .number")).to_have_text(number)
    expect(held).to_contain_text("The invoice has no products: add at least one line.")
    sent = page.locator("table.attempts tbody tr[data-outcome=SUCCEEDED]").first
    expect(sent.locator(".in-dynamics .number")).to_have_text(re.compile(r"^INV-"))
    expect(sent.locator(".in-xero .number")).to_have_text(re.compile(r"^INV-"))
    dynamics_app = sandbox.manifest["microsoft"]["app_url"]
    expect(sent.locator(".in-dynamics a")).to_have_attribute(
        "href", re.compile(rf"^{re.escape(dynamics_app)}/orgs/[^/]+/invoices/[0-9a-f-]{{36}}$")
    )
    xero_app = sandbox.xero["app_url"]
    expect(sent.locator(".in-xero a")).to_have_attribute(
        "href", re.compile(rf"^{re.escape(xero_app)}/AccountsReceivable/View\.aspx\?InvoiceID=[0-9a-f-]{{36}}$")
    )
    person.look("history with a held-back invoice")

    # "Why isn't it syncing?" on the connection page: pick the held-back invoice, the dry run runs as a job.
    page.goto(f"/connections/{connection.pk}/")
    person.select(page.get_by_label("A recently held-back or failed invoice"), invoice_id)
    person.click(page.get_by_role("button", name="Explain (dry run)"))
    expect(page.get_by_role("heading", name="Why isn't it syncing?", exact=True)).to_be_visible()
    expect(page.locator("#why-answer")).to_have_attribute("data-state", "queued")
    person.look("why is it not syncing: asked")
    run_jobs()
    page.reload()
    answer = page.locator("#why-answer")
    expect(answer).to_have_attribute("data-state", "done")
    expect(answer.locator(".verdict")).to_contain_text("It is held back. Change this in Dynamics")
    expect(answer.locator("li[data-rule=no_lines]")).to_contain_text("The invoice has no products: add at least one line.")
    person.look("why is it not syncing: answered")

    # Its Xero link opens the invoice in the sandbox's Xero app (over http, as a person would), after signing in there.
    page.goto(f"/connections/{connection.pk}/history/")
    link = page.locator("table.attempts tbody tr[data-outcome=SUCCEEDED] .in-xero a").first
    shown = link.inner_text()
    page.goto(link.get_attribute("href"))
    user = sandbox.xero["users"][1]
    sign_in_to_xero(person, user)
    expect(page).to_have_url(re.compile(r"/organisations/[0-9a-f-]{36}/invoices/[0-9a-f-]{36}$"))
    expect(page.locator("h1")).to_contain_text(shown)
    person.look("invoice in the Xero app (sandbox)")
    page.goto("/home/")


def look_at_the_signed_out_pages(person: Person) -> None:
    """The landing page, logging in (and a wrong password), and the password reset, before registering."""
    page = person.page
    page.goto("/")
    person.look("landing")
    if person.keyboard:  # the first Tab offers to skip the header; taking it puts the focus on the page's content
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        expect(page.get_by_role("main")).to_be_focused()
    person.click(page.get_by_role("banner").get_by_role("link", name="Log in"))
    expect(page).to_have_url(re.compile(r"/login/"))
    person.look("log in")
    person.fill(page.get_by_label("Email"), "nobody@example.org")
    person.fill(page.get_by_label("Password"), "not-the-password-2026")
    person.click(page.get_by_role("button", name="Log in"))
    expect(page.locator(".form-errors, .error").first).to_be_visible()
    person.look("log in with a wrong password")
    page.goto("/password/reset/")
    person.look("password reset")


def look_around_a_live_connection(person: Person, connection: Connection) -> None:
    """A created connection's dashboard and the pages it leads to: a run's details, Disconnect asking first (and
    nothing disconnected), Pause, Delete, and logging out."""
    page = person.page
    page.goto(f"/connections/{connection.pk}/")
    details = page.locator("details summary").filter(has_text="Details")
    if details.count():
        person.click(details.first)
        person.look("dashboard with a run's details open")
    person.click(page.locator("#xero-organisation").get_by_role("button", name="Disconnect"))
    expect(page).not_to_have_url(re.compile(rf"/connections/{connection.pk}/$"))
    person.look("Disconnect Xero asks first")
    assert XeroConnection.objects.filter(connection=connection).exists(), "Disconnect acted without asking"
    page.goto(f"/connections/{connection.pk}/")
    person.click(page.get_by_role("link", name="Pause syncing"))
    expect(page).to_have_url(re.compile(r"/pause/$"))
    person.look("pause syncing")
    page.goto(f"/connections/{connection.pk}/")
    person.click(page.get_by_role("link", name="Delete this connection"))
    expect(page).to_have_url(re.compile(r"/delete/$"))
    person.look("delete the connection")
    page.goto("/home/")
    person.click(page.get_by_role("button", name="Log out"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    person.look("logged out")
