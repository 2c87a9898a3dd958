from dxconnector.connections.models import Connection
from tests.base import BaseTestCase


class ConnectionRenameTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.url = f"/connections/{self.connection.pk}/rename/"
        self.client.force_login(self.alice)

    def rename(self, name):
        return self.client.post(self.url, {"name": name})

    def test_it_shows_the_current_name_to_change(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Rename “Alpha Sales”")
        self.assertContains(response, 'value="Alpha Sales"')

    def test_it_renames_the_connection_and_says_so_on_home(self):
        response = self.rename("  Alpha   Wholesale ")
        self.assertRedirects(response, "/home/", fetch_redirect_response=False)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Wholesale")
        home = self.client.get("/home/")
        self.assertContains(home, "“Alpha Sales” is now called “Alpha Wholesale”.")

    def test_it_refuses_an_empty_name_and_keeps_the_old_one(self):
        response = self.rename("   ")
        self.assertContains(response, "Enter a name for the connection.", status_code=400)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Sales")

    def test_it_refuses_a_name_longer_than_the_connection_can_hold_and_keeps_what_was_typed(self):
        response = self.rename("x" * 121)
        self.assertContains(response, "A connection name can be at most 120 characters long.", status_code=400)
        self.assertContains(response, "x" * 121, status_code=400)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Sales")

    def test_it_takes_a_name_of_exactly_120_characters(self):
        self.assertRedirects(self.rename("y" * 120), "/home/")
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "y" * 120)

    def test_it_refuses_the_name_of_another_of_the_owners_connections(self):
        Connection.objects.create(owner=self.alice, name="Alpha Retail")
        response = self.rename("alpha retail")
        self.assertContains(response, "You already have a connection called “alpha retail”.", status_code=400)

    def test_another_users_connection_with_the_same_name_is_no_obstacle(self):
        Connection.objects.create(owner=self.bob, name="Beta Sales")
        self.assertRedirects(self.rename("Beta Sales"), "/home/")

    def test_a_connection_being_deleted_is_not_renamed(self):
        Connection.objects.filter(pk=self.connection.pk).update(deletion_state="failed")
        response = self.rename("Too late")
        self.assertRedirects(response, f"/connections/{self.connection.pk}/delete/", fetch_redirect_response=False)
        self.assertMessage(self.client.get(response.url), "“Alpha Sales” is being deleted, so it can&#x27;t be renamed.")
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Sales")

    def test_another_users_connection_cannot_be_renamed(self):
        self.client.force_login(self.bob)
        self.assertNotFound(self.client.get(self.url))
        self.assertNotFound(self.rename("Mine now"))
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.name, "Alpha Sales")

    def test_it_requires_login(self):
        self.client.logout()
        self.assertRedirects(self.client.get(self.url), f"/login/?next={self.url}")
