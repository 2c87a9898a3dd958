from datetime import timedelta

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
