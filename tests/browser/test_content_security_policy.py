"""The portal's pages under their own Content-Security-Policy in a real browser: nothing on them is blocked (no inline
script or style, no resource from elsewhere), so the policy costs the pages nothing."""

import pytest

from dxconnector.connections.models import Connection
from tests.base import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports each blocked resource or inline script/style as a console error naming the policy.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_the_portals_pages_break_no_rule_of_their_policy(page, live_server, django_user_model):
    user = django_user_model.objects.create_user("csp@example.org", PASSWORD, name="Cass", company="Policy Ltd")
    connection = Connection.objects.create(owner=user, name="Policy Sales", time_zone="Europe/London")
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.add_init_script(WATCH_VIOLATIONS)

    seen = []
    for path in ["/login/", "/register/", "/password-reset/"]:
        response = page.goto(path)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        seen.append((path, page.evaluate("window.__violations")))
    page.goto("/login/")
    page.get_by_label("Email").fill("csp@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/home/")
    for path in ["/home/", f"/connections/{connection.pk}/", f"/connections/{connection.pk}/history/"]:
        page.goto(path)
        assert page.evaluate("[...document.styleSheets].some((sheet) => sheet.cssRules.length > 0)"), "no stylesheet loaded"
        seen.append((path, page.evaluate("window.__violations")))

    assert [(path, found) for path, found in seen if found] == []
    assert [text for text in console if "Content Security Policy" in text] == []
