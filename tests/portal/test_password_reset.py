from django.core import mail
from django.test import Client

from dxconnector.portal.models import User
from tests.base import BaseTestCase

NEW_PASSWORD = "another-long-passphrase-2026"


class PasswordResetTestCase(BaseTestCase):
    def ask_for_reset(self, email="alice@example.org"):
        response = self.client.post("/password/reset/", {"email": email})
        self.run_jobs()
        return response

    def test_it_emails_a_reset_link_through_the_worker(self):
        response = self.ask_for_reset()
        self.assertRedirects(response, "/password/reset/sent/")
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        self.assertEqual(mail.outbox[0].alternatives[0][1], "text/html")
        self.assertIn("/password/reset/", self.last_email_link())

    def test_it_does_not_reveal_unknown_emails(self):
        response = self.ask_for_reset("nobody@example.org")
        self.assertRedirects(response, "/password/reset/sent/")
        self.assertEqual(mail.outbox, [])

    def test_the_link_sets_a_new_password_once(self):
        self.ask_for_reset()
        link = self.path_of(self.last_email_link())
        form_page = self.client.get(link, follow=True)
        self.assertContains(form_page, "Choose a new password")
        set_url = form_page.redirect_chain[-1][0]
        done = self.client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        self.assertRedirects(done, "/password/reset/done/")
        self.alice.refresh_from_db()
        self.assertTrue(self.alice.check_password(NEW_PASSWORD))
        again = self.client.get(link, follow=True)
        self.assertContains(again, "invalid, possibly because it has already been used")

    def test_someone_who_never_finished_registering_gets_a_new_registration_link_instead(self):
        User.objects.create_user("dana@example.org", name="Dana Diaz", is_active=False)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/password/reset/", {"email": "Dana@example.org"})
        self.run_jobs()
        self.assertRedirects(response, "/password/reset/sent/")
        self.assertEqual([message.to for message in mail.outbox], [["dana@example.org"]])
        self.assertIn("/register/complete/", self.last_email_link())

    def test_a_switched_off_account_gets_nothing(self):
        User.objects.filter(pk=self.alice.pk).update(is_active=False)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/password/reset/", {"email": "alice@example.org"})
        self.run_jobs()
        self.assertEqual(mail.outbox, [])

    def test_it_shows_the_password_rules_before_anything_is_typed(self):
        self.ask_for_reset()
        form_page = self.client.get(self.path_of(self.last_email_link()), follow=True)
        self.assertContains(form_page, 'id="password-rules"')
        self.assertContains(form_page, "Your password must contain at least 10 characters.")
        self.assertContains(form_page, 'aria-describedby="password-rules"')

    def test_it_rejects_a_weak_new_password(self):
        self.ask_for_reset()
        form_page = self.client.get(self.path_of(self.last_email_link()), follow=True)
        response = self.client.post(form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})
        self.assertContains(response, "This password is entirely numeric.")


class PasswordResetThrottleTestCase(BaseTestCase):
    def ask(self, email="alice@example.org", address="127.0.0.1"):
        return Client().post("/password/reset/", {"email": email}, REMOTE_ADDR=address)

    def test_resets_for_one_email_from_many_addresses_cannot_flood_its_inbox(self):
        for number in range(3):
            self.assertRedirects(self.ask(address=f"198.51.100.{number}"), "/password/reset/sent/")
        response = self.ask(address="198.51.100.99")
        self.assertContains(response, "password resets", status_code=429)
        self.run_jobs()
        self.assertEqual(len(mail.outbox), 3)

    def test_one_address_asking_for_many_emails_is_throttled(self):
        for number in range(10):
            self.ask(email=f"someone{number}@example.org", address="203.0.113.5")
        self.assertEqual(self.ask(address="203.0.113.5").status_code, 429)
        self.assertRedirects(self.ask(address="203.0.113.6"), "/password/reset/sent/")
