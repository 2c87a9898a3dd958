"""The seed's setup guide on a phone (390×844) with the keyboard only: every control is reached with Tab and pressed
with Enter or Space (a <select> reached with Tab is set as the arrow keys would), shows that it has the focus, and no
portal page is wider than the screen. The ready pop-up is a real dialog: focus is in it when it shows, Tab and
Shift+Tab stay in it, it fits the screen, and Esc closes it. axe-core runs on every state; each is kept as a screenshot
under test-artifacts/phone/."""

from __future__ import annotations

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Audit
from tests.browser.guide import (
    Person,
    an_invoice_held_back_is_explained,
    first_sync_sends_the_demo_invoices,
    look_around_a_live_connection,
    look_at_the_signed_out_pages,
    set_up_a_connection,
)
from tests.sandboxes import connector_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "thumbs-and-tabs-walkthrough-2026"
FOCUS_IS_IN_THE_DIALOG = "document.querySelector('[role=dialog]').contains(document.activeElement)"


def assert_on_screen(page: Page, name: str, box: dict | None) -> None:
    assert box is not None, f"{name} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{name} does not fit the screen: {box}"


def test_a_phone_user_with_only_a_keyboard_completes_the_setup_guide(phone, live_server, own_sandbox, tmp_path):
    page = phone
    audit = Audit(live_server.url, "phone")
    person = Person(page, keyboard=True, audit=audit)
    with override_settings(**connector_settings(own_sandbox, base_url=live_server.url)):
        look_at_the_signed_out_pages(person)
        connection = set_up_a_connection(person, own_sandbox, tmp_path, "kim@example.org", PASSWORD)

        dialog = page.get_by_role("dialog")
        assert page.evaluate(FOCUS_IS_IN_THE_DIALOG), "the pop-up showed without the focus in it"
        assert_on_screen(page, "the pop-up", dialog.bounding_box())
        for key in ["Tab"] * 6 + ["Shift+Tab"] * 6:
            page.keyboard.press(key)
            assert page.evaluate(FOCUS_IS_IN_THE_DIALOG), f"{key} took the focus out of the pop-up"
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        person.look("ready pop-up closed with Esc")

        person.click(page.get_by_role("banner").get_by_role("link", name="Home", exact=True))
        expect(page.locator(f"tr[data-connection='{connection.pk}']")).to_be_visible()
        assert_on_screen(page, "Log out", page.get_by_role("button", name="Log out").bounding_box())
        person.look("home with a live connection")
        connection.refresh_from_db()
        assert connection.trial_started_at is not None, "closing the pop-up did not start the trial"

        first_sync_sends_the_demo_invoices(person, connection)
        an_invoice_held_back_is_explained(person, connection, own_sandbox)
        look_around_a_live_connection(person, connection)
    audit.assert_clean()
