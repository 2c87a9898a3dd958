from django.test import override_settings

from tests.base import PASSWORD, BaseTestCase, email_of_length


class LoginTestCase(BaseTestCase):
    def log_in(self, email="alice@example.org", password=PASSWORD):
        return self.client.post("/login/", {"username": email, "password": password})

    def test_it_signs_in_with_email_and_password(self):
        response = self.log_in(email="Alice@Example.org")
        self.assertRedirects(response, "/home/")
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.alice.pk)

    def test_it_rejects_a_wrong_password_with_a_clear_message(self):
        response = self.log_in(password="wrong-password")
        self.assertContains(response, "That email and password don&#x27;t match an account.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_300_character_email_at_log_in_is_refused_with_a_clear_message_not_a_500(self):
        response = self.log_in(email=email_of_length(300, "alice"))
        self.assertContains(response, "An email address can be at most 254 characters long.")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_unfinished_registration_cannot_log_in(self):
        self.alice.is_active = False
        self.alice.save()
        response = self.log_in()
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(response.status_code, 200)

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_it_locks_out_after_repeated_failures(self):
        for _ in range(2):
            self.assertEqual(self.log_in(password="nope").status_code, 200)
        locked = self.log_in(password="nope")
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Too many failed log-ins", status_code=429)
        # Even the right password is refused while locked.
        self.assertEqual(self.log_in().status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_a_lockout_of_one_account_leaves_others_alone(self):
        for _ in range(3):
            self.log_in(password="nope")
        self.assertRedirects(self.log_in(email="bob@example.org"), "/home/")

    def test_a_signed_in_user_is_sent_home(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/login/"), "/home/")


class LogoutTestCase(BaseTestCase):
    def test_it_signs_out(self):
        self.client.force_login(self.alice)
        response = self.client.post("/logout/")
        self.assertRedirects(response, "/login/")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertRedirects(self.client.get("/home/"), "/login/?next=/home/")
