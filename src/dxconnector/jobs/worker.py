"""`dxconnector worker`: django-tasks-db's worker loop plus a heartbeat that /healthz can read.

Told to stop (SIGTERM, SIGINT), the worker takes no new job and ends the run it is in at its next batch boundary: what
was committed stays, the lease is released and the rest is queued again for another worker. A run that reaches no
boundary within WORKER_STOP_SECONDS is ended there and then (as a second signal does); what it had sent to Xero and not
yet recorded is found again by the next run (pending creates). A worker killed outright (SIGKILL) leaves its run's lease
to lapse after SYNC_LEASE_SECONDS; the connection's next run marks that run failed and carries on from its cursor, and
the other workers mark its job failed once its heartbeat has gone quiet (`fail_orphaned_jobs`). A worker that loses the
database (a restart, a failover, a dropped connection) waits and reconnects, and marks failed the job it was running
when the database went, queuing that sync again (`GracefulWorker.run`)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection, connections
from django.db.models import Q
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, get_date_max

from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.jobs.scheduler import Scheduler

logger = logging.getLogger(__name__)
BATCH_PREFIX = "batch-"  # the worker ids of `worker --batch` runs, which beat no heart
DATABASE_GONE = (OperationalError, InterfaceError)  # what Django raises when the server restarts or the link drops
DATABASE_GONE_PATHS = frozenset(f"{error.__module__}.{error.__qualname__}" for error in DATABASE_GONE)
RECONNECT_WAIT_SECONDS = (0.5, 10.0)  # the first wait after losing the database, doubling up to the second
STOP_SIGNALS = tuple(number for number in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if number is not None)


class Heartbeat(threading.Thread):
    def __init__(self, worker_id: str, every_seconds: float):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.every_seconds = every_seconds
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname(),
                "pid": os.getpid(),
                "started_at": self.started_at,
                "seen_at": timezone.now(),
            },
        )

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    close_old_connections()
                    self.beat()
                except Exception:  # a busy database must not kill the heartbeat
                    logger.warning("worker heartbeat could not be written", exc_info=True)
                self.stopped.wait(self.every_seconds)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=self.every_seconds + 1)
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()


def _work(worker_id: str, *, interval: float, batch: bool, queues: tuple[str, ...]) -> None:
    """django-tasks-db's worker loop, through its public command (`db_worker`), in this thread."""
    call_command(
        "db_worker",
        queue_name=",".join(queues),
        interval=interval,
        batch=batch,
        startup_delay=False,
        reload=False,
        worker_id=worker_id[:64],
        verbosity=1,
    )


class GracefulWorker(db_worker.Worker):
    """django-tasks-db's worker loop, whose stop also reaches the sync run it is in.

    Its own handling of a first SIGTERM lets the running job finish, however long (a catch-up's slice may take
    minutes), and a second one exits at once, mid-batch, leaving the run marked running. Here the first signal also asks
    the sync to stop at its next batch boundary (`sync.ask_to_stop`), so the job returns soon with its run ended cleanly;
    a second signal, or `stop_seconds` going by, raises `Stopping` where the run is, which the engine ends as cleanly
    (lease released, the rest queued again) short of the half-done batch. Only a third one exits at once."""

    def __init__(self, *, stop_seconds: float, **options: Any):
        super().__init__(**options)
        self.stop_seconds = stop_seconds
        self.deadline: threading.Timer | None = None
        self.forced = False

    def run(self) -> None:
        """`db_worker`'s loop, which ends with an error when the database goes away (it re-raises any OperationalError
        but a locked SQLite, and a job's failure cannot be recorded then either): here the worker waits, with growing
        pauses, until the database is back, marks failed the job it was running (`DatabaseLost`, its sync queued again)
        and goes on polling."""
        attempt = 0
        while True:
            try:
                if attempt:
                    _fail_jobs(_running_on(self.worker_id), timezone.now(), DatabaseLost)
                    attempt = 0
                super().run()
                return
            except DATABASE_GONE:
                if not self.running:
                    raise
                attempt += 1
                wait = min(RECONNECT_WAIT_SECONDS[0] * 2 ** (attempt - 1), RECONNECT_WAIT_SECONDS[1])
                logger.warning("worker %s lost the database; trying again in %.1f s", self.worker_id, wait, exc_info=True)
                connections.close_all()
                time.sleep(wait)

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        """The job, as `db_worker` runs it; a sync that the database's going away cut short, recorded failed because
        the database was back by then (a restart takes a fraction of a second), is queued again now rather than at the
        connection's next sweep."""
        super().run_task(db_task_result)
        failed = db_task_result.status == TaskResultStatus.FAILED
        if failed and db_task_result.task_path == SYNC_TASK and db_task_result.exception_class_path in DATABASE_GONE_PATHS:
            _sync_again(db_task_result)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        from dxconnector.sync import api as sync

        if self.running:
            sync.ask_to_stop()
            if self.running_task:
                self._start_deadline()
            super().shutdown(signum, frame)  # takes no new job; exits now when none is running
            return
        if self.running_task and not self.forced:
            self.forced = True
            logger.warning("worker %s: the run did not reach a batch boundary in time, ending it now", self.worker_id)
            raise sync.Stopping("the worker was told to stop, and the run reached no batch boundary in time")
        super().shutdown(signum, frame)  # exits at once

    def _start_deadline(self) -> None:
        """In `stop_seconds`, the same signal again: the run is ended where it is."""
        self.deadline = threading.Timer(self.stop_seconds, os.kill, (os.getpid(), signal.SIGTERM))
        self.deadline.daemon = True
        self.deadline.start()

    def cancel_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()


