from django.utils.html import escape

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
