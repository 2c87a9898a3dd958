"""A worker whose database connections are cut (a PostgreSQL restart, a failover, a proxy dropping the link) waits,
reconnects and goes on: it does not die, the run it was in is taken up again, and nothing is lost or sent twice. The
connections are cut from the server's side (`pg_terminate_backend`), as a restart cuts them; PostgreSQL only."""

from __future__ import annotations

import contextlib
import time
import unittest
from collections.abc import Iterator

from django.db import connection as database
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dxconnector.sync.api import request_sync, verify
from dxconnector.sync.models import SyncRun, Trigger
from tests.jobs.processes import WorkerProcessTestCase, wait_for

SLOW = {"rates": {"latency": 1.0}, "latency": [0.25, 0.25]}  # every call a quarter of a second: a run takes seconds
CUTS, CUT_EVERY = 6, 0.7  # seconds between cuts: some land mid-run, some while the worker polls for jobs


def cut_every_other_connection() -> int:
    """Ends every server process of the test database but this one's, as a restart would. Returns how many."""
    with database.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


@contextlib.contextmanager
def refusing_new_connections() -> Iterator[None]:
    """The test database takes no new connection meanwhile (this process's stays open), and the others are cut. Said
    from the server's `postgres` database: a database cannot refuse connections from inside itself."""
    import psycopg

    settings = database.settings_dict
    admin = {"host": settings["HOST"], "port": settings["PORT"] or None, "user": settings["USER"], "dbname": "postgres"}
    if settings["PASSWORD"]:
        admin["password"] = settings["PASSWORD"]
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as server:
        server.execute(f'ALTER DATABASE "{settings["NAME"]}" ALLOW_CONNECTIONS false')
        try:
            cut_every_other_connection()
            yield
        finally:
            server.execute(f'ALTER DATABASE "{settings["NAME"]}" ALLOW_CONNECTIONS true')


@unittest.skipUnless(database.vendor == "postgresql", "cuts the database's connections with PostgreSQL's own function")
class LosingTheDatabaseTests(WorkerProcessTestCase):
    def test_a_worker_that_loses_the_database_reconnects_and_its_run_is_taken_up_again(self):
        self.onboard()
        customer = self.make_account()
        invoice_ids = [
            self.make_invoice(customer, [{"description": f"Work {n}", "quantity": 1, "price": 100 + n}]) for n in range(3)
        ]
        self.faults(SLOW)
        request_sync(self.connection.pk, Trigger.SYNC_NOW)
        worker = self.workers.start(SYNC_LEASE_SECONDS="4", WORKER_STALE_SECONDS="4")
        wait_for(lambda: self.running_run(self.connection), 30, "the worker to start the run")

        cut = sum(self._cut_then_wait() for _ in range(CUTS))
        self.assertGreater(cut, 0, "no connection of the worker's was cut")
        self.calm()
        self.assertIsNone(worker.poll(), "the worker died:\n" + self.workers.log(worker))

        wait_for(lambda: not self._unfinished_jobs(), 60, "every job to end after the cuts")

        # Idle, the worker opens a connection for each poll (CONN_MAX_AGE 0): a database refusing connections for a
        # moment, as one restarting does, is what it meets.
        with refusing_new_connections():
            wait_for(lambda: "lost the database" in self.workers.log(worker), 10, "the worker to meet the refusal")
        since = self.now()
        request_sync(self.connection.pk, Trigger.SYNC_NOW)
        wait_for(lambda: self.succeeded_since(self.connection, since), 60, "a run to succeed after the cuts")
        wait_for(lambda: not self._unfinished_jobs(), 30, "every job to end")
        self.assertIsNone(worker.poll(), "the worker died:\n" + self.workers.log(worker))
        self.assertFalse(SyncRun.objects.filter(connection=self.connection, status=SyncRun.Status.RUNNING).exists())
        report = verify(self.connection.pk, clients=self.clients)
        self.assertEqual((report.missing, report.duplicated, report.differing), (0, 0, 0), report.lines)
        for invoice_id in invoice_ids:
            self.assertEqual(len(self.xero_invoices_linking_to(invoice_id)), 1)

    @staticmethod
    def _cut_then_wait() -> int:
        cut = cut_every_other_connection()
        time.sleep(CUT_EVERY)
        return cut

    @staticmethod
    def _unfinished_jobs() -> bool:
        return DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists()