def _work_until_stopped(worker_id: str, *, interval: float, queues: tuple[str, ...]) -> None:
    """`db_worker`'s loop as its command runs it (its logging, its signals), with `GracefulWorker`'s stop."""
    from dxconnector.sync import api as sync

    sync.carry_on()
    command = db_worker.Command()
    command.configure_logging(1)
    worker = GracefulWorker(
        queue_names=list(queues),
        interval=interval,
        batch=False,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id[:64],
        excluded_queue_names=[],
        stop_seconds=settings.WORKER_STOP_SECONDS,
    )
    worker.configure_signals()
    try:
        worker.run()
    finally:
        worker.cancel_deadline()
        worker.reset_signals()


def run_pending_jobs(queues: tuple[str, ...] = ("*",)) -> None:
    """Run every job that is ready, in this thread, then return (tests and `worker --batch`). The command takes over
    SIGINT and SIGTERM to stop cleanly; they are given back when it returns."""
    handlers = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    try:
        _work(f"{BATCH_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}", interval=0, batch=True, queues=queues)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def sweep_scheduler(worker_id: str) -> Scheduler:
    """Every SYNC_SWEEP_SECONDS one worker queues an incremental sync of every connection due a sweep (its own Sync
    Interval) that may sync."""
    from dxconnector.sync.api import sweep  # the sync's models load only once Django is set up

    return Scheduler("sync-sweep", worker_id, settings.SYNC_SWEEP_SECONDS, sweep)


def retention_scheduler(worker_id: str) -> Scheduler:
    """Every hour one worker prunes what is kept only for a while (jobs/retention.py)."""
    from dxconnector.jobs import retention

    return Scheduler("retention", worker_id, retention.EVERY_SECONDS, retention.prune)


class WorkerLost(Exception):
    """The worker running the job stopped beating its heart: killed outright, or its machine lost."""


class DatabaseLost(Exception):
    """The database went away while the job ran, and its end could not be recorded."""


SYNC_TASK = "dxconnector.sync.tasks.sync_connection"


def fail_orphaned_jobs(now: datetime | None = None) -> int:
    """Jobs marked running by a worker whose heartbeat has gone quiet for WORKER_STALE_SECONDS never finish:
    django-tasks-db leaves them RUNNING for ever. They are marked failed (`WorkerLost`), so the jobs table tells the
    truth and retention prunes them, and a sync among them is queued again (`_sync_again`). Returns how many were
    marked."""
    now = now or timezone.now()
    quiet_since = now - timedelta(seconds=settings.WORKER_STALE_SECONDS)
    alive = {
        worker_id[:64]
        for worker_id in WorkerHeartbeat.objects.filter(seen_at__gte=quiet_since).values_list("worker_id", flat=True)
    }
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=quiet_since)
    orphaned = [
        job
        for job in running.only("pk", "worker_ids", "task_path", "args_kwargs", "enqueued_at")
        if job.worker_ids and job.worker_ids[-1] not in alive and not job.worker_ids[-1].startswith(BATCH_PREFIX)
    ]
    marked = _fail_jobs(orphaned, now, WorkerLost)
    if marked:
        logger.warning("%d job(s) of workers gone quiet marked failed", marked)
    return marked


