from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from dxconnector.portal.models import RegistrationLink, User
from tests.base import PASSWORD, BaseTestCase, email_of_length

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

    def test_registering_with_a_taken_email_answers_exactly_as_for_a_new_one(self):
        new = self.register(email="erin@example.org")
        new_page = self.client.get("/register/sent/").content.decode().replace("erin@example.org", "EMAIL")
        taken = self.register(email="ALICE@example.org")
        taken_page = self.client.get("/register/sent/").content.decode().replace("alice@example.org", "EMAIL")
        self.assertEqual((taken.status_code, taken["Location"]), (new.status_code, new["Location"]))
        self.assertEqual(taken_page, new_page)
        self.assertNotContains(taken, "already exists", status_code=302)
        self.assertEqual(User.objects.filter(email="alice@example.org").count(), 1)

    def test_the_owner_of_a_taken_email_is_told_someone_tried_to_register_and_gets_no_link(self):
        self.register(email="alice@example.org", name="Mallory")
        self.run_jobs()
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["alice@example.org"])
        self.assertEqual(message.subject, "Someone tried to register with your email")
        self.assertNotIn("/register/complete/", message.body)
        self.assertIn("http://testserver/login/", message.body)
        self.assertIn("http://testserver/password/reset/", message.body)
        self.assertFalse(RegistrationLink.objects.exists())
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.name, self.alice.company, self.alice.is_active), ("Alice Anders", "Alpha Ltd", True))

    def test_a_deactivated_user_cannot_register_again(self):
        User.objects.filter(pk=self.alice.pk).update(is_active=False)
        response = self.register(email="alice@example.org")
        self.assertRedirects(response, "/register/sent/")
        self.run_jobs()
        self.assertEqual(mail.outbox, [])
        self.assertFalse(RegistrationLink.objects.exists())
        self.alice.refresh_from_db()
        self.assertFalse(self.alice.is_active)
        self.assertTrue(self.alice.check_password(PASSWORD))

    def test_no_email_carries_the_name_or_company_a_registrant_typed(self):
        typed = {"name": "Win a prize at http://evil.example/claim", "company": "Visit https://evil.example/"}
        self.register(**typed)
        self.register(email="alice@example.org", **typed)
        self.run_jobs()
        self.assertEqual(len(mail.outbox), 2)
        for message in mail.outbox:
            for text in [message.subject, message.body, message.alternatives[0][0]]:
                self.assertNotIn("evil.example", text)
                self.assertNotIn("Win a prize", text)

    def test_registering_again_does_not_overwrite_an_unfinished_accounts_name_and_company(self):
        self.register()
        second = self.register(name="Mallory", company="Mallory Corp")
        self.assertRedirects(second, "/register/sent/")
        user = User.objects.get(email="dana@example.org")
        self.assertEqual((user.name, user.company), ("Dana Diaz", "Delta Pty"))

    def test_it_rejects_a_malformed_email_and_missing_fields(self):
        response = self.register(email="not-an-email", name="")
        self.assertContains(response, "Enter a valid email address.")
        self.assertContains(response, "This field is required.")

    def test_registering_again_before_finishing_sends_a_fresh_link(self):
        self.register()
        self.register(name="Dana D.")
        self.run_jobs()
        self.assertEqual(User.objects.filter(email="dana@example.org").count(), 1)
        self.assertEqual(len(mail.outbox), 2)
        self.assertTrue(all("/register/complete/" in message.body for message in mail.outbox))

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


class RegisterThrottleTestCase(BaseTestCase):
    def register(self, address="127.0.0.1", **changes):
        with self.captureOnCommitCallbacks(execute=True):
            return Client().post("/register/", {**FORM, **changes}, REMOTE_ADDR=address)

    def test_registering_one_email_again_and_again_cannot_flood_its_inbox(self):
        for number in range(3):
            self.assertRedirects(self.register(address=f"198.51.100.{number}"), "/register/sent/")
        response = self.register(address="198.51.100.99")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertContains(response, "registrations", status_code=429)
        self.run_jobs()
        self.assertEqual(len(mail.outbox), 3)

    def test_one_address_registering_many_emails_is_throttled(self):
        for number in range(10):
            self.register(email=f"someone{number}@example.org", address="203.0.113.5")
        self.assertEqual(self.register(email="dana@example.org", address="203.0.113.5").status_code, 429)
        self.assertFalse(User.objects.filter(email="dana@example.org").exists())
        self.assertRedirects(self.register(address="203.0.113.6"), "/register/sent/")
