from datetime import UTC, datetime

from django.utils.html import escape

from dxconnector.connections.models import Connection
from dxconnector.domain.health import Cause
from tests.base import BaseTestCase

STEPS = [
    "Connect to Xero",
    "Install the managed solution",
    "Connect to Dynamics",
    "Required access",
    "Defaults",
    "Create Connection",
]


class ConnectionDetailTestCase(BaseTestCase):
    def url(self, connection=None):
        return f"/connections/{(connection or self.connection).pk}/"

    def test_it_shows_the_steps_in_order(self):
        self.client.force_login(self.alice)
        body = self.client.get(self.url()).content.decode()
        positions = [body.index(step) for step in STEPS]
        self.assertEqual(positions, sorted(positions))

    def test_it_lists_the_required_dynamics_access(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        for table in (
            "invoice",
            "invoicedetail",
            "product",
            "systemuser",
            "account",
            "contact",
            "stl3_dynamicsxeroconnector",
            "stl3_brandingtheme",
            "stl3_chartofaccounts",
            "stl3_stellariseconnectorsettings",
        ):
            self.assertContains(response, f"<code>{table}</code>")
        self.assertContains(response, "Product (<code>product</code>): read\n")

    def test_the_checklist_shows_unbuilt_steps_as_not_done_with_tips(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        lines = {line.key: line for line in response.context["checklist"]}
        self.assertEqual(list(lines), ["xero", "solution", "dynamics", "organisation", "permissions", "defaults"])
        for key in ("xero", "solution", "dynamics", "organisation", "permissions"):
            self.assertFalse(lines[key].done)
            self.assertContains(response, escape(lines[key].tip))
        self.assertTrue(lines["defaults"].done)
        self.assertFalse(response.context["show_ready_popup"])

    def test_another_users_connection_is_not_found(self):
        for user in (self.bob, self.charlie):
            self.client.force_login(user)
            self.assertNotFound(self.client.get(self.url()))

    def test_an_unknown_id_is_not_found(self):
        self.client.force_login(self.alice)
        self.assertNotFound(self.client.get("/connections/00000000-0000-0000-0000-000000000000/"))

    def test_it_requires_login(self):
        self.assertRedirects(self.client.get(self.url()), f"/login/?next={self.url()}")

    def test_a_connection_being_set_up_shows_no_state_box(self):
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.url()), 'id="connection-state"')

    def test_a_created_connection_shows_its_state_and_every_thing_to_do_most_pressing_first(self):
        since = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
        Connection.objects.filter(pk=self.connection.pk).update(
            status=Connection.Status.CREATED, attention=Cause.XERO_CONSENT, attention_since=since
        )
        self.connection.start_trial()
        self.client.force_login(self.alice)
        body = self.client.get(self.url()).content.decode()
        self.assertIn('id="connection-state" data-state="needs_attention" role="alert"', body)
        self.assertIn('<span class="badge bad">Needs attention</span> <span class="since">since 1 Mar 2026, 09:30</span>', body)
        not_connected, consent = escape(Cause.NOT_CONNECTED.words), escape(Cause.XERO_CONSENT.words)
        self.assertLess(body.index(not_connected), body.index(consent))  # nothing signs in to a side that isn't connected
        self.assertIn("Once it is fixed, click Sync now", body)
