from django.db import models


class WorkerHeartbeat(models.Model):
    """Each running worker process refreshes its row every few seconds; /healthz reads the newest."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class ScheduleLease(models.Model):
    """One periodic duty shared by every worker: whoever moves `due_at` on first (one conditional UPDATE)
    does it this period; the others find it already taken."""

    name = models.CharField(max_length=64, primary_key=True)
    due_at = models.DateTimeField()
    holder = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.name} due {self.due_at:%H:%M:%S}"
