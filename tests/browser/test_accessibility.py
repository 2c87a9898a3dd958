"""The seed's setup guide at desktop width with axe-core run on every page state it reaches, the portal's and the
sandbox's Xero and Microsoft pages alike: none may have a serious or critical violation. Every state is kept as a
screenshot under test-artifacts/desktop/ for a reviewer (test_phone_and_keyboard keeps the phone's)."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from tests.browser.conftest import Audit
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

PASSWORD = "accessible-walkthrough-2026"


def test_no_page_state_of_the_setup_guide_has_a_serious_accessibility_violation(page, live_server, own_sandbox, tmp_path):
    audit = Audit(live_server.url, "desktop")
    person = Person(page, audit=audit)
    with override_settings(**connector_settings(own_sandbox, base_url=live_server.url)):
        look_at_the_signed_out_pages(person)
        connection = set_up_a_connection(person, own_sandbox, tmp_path, "ada@example.org", PASSWORD)
        page.get_by_role("button", name="Back to Home").click()
        expect(page).to_have_url(re.compile(r"/home/$"))
        person.look("home with a live connection")
        first_sync_sends_the_demo_invoices(person, connection)
        an_invoice_held_back_is_explained(person, connection, own_sandbox)
        look_around_a_live_connection(person, connection)
    audit.assert_clean()
