"""The connection page's states the setup guide does not reach, on a 390×844 phone with the keyboard: the ready pop-up
holds the focus and Esc starts the trial, then the dashboard with Sync now off and its reason while Xero is not
connected, and while syncing is paused. axe-core runs on every state, no state is wider than the screen, and each is
kept as a screenshot under test-artifacts/connection-page/."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from dxconnector.connections.models import Connection, XeroConnection
from dxconnector.portal.models import User
from tests.base import PASSWORD, run_jobs
from tests.browser.conftest import Audit
from tests.sandbox.microsoft.browser import sign_in
from tests.sandboxes import connector_settings, xero_consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_IS_IN_THE_DIALOG = "document.querySelector('[role=dialog]').contains(document.activeElement)"


def onboard(client: Client, sandbox, connection: Connection) -> None:
    """Every step through the portal's views, as the admin's clicks post them: Xero, Dynamics, the solution installed by
    its job, defaults, Create Connection and its job."""
    base = f"/connections/{connection.pk}"
    location = xero_consent(sandbox, client.post(f"{base}/xero/connect/")["Location"], user_index=1)
    client.get("/xero/callback/" + location[location.index("?") :])
    admin = next(u for u in sandbox.manifest["microsoft"]["users"] if u["email"] == "admin@oakwood.sandbox")
    client.get("/dynamics/callback/", sign_in(client.post(f"{base}/dynamics/connect/")["Location"], admin))
    org_id = next(o["id"] for o in sandbox.manifest["microsoft"]["organisations"] if o["friendly_name"] == "Oakwood Sales")
    client.post(f"{base}/dynamics/select/", {"org_id": org_id})
    client.post(f"{base}/solution/install/")
    run_jobs()
    client.post(f"{base}/create/", {"name": "Oakwood invoices", "time_zone": "Pacific/Auckland"})
    run_jobs()


def signed_in_as(page: Page, client: Client, url: str) -> None:
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": url}])


def test_the_ready_pop_up_holds_the_focus_and_the_dashboard_says_why_sync_now_is_off(phone, live_server, own_sandbox):
    page = phone
    audit = Audit(live_server.url, "connection-page")
    user = User.objects.create_user("olive@example.org", PASSWORD, name="Olive Owner", company="Oakwood Group")
    connection = Connection.objects.create(owner=user)
    client = Client()
    client.force_login(user)
    with override_settings(**connector_settings(own_sandbox, base_url=live_server.url)):
        onboard(client, own_sandbox, connection)
        connection.refresh_from_db()
        assert connection.status == Connection.Status.CREATED, connection.setup_error
        signed_in_as(page, client, live_server.url)

        page.goto(f"/connections/{connection.pk}/")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Your connection is working!")
        expect(dialog.get_by_role("button", name="Back to Home")).to_be_focused()
        for key in ["Tab"] * 4 + ["Shift+Tab"] * 4:
            page.keyboard.press(key)
            assert page.evaluate(FOCUS_IS_IN_THE_DIALOG), f"{key} took the focus out of the pop-up"
        audit.look(page, "ready pop-up")
        page.keyboard.press("Escape")  # the same as its ×: starts the trial, back on this page
        expect(dialog).to_have_count(0)
        expect(page.locator("#dashboard")).to_be_visible()
        connection.refresh_from_db()
        assert connection.trial_started_at is not None, "Esc did not start the trial"
        expect(page.locator("#sync-now").get_by_role("button", name="Sync now")).to_be_enabled()
        expect(page.locator("#step-xero")).to_have_count(0)
        audit.look(page, "dashboard")

        XeroConnection.objects.filter(connection=connection).delete()  # as if Disconnect had been confirmed
        page.reload()
        expect(page.locator("#sync-now").get_by_role("button", name="Sync now")).to_be_disabled()
        expect(page.locator("#sync-now-off")).to_have_text(
            "Reconnect Xero to sync: this connection is not connected to a Xero organisation."
        )
        audit.look(page, "dashboard with Xero disconnected")

        Connection.objects.filter(pk=connection.pk).update(paused_at=timezone.now())
        page.reload()
        expect(page.get_by_role("button", name="Resume syncing")).to_be_visible()
        audit.look(page, "dashboard paused")
    audit.assert_clean()
