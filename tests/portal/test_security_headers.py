"""What every answer says to the browser: a Content-Security-Policy that lets a page load only the portal's own
stylesheet, scripts and images (none inline), and sessions that end after SESSION_IDLE_MINUTES idle."""

from __future__ import annotations

import time

from django.test import override_settings

from dxconnector.connections.models import Connection
from tests.base import BaseTestCase

POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"


class ContentSecurityPolicyTestCase(BaseTestCase):
    def test_every_page_allows_only_its_own_resources_and_no_inline_script(self):
        anonymous = ["/login/", "/register/", "/password-reset/", "/no-such-page/", "/admin/login/"]
        for path in anonymous:
            with self.subTest(path):
                self.assertEqual(self.client.get(path)["Content-Security-Policy"], POLICY)
        self.client.force_login(self.alice)
        pk = self.connection.pk
        for path in ["/home/", f"/connections/{pk}/", f"/connections/{pk}/history/", f"/connections/{Connection().pk}/"]:
            with self.subTest(path):
                self.assertEqual(self.client.get(path)["Content-Security-Policy"], POLICY)

    def test_a_redirect_and_a_refused_post_carry_it_too(self):
        self.assertEqual(self.client.get("/home/")["Content-Security-Policy"], POLICY)  # to the log-in page
        self.client.handler.enforce_csrf_checks = True
        self.assertEqual(self.client.post("/login/", {"username": "a@b.c"})["Content-Security-Policy"], POLICY)

    def test_the_portals_own_pages_have_no_inline_script_or_style_to_break(self):
        self.client.force_login(self.alice)
        for path in ["/home/", f"/connections/{self.connection.pk}/", f"/connections/{self.connection.pk}/history/"]:
            body = self.client.get(path).content.decode()
            with self.subTest(path):
                self.assertNotRegex(body, r'<script(?![^>]*\bsrc="/static/)', "a script not from the portal's own files")
                self.assertNotIn(" style=", body)
                self.assertNotIn("<style", body)
                self.assertNotRegex(body, r" on[a-z]+=")


class IdleSessionTestCase(BaseTestCase):
    """The settings' own session handling, with the idle time cut to 2 seconds so that the test can wait it out."""

    def home(self):
        return self.client.get("/home/")

    @override_settings(SESSION_COOKIE_AGE=2)
    def test_a_session_left_idle_longer_than_the_idle_time_is_signed_out(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.home().status_code, 200)
        time.sleep(2.5)
        self.assertRedirects(self.home(), "/login/?next=/home/")

    @override_settings(SESSION_COOKIE_AGE=2)
    def test_a_session_in_use_stays_signed_in_past_the_idle_time(self):
        self.client.force_login(self.alice)
        for _ in range(3):  # 3.6 s in all, never 2 s without a request
            time.sleep(1.2)
            self.assertEqual(self.home().status_code, 200)
