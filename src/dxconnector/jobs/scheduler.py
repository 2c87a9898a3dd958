"""Periodic duties of the workers: every worker runs a scheduler, and a row in the database (one
conditional UPDATE per period) decides which of them does the duty this period."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import close_old_connections, connection
from django.utils import timezone

from dxconnector.jobs.models import ScheduleLease

logger = logging.getLogger(__name__)


def claim(name: str, holder: str, every_seconds: float, now: datetime | None = None) -> bool:
    """Whether `holder` takes this period's turn of the duty `name` (and moves the next turn on a period)."""
    now = now or timezone.now()
    ScheduleLease.objects.get_or_create(name=name, defaults={"due_at": now})
    taken = ScheduleLease.objects.filter(name=name, due_at__lte=now).update(
        due_at=now + timedelta(seconds=every_seconds), holder=holder[:64]
    )
    return taken == 1


class Scheduler(threading.Thread):
    """Runs `duty` once per period across every worker; checks a few times a period whether it is due."""

    def __init__(self, name: str, holder: str, every_seconds: float, duty: Callable[[], object]):
        super().__init__(name=f"scheduler-{name}", daemon=True)
        self.duty_name = name
        self.holder = holder
        self.every_seconds = every_seconds
        self.duty = duty
        self.stopped = threading.Event()

    def tick(self, now: datetime | None = None) -> bool:
        """Do the duty if this worker claims the period; returns whether it did."""
        if not claim(self.duty_name, self.holder, self.every_seconds, now):
            return False
        self.duty()
        return True

    def run(self) -> None:
        check = max(1.0, min(self.every_seconds / 5, 30.0))
        try:
            while not self.stopped.wait(check):
                try:
                    close_old_connections()
                    self.tick()
                except Exception:  # a busy database or a failed duty must not stop the schedule
                    logger.warning("scheduled %s failed", self.duty_name, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
