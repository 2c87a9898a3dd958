from datetime import timedelta

from django.utils import timezone

from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.jobs.worker import Heartbeat
from tests.base import BaseTestCase


class HealthzTestCase(BaseTestCase):
    def test_it_is_degraded_when_no_worker_has_reported(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            response.json(),
            {"status": "degraded", "database": "ok", "worker": {"status": "down", "detail": "no worker has reported"}},
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
