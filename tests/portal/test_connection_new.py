from dxconnector.connections.models import Connection
from tests.base import BaseTestCase


class ConnectionNewTestCase(BaseTestCase):
    def test_it_creates_a_draft_and_opens_its_page(self):
        self.client.force_login(self.bob)
        response = self.client.post("/connections/new/", {"kind": "dynamics_xero"})
        connection = Connection.objects.get(owner=self.bob)
        self.assertRedirects(response, f"/connections/{connection.pk}/")
        self.assertEqual((connection.status, connection.kind), ("draft", "dynamics_xero"))

    def test_it_rejects_an_unknown_kind(self):
        self.client.force_login(self.bob)
        response = self.client.post("/connections/new/", {"kind": "salesforce_quickbooks"}, follow=True)
        self.assertContains(response, "Choose a connector type from the list.")
        self.assertFalse(Connection.objects.filter(owner=self.bob).exists())

    def test_it_only_accepts_post(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get("/connections/new/").status_code, 405)

    def test_it_requires_login(self):
        response = self.client.post("/connections/new/", {"kind": "dynamics_xero"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Connection.objects.count(), 1)
