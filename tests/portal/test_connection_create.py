from unittest import mock

from dxconnector.portal import checklist
from tests.base import BaseTestCase


class ConnectionCreateTestCase(BaseTestCase):
    def url(self):
        return f"/connections/{self.connection.pk}/create/"

    def test_it_names_the_steps_still_to_do(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(), follow=True)
        self.assertContains(response, "Not ready yet — still to do: Xero connected, Managed solution installed in Dynamics")
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.status, "draft")

    def test_with_every_step_green_it_creates_the_connection_and_shows_the_popup(self):
        self.client.force_login(self.alice)
        with mock.patch.object(checklist, "CHECKS", [checklist.defaults_set]):
            response = self.client.post(self.url(), follow=True)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.status, "created")
        self.assertContains(response, "Your connection is working!")
        self.assertContains(response, "Back to Home")
        self.assertIsNone(self.connection.trial_started_at, "the trial starts when the pop-up is closed")

    def test_another_user_cannot_create_it(self):
        self.client.force_login(self.charlie)
        self.assertNotFound(self.client.post(self.url()))
