"""Fair work across connections: live runs go before the clock's and before catch-ups, a catch-up goes in slices
queued behind live work, and a queued run that finds its connection busy comes again instead of being lost."""

from __future__ import annotations

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from dxconnector.sync import state, triggers
from dxconnector.sync.models import Link, QueuedSync, SyncRun, Trigger
from tests.base import run_jobs
from tests.sync.helpers import SyncTestCase

SYNC_TASK = "dxconnector.sync.tasks.sync_connection"


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=SYNC_TASK, status="READY").order_by("-priority", "enqueued_at"))


class FairWorkTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        run_jobs()  # Create Connection's first sync, out of the way
        self.customer = self.make_account()

    def invoices(self, count: int) -> list[str]:
        return [
            self.make_invoice(self.customer, [{"description": f"Slice {n}", "price": "10", "quantity": 1}]) for n in range(count)
        ]

    def linked(self, invoice_ids: list[str]) -> int:
        return Link.objects.filter(connection=self.connection, dynamics_id__in=invoice_ids).exclude(xero_id="").count()


class TestPriorities(FairWorkTestCase):
    def test_a_live_change_is_taken_before_a_sweep_and_a_sweep_before_a_catch_up(self):
        backfilling, swept = (self.connection.owner.connections.create(name=name) for name in ("Backfilling", "Swept"))
        triggers.request_sync(backfilling.pk, Trigger.CONTINUED)
        triggers.request_sync(swept.pk, Trigger.SWEEP)
        triggers.request_sync(self.connection.pk, Trigger.DYNAMICS_WEBHOOK)
        order = [(job.args_kwargs["args"][1], job.priority) for job in queued()]
        self.assertEqual(order, [("webhook", 10), ("sweep", 0), ("continued", -10)])


class TestSlices(FairWorkTestCase):
    @override_settings(SYNC_SLICE_INVOICES=2)
    def test_a_catch_up_sends_a_slice_and_queues_the_rest_behind_live_work_until_all_is_sent_once(self):
        made = self.invoices(5)
        first = self.run_once(Trigger.SWEEP)
        self.assertEqual((first.status, first.counts["succeeded"]), (SyncRun.Status.SUCCEEDED, 2))
        self.assertEqual(self.linked(made), 2)
        [rest] = queued()
        self.assertEqual((rest.args_kwargs["args"][1], rest.priority), (Trigger.CONTINUED, triggers.BACKFILL_PRIORITY))
        run_jobs()  # the slices that follow, each queueing the next
        self.assertEqual(self.linked(made), 5)
        runs = SyncRun.objects.filter(connection=self.connection, trigger=Trigger.CONTINUED).order_by("started_at")
        self.assertEqual([run.counts.get("succeeded", 0) for run in runs], [2, 1])
        self.assertEqual(sum(len(self.xero_invoices_linking_to(invoice_id)) for invoice_id in made), 5)
        self.assertEqual(queued(), [])

    @override_settings(SYNC_SLICE_INVOICES=2)
    def test_someone_waiting_on_sync_now_gets_everything_in_one_run(self):
        made = self.invoices(5)
        run = self.run_once(Trigger.SYNC_NOW)
        self.assertEqual((run.counts["succeeded"], self.linked(made)), (5, 5))
        self.assertEqual(queued(), [])


class TestBusy(FairWorkTestCase):
    def test_a_queued_run_that_finds_its_connection_busy_comes_again_shortly(self):
        state.acquire_lease(self.connection.pk, "a run on another worker")
        busy = self.run_once(Trigger.XERO_WEBHOOK)
        self.assertEqual(busy.status, SyncRun.Status.BUSY)
        [again] = queued()
        self.assertEqual(again.args_kwargs["args"][1], Trigger.XERO_WEBHOOK)
        self.assertGreater(again.run_after, busy.started_at)
        self.assertTrue(QueuedSync.objects.filter(connection=self.connection).exists())

    def test_a_busy_run_the_command_line_started_is_only_told(self):
        state.acquire_lease(self.connection.pk, "a run on another worker")
        self.assertEqual(self.run_once(Trigger.CLI).status, SyncRun.Status.BUSY)
        self.assertEqual(queued(), [])
