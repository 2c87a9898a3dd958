from django.core import mail
from django_tasks_db.models import DBTaskResult

from dxconnector.portal.models import RegistrationLink, User
from tests.base import BaseTestCase, email_of_length

FORM = {"name": "Dana Diaz", "company": "Delta Pty", "email": "Dana@Example.org", "accept_terms": "on"}


class RegisterTestCase(BaseTestCase):
    def register(self, **changes):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post("/register/", {**FORM, **changes})

    def test_it_shows_the_form_without_asking_for_a_card(self):
        response = self.client.get("/register/")
        self.assertContains(response, "Register for a free trial")
        self.assertContains(response, "No credit card needed")
        self.assertNotContains(response, "card number")

    def test_it_creates_an_inactive_account_and_queues_the_email(self):
        response = self.register()
        self.assertRedirects(response, "/register/sent/")
        user = User.objects.get(email="dana@example.org")
        self.assertEqual((user.name, user.company, user.is_active), ("Dana Diaz", "Delta Pty", False))
        self.assertFalse(user.has_usable_password())
        self.assertIsNotNone(user.accepted_terms_at)
        self.assertEqual(DBTaskResult.objects.filter(task_path__endswith="send_registration_email").count(), 1)
        self.assertEqual(mail.outbox, [], "the email goes through the worker, not the request")

    def test_the_worker_sends_the_email_in_text_and_html(self):
        self.register()
        self.run_jobs()
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["dana@example.org"])
        self.assertIn("Complete your", message.subject)
        link = self.last_email_link()
        self.assertTrue(link.startswith("http://testserver/register/complete/"))
        html, mime = message.alternatives[0]
        self.assertEqual(mime, "text/html")
        self.assertIn(link, html)
        self.assertIn("48 hours", message.body)

    def test_it_stores_only_a_hash_of_the_link_token(self):
        self.register()
        self.run_jobs()
        token = self.last_email_link().rstrip("/").rsplit("/", 1)[-1]
        stored = RegistrationLink.objects.get()
        self.assertNotIn(token, stored.token_hash)
        self.assertEqual(RegistrationLink.find(token), stored)

    def test_it_confirms_where_the_link_went(self):
        self.register()
        response = self.client.get("/register/sent/")
        self.assertContains(response, "dana@example.org")

    def test_it_requires_the_terms(self):
        response = self.register(accept_terms="")
        self.assertContains(response, "Please accept the terms and conditions to register.")
        self.assertFalse(User.objects.filter(email="dana@example.org").exists())

    def test_it_rejects_an_email_that_is_taken(self):
        response = self.register(email="ALICE@example.org")
        self.assertContains(response, "An account with this email already exists")
        self.assertEqual(User.objects.filter(email="alice@example.org").count(), 1)
        self.assertFalse(DBTaskResult.objects.exists())

    def test_it_rejects_a_malformed_email_and_missing_fields(self):
        response = self.register(email="not-an-email", name="")
        self.assertContains(response, "Enter a valid email address.")
        self.assertContains(response, "This field is required.")

    def test_registering_again_before_finishing_sends_a_fresh_link(self):
        self.register()
        self.register(name="Dana D.")
        self.run_jobs()
        self.assertEqual(User.objects.filter(email="dana@example.org").count(), 1)
        self.assertEqual(User.objects.get(email="dana@example.org").name, "Dana D.")
        self.assertEqual(len(mail.outbox), 2)

    def test_a_signed_in_user_goes_home(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/register/"), "/home/")

    def test_a_300_character_email_is_refused_with_a_clear_message_and_nothing_is_stored(self):
        response = self.register(email=email_of_length(300, "dana"))
        self.assertContains(response, "An email address can be at most 254 characters long.")
        self.assertFalse(User.objects.filter(name="Dana Diaz").exists())

    def test_a_254_character_email_the_longest_stored_is_taken(self):
        self.assertRedirects(self.register(email=email_of_length(254, "dana")), "/register/sent/")
        self.assertEqual(len(User.objects.get(name="Dana Diaz").email), 254)
