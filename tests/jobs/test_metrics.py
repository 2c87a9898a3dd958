"""/metrics: off without a token, refused without the right one; the database's figures read at each scrape, and the
calls counted by any process added up."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import timedelta

from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from prometheus_client import values

from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.jobs.worker import Heartbeat
from dxconnector.sync import state
from dxconnector.sync.api import request_sync
from dxconnector.sync.models import SyncAttempt, SyncRun, Trigger
from tests.base import BaseTestCase
from tests.clirun import child_env
from tests.monitoring import Samples, scraped

TOKEN = "metrics-token-for-the-tests-0123456789"


@override_settings(METRICS_TOKEN=TOKEN)
class MetricsTestCase(BaseTestCase):
    def scrape(self) -> Samples:
        response = self.client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/plain; version="), response["Content-Type"])
        return scraped(response.content.decode())

    def test_metrics_are_off_without_a_token(self):
        with override_settings(METRICS_TOKEN=""):
            self.assertEqual(self.client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code, 404)

    def test_a_scrape_without_the_token_or_with_another_one_is_refused(self):
        for authorization in ("", f"Basic {TOKEN}", "Bearer not-the-token", f"Bearer {TOKEN}x"):
            response = self.client.get("/metrics", HTTP_AUTHORIZATION=authorization)
            self.assertEqual(response.status_code, 401, authorization)
            self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="metrics"')
            self.assertNotIn(b"dxconnector_", response.content)

    def test_it_is_not_cached_and_answers_only_reads(self):
        self.assertIn("no-cache", self.client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")["Cache-Control"])
        self.assertEqual(self.client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code, 405)

    def finished(self, trigger: str, status: str, seconds: float, attempts: list[tuple[str, str]] = ()) -> None:
        """A run as the engine records it: started, its attempts written, finished `seconds` later."""
        run = state.start_run(self.connection.pk, trigger)
        run.started_at = timezone.now() - timedelta(seconds=seconds)
        for outcome, direction in attempts:
            SyncAttempt.objects.create(
                connection=self.connection, run=run, record_kind="invoice", dynamics_id="x", outcome=outcome, direction=direction
            )
        state.finish_run(run, status, {})

    def test_each_run_is_counted_as_it_finishes_with_its_duration_and_its_records(self):
        before = self.scrape()
        to_xero, to_dynamics = SyncAttempt.Direction.TO_XERO, SyncAttempt.Direction.TO_DYNAMICS
        self.finished(Trigger.SWEEP, SyncRun.Status.SUCCEEDED, 3, [("SUCCEEDED", to_xero), ("HELD_BACK", to_xero)])
        self.finished(Trigger.SWEEP, SyncRun.Status.SUCCEEDED, 40, [("SUCCEEDED", to_xero), ("SUCCEEDED", to_dynamics)])
        self.finished(Trigger.SWEEP, SyncRun.Status.FAILED, 700)
        self.finished(Trigger.SYNC_NOW, SyncRun.Status.PAUSED, 0)
        state.start_run(self.connection.pk, Trigger.SYNC_NOW)  # still running: not counted yet
        SyncRun.objects.all().delete()  # pruned: what was counted stays counted
        found = self.scrape()

        def grew(name: str, **labels: str) -> float:
            key = (name, tuple(sorted(labels.items())))
            return found.get(key, 0) - before.get(key, 0)

        runs = "dxconnector_sync_runs_total"
        self.assertEqual(grew(runs, status="succeeded", trigger="sweep"), 2)
        self.assertEqual(grew(runs, status="failed", trigger="sweep"), 1)
        self.assertEqual(grew(runs, status="paused", trigger="sync_now"), 1)
        self.assertEqual(grew(runs, status="running", trigger="sync_now"), 0)
        records = "dxconnector_sync_records_total"
        self.assertEqual(grew(records, direction="to_xero", kind="invoice", outcome="succeeded"), 2)
        self.assertEqual(grew(records, direction="to_xero", kind="invoice", outcome="held_back"), 1)
        self.assertEqual(grew(records, direction="to_dynamics", kind="invoice", outcome="succeeded"), 1)
        duration = "dxconnector_sync_run_duration_seconds"
        self.assertEqual(grew(f"{duration}_bucket", le="5.0", status="succeeded"), 1)
        self.assertEqual(grew(f"{duration}_bucket", le="60.0", status="succeeded"), 2)
        self.assertEqual(grew(f"{duration}_bucket", le="600.0", status="failed"), 0)
        self.assertEqual(grew(f"{duration}_bucket", le="1800.0", status="failed"), 1)
        self.assertEqual(grew(f"{duration}_count", status="succeeded"), 2)
        self.assertEqual(grew(f"{duration}_count", status="paused"), 0, "a paused run did nothing to time")
        self.assertAlmostEqual(grew(f"{duration}_sum", status="succeeded"), 43, delta=1)

    def test_the_queue_the_workers_and_the_connections_are_read_at_each_scrape(self):
        found = self.scrape()
        self.assertEqual(found[("dxconnector_jobs_queued", ())], 0)
        self.assertEqual(found[("dxconnector_jobs_oldest_queued_age_seconds", ())], 0)
        self.assertEqual(found[("dxconnector_workers", ())], 0)
        self.assertTrue(math.isinf(found[("dxconnector_worker_heartbeat_age_seconds", ())]))
        self.assertEqual(found[("dxconnector_connections", (("state", "setup"),))], 1)
        self.assertEqual(found[("dxconnector_database_up", ())], 1)

        self.assertTrue(request_sync(self.connection.pk, Trigger.SYNC_NOW))
        Heartbeat("w1", 5).beat()
        WorkerHeartbeat.objects.create(
            worker_id="w2", hostname="h", pid=2, started_at=timezone.now(), seen_at=timezone.now() - timedelta(minutes=5)
        )
        found = self.scrape()
        self.assertEqual(found[("dxconnector_jobs_queued", ())], 1)
        self.assertGreaterEqual(found[("dxconnector_jobs_oldest_queued_age_seconds", ())], 0)
        self.assertEqual(found[("dxconnector_workers", ())], 1, "w2 went quiet five minutes ago")
        self.assertLess(found[("dxconnector_worker_heartbeat_age_seconds", ())], settings.WORKER_STALE_SECONDS)

    def test_the_calls_another_process_counted_are_added_up_after_it_has_ended(self):
        label = (("status", "200"), ("system", "xero"))
        before = self.scrape().get(("dxconnector_api_calls_total", label), 0)
        counting = "from dxconnector import metrics\nfor _ in range(7): metrics.api_call(metrics.XERO, 200)\n"
        child = subprocess.run(
            [sys.executable, "-c", counting],
            env=child_env(PROMETHEUS_MULTIPROC_DIR=str(settings.PROMETHEUS_MULTIPROC_DIR)),
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(child.returncode, 0, child.stderr)
        self.assertEqual(self.scrape()[("dxconnector_api_calls_total", label)], before + 7)

    def test_this_process_counts_into_the_shared_folder_too(self):
        # prometheus-client chose its storage when first imported: the settings had named the folder by then.
        self.assertTrue(getattr(values.ValueClass, "_multiprocess", False))
        self.assertTrue(settings.PROMETHEUS_MULTIPROC_DIR.is_dir())
