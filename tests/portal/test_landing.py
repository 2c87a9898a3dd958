from tests.base import BaseTestCase


class LandingTestCase(BaseTestCase):
    def test_it_says_what_this_is_to_a_visitor(self):
        response = self.client.get("/")
        self.assertContains(response, "Keep Dynamics 365 and Xero in step")
        self.assertContains(response, "Invoices made in Microsoft Dynamics 365 land in Xero")

    def test_it_offers_the_free_trial_and_log_in(self):
        page = self.client.get("/").content.decode().split("<main", 1)[1]  # the header's own links aside
        self.assertIn('href="/register/">Start free trial</a>', page)
        self.assertIn('href="/login/">Log in</a>', page)

    def test_a_logged_in_user_goes_home(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get("/"), "/home/")
