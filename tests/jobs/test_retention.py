"""Retention: one of the workers prunes, every hour, what is kept only for a while — and keeps what is still needed."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection
from dxconnector.jobs import retention
from dxconnector.jobs.worker import retention_scheduler
from dxconnector.portal.tasks import send_connection_state_email
from dxconnector.sync.models import SyncAttempt, SyncRun, XeroWebhookEvent
from tests.base import BaseTestCase

DAY = timedelta(days=1)


@override_settings(RETENTION_DAYS=90, HISTORY_RETENTION_DAYS=365)
class RetentionTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.now = timezone.now()

    def ago(self, days: float):
        return self.now - days * DAY

    def event(self, resource: str, days: float) -> XeroWebhookEvent:
        return XeroWebhookEvent.objects.create(
            tenant_id="tenant-1",
            category="INVOICE",
            event_type="UPDATE",
            resource_id=resource,
            event_date=self.ago(days),
            received_at=self.ago(days),
        )

    def job(self, status: str, days: float) -> DBTaskResult:
        result = send_connection_state_email.enqueue(str(self.connection.pk))
        DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=self.ago(days))
        return DBTaskResult.objects.get(pk=result.id)

    def attempt(self, invoice: str, days: float, *, reported: bool = True, connection: Connection | None = None) -> SyncAttempt:
        return SyncAttempt.objects.create(
            connection=connection or self.connection,
            record_kind="invoice",
            dynamics_id=invoice,
            outcome=SyncAttempt.Outcome.FAILED,
            attempted_at=self.ago(days),
            reported_at=self.ago(days) if reported else None,
        )

    def run_(self, days: float, status: str = SyncRun.Status.SUCCEEDED, connection: Connection | None = None) -> SyncRun:
        return SyncRun.objects.create(
            connection=connection or self.connection, trigger="sweep", status=status, started_at=self.ago(days)
        )

    def test_webhook_events_job_results_sessions_and_lockout_records_past_their_time_go_and_recent_ones_stay(self):
        old_event, new_event = self.event("old", 91), self.event("new", 89)
        old_done, old_failed = self.job("SUCCESSFUL", 91), self.job("FAILED", 91)
        new_done, waiting = self.job("SUCCESSFUL", 89), send_connection_state_email.enqueue(str(self.connection.pk))
        expired, live = SessionStore(), SessionStore()
        expired.set_expiry(-60)
        expired.create()
        live.create()
        lockouts = []
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            for days in (91, 89):
                extra = {"failures_since_start": 1} if model is AccessAttempt else {}
                row = model.objects.create(
                    user_agent=f"test {days}", ip_address="127.0.0.1", username="alice@example.org", **extra
                )
                model.objects.filter(pk=row.pk).update(attempt_time=self.ago(days))
                lockouts.append((model, row.pk, days))

        pruned = retention.prune(self.now)

        self.assertEqual(list(XeroWebhookEvent.objects.values_list("pk", flat=True)), [new_event.pk])
        self.assertFalse(XeroWebhookEvent.objects.filter(pk=old_event.pk).exists())
        left = set(DBTaskResult.objects.values_list("pk", flat=True))
        self.assertEqual(left, {new_done.pk, DBTaskResult.objects.get(pk=waiting.id).pk})
        self.assertNotIn(old_done.pk, left)
        self.assertNotIn(old_failed.pk, left)
        self.assertEqual(list(Session.objects.values_list("session_key", flat=True)), [live.session_key])
        for model, pk, days in lockouts:
            self.assertEqual(model.objects.filter(pk=pk).exists(), days < 90, (model.__name__, days))
        self.assertEqual((pruned.webhook_events, pruned.job_results, pruned.sessions, pruned.lockout_records), (1, 2, 1, 3))

    def test_old_attempts_go_but_a_records_latest_and_those_not_yet_in_dynamics_stay(self):
        superseded = self.attempt("inv-1", 400)
        latest_old = self.attempt("inv-1", 380)  # superseded too: by the recent one below
        recent = self.attempt("inv-1", 10)
        only_one = self.attempt("inv-2", 400)  # its latest: verify and the history read it
        unreported = self.attempt("inv-3", 400, reported=False)
        self.attempt("inv-3", 1)
        other = Connection.objects.create(owner=self.bob, name="Beta")
        elsewhere = self.attempt("inv-1", 400, connection=other)  # another connection's record

        retention.prune(self.now)

        kept = set(SyncAttempt.objects.values_list("pk", flat=True))
        self.assertNotIn(superseded.pk, kept)
        self.assertNotIn(latest_old.pk, kept)
        self.assertTrue({recent.pk, only_one.pk, unreported.pk, elsewhere.pk} <= kept)

    def test_old_runs_go_but_each_connections_latest_five_and_any_still_running_stay(self):
        finished = [self.run_(400 + n) for n in range(7)]  # newest first
        busy = self.run_(420, SyncRun.Status.BUSY)
        running = self.run_(430, SyncRun.Status.RUNNING)
        recent = self.run_(3)
        attempt = self.attempt("inv-9", 1)
        SyncAttempt.objects.filter(pk=attempt.pk).update(run=finished[6])

        pruned = retention.prune(self.now)

        kept = set(SyncRun.objects.values_list("pk", flat=True))
        self.assertEqual(kept, {recent.pk, running.pk, *(run.pk for run in finished[:4])})
        self.assertNotIn(busy.pk, kept)
        self.assertEqual(pruned.sync_runs, 4)
        attempt.refresh_from_db()
        self.assertIsNone(attempt.run_id, "an attempt kept outlives its run")

    @override_settings(HISTORY_RETENTION_DAYS=30, RETENTION_DAYS=7)
    def test_the_settings_decide_how_long(self):
        kept_event, gone_event = self.event("six", 6), self.event("eight", 8)
        self.attempt("inv-1", 40)
        recent = self.attempt("inv-1", 20)
        retention.prune(self.now)
        self.assertEqual(list(XeroWebhookEvent.objects.values_list("pk", flat=True)), [kept_event.pk])
        self.assertFalse(XeroWebhookEvent.objects.filter(pk=gone_event.pk).exists())
        self.assertEqual(list(SyncAttempt.objects.values_list("pk", flat=True)), [recent.pk])

    def test_one_worker_prunes_once_an_hour_however_many_run(self):
        self.event("old", 91)
        first, second = retention_scheduler("worker-a"), retention_scheduler("worker-b")
        self.assertTrue(first.tick(self.now))
        self.assertFalse(second.tick(self.now + timedelta(minutes=59)))
        self.assertFalse(XeroWebhookEvent.objects.exists())
        self.assertTrue(second.tick(self.now + timedelta(minutes=61)))
