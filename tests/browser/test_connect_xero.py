"""Seed step 2 in a real browser: Connect to Xero → the sandbox's sign-in and consent → back, with a green tick; and on a
live connection, Disconnect and Reconnect ask first (keyboard only, desktop and phone, axe-core on the question)."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from dxconnector.connections.models import Connection, XeroConnection
from dxconnector.portal.models import User
from tests.browser.conftest import DESKTOP, PHONE, Audit
from tests.sandboxes import connector_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "grace-hopper-cobol-1959"


@pytest.fixture
def signed_in(page, live_server, sandbox):
    with override_settings(**connector_settings(sandbox, base_url=live_server.url)):
        user = User.objects.create_user("grace@example.org", PASSWORD, name="Grace Hopper", company="Navy Ltd")
        connection = Connection.objects.create(owner=user, name="Grace NZ", time_zone="Pacific/Auckland")
        page.goto("/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/home/$"))
        page.goto(f"/connections/{connection.pk}/")
        yield connection


def sign_in_to_xero(page, sandbox):
    user = sandbox.xero["users"][1]  # one organisation
    expect(page.get_by_role("heading", name="Log in to Xero")).to_be_visible()
    page.get_by_label("Email address").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("wants to access your Xero data"))).to_be_visible()


def test_connect_to_xero_shows_the_organisation_with_a_green_tick(page, sandbox, signed_in, screenshot):
    page.get_by_role("button", name="Connect to Xero").click()
    sign_in_to_xero(page, sandbox)
    page.get_by_role("button", name="Allow access").click()

    organisation = next(
        o["name"] for o in sandbox.xero["organisations"] if o["tenant_id"] == sandbox.xero["users"][1]["organisations"][0]
    )
    expect(page).to_have_url(re.compile(rf"/connections/{signed_in.pk}/$"))
    step = page.locator("#step-xero")
    expect(step.get_by_text(f"Connected to {organisation}")).to_be_visible()
    expect(step.locator(".tick")).to_be_visible()
    expect(step.get_by_role("button", name="Connect to Xero")).to_have_count(0)
    expect(page.locator("li.done[data-check=xero]")).to_contain_text(organisation)
    screenshot("connected")
    assert XeroConnection.objects.get(connection=signed_in).tenant_name == organisation


def test_denying_consent_leaves_the_button_and_says_why(page, sandbox, signed_in):
    page.get_by_role("button", name="Connect to Xero").click()
    sign_in_to_xero(page, sandbox)
    page.get_by_role("button", name="Cancel").click()

    expect(page).to_have_url(re.compile(rf"/connections/{signed_in.pk}/$"))
    expect(page.get_by_text("You cancelled the Xero consent, so nothing was connected.")).to_be_visible()
    expect(page.locator("#step-xero").get_by_role("button", name="Connect to Xero")).to_be_visible()
    expect(page.locator("li.todo[data-check=xero]")).to_be_visible()
    assert not XeroConnection.objects.exists()


def log_in(page, user, connection) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    page.goto(f"/connections/{connection.pk}/")


def press(page, control) -> None:
    """Reach a control with the focus and press Enter on it, as a keyboard user does."""
    control.focus()
    expect(control).to_be_focused()
    page.keyboard.press("Enter")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_disconnecting_a_live_connection_asks_first_and_cancel_changes_nothing(browser, live_server, settings, sandbox, width):
    settings.BASE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url, viewport=PHONE if width == "phone" else DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    audit = Audit(live_server.url, f"confirm-disconnect-{width}")
    try:
        with override_settings(**connector_settings(sandbox, base_url=live_server.url)):
            user = User.objects.create_user("ada@example.org", PASSWORD, name="Ada Lovelace", company="Engines Ltd")
            connection = Connection.objects.create(owner=user, name="Ada NZ", time_zone="Pacific/Auckland")
            log_in(page, user, connection)
            page.get_by_role("button", name="Connect to Xero").click()
            sign_in_to_xero(page, sandbox)
            page.get_by_role("button", name="Allow access").click()
            expect(page).to_have_url(re.compile(rf"/connections/{connection.pk}/$"))
            Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.CREATED)
            page.reload()
            organisation = XeroConnection.objects.get(connection=connection).tenant_name

            press(page, page.locator("#xero-organisation").get_by_role("button", name="Disconnect"))
            expect(page.get_by_role("heading", name="Disconnect from Xero?")).to_be_visible()
            expect(
                page.get_by_text(f"The connector's access to the Xero organisation “{organisation}” is revoked")
            ).to_be_visible()
            audit.look(page, "disconnect asks first")
            press(page, page.get_by_role("link", name="Cancel"))
            expect(page).to_have_url(re.compile(rf"/connections/{connection.pk}/$"))
            assert XeroConnection.objects.filter(connection=connection).exists()

            press(page, page.locator("#xero-organisation").get_by_role("button", name="Reconnect"))
            expect(page.get_by_role("heading", name="Reconnect to Xero?")).to_be_visible()
            audit.look(page, "reconnect asks first")
            press(page, page.get_by_role("link", name="Cancel"))

            press(page, page.locator("#xero-organisation").get_by_role("button", name="Disconnect"))
            press(page, page.get_by_role("button", name="Disconnect from Xero"))
            expect(page.get_by_text("Disconnected from Xero.")).to_be_visible()
            assert not XeroConnection.objects.filter(connection=connection).exists()

        audit.assert_clean()
    finally:
        context.close()
