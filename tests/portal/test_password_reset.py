from django.core import mail

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

    def test_it_rejects_a_weak_new_password(self):
        self.ask_for_reset()
        form_page = self.client.get(self.path_of(self.last_email_link()), follow=True)
        response = self.client.post(form_page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})
        self.assertContains(response, "This password is entirely numeric.")
