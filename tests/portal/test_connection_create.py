"""Create Connection: the checklist checked live, then the work over the network as a job whose steps and result
the connection page shows."""

from unittest import mock

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.portal import checklist, creation
from tests.base import BaseTestCase

JOB = "dxconnector.portal.tasks.create_connection"


class ConnectionCreateTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def url(self):
        return f"/connections/{self.connection.pk}/create/"

    def page(self):
        return self.client.get(f"/connections/{self.connection.pk}/")

    def ready(self):
        checks = mock.patch.object(checklist, "CHECKS", [checklist.defaults_set])
        checks.start()
        self.addCleanup(checks.stop)

    def connect_both(self):
        XeroConnection.objects.create(connection=self.connection, expires_at=timezone.now())
        DynamicsConnection.objects.create(connection=self.connection)

    def test_it_names_the_steps_still_to_do(self):
        response = self.client.post(self.url(), follow=True)
        self.assertContains(
            response, "Not ready yet — still to do: Xero connected, Dynamics connected, Dynamics organisation selected"
        )
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.status, self.connection.setup_state), ("draft", ""))
        self.assertFalse(DBTaskResult.objects.filter(task_path=JOB).exists())

    def test_the_work_is_queued_as_a_job_and_the_page_shows_it_under_way_and_looks_again(self):
        self.ready()
        self.client.post(self.url())
        self.assertEqual(
            [job.args_kwargs["args"] for job in DBTaskResult.objects.filter(task_path=JOB)], [[str(self.connection.pk)]]
        )
        page = self.page()
        self.assertContains(page, "Creating the connection…")
        self.assertContains(page, "Waiting for a worker to take it.")
        self.assertContains(page, 'id="setup" data-look-again="3"', html=False)  # refresh.js looks again
        self.assertNotContains(page, ">Create Connection</button>")

    def test_asking_again_while_it_is_under_way_queues_nothing_more(self):
        self.ready()
        self.client.post(self.url())
        response = self.client.post(self.url(), follow=True)
        self.assertContains(response, "Create Connection is under way already.")
        self.assertEqual(DBTaskResult.objects.filter(task_path=JOB).count(), 1)

    def test_when_dynamics_cannot_take_the_settings_it_stays_a_draft_and_says_why(self):
        self.ready()
        self.client.post(self.url())
        self.run_jobs()
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.status, self.connection.setup_state), ("draft", "failed"))
        page = self.page()
        self.assertContains(page, "could not be written to Dynamics")
        self.assertContains(page, "Try Create Connection again")
        self.assertNotContains(page, "Your connection is working!")
        self.assertNotContains(page, "data-look-again", html=False)

    def test_an_error_nobody_foresaw_fails_the_job_with_a_word_not_for_ever_running(self):
        self.ready()
        self.connect_both()
        self.client.post(self.url())
        with (
            mock.patch("dxconnector.portal.creation.write_connection_rows", side_effect=RuntimeError("boom")),
            self.assertLogs("dxconnector.portal.creation", "ERROR"),
        ):
            creation.create(str(self.connection.pk))
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.setup_state, Connection.SetupState.FAILED)
        self.assertIn("unexpected error", self.connection.setup_error)

    def test_another_user_cannot_create_it(self):
        self.client.force_login(self.charlie)
        self.assertNotFound(self.client.post(self.url()))


class CreateConnectionSavesTheDefaultsTestCase(BaseTestCase):
    """Create Connection takes the Defaults as filled in on the page: no "Save defaults" click first."""

    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)
        Connection.objects.filter(pk=self.connection.pk).update(name="", time_zone="")
        checks = mock.patch.object(checklist, "CHECKS", [checklist.defaults_set])
        checks.start()
        self.addCleanup(checks.stop)

    def test_the_defaults_as_filled_in_are_saved_and_the_job_queued(self):
        response = self.client.post(
            f"/connections/{self.connection.pk}/create/", {"name": "Oakwood invoices", "time_zone": "Europe/London"}
        )
        self.assertRedirects(response, f"/connections/{self.connection.pk}/", fetch_redirect_response=False)
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.name, self.connection.time_zone), ("Oakwood invoices", "Europe/London"))
        self.assertEqual(self.connection.setup_state, "queued")
        self.assertEqual(DBTaskResult.objects.filter(task_path=JOB).count(), 1)

    def test_defaults_that_do_not_hold_are_shown_again_and_nothing_is_queued(self):
        response = self.client.post(f"/connections/{self.connection.pk}/create/", {"name": "", "time_zone": "Mars/Olympus"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "This field is required.", status_code=400)
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.name, self.connection.setup_state), ("", ""))
        self.assertFalse(DBTaskResult.objects.filter(task_path=JOB).exists())

    def test_the_create_button_submits_the_defaults_form(self):
        page = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(page, 'id="defaults-form"')
        self.assertContains(
            page, f'form="defaults-form" formaction="/connections/{self.connection.pk}/create/">Create Connection</button>'
        )
