"""The Defaults form on a phone, with the keyboard: the time zone is found by typing a place's first letters, and values
that could never work are refused next to their fields, with what was typed kept and nothing for axe-core to object to."""

import pytest
from playwright.sync_api import expect

from dxconnector.connections.models import Connection
from tests.base import PASSWORD
from tests.browser.conftest import ARTIFACTS, axe_check, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_phone_user_picks_a_time_zone_by_typing_and_sees_why_a_setting_was_refused(phone, django_user_model):
    user = django_user_model.objects.create_user("defaults@example.org", PASSWORD, name="Dee", company="Defaults Ltd")
    connection = Connection.objects.create(owner=user, name="Dee Sales", time_zone="Europe/London")
    page = phone
    page.goto("/login/")
    page.get_by_label("Email").fill("defaults@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/home/")
    page.goto(f"/connections/{connection.pk}/")

    zone = page.get_by_label("2. Time zone of Dynamics and Xero")
    expect(zone).to_have_value("Europe/London")
    zone.focus()
    page.keyboard.type("Auck")
    expect(zone).to_have_value("Pacific/Auckland")

    page.get_by_label("3. Default sales account code").fill("abc def gh")
    page.get_by_label("4. Sync invoices delivered on or after").fill("2030-01-01")
    page.get_by_role("button", name="Save defaults").click()

    expect(page.get_by_text("“abc def gh” can't be a Xero account code: an account code has no spaces.")).to_be_visible()
    expect(page.get_by_text("Pick a day from 1 January 2000 to today (")).to_be_visible()
    expect(zone).to_have_value("Pacific/Auckland")
    expect(page.get_by_label("3. Default sales account code")).to_have_value("abc def gh")
    expect(page.get_by_label("4. Sync invoices delivered on or after")).to_have_value("2030-01-01")
    expect(page.get_by_label("3. Default sales account code")).to_have_attribute("aria-invalid", "true")
    connection.refresh_from_db()
    assert (connection.time_zone, connection.default_sales_account_code) == ("Europe/London", "")

    page.get_by_label("3. Default sales account code").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "defaults-refused-phone.png"), full_page=True)
    assert horizontal_overflow(page) == 0
    axe_check(page, "the Defaults refused on a phone")
