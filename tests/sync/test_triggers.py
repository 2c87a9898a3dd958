"""Triggers: Create Connection registers the connection's webhook in Dynamics and disconnecting removes it;
the periodic sweep queues every eligible connection once per period, whichever worker schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.connections.tokens import dynamics_token
from dxconnector.dynamics import webhooks
from dxconnector.dynamics.client import DataverseClient
from dxconnector.jobs.models import ScheduleLease
from dxconnector.jobs.scheduler import Scheduler, claim
from dxconnector.sync import triggers
from dxconnector.sync.models import QueuedSync
from tests.base import run_jobs
from tests.sync.helpers import SyncTestCase

TASK = "dxconnector.sync.tasks.sync_connection"


class WebhookRegistrationTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()

    def registered(self) -> tuple[list[dict], list[dict]]:
        found = webhooks.endpoints(self.dataverse(), str(self.connection.pk))
        return found, [step for endpoint in found for step in webhooks.steps(self.dataverse(), endpoint["serviceendpointid"])]

    def test_create_connection_registers_a_webhook_endpoint_with_async_post_operation_steps(self):
        [endpoint], steps = self.registered()
        self.assertEqual(endpoint["url"], f"http://127.0.0.1:8000/webhooks/dynamics/{self.connection.pk}/")
        self.assertEqual((endpoint["contract"], endpoint["authtype"]), (webhooks.WEBHOOK_CONTRACT, webhooks.HTTP_HEADER_AUTH))
        self.assertEqual({(s["stage"], s["mode"]) for s in steps}, {(40, 1)})
        names = {s["name"].rsplit(": ", 1)[1] for s in steps}
        for table in ("invoice", "invoicedetail", "account", "contact", "product"):
            for message in ("Create", "Update", "Delete"):
                self.assertIn(f"{message} of {table}", names)
        self.assertEqual(len(steps), 15)
        self.assertTrue(DynamicsConnection.objects.get(connection=self.connection).webhook_secret)

    def test_creating_again_replaces_the_registration_and_its_secret(self):
        before = DynamicsConnection.objects.get(connection=self.connection).webhook_secret
        [old], _ = self.registered()
        self.client.post(f"/connections/{self.connection.pk}/create/")
        run_jobs()
        [new], steps = self.registered()
        self.assertEqual(old["serviceendpointid"], new["serviceendpointid"])  # its id is derived from the connection
        self.assertEqual(len(steps), 15)
        self.assertNotEqual(DynamicsConnection.objects.get(connection=self.connection).webhook_secret, before)

    def test_disconnecting_dynamics_removes_the_steps_then_the_endpoint(self):
        dynamics = DynamicsConnection.objects.get(connection=self.connection)
        token = dynamics_token(dynamics)  # taken while the sign-in is still there
        client = DataverseClient(dynamics.org_url, lambda: token.value, settings.CA_BUNDLE)
        self._clients.append(client)
        [endpoint], _ = self.registered()
        self.client.post(f"/connections/{self.connection.pk}/dynamics/disconnect/", {"confirmed": "yes"})
        self.assertFalse(DynamicsConnection.objects.filter(connection=self.connection).exists())
        self.assertEqual(webhooks.endpoints(client, str(self.connection.pk)), [])
        self.assertEqual(webhooks.steps(client, endpoint["serviceendpointid"]), [])


class SweepTestCase(SyncTestCase):
    """The sweep's choice needs no Dynamics: connected rows are enough."""

    def connect(self, connection: Connection, *, status: str = Connection.Status.CREATED) -> Connection:
        from tests.portal.test_dynamics_webhook import created

        made = created(connection.owner)
        Connection.objects.filter(pk=made.pk).update(status=status)
        return made

    def queued_ids(self) -> list[str]:
        return sorted(job.args_kwargs["args"][0] for job in DBTaskResult.objects.filter(task_path=TASK))

    def test_the_sweep_queues_only_created_connections_that_may_sync_and_have_none_queued(self):
        eligible = self.connect(self.connection)
        paused = self.connect(self.connection)
        Connection.objects.filter(pk=paused.pk).update(trial_ends_at=datetime(2020, 1, 1, tzinfo=UTC))
        self.connect(self.connection, status=Connection.Status.DRAFT)
        queued_already = self.connect(self.connection)
        QueuedSync.objects.create(connection=queued_already, trigger="webhook")
        self.assertEqual(triggers.sweep(), 1)
        self.assertEqual(self.queued_ids(), [str(eligible.pk)])
        [job] = DBTaskResult.objects.filter(task_path=TASK)
        self.assertEqual(job.args_kwargs["args"][1], "sweep")
        self.assertEqual(triggers.sweep(), 0)  # the first sweep's run has not started yet

    def test_two_schedulers_sweep_once_per_period(self):
        self.connect(self.connection)
        sweeps: list[str] = []
        first = Scheduler("sync-sweep", "worker-a", 300, lambda: sweeps.append("a"))
        second = Scheduler("sync-sweep", "worker-b", 300, lambda: sweeps.append("b"))
        now = timezone.now()
        self.assertEqual([first.tick(now), second.tick(now)], [True, False])
        self.assertEqual([second.tick(now + timedelta(seconds=299)), first.tick(now + timedelta(seconds=299))], [False, False])
        self.assertEqual([second.tick(now + timedelta(seconds=300)), first.tick(now + timedelta(seconds=301))], [True, False])
        self.assertEqual(sweeps, ["a", "b"])
        self.assertEqual(ScheduleLease.objects.get(name="sync-sweep").holder, "worker-b")

    def test_a_claim_is_a_conditional_update_on_one_row(self):
        now = timezone.now()
        self.assertTrue(claim("duty", "a", 60, now))
        self.assertFalse(claim("duty", "a", 60, now))  # not even the holder twice in a period
        self.assertEqual(ScheduleLease.objects.count(), 1)