def _running_on(worker_id: str) -> list[DBTaskResult[Any, Any]]:
    """The jobs marked running by this worker: after it lost the database, none of them is running any more."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "pk", "worker_ids", "task_path", "args_kwargs", "enqueued_at"
    )
    return [job for job in running if job.worker_ids and job.worker_ids[-1] == worker_id[:64]]


def _fail_jobs(jobs: list[DBTaskResult[Any, Any]], now: datetime, error: type[Exception]) -> int:
    """Marks each job still running failed with `error`, and queues a sync among them again. Returns how many."""
    marked = 0
    for job in jobs:
        if DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{error.__module__}.{error.__qualname__}",
            traceback="",
        ):
            marked += 1
            if job.task_path == SYNC_TASK:
                _sync_again(job)
    return marked


def _sync_again(job: DBTaskResult[Any, Any]) -> None:
    """The sync its dead worker was running, queued again now rather than at the connection's next sweep. A worker
    killed between taking the job and starting the run left the connection's queued-run marker, which would hold off
    every trigger for an hour: it goes first (a marker queued after this job was, for a later run, stays). The new run
    waits for the dead run's lease to lapse (busy, it comes again every 2 s)."""
    from dxconnector.sync import api as sync
    from dxconnector.sync.models import QueuedSync

    connection_id, trigger = job.args_kwargs["args"]
    QueuedSync.objects.filter(connection_id=connection_id, queued_at__lte=job.enqueued_at).delete()
    sync.request_sync(connection_id, trigger)


def orphans_scheduler(worker_id: str) -> Scheduler:
    """Every WORKER_STALE_SECONDS one worker marks failed the jobs of workers gone quiet (`fail_orphaned_jobs`)."""
    return Scheduler("orphaned-jobs", worker_id, settings.WORKER_STALE_SECONDS, fail_orphaned_jobs)


TOP_PRIORITY = 100  # django-tasks' highest


def raise_waiting_jobs(now: datetime | None = None) -> int:
    """Jobs ready for longer than JOB_MAX_WAIT_SECONDS, held back by jobs of a higher priority coming in all the time,
    are raised to the top, so the next free worker takes them (the oldest first). Returns how many were raised."""
    now = now or timezone.now()
    waited_since = now - timedelta(seconds=settings.JOB_MAX_WAIT_SECONDS)
    ready_since_then = Q(run_after=get_date_max()) | Q(run_after__lte=waited_since)  # the maximum: no run_after given
    raised = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, priority__lt=TOP_PRIORITY, enqueued_at__lte=waited_since)
        .filter(ready_since_then)
        .update(priority=TOP_PRIORITY)
    )
    if raised:
        logger.info("%d job(s) waiting longer than %d s raised above the rest", raised, settings.JOB_MAX_WAIT_SECONDS)
    return raised


def starvation_scheduler(worker_id: str) -> Scheduler:
    """Every few seconds one worker raises the jobs that have waited too long (`raise_waiting_jobs`)."""
    return Scheduler("waiting-jobs", worker_id, max(1.0, settings.JOB_MAX_WAIT_SECONDS / 6), raise_waiting_jobs)


def run_worker(*, interval: float = 0.5, queues: tuple[str, ...] = ("*",)) -> None:
    """The long-running worker: polls for jobs until SIGINT/SIGTERM, beating its heart meanwhile."""
    worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    heartbeat = Heartbeat(worker_id, settings.WORKER_HEARTBEAT_SECONDS)
    heartbeat.start()  # its first beat is at once; a database not there yet is waited for, not fatal
    sweep = sweep_scheduler(worker_id)
    sweep.start()
    pruning = retention_scheduler(worker_id)
    pruning.start()
    orphans = orphans_scheduler(worker_id)
    orphans.start()
    starving = starvation_scheduler(worker_id)
    starving.start()
    logger.info("worker %s started", worker_id)
    try:
        _work_until_stopped(worker_id, interval=interval, queues=queues)
    finally:
        starving.stop()
        orphans.stop()
        pruning.stop()
        sweep.stop()
        heartbeat.stop()
        logger.info("worker %s stopped", worker_id)
