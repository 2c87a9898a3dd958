from django.test import Client, override_settings

from dxconnector.portal.sign_in_limits import KNOWN_BROWSER_COOKIE
from tests.base import PASSWORD, BaseTestCase, email_of_length

SMALL_THROTTLES = {
    "login": {"address": (4, 3600), "email": (3, 3600)},
    "register": {"address": (10, 3600), "email": (3, 3600)},
    "password_reset": {"address": (10, 3600), "email": (3, 3600)},
}


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

    @override_settings(AXES_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
    def test_the_lockout_says_how_long_it_lasts_and_how_to_reset_the_password(self):
        for _ in range(3):
            locked = self.log_in(password="nope")
        self.assertContains(locked, "Try again in 15 minutes.", status_code=429)
        self.assertContains(locked, 'href="/password/reset/"', status_code=429)
        self.assertContains(self.log_in(), "Try again in 15 minutes.", status_code=429)

    @override_settings(AXES_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=180)
    def test_a_lockout_of_hours_is_said_in_hours(self):
        for _ in range(3):
            locked = self.log_in(password="nope")
        self.assertContains(locked, "Try again in 3 hours.", status_code=429)

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_resetting_the_password_lifts_the_accounts_lockout(self):
        for _ in range(3):
            self.log_in(password="nope")
        self.client.post("/password/reset/", {"email": "alice@example.org"})
        self.run_jobs()
        form_page = self.client.get(self.path_of(self.last_email_link()), follow=True)
        new_password = "a-brand-new-passphrase-2026"
        self.client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
        self.assertRedirects(self.log_in(password=new_password), "/home/")

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_a_lockout_of_one_account_leaves_others_alone(self):
        for _ in range(3):
            self.log_in(password="nope")
        self.assertRedirects(self.log_in(email="bob@example.org"), "/home/")

    def test_a_signed_in_user_is_sent_home(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/login/"), "/home/")


class LockoutAttackTestCase(BaseTestCase):
    """The lock-outs per account and per address (portal.sign_in_limits), against the two attacks on the old lock-out
    keyed on email and address together."""

    def log_in(self, client=None, email="alice@example.org", password=PASSWORD, address="127.0.0.1"):
        return (client or self.client).post("/login/", {"username": email, "password": password}, REMOTE_ADDR=address)

    def signed_in(self, client=None) -> bool:
        return "_auth_user_id" in (client or self.client).session

    def test_five_wrong_passwords_from_a_shared_address_do_not_lock_the_user_out(self):
        attacker = Client()
        for _ in range(5):
            self.log_in(attacker, password="guess", address="203.0.113.7")
        self.assertRedirects(self.log_in(address="203.0.113.7"), "/home/")

    def test_wrong_passwords_from_a_shared_address_never_lock_the_user_out_of_her_own_browser(self):
        self.assertRedirects(self.log_in(address="203.0.113.7"), "/home/")  # her browser, known from now on
        self.client.post("/logout/")
        attacker = Client()
        for _ in range(40):  # past the account's limit and the address's
            self.log_in(attacker, password="guess", address="203.0.113.7")
        self.assertEqual(self.log_in(attacker, address="203.0.113.7").status_code, 429)  # a new browser is held
        self.assertRedirects(self.log_in(address="203.0.113.7"), "/home/")
        self.assertTrue(self.signed_in())

    def test_twenty_addresses_get_no_more_guesses_than_one(self):
        for number in range(1, 21):
            self.log_in(Client(), password=f"guess-{number}", address=f"198.51.100.{number}")
        fresh = Client()
        response = self.log_in(fresh, address="198.51.100.21")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed log-ins", status_code=429)
        self.assertFalse(self.signed_in(fresh))

    def test_changing_the_case_of_the_email_buys_no_more_guesses(self):
        for number in range(1, 11):
            email = "".join(c.upper() if (number >> i) & 1 else c for i, c in enumerate("alice@example.org"))
            self.log_in(Client(), email=email, password="guess", address=f"198.51.100.{number}")
        self.assertEqual(self.log_in(Client(), address="198.51.100.99").status_code, 429)

    @override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=5)
    def test_one_address_guessing_many_emails_is_locked_but_those_accounts_are_not_elsewhere(self):
        for email in ["a@example.org", "b@example.org", "c@example.org", "bob@example.org", "charlie@example.org"]:
            self.log_in(Client(), email=email, password="guess", address="203.0.113.9")
        self.assertEqual(self.log_in(Client(), email="bob@example.org", address="203.0.113.9").status_code, 429)
        self.assertRedirects(self.log_in(Client(), email="bob@example.org", address="198.51.100.1"), "/home/")

    @override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=5)
    def test_signing_in_to_ones_own_account_does_not_buy_more_guesses_from_the_address(self):
        attacker = Client()
        for _ in range(4):
            self.log_in(attacker, email="bob@example.org", password="guess", address="203.0.113.9")
        self.assertRedirects(self.log_in(attacker, email="charlie@example.org", address="203.0.113.9"), "/home/")
        attacker.post("/logout/")
        self.log_in(attacker, email="bob@example.org", password="guess", address="203.0.113.9")
        self.assertEqual(self.log_in(attacker, email="bob@example.org", address="203.0.113.9").status_code, 429)

    def test_a_known_browser_that_keeps_failing_is_held_like_any_other(self):
        self.assertRedirects(self.log_in(), "/home/")
        self.client.post("/logout/")
        self.assertIn(KNOWN_BROWSER_COOKIE, self.client.cookies)
        for _ in range(10):
            self.log_in(password="guess")
        self.assertEqual(self.log_in().status_code, 429)
        self.assertFalse(self.signed_in())

    def test_another_accounts_known_browser_is_no_key_to_this_one(self):
        self.assertRedirects(self.log_in(email="charlie@example.org"), "/home/")
        self.client.post("/logout/")
        for _ in range(10):
            self.log_in(password="guess")
        self.assertEqual(self.log_in().status_code, 429)


@override_settings(THROTTLES=SMALL_THROTTLES)
class LoginThrottleTestCase(BaseTestCase):
    def log_in(self, email="alice@example.org", password=PASSWORD, address="127.0.0.1"):
        return Client().post("/login/", {"username": email, "password": password}, REMOTE_ADDR=address)

    def test_log_ins_for_one_email_are_throttled_from_any_address_with_a_clear_429(self):
        for number in range(3):
            self.assertRedirects(self.log_in(address=f"198.51.100.{number}"), "/home/")
        response = self.log_in(address="198.51.100.50")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many attempts", status_code=429)
        self.assertContains(response, "Try again in 60 minutes", status_code=429)
        self.assertEqual(response["Retry-After"], "3600")

    def test_log_ins_from_one_address_are_throttled_whatever_the_email(self):
        for email in ["alice@example.org", "bob@example.org", "charlie@example.org", "dana@example.org"]:
            self.log_in(email=email, address="203.0.113.5")
        self.assertEqual(self.log_in(email="eve@example.org", address="203.0.113.5").status_code, 429)
        self.assertRedirects(self.log_in(email="bob@example.org", address="203.0.113.6"), "/home/")


class LogoutTestCase(BaseTestCase):
    def test_it_signs_out(self):
        self.client.force_login(self.alice)
        response = self.client.post("/logout/")
        self.assertRedirects(response, "/login/")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertRedirects(self.client.get("/home/"), "/login/?next=/home/")
