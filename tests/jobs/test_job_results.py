"""A failed job's stored result (django-tasks-db's table) keeps the exception's class and where it was raised, never
its message: a message may quote a record. The worker's log has the whole of it."""

from __future__ import annotations

from django_tasks import task
from django_tasks_db.models import DBTaskResult

from tests.base import BaseTestCase, run_jobs

QUOTED = "Invoice INV-0042 for Acme Widgets Ltd (1,234.56 NZD) was refused: Acme Widgets Ltd is archived"


def refuse(record: str) -> None:
    try:
        raise LookupError(f"no contact named {record}")
    except LookupError as error:
        raise ValueError(QUOTED) from error


@task()
def fails_quoting_a_record(record: str) -> None:
    refuse(record)


class JobResultsTestCase(BaseTestCase):
    def test_a_failed_jobs_stored_result_names_the_exception_and_its_frames_but_quotes_no_record(self):
        queued = fails_quoting_a_record.enqueue("Acme Widgets Ltd")
        with self.assertLogs("django_tasks", "ERROR") as logged:
            run_jobs()
        stored = DBTaskResult.objects.get(pk=queued.id)
        self.assertEqual((stored.status, stored.exception_class_path), ("FAILED", "builtins.ValueError"))
        for quoted in ("Acme", "INV-0042", "1,234.56", "no contact named"):
            self.assertNotIn(quoted, stored.traceback)
        self.assertIn("builtins.ValueError (its message is not kept here", stored.traceback)
        self.assertRegex(stored.traceback, r'File "[^"]*test_job_results.py", line \d+, in refuse')
        [error] = stored.task_result.errors
        self.assertNotIn("Acme", error.traceback)
        self.assertIn(QUOTED, "\n".join(logged.output), "the worker's log has the whole of it")

    def test_a_job_that_succeeds_keeps_an_empty_traceback(self):
        from dxconnector.portal.tasks import send_connection_state_email

        queued = send_connection_state_email.enqueue(str(self.connection.pk))
        run_jobs()
        stored = DBTaskResult.objects.get(pk=queued.id)
        self.assertEqual((stored.status, stored.traceback), ("SUCCESSFUL", ""))
