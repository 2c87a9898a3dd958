"""`dxconnector worker`: django-tasks-db's worker loop plus a heartbeat that /healthz can read."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.jobs.scheduler import Scheduler

logger = logging.getLogger(__name__)
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


def run_pending_jobs(queues: tuple[str, ...] = ("*",)) -> None:
    """Run every job that is ready, in this thread, then return (tests and `worker --batch`). The command takes over
    SIGINT and SIGTERM to stop cleanly; they are given back when it returns."""
    handlers = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    try:
        _work(f"batch-{os.getpid()}-{uuid.uuid4().hex[:8]}", interval=0, batch=True, queues=queues)
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


def run_worker(*, interval: float = 0.5, queues: tuple[str, ...] = ("*",)) -> None:
    """The long-running worker: polls for jobs until SIGINT/SIGTERM, beating its heart meanwhile."""
    worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    heartbeat = Heartbeat(worker_id, settings.WORKER_HEARTBEAT_SECONDS)
    heartbeat.beat()
    heartbeat.start()
    sweep = sweep_scheduler(worker_id)
    sweep.start()
    pruning = retention_scheduler(worker_id)
    pruning.start()
    logger.info("worker %s started", worker_id)
    try:
        _work(worker_id, interval=interval, batch=False, queues=queues)
    finally:
        pruning.stop()
        sweep.stop()
        heartbeat.stop()
        logger.info("worker %s stopped", worker_id)
