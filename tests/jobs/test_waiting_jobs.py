"""Priority orders the queue, it must not starve it: a job kept waiting longer than JOB_MAX_WAIT_SECONDS behind jobs of a
higher priority (a catch-up's next slice behind live work that never lets up) is raised above them, and the next free
worker takes it."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection
from dxconnector.jobs.worker import TOP_PRIORITY, raise_waiting_jobs
from dxconnector.sync.api import request_sync
from dxconnector.sync.models import Trigger
from dxconnector.sync.triggers import BACKFILL_PRIORITY, LIVE_PRIORITY
from tests.base import BaseTestCase


@override_settings(JOB_MAX_WAIT_SECONDS=30)
class WaitingJobsTests(BaseTestCase):
    def queued(self, name: str, trigger: str, seconds_ago: int, **job: object) -> DBTaskResult:
        connection = Connection.objects.create(owner=self.alice, name=name, time_zone="Europe/London")
        assert request_sync(connection.pk, trigger)
        found = DBTaskResult.objects.get(args_kwargs__args=[str(connection.pk), trigger])
        DBTaskResult.objects.filter(pk=found.pk).update(enqueued_at=timezone.now() - timedelta(seconds=seconds_ago), **job)
        found.refresh_from_db()
        return found

    def test_it_raises_a_catch_up_kept_waiting_too_long_above_live_work(self):
        backfill = self.queued("Backfill", Trigger.CONTINUED, seconds_ago=45)
        live = self.queued("Live", Trigger.DYNAMICS_WEBHOOK, seconds_ago=1)
        self.assertEqual((backfill.priority, live.priority), (BACKFILL_PRIORITY, LIVE_PRIORITY))
        self.assertEqual(DBTaskResult.objects.ready().first(), live, "live work first while the catch-up has not waited long")

        self.assertEqual(raise_waiting_jobs(), 1)

        backfill.refresh_from_db()
        self.assertEqual(backfill.priority, TOP_PRIORITY)
        self.assertEqual(DBTaskResult.objects.ready().first(), backfill, "the next free worker takes the catch-up")

    def test_it_leaves_jobs_that_have_not_waited_long_or_are_not_waiting(self):
        self.queued("Fresh catch-up", Trigger.CONTINUED, seconds_ago=10)
        self.queued("Running", Trigger.CONTINUED, seconds_ago=600, status=TaskResultStatus.RUNNING)
        later = timezone.now() - timedelta(seconds=5)  # queued long ago, but to run only from a moment ago (a busy retry)
        self.queued("Retried", Trigger.CONTINUED, seconds_ago=600, run_after=later)
        self.assertEqual(raise_waiting_jobs(), 0)
        self.assertFalse(DBTaskResult.objects.filter(priority=TOP_PRIORITY).exists())

    def test_a_job_ready_long_enough_after_its_run_after_is_raised(self):
        self.queued("Retried", Trigger.CONTINUED, seconds_ago=600, run_after=timezone.now() - timedelta(seconds=40))
        self.assertEqual(raise_waiting_jobs(), 1)
