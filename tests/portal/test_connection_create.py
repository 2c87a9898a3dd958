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

    def test_when_dynamics_cannot_take_the_settings_it_stays_a_draft(self):
        self.client.force_login(self.alice)
        with mock.patch.object(checklist, "CHECKS", [checklist.defaults_set]):
            response = self.client.post(self.url(), follow=True)
        self.assertContains(response, "could not be written to Dynamics")
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.status, "draft")
        self.assertNotContains(response, "Your connection is working!")

    def test_another_user_cannot_create_it(self):
        self.client.force_login(self.charlie)
        self.assertNotFound(self.client.post(self.url()))
