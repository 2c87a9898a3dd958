"""A worker told to stop (SIGTERM) ends its run at a batch boundary, releases the lease and queues the rest for another
worker; one that reaches no boundary in time ends its run there and then, as cleanly; a worker killed outright (SIGKILL)
holds its connection only until the lease lapses, and the next worker carries on from the cursor — nothing lost,
nothing twice in Xero. Real `dxconnector worker` processes, against the sandbox made slow so that a run takes a while."""

from __future__ import annotations

import signal
import time

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dxconnector.sync.api import request_sync, verify
from dxconnector.sync.models import Lease, QueuedSync, SyncRun, Trigger
from tests.jobs.processes import WorkerProcessTestCase, wait_for

SLOW = {"rates": {"latency": 1.0}, "latency": [0.25, 0.25]}  # every call a quarter of a second: a run takes seconds


class StoppingWorkersTests(WorkerProcessTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.onboard()
        customer = self.make_account()
        self.invoice_ids = [
            self.make_invoice(customer, [{"description": f"Work {n}", "quantity": 1, "price": 100 + n}]) for n in range(3)
        ]

    def start_mid_run(self, slow: dict = SLOW, **settings: str):
        """A worker in the middle of a run of the connection (slow calls), and that run."""
        self.faults(slow)
        request_sync(self.connection.pk, Trigger.SYNC_NOW)
        worker = self.workers.start(**settings)
        run = wait_for(lambda: self.running_run(self.connection), 30, "the worker to start the run")
        time.sleep(1.5)  # well into it: past its first calls
        self.assertIsNone(worker.poll(), self.workers.log(worker))
        return worker, run

    def assert_ended_cleanly(self, run: SyncRun) -> None:
        run.refresh_from_db()
        self.assertEqual((run.status, run.error, run.cause), (SyncRun.Status.FAILED, "Stopping", "interrupted"))
        self.assertIsNotNone(run.finished_at)
        self.assertEqual(Lease.objects.get(connection=self.connection).holder, "", "the lease was not released")
        self.assertTrue(QueuedSync.objects.filter(connection=self.connection).exists(), "the rest was not queued again")
        queued = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, args_kwargs__args=[str(self.connection.pk), "sync_now"]
        )
        self.assertEqual(queued.count(), 1, "the run is queued again as the live work it was")

    def carry_on_elsewhere(self) -> None:
        """Another worker takes the queued rest: every invoice in Xero exactly once."""
        self.calm()
        since = self.now()
        other = self.workers.start()
        wait_for(lambda: self.succeeded_since(self.connection, since), 60, "another worker to carry the run on")
        report = verify(self.connection.pk, clients=self.clients)
        self.assertEqual((report.missing, report.duplicated, report.differing), (0, 0, 0), report.lines)
        for invoice_id in self.invoice_ids:
            self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)
        other.send_signal(signal.SIGTERM)
        self.assertEqual(other.wait(timeout=10), 0, "an idle worker stops at once")

    def test_a_worker_told_to_stop_ends_its_run_at_the_next_batch_boundary_and_another_carries_on(self):
        worker, run = self.start_mid_run(WORKER_STOP_SECONDS="120")  # no deadline in play: the boundary ends it
        told = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(timeout=30), 0, self.workers.log(worker))
        self.assertLess(time.monotonic() - told, 20, "the worker took too long to stop")
        log = self.workers.log(worker)
        self.assertIn("stopped early: the worker was told to stop", log)
        self.assertNotIn("reached no batch boundary", log)
        self.assert_ended_cleanly(run)
        self.carry_on_elsewhere()

    def test_a_run_that_reaches_no_boundary_in_time_is_ended_where_it_is_as_cleanly(self):
        worker, run = self.start_mid_run({"rates": {"latency": 1.0}, "latency": [4, 4]}, WORKER_STOP_SECONDS="1")
        told = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(timeout=30), 0, self.workers.log(worker))
        self.assertLess(time.monotonic() - told, 12, "the deadline did not end the run")
        self.assertIn("reached no batch boundary in time", self.workers.log(worker))
        self.assert_ended_cleanly(run)
        self.carry_on_elsewhere()

    def test_a_killed_workers_connection_is_free_after_the_lease_and_the_next_worker_carries_on(self):
        # The sweep is five minutes away all along: what queues the run again is the watch on workers gone quiet.
        worker, run = self.start_mid_run(SYNC_LEASE_SECONDS="4", SYNC_SWEEP_SECONDS="300")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        killed_at = self.now()
        lease = Lease.objects.get(connection=self.connection)
        self.assertEqual(lease.holder, f"run:{run.pk}", "a killed worker's lease stays until it lapses")
        job = DBTaskResult.objects.get(status=TaskResultStatus.RUNNING)
        self.assertFalse(QueuedSync.objects.filter(connection=self.connection).exists(), "nothing is queued meanwhile")

        self.calm()
        self.workers.start(SYNC_LEASE_SECONDS="4", SYNC_SWEEP_SECONDS="300", WORKER_STALE_SECONDS="2")
        wait_for(lambda: self.succeeded_since(self.connection, killed_at), 60, "the next worker to carry on")
        carried = SyncRun.objects.filter(connection=self.connection, status=SyncRun.Status.SUCCEEDED).get()
        self.assertGreaterEqual(carried.started_at, lease.expires_at, "the next run took the lease before it lapsed")
        run.refresh_from_db()
        self.assertEqual((run.status, run.error, run.finished_at), (SyncRun.Status.FAILED, "WorkerLost", carried.started_at))
        self.assertEqual(carried.trigger, Trigger.SYNC_NOW, "the dead worker's run is queued again as what it was")
        job = wait_for(
            lambda: DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.FAILED).first(), 20, "the job marked failed"
        )
        self.assertEqual(job.exception_class_path, "dxconnector.jobs.worker.WorkerLost")
        report = verify(self.connection.pk, clients=self.clients)
        self.assertEqual((report.missing, report.duplicated, report.differing), (0, 0, 0), report.lines)
        for invoice_id in self.invoice_ids:
            self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)
