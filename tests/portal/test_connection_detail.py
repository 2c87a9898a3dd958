import re
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.html import escape

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.domain.access import REQUIRED_ACCESS
from dxconnector.domain.health import Cause
from tests.base import BaseTestCase

# In the order they can be done: the solution goes into the organisation chosen when connecting to Dynamics.
STEPS = [
    "Connect to Xero",
    "Connect to Dynamics",
    "Install the managed solution",
    "Required access",
    "Defaults",
    "Create Connection",
]


def visible_text(body: str) -> str:
    """The page's text as a person reads it: without tags, attributes and the head."""
    return re.sub(r"<[^>]+>", " ", body.split("<body>", 1)[1])


class ConnectionDetailTestCase(BaseTestCase):
    def url(self, connection=None):
        return f"/connections/{(connection or self.connection).pk}/"

    def connect_xero(self, organisation: str) -> None:
        XeroConnection.objects.create(
            connection=self.connection,
            tenant_id="tenant-1",
            tenant_name=organisation,
            access_token="access",
            refresh_token="refresh",
            expires_at=timezone.now(),
        )

    def test_it_shows_the_steps_in_the_order_they_can_be_done(self):
        self.client.force_login(self.alice)
        body = self.client.get(self.url()).content.decode()
        positions = [body.index(f"{number}. {step}</h2>") for number, step in enumerate(STEPS, start=1)]
        self.assertEqual(positions, sorted(positions))

    def test_it_lists_the_required_dynamics_access_by_the_tables_names_people_know(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        for item in REQUIRED_ACCESS:
            self.assertContains(response, f"{item.label}: {item.access}")
        self.assertContains(response, "Product: read\n")
        self.assertNotIn("stl3_", visible_text(response.content.decode()))

    def test_the_install_step_says_dynamics_comes_first_and_offers_no_install_button_before(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, "Connect to Dynamics and choose your organisation first")
        self.assertNotContains(response, ">Install into Dynamics</button>")
        self.assertContains(response, "Download the solution")

    def test_the_checklist_shows_unbuilt_steps_as_not_done_with_tips_for_those_that_can_be_done_now(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        lines = {line.key: line for line in response.context["checklist"]}
        self.assertEqual(list(lines), ["xero", "dynamics", "organisation", "solution", "permissions", "defaults"])
        for key in ("xero", "dynamics"):
            self.assertFalse(lines[key].done)
            self.assertContains(response, escape(lines[key].tip))
        for key in ("organisation", "solution", "permissions"):  # each waits for Dynamics to be connected
            self.assertFalse(lines[key].done)
            self.assertTrue(lines[key].waiting)
            self.assertNotContains(response, escape(lines[key].tip))
        self.assertTrue(lines["defaults"].done)
        self.assertFalse(response.context["show_ready_popup"])

    def test_the_checklist_says_the_one_next_thing_to_do_and_highlights_it(self):
        self.client.force_login(self.alice)
        body = self.client.get(self.url()).content.decode()
        self.assertIn("<strong>Next: connect to Xero.</strong>", body)
        self.assertIn('<li class="todo next" data-check="xero">', body)
        self.assertEqual(body.count('class="todo next"'), 1)
        self.assertIn('<article class="step next" id="step-xero">', body)

    def test_once_xero_is_connected_the_next_thing_is_dynamics(self):
        self.connect_xero("Oakwood Ltd")
        self.client.force_login(self.alice)
        body = self.client.get(self.url()).content.decode()
        self.assertIn("<strong>Next: connect to Dynamics.</strong>", body)
        self.assertIn('<li class="todo next" data-check="dynamics">', body)

    def test_a_microsoft_account_in_no_organisation_is_not_dynamics_connected(self):
        DynamicsConnection.objects.create(connection=self.connection, username="newstarter@harbourlights.sandbox")
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        line = {line.key: line for line in response.context["checklist"]}["dynamics"]
        self.assertFalse(line.done)
        self.assertIn("belongs to no Dynamics organisation", line.tip)

    def test_every_status_mark_has_words_for_screen_readers(self):
        self.client.force_login(self.alice)
        body = self.client.get(self.url()).content.decode()
        self.assertIn('<span class="visually-hidden">Not done:</span> Xero connected', body)
        self.assertIn('<span class="visually-hidden">Done:</span> Defaults set', body)
        self.assertNotIn('aria-label="connected">✔', body)

    def test_check_again_reloads_the_page_to_ask_afresh(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(
            response,
            f'<form method="get" action="{self.url()}" id="check-again"><button type="submit" class="button secondary small">'
            "Check again</button></form>",
            html=True,
        )

    def test_the_free_trial_is_said_to_start_when_every_step_is_green(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, "Free trial: starts when every step is green")
        self.assertNotContains(response, "Not started")

    def test_the_heading_is_the_xero_organisations_name_before_the_defaults_are_saved(self):
        Connection.objects.filter(pk=self.connection.pk).update(name="")
        self.connect_xero("Oakwood Ltd")
        self.client.force_login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, "<h1>Oakwood Ltd</h1>", html=True)
        self.assertNotContains(response, "New Dynamics Xero Connector")

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
