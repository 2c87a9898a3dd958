"""The pages around signing in and Home, in a real browser at desktop and phone width: every page state they reach is
checked by axe-core, must not scroll sideways, and is kept as a screenshot under test-artifacts/. The dead ends the
walk-through found each get their way forward: an expired registration link sends a new one, the lock-out says how long
it lasts, the password rules are shown before typing, a second click on New makes no twin, rows can be renamed."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from dxconnector.connections.models import Connection
from dxconnector.portal.models import RegistrationLink, User
from tests.base import PASSWORD, run_jobs
from tests.browser.conftest import Audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "juniper-harbour-lantern-2026"


@pytest.fixture(params=["desktop", "phone"])
def window(request):
    """The same walk at desktop width and at a phone's: the width's name and the page."""
    return request.param, request.getfixturevalue({"desktop": "page", "phone": "phone"}[request.param])


def test_an_expired_registration_link_sends_a_new_one_and_the_password_rules_show_before_typing(window, live_server):
    width, page = window
    audit = Audit(live_server.url, f"sign-in-pages-{width}")
    gwen = User.objects.create_user("gwen@example.org", name="Gwen Green", company="Glade Ltd", is_active=False)
    link, token = RegistrationLink.issue(gwen)
    RegistrationLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    page.goto("/")
    expect(page.get_by_role("heading", name="Keep Dynamics 365 and Xero in step")).to_be_visible()
    audit.look(page, "landing")

    page.goto(f"/register/complete/{token}/")
    expect(page.get_by_text("This link has expired.")).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Log in")).to_have_count(0)
    expect(main.get_by_role("link", name="Register")).to_have_count(0)
    audit.look(page, "expired registration link")

    # Keyboard only: the button is reached with Tab and pressed with Enter.
    new_link_button = page.get_by_role("button", name="Send me a new link")
    for _ in range(20):
        page.keyboard.press("Tab")
        if new_link_button.evaluate("(button) => button === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text("gwen@example.org")).to_have_count(0)
    audit.look(page, "new link sent")

    run_jobs()
    assert [message.to for message in mail.outbox] == [["gwen@example.org"]]
    fresh = re.search(r"https?://\S+/register/complete/\S+/", mail.outbox[0].body).group(0)
    page.goto(fresh)
    rules = page.locator("#password-rules")
    expect(rules).to_contain_text("at least 10 characters")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-describedby", "password-rules")
    audit.look(page, "password rules before typing")

    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Complete registration").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    audit.look(page, "home with no connections")
    audit.assert_clean()


@override_settings(AXES_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
def test_the_lockout_says_how_long_and_offers_a_password_reset(window, live_server, django_user_model):
    width, page = window
    audit = Audit(live_server.url, f"lockout-{width}")
    django_user_model.objects.create_user("hal@example.org", PASSWORD, name="Hal Hart", company="Heath Ltd")
    page.goto("/login/")
    audit.look(page, "log in")
    for _ in range(3):
        page.get_by_label("Email").fill("hal@example.org")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Try again in 15 minutes.")).to_be_visible()
    audit.look(page, "locked out")
    page.get_by_role("link", name="Reset my password").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    audit.assert_clean()


def test_home_opens_the_untouched_new_connection_and_renames_a_row(window, live_server, django_user_model):
    width, page = window
    audit = Audit(live_server.url, f"home-{width}")
    ivy = django_user_model.objects.create_user("ivy@example.org", PASSWORD, name="Ivy Irwin", company="Isle Ltd")
    Connection.objects.create(owner=ivy, name="Isle Sales", time_zone="Europe/London")
    page.goto("/login/")
    page.get_by_label("Email").fill("ivy@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    audit.look(page, "home")

    for _ in range(2):
        page.goto("/home/")
        page.locator("summary", has_text="Create a New Connection").click()
        page.get_by_role("button", name="New Dynamics Xero Connector").click()
        expect(page).to_have_url(re.compile(r"/connections/[0-9a-f-]{36}/$"))
    assert Connection.objects.filter(owner=ivy).count() == 2

    page.goto("/home/")
    row = page.locator("tr", has_text="New Dynamics Xero Connector")
    row.get_by_role("link", name="Rename New Dynamics Xero Connector").click()
    audit.look(page, "rename")
    page.get_by_label("Connection name").fill("Isle Sales")
    page.get_by_role("button", name="Save the name").click()
    expect(page.get_by_text("You already have a connection called “Isle Sales”.")).to_be_visible()
    audit.look(page, "rename refused")
    page.get_by_label("Connection name").fill("Isle Wholesale")
    page.get_by_role("button", name="Save the name").click()
    expect(page.get_by_text("“New Dynamics Xero Connector” is now called “Isle Wholesale”.")).to_be_visible()
    expect(page.locator("tr", has_text="Isle Wholesale").get_by_role("link", name="Delete Isle Wholesale")).to_be_visible()
    audit.look(page, "home after rename")
    audit.assert_clean()
