"""Retention: what the connector keeps only for a while, pruned by one of the workers every hour (a periodic duty,
jobs/scheduler.py), and what a failed job's result may keep.

- Xero's webhook events, finished jobs' results (django-tasks-db's table) and django-axes' records (access attempts,
  failures, logs) older than RETENTION_DAYS; expired sessions.
- The portal's summary of the sync history, older than HISTORY_RETENTION_DAYS, as `sync.api.prune` decides (never a
  record's latest attempt, one not yet in Dynamics, nor a connection's latest runs).

A failed job's stored result keeps the exception's class and the stack's file, line and function names, never the
exception's message nor the source lines: a message may quote a record (Xero's or Dynamics' words about an invoice, a
name). The whole traceback still goes to the worker's log, whose lines are redacted (dxconnector.logs).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dxconnector.sync import api as sync

logger = logging.getLogger(__name__)

EVERY_SECONDS = 3600
FRAME = re.compile(r'^\s*File "[^"\n]*", line \d+, in [^\s]+$')


@dataclass(frozen=True)
class Pruned:
    webhook_events: int = 0
    sync_attempts: int = 0
    sync_runs: int = 0
    job_results: int = 0
    sessions: int = 0
    lockout_records: int = 0


def prune(now: datetime | None = None) -> Pruned:
    """Prune everything past its time; returns how many rows of each kind went."""
    # Imported here: JobsConfig.ready imports this module, also where the portal's apps (sessions, axes) are not installed.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    history = sync.prune(events_days=settings.RETENTION_DAYS, history_days=settings.HISTORY_RETENTION_DAYS, now=now)
    jobs, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    ).delete()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    # A lockout lasts LOGIN_LOCKOUT_MINUTES: its attempt record goes only once that is over too.
    lockout_cutoff = min(cutoff, now - timedelta(hours=float(settings.AXES_COOLOFF_TIME)))
    lockouts = sum(
        model.objects.filter(attempt_time__lt=lockout_cutoff).delete()[0]
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )
    pruned = Pruned(history.webhook_events, history.attempts, history.runs, jobs, sessions, lockouts)
    logger.info(
        "retention pruned %s",
        ", ".join(f"{name} {count}" for name, count in vars(pruned).items()),
        extra={"pruned": vars(pruned)},
    )
    return pruned


def safe_traceback(exception_class_path: str, traceback: str) -> str:
    """The traceback a failed job's result keeps: its frames (file, line, function) and the exception's class."""
    frames = [line.strip() for line in traceback.splitlines() if FRAME.match(line)]
    return "\n".join(
        [
            "Traceback (most recent call last), frames only:",
            *frames,
            f"{exception_class_path} (its message is not kept here: it may quote a record; the worker's log has it)",
        ]
    )


def strip_traceback(sender: Any, instance: DBTaskResult[Any, Any], **kwargs: Any) -> None:
    """pre_save of django-tasks-db's result: a failure's traceback is made safe before it is written."""
    if instance.traceback and not instance.traceback.startswith("Traceback (most recent call last), frames only:"):
        instance.traceback = safe_traceback(instance.exception_class_path, instance.traceback)
