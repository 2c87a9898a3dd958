from django.utils import timezone

from dxconnector.connections.models import Connection, XeroConnection
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

    def test_a_second_click_opens_the_untouched_new_connection_instead_of_a_twin(self):
        self.client.force_login(self.bob)
        first = self.client.post("/connections/new/", {"kind": "dynamics_xero"})
        second = self.client.post("/connections/new/", {"kind": "dynamics_xero"})
        connection = Connection.objects.get(owner=self.bob)
        self.assertRedirects(first, f"/connections/{connection.pk}/", fetch_redirect_response=False)
        self.assertRedirects(second, f"/connections/{connection.pk}/", fetch_redirect_response=False)

    def test_a_new_connection_with_a_side_connected_is_not_reused(self):
        self.client.force_login(self.bob)
        self.client.post("/connections/new/", {"kind": "dynamics_xero"})
        started = Connection.objects.get(owner=self.bob)
        XeroConnection.objects.create(connection=started, tenant_id="tenant-2", expires_at=timezone.now())
        response = self.client.post("/connections/new/", {"kind": "dynamics_xero"})
        fresh = Connection.objects.exclude(pk=started.pk).get(owner=self.bob)
        self.assertRedirects(response, f"/connections/{fresh.pk}/", fetch_redirect_response=False)

    def test_a_named_connection_is_not_reused(self):
        self.client.force_login(self.alice)
        self.client.post("/connections/new/", {"kind": "dynamics_xero"})
        self.assertEqual(Connection.objects.filter(owner=self.alice).count(), 2)  # Alpha Sales, and the new one

    def test_another_users_untouched_connection_is_never_opened(self):
        Connection.objects.create(owner=self.charlie)
        self.client.force_login(self.bob)
        response = self.client.post("/connections/new/", {"kind": "dynamics_xero"})
        mine = Connection.objects.get(owner=self.bob)
        self.assertRedirects(response, f"/connections/{mine.pk}/", fetch_redirect_response=False)
