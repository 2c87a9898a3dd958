from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

from dxconnector.portal import accounts
from dxconnector.portal.models import RegistrationLink, User
from tests.base import BaseTestCase

NEW_PASSWORD = "a-long-and-unusual-passphrase"


class RegisterCompleteTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.dana = User.objects.create_user("dana@example.org", name="Dana Diaz", is_active=False)
        self.link, self.token = RegistrationLink.issue(self.dana)
        self.url = f"/register/complete/{self.token}/"

    def set_password(self, first=NEW_PASSWORD, second=None):
        return self.client.post(self.url, {"password1": first, "password2": second or first})

    def test_it_asks_for_a_password(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Set your password")
        self.assertContains(response, "dana@example.org")

    def test_it_activates_the_account_and_signs_the_user_in(self):
        response = self.set_password()
        self.assertRedirects(response, "/home/", fetch_redirect_response=False)
        self.dana.refresh_from_db()
        self.assertTrue(self.dana.is_active)
        self.assertTrue(self.dana.check_password(NEW_PASSWORD))
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.dana.pk)
        self.assertContains(self.client.get("/home/"), "Welcome! Your registration is complete.")

    def test_a_deactivated_user_cannot_reactivate_with_a_link(self):
        """Alice finished registering long ago; the operator switched her off. A link issued to her account (left over, or
        made before the switch-off) must not switch her back on."""
        _link, token = RegistrationLink.issue(self.alice)
        User.objects.filter(pk=self.alice.pk).update(is_active=False)
        url = f"/register/complete/{token}/"
        self.assertContains(self.client.get(url), "switched off", status_code=410)
        response = self.client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertContains(response, "switched off", status_code=410)
        self.alice.refresh_from_db()
        self.assertFalse(self.alice.is_active)
        self.assertFalse(self.alice.check_password(NEW_PASSWORD))
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_user_switched_off_while_the_form_is_open_is_not_reactivated(self):
        self.dana.activated_at = timezone.now()
        self.dana.save()  # activated once, then switched off by the operator (is_active stays False)
        with self.assertRaises(accounts.AccountSwitchedOff):
            accounts.complete_registration(self.link, NEW_PASSWORD)
        self.dana.refresh_from_db()
        self.assertFalse(self.dana.is_active)

    def test_the_link_works_only_once(self):
        self.set_password()
        self.client.logout()
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 410)
        self.assertContains(response, "already been used", status_code=410)

    def test_an_expired_link_says_so(self):
        RegistrationLink.objects.filter(pk=self.link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        response = self.set_password()
        self.assertContains(response, "This link has expired", status_code=410)
        self.dana.refresh_from_db()
        self.assertFalse(self.dana.is_active)

    def test_the_link_lasts_48_hours(self):
        self.assertAlmostEqual((self.link.expires_at - self.link.created_at).total_seconds(), 48 * 3600)

    def test_an_unknown_link_is_not_found(self):
        response = self.client.get("/register/complete/not-a-real-token/")
        self.assertContains(response, "This link isn&#x27;t valid", status_code=404)

    def test_it_rejects_a_weak_password(self):
        response = self.set_password("password")
        self.assertContains(response, "This password is too common.")
        self.assertContains(response, "This password is too short.")
        self.dana.refresh_from_db()
        self.assertFalse(self.dana.is_active)
        self.assertIsNone(RegistrationLink.objects.get(pk=self.link.pk).used_at)

    def test_it_rejects_passwords_that_differ(self):
        response = self.set_password(NEW_PASSWORD, NEW_PASSWORD + "x")
        self.assertContains(response, "The two passwords don&#x27;t match.")

    def test_finishing_with_one_link_retires_the_others(self):
        _, other_token = RegistrationLink.issue(self.dana)
        self.set_password()
        self.client.logout()
        self.assertEqual(self.client.get(f"/register/complete/{other_token}/").status_code, 410)

    def test_it_shows_the_password_rules_before_anything_is_typed(self):
        response = self.client.get(self.url)
        self.assertContains(response, 'id="password-rules"')
        self.assertContains(response, "Your password must contain at least 10 characters.")
        self.assertContains(response, 'aria-describedby="password-rules"')

    def test_a_used_link_offers_log_in(self):
        self.set_password()
        self.client.logout()
        response = self.client.get(self.url)
        self.assertContains(response, 'class="button" href="/login/"', status_code=410)
        self.assertNotContains(response, "Send me a new link", status_code=410)


class ExpiredRegistrationLinkTestCase(BaseTestCase):
    """Dana registered but opened her link too late. She has no password yet, so "Log in" and an empty registration
    form would both be dead ends: the page's way forward is a new link."""

    def setUp(self):
        super().setUp()
        self.dana = User.objects.create_user("dana@example.org", name="Dana Diaz", is_active=False)
        link, self.token = RegistrationLink.issue(self.dana)
        RegistrationLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.url = f"/register/complete/{self.token}/"

    def ask_for_a_new_link(self, client=None, address="127.0.0.1"):
        with self.captureOnCommitCallbacks(execute=True):
            response = (client or self.client).post(f"{self.url}new-link/", REMOTE_ADDR=address)
        self.run_jobs()
        return response

    def test_it_offers_a_new_link_instead_of_log_in_or_register(self):
        response = self.client.get(self.url)
        self.assertContains(response, "This link has expired. We can email you a new one", status_code=410)
        self.assertContains(response, "Send me a new link", status_code=410)
        page = response.content.decode().split("<main", 1)[1]  # the header's own links aside
        self.assertNotIn('href="/login/"', page)
        self.assertNotIn('href="/register/"', page)

    def test_the_new_link_goes_to_the_accounts_email_and_completes_the_registration(self):
        response = self.ask_for_a_new_link()
        self.assertRedirects(response, "/register/sent/")
        self.assertEqual([message.to for message in mail.outbox], [["dana@example.org"]])
        new_link = self.path_of(self.last_email_link())
        done = self.client.post(new_link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        self.assertRedirects(done, "/home/", fetch_redirect_response=False)
        self.dana.refresh_from_db()
        self.assertTrue(self.dana.is_active)

    def test_the_sent_page_names_no_email(self):
        self.ask_for_a_new_link()
        response = self.client.get("/register/sent/")
        self.assertNotContains(response, "dana@example.org")
        self.assertContains(response, "your email address")

    def test_an_account_that_finished_registering_gets_no_link_and_is_told_to_log_in(self):
        self.dana.is_active = True
        self.dana.save()
        response = self.ask_for_a_new_link()
        self.assertContains(response, "already been used", status_code=410)
        self.assertEqual(mail.outbox, [])

    def test_a_switched_off_account_gets_no_link(self):
        self.dana.activated_at = timezone.now()
        self.dana.save()
        response = self.ask_for_a_new_link()
        self.assertContains(response, "switched off", status_code=410)
        self.assertEqual(mail.outbox, [])

    def test_an_unknown_link_sends_nothing(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/register/complete/not-a-real-token/new-link/")
        self.run_jobs()
        self.assertEqual(response.status_code, 404)
        self.assertEqual(mail.outbox, [])

    def test_asking_again_and_again_cannot_flood_the_inbox(self):
        for number in range(3):
            self.assertRedirects(self.ask_for_a_new_link(Client(), f"198.51.100.{number}"), "/register/sent/")
        response = self.ask_for_a_new_link(Client(), "198.51.100.99")
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertEqual(len(mail.outbox), 3)

    def test_it_only_accepts_post(self):
        self.assertEqual(self.client.get(f"{self.url}new-link/").status_code, 405)
