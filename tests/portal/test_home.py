from datetime import timedelta

from django.utils import timezone

from dxconnector.connections.models import Connection
from tests.base import BaseTestCase


class HomeTestCase(BaseTestCase):
    def test_it_requires_login(self):
        self.assertRedirects(self.client.get("/home/"), "/login/?next=/home/")

    def test_it_lists_only_the_users_own_connections(self):
        Connection.objects.create(owner=self.bob, name="Beta Wholesale")
        self.client.force_login(self.alice)
        response = self.client.get("/home/")
        self.assertContains(response, "Alpha Sales")
        self.assertNotContains(response, "Beta Wholesale")

    def test_it_offers_the_new_connection_dropdown(self):
        self.client.force_login(self.charlie)
        response = self.client.get("/home/")
        self.assertContains(response, "Create a New Connection")
        self.assertContains(response, "New Dynamics Xero Connector")
        self.assertContains(response, "No connections yet")

    def test_it_shows_the_trial_days_left(self):
        self.connection.start_trial(timezone.now() - timedelta(days=10, hours=1))
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/home/"), "20 days left")

    def test_it_shows_a_trial_that_has_not_started_and_one_that_ended(self):
        ended = Connection.objects.create(owner=self.alice, name="Old One")
        ended.start_trial(timezone.now() - timedelta(days=31))
        self.client.force_login(self.alice)
        response = self.client.get("/home/")
        self.assertContains(response, "Not started")
        self.assertContains(response, "Ended — syncing paused")
        self.assertContains(response, "Setup incomplete")

    def test_it_shows_when_the_connection_last_synced(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/home/"), "Never")
        Connection.objects.filter(pk=self.connection.pk).update(last_synced_at=timezone.now() - timedelta(minutes=5))
        self.assertContains(self.client.get("/home/"), "5\xa0minutes ago")
