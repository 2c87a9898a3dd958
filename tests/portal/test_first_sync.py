"""The connection's first sync is queued as soon as it may run: on Create Connection when it may sync already,
else when closing the pop-up starts the free trial."""

from unittest import mock

from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import (
    Connection,
)
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.portal import checklist, creation
from dxconnector.sync import queue
from tests.base import BaseTestCase

ONLY_DEFAULTS = [checklist.defaults_set]


class FirstSyncTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.connect_both_sides()
        self.client.force_login(self.alice)
        checks = mock.patch.object(checklist, "CHECKS", ONLY_DEFAULTS)
        checks.start()
        self.addCleanup(checks.stop)

    def create(self, **kwargs):
        # Dynamics and Xero are not reachable here: the rows' writer and the lists' reader stand in for them.
        with (
            mock.patch("dxconnector.portal.creation.write_connection_rows", **kwargs) as write,
            mock.patch("dxconnector.sync.api.refresh_reference_lists"),
        ):
            response = self.client.post(f"/connections/{self.connection.pk}/create/")
            creation.create(str(self.connection.pk))  # the job it queued
        self.assertEqual(response.status_code, 302)
        return write

    def start_trial(self):
        return self.client.post(f"/connections/{self.connection.pk}/start-trial/", {"next": "/home/"})

    def queued(self):
        jobs = DBTaskResult.objects.filter(task_path="dxconnector.sync.tasks.sync_connection")
        return [job.args_kwargs["args"] for job in jobs]

    def test_create_connection_queues_one_sync_when_the_connection_may_sync(self):
        Connection.objects.filter(pk=self.connection.pk).update(subscription_active=True)
        write = self.create()
        write.assert_called_once()
        self.assertEqual(self.queued(), [[str(self.connection.pk), "created"]])

    def test_a_new_connection_queues_its_first_sync_when_the_trial_starts(self):
        self.create()
        self.assertEqual(self.queued(), [], "a sync before the trial starts would only be paused")
        self.start_trial()
        self.assertEqual(self.queued(), [[str(self.connection.pk), "created"]])

    def test_closing_the_popup_again_queues_nothing_more(self):
        self.create()
        self.start_trial()
        queue.started(self.connection.pk)  # the first sync began: a new request would queue another
        self.start_trial()
        self.assertEqual(len(self.queued()), 1)

    def test_creating_again_while_the_first_sync_waits_queues_no_second_one(self):
        Connection.objects.filter(pk=self.connection.pk).update(subscription_active=True)
        self.create()
        self.create()
        self.assertEqual(len(self.queued()), 1)

    def test_nothing_is_queued_when_dynamics_cannot_take_the_settings(self):
        Connection.objects.filter(pk=self.connection.pk).update(subscription_active=True)
        self.create(side_effect=DynamicsError("unavailable"))
        self.assertEqual(self.queued(), [])
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.status, "draft")

    def test_xeros_lists_failing_to_load_does_not_stop_create_connection(self):
        with (
            mock.patch("dxconnector.portal.creation.write_connection_rows"),
            mock.patch("dxconnector.sync.api.refresh_reference_lists", side_effect=DynamicsError("Dynamics is down")),
            self.assertLogs("dxconnector.portal.creation", "WARNING") as logged,
        ):
            response = self.client.post(f"/connections/{self.connection.pk}/create/")
            creation.create(str(self.connection.pk))
        self.assertEqual(response.status_code, 302)
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.status, Connection.Status.CREATED)
        self.assertIn("wait for the first sync", logged.output[0])


class DefaultsBackfillTestCase(BaseTestCase):
    def test_the_defaults_take_a_sales_account_code_and_a_sync_from_date(self):
        # A code already saved is not asked of Xero again (a new one is checked against its chart of accounts:
        # test_connection_defaults), so this needs no Xero.
        Connection.objects.filter(pk=self.connection.pk).update(default_sales_account_code="200")
        self.client.force_login(self.alice)
        self.client.post(
            f"/connections/{self.connection.pk}/defaults/",
            {
                "name": "Alpha Sales",
                "time_zone": "Europe/London",
                "default_sales_account_code": " 200 ",
                "sync_invoices_from": "2026-10-01",
            },
        )
        self.connection.refresh_from_db()
        self.assertEqual(self.connection.default_sales_account_code, "200")
        self.assertEqual(str(self.connection.sync_invoices_from), "2026-10-01")
        page = self.client.get(f"/connections/{self.connection.pk}/")
        self.assertContains(page, "Sync invoices delivered on or after")
        self.assertContains(page, 'value="2026-10-01"')

    def test_both_may_stay_empty(self):
        self.client.force_login(self.alice)
        self.client.post(f"/connections/{self.connection.pk}/defaults/", {"name": "Alpha Sales", "time_zone": "Europe/London"})
        self.connection.refresh_from_db()
        self.assertEqual((self.connection.default_sales_account_code, self.connection.sync_invoices_from), ("", None))
