"""Three `dxconnector worker` processes on the suite's database over thirty connections, with the sandbox failing a
tenth of the calls on both sides (429, 500, 503, timeouts, answers lost after the write was committed) while every
connection's runs race each other from three jobs at once: every connection converges — each of its invoices in Xero
exactly once, as Dynamics has it — and no connection ever runs in two places at once. Runs on SQLite and on PostgreSQL
(DATABASE_URL), as the suite does."""

from __future__ import annotations

import itertools

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dxconnector.connections.models import Connection
from dxconnector.dynamics.solution.definition import CONNECTION
from dxconnector.sync import tasks
from dxconnector.sync.api import verify
from dxconnector.sync.models import SyncRun, Trigger
from dxconnector.sync.triggers import LIVE_PRIORITY
from dxsandbox.common.faults import FaultPlan
from tests.jobs.processes import WorkerProcessTestCase, wait_for
from tests.sandboxes import control as xero_control

CONNECTIONS, INVOICES, WORKERS = 30, 3, 3
RACING = 2  # jobs queued at once for each connection
FAULT_RATE = 0.1
WORKER_SETTINGS = {"SYNC_LEASE_SECONDS": "10", "SYNC_SWEEP_SECONDS": "10", "WORKER_STALE_SECONDS": "10"}


class ManyWorkersTests(WorkerProcessTestCase):
    def make_invoices(self, connection: Connection, count: int) -> list[str]:
        """`count` one-line invoices of a new customer for the connection (its connector row looked up once)."""
        customer = self.make_account()
        assigned = {"stl3_connectorid@odata.bind": f"/{CONNECTION.set_name}({self.connector_id(connection)})"}
        return [
            self.make_invoice(
                customer,
                [{"description": f"Work {n}", "quantity": 1, "price": 10 + n}],
                connection=connection,
                assigned=False,
                **assigned,
            )
            for n in range(count)
        ]

    def fault_plans(self, rate: float) -> None:
        """A tenth of the calls failing on each side, in equal parts of every kind, each side its own seeded draw;
        a held call is dropped after a second."""
        xero, dynamics = (FaultPlan.spread(rate, seed=18 + side, timeout_seconds=1.0).to_json() for side in (0, 1))
        self.faults(xero, dynamics)

    def failures_injected(self) -> tuple[int, int]:
        xero = xero_control(self.sandbox, "GET", "/stats")["faults"]["failures_injected"]
        dynamics = self.dataverse_control("GET", "/stats")["faults"]["failures_injected"]
        return xero, dynamics

    @staticmethod
    def all_done(connections: list[Connection]) -> bool:
        """Every connection has had a run succeed, and no run is under way or waiting (a busy one comes again)."""
        waiting = DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists()
        running = SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exists()
        succeeded = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).order_by().values("connection").distinct().count()
        return not waiting and not running and succeeded == len(connections)

    def assert_never_ran_twice_at_once(self, connection: Connection) -> None:
        ended = SyncRun.objects.filter(connection=connection, status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED])
        runs = sorted(ended, key=lambda run: run.started_at)
        self.assertTrue(all(run.finished_at for run in runs))
        for earlier, later in itertools.pairwise(runs):
            self.assertLessEqual(
                earlier.finished_at, later.started_at, f"two runs of {connection.name} at once: {earlier.pk} and {later.pk}"
            )

    def test_three_workers_over_thirty_connections_with_faults_converge_and_never_run_a_connection_twice_at_once(self):
        connections = [self.connection, *(self.new_connection(f"Tenant {n}") for n in range(1, CONNECTIONS))]
        invoices = {}
        for connection in connections:
            self.onboard(connection)
            invoices[connection.pk] = self.make_invoices(connection, INVOICES)

        self.fault_plans(FAULT_RATE)
        for connection in connections:  # triggers racing past the queued-run marker: only the lease keeps runs apart
            for _ in range(RACING):
                tasks.sync_connection.using(priority=LIVE_PRIORITY).enqueue(str(connection.pk), Trigger.DYNAMICS_WEBHOOK)
        workers = [self.workers.start(**WORKER_SETTINGS) for _ in range(WORKERS)]
        wait_for(lambda: self.all_done(connections), 75, "every connection to have a run succeed and no run left", every=1)
        self.assertTrue(all(self.failures_injected()), f"faults injected (Xero, Dynamics): {self.failures_injected()}")
        self.workers.stop_all()
        self.assertEqual([worker.returncode for worker in workers], [0] * WORKERS, "a worker did not stop cleanly")
        self.calm()  # for verify's own reading

        for connection in connections:
            self.assert_never_ran_twice_at_once(connection)
        busy = SyncRun.objects.filter(status=SyncRun.Status.BUSY).count()
        self.assertGreater(busy, CONNECTIONS // 2, "the racing runs hardly ever met another's lease")
        for connection in connections:
            report = verify(connection.pk, clients=self.clients)
            self.assertEqual(
                (report.expected, report.missing, report.duplicated, report.differing), (INVOICES, 0, 0, 0), report.lines
            )
