from datetime import timedelta

from django.utils import timezone

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.domain.health import Cause
from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.jobs.worker import Heartbeat
from dxconnector.sync.models import SyncRun, Trigger
from tests.base import BaseTestCase


class HealthzTestCase(BaseTestCase):
    def test_it_is_degraded_when_no_worker_has_reported(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json(),
            {
                "status": "degraded",
                "database": "ok",
                "worker": {"status": "down", "detail": "no worker has reported"},
                "connections": {"setup": 1, "needs_attention": 0, "degraded": 0, "syncing": 0, "healthy": 0, "paused": 0},
            },
        )

    def test_it_is_ok_with_a_fresh_heartbeat(self):
        Heartbeat("w1", 5).beat()
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(
            (body["status"], body["database"], body["worker"]["status"], body["worker"]["workers"]), ("ok", "ok", "ok", 1)
        )

    def test_it_is_degraded_when_the_worker_went_quiet(self):
        WorkerHeartbeat.objects.create(
            worker_id="w1", hostname="h", pid=1, started_at=timezone.now(), seen_at=timezone.now() - timedelta(minutes=5)
        )
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["worker"]["status"], "stale")

    def test_it_needs_no_login_and_is_not_cached(self):
        response = self.client.get("/healthz")
        self.assertIn("no-cache", response["Cache-Control"])

    def test_it_counts_the_connections_in_each_state_without_changing_its_status(self):
        Heartbeat("w1", 5).beat()
        for owner, attention, run in (
            (self.alice, "", SyncRun.Status.SUCCEEDED),
            (self.bob, Cause.XERO_CONSENT, SyncRun.Status.FAILED),
            (self.charlie, "", SyncRun.Status.FAILED),
        ):
            connection = Connection.objects.create(owner=owner, status=Connection.Status.CREATED, attention=attention)
            connection.start_trial()
            XeroConnection.objects.create(
                connection=connection,
                tenant_id=f"tenant-{owner.pk}",
                access_token="a",
                refresh_token="r",
                expires_at=timezone.now(),
            )
            DynamicsConnection.objects.create(connection=connection, org_url="https://oakwood.crm6.dynamics.com")
            SyncRun.objects.create(
                connection=connection, trigger=Trigger.SWEEP, status=run, cause=attention or Cause.XERO_UNAVAILABLE
            )
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json()["connections"],
            {
                "setup": 1,
                "needs_attention": 1,
                "degraded": 1,
                "syncing": 0,
                "healthy": 1,
                "paused": 0,
            },  # setup: alice's draft of setUp
        )
