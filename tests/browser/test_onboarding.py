"""Seed steps 1 and 2 in a real browser: register → emailed link → password → Home → new connection."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from dxconnector.connections.models import Connection
from dxconnector.portal.models import User
from tests.base import run_jobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_user_registers_and_opens_a_connection_page(page, live_server, screenshot):
    page.goto("/")
    page.get_by_role("main").get_by_role("link", name="Start free trial").click()

    page.get_by_label("Your name").fill("Fiona Fox")
    page.get_by_label("Company").fill("Foxtrot Trading")
    page.get_by_label("Work email").fill("fiona@example.org")
    page.get_by_label("I agree to the terms and conditions").check()
    page.get_by_role("button", name="Register for the free trial").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text("fiona@example.org")).to_be_visible()

    run_jobs()
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/register/complete/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(live_server.url)

    page.goto(link)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Complete registration").click()
    expect(page.get_by_text("This password is too short.")).to_be_visible()

    page.get_by_label("Password", exact=True).fill("foxtrot-uniform-2026!")
    page.get_by_label("Password again").fill("foxtrot-uniform-2026!")
    page.get_by_role("button", name="Complete registration").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    expect(page.get_by_text("Welcome! Your registration is complete.")).to_be_visible()
    assert User.objects.get(email="fiona@example.org").is_active

    page.locator("summary", has_text="Create a New Connection").click()
    page.get_by_role("button", name="New Dynamics Xero Connector").click()
    expect(page).to_have_url(re.compile(r"/connections/[0-9a-f-]{36}/$"))
    connection = Connection.objects.get(owner__email="fiona@example.org")
    assert connection.status == "draft"

    checklist = page.get_by_role("complementary", name="Checklist")
    for label in (
        "Xero connected",
        "Managed solution installed in Dynamics",
        "Dynamics connected",
        "Dynamics organisation selected",
        "Required access in Dynamics",
        "Defaults set",
    ):
        expect(checklist.get_by_text(label)).to_be_visible()
    expect(checklist.locator("li.done")).to_have_count(0)
    expect(checklist.get_by_text("Click “Connect to Xero”", exact=False)).to_be_visible()

    page.get_by_label("1. Connection name").fill("Foxtrot NZ")
    page.get_by_label("2. Time zone of Dynamics and Xero").select_option("Pacific/Auckland")
    page.get_by_role("button", name="Save defaults").click()
    expect(page.get_by_text("Defaults saved.")).to_be_visible()
    expect(checklist.locator("li.done[data-check=defaults]")).to_be_visible()
    expect(checklist.get_by_text("Foxtrot NZ · Pacific/Auckland")).to_be_visible()
    screenshot("connection")

    page.get_by_role("button", name="Create Connection").click()
    expect(page.get_by_text("Not ready yet — still to do: Xero connected")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Home").click()
    row = page.locator(f"tr[data-connection='{connection.pk}']")
    expect(row.get_by_role("link", name="Foxtrot NZ", exact=True)).to_be_visible()
    expect(row.get_by_text("Not started")).to_be_visible()
