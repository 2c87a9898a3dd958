"""A job whose worker stopped beating its heart (killed outright) is marked failed, and a sync among them queued again
at once — even when the worker died before its run started, leaving the connection's queued-run marker behind."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.jobs.worker import fail_orphaned_jobs
from dxconnector.sync.api import request_sync
from dxconnector.sync.models import QueuedSync, Trigger
from tests.base import BaseTestCase


class OrphanedJobsTests(BaseTestCase):
    def claimed_by(self, worker_id: str, minutes_ago: int = 5) -> DBTaskResult:
        """The connection's queued sync, taken by `worker_id` minutes ago (its run not started: the marker stays)."""
        assert request_sync(self.connection.pk, Trigger.SYNC_NOW)
        job = DBTaskResult.objects.get(status=TaskResultStatus.READY)
        started = timezone.now() - timedelta(minutes=minutes_ago)
        DBTaskResult.objects.filter(pk=job.pk).update(status=TaskResultStatus.RUNNING, worker_ids=[worker_id], started_at=started)
        QueuedSync.objects.filter(connection=self.connection).update(queued_at=started)
        return job

    def beating(self, worker_id: str, seconds_ago: int) -> None:
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname="h",
            pid=1,
            started_at=now - timedelta(hours=1),
            seen_at=now - timedelta(seconds=seconds_ago),
        )

    def test_it_fails_a_dead_workers_sync_job_and_queues_the_sync_again_past_its_marker(self):
        self.beating("dead-worker", seconds_ago=600)
        job = self.claimed_by("dead-worker")
        self.assertFalse(request_sync(self.connection.pk, Trigger.DYNAMICS_WEBHOOK), "the stale marker holds triggers off")

        self.assertEqual(fail_orphaned_jobs(), 1)

        job.refresh_from_db()
        self.assertEqual((job.status, job.exception_class_path), (TaskResultStatus.FAILED, "dxconnector.jobs.worker.WorkerLost"))
        [again] = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        self.assertEqual(again.args_kwargs["args"], [str(self.connection.pk), Trigger.SYNC_NOW])
        self.assertGreater(QueuedSync.objects.get(connection=self.connection).queued_at, job.enqueued_at)

    def test_it_leaves_the_jobs_of_a_worker_still_beating_and_of_batch_runs(self):
        self.beating("live-worker", seconds_ago=1)
        job = self.claimed_by("live-worker")
        self.assertEqual(fail_orphaned_jobs(), 0)
        DBTaskResult.objects.filter(pk=job.pk).update(worker_ids=["batch-123-abc"])
        self.assertEqual(fail_orphaned_jobs(), 0)
        job.refresh_from_db()
        self.assertEqual(job.status, TaskResultStatus.RUNNING)

    def test_it_leaves_a_job_started_within_the_quiet_time(self):
        self.claimed_by("unknown-worker", minutes_ago=0)
        self.assertEqual(fail_orphaned_jobs(), 0)
