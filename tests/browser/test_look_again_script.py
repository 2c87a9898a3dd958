"""refresh.js, the portal's replacement for a meta refresh: a page with an element marked data-look-again="N" reloads
itself after N seconds, but not while the person is typing in a field (what they typed would be lost)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = """<!doctype html><html lang="en"><head><title>Working</title>
<script src="/static/portal/refresh.js" defer></script></head>
<body><p data-look-again="1">Working…</p><label>Note <input id="note"></label></body></html>"""


@pytest.fixture
def working_page(page):
    """A page of the portal's origin that loads the real refresh.js from the live server, counting its loads."""
    loads = []
    page.route("**/working/", lambda route: route.fulfill(status=200, content_type="text/html", body=PAGE))
    page.on("load", lambda _: loads.append(1))
    page.goto("/working/")
    return page, loads


def test_a_page_in_progress_looks_again_by_itself(working_page):
    page, loads = working_page
    page.wait_for_timeout(2500)
    assert len(loads) >= 2


def test_it_waits_while_a_field_is_being_typed_in(working_page):
    page, loads = working_page
    page.locator("#note").focus()
    page.keyboard.type("half a sente")
    page.wait_for_timeout(2500)
    assert len(loads) == 1 and page.locator("#note").input_value() == "half a sente"
    with page.expect_event("load", timeout=3000):  # once the person leaves the field
        page.locator("#note").blur()
