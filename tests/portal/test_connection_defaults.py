from tests.base import BaseTestCase


class ConnectionDefaultsTestCase(BaseTestCase):
    def url(self):
        return f"/connections/{self.connection.pk}/defaults/"

    def test_it_saves_the_name_and_time_zone(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), {"name": "Alpha AU", "time_zone": "Australia/Sydney"})
        self.assertRedirects(response, f"/connections/{self.connection.pk}/")
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.name, self.connection.time_zone), ("Alpha AU", "Australia/Sydney"))

    def test_it_rejects_an_unknown_time_zone_and_a_blank_name(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), {"name": "", "time_zone": "Mars/Olympus"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Select a valid choice.", status_code=400)
        self.assertContains(response, "This field is required.", status_code=400)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Sales")

    def test_the_checklist_asks_for_missing_defaults(self):
        self.connection.name = ""
        self.connection.time_zone = ""
        self.connection.save()
        self.client.force_login(self.alice)
        response = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(response, "Fill in the connection name and time zone under Defaults: Create Connection saves them.")

    def test_another_user_cannot_change_them(self):
        self.client.force_login(self.bob)
        self.assertNotFound(self.client.post(self.url(), {"name": "Hijacked", "time_zone": "UTC"}))
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Sales")
