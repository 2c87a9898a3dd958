from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.sync.api import counts_by_state


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def _worker_status() -> dict:
    newest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    if newest is None:
        return {"status": "down", "detail": "no worker has reported"}
    age = (timezone.now() - newest.seen_at).total_seconds()
    fresh = age <= settings.WORKER_STALE_SECONDS
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - timedelta(seconds=settings.WORKER_STALE_SECONDS)).count()
    return {"status": "ok" if fresh else "stale", "workers": alive, "last_seen_seconds": round(age, 1)}


def _connection_counts() -> dict[str, int] | None:
    """How many connections are in each state (healthy, syncing, degraded, needs attention, setup). They say how the
    connections fare, not whether this service is up: they do not change the status."""
    try:
        return counts_by_state()
    except DatabaseError:
        return None


@never_cache
def healthz(request):
    database = "ok" if _database_ok() else "down"
    worker = _worker_status() if database == "ok" else {"status": "unknown"}
    healthy = database == "ok" and worker["status"] == "ok"
    body: dict[str, object] = {"status": "ok" if healthy else "degraded", "database": database, "worker": worker}
    if database == "ok":
        body["connections"] = _connection_counts()
    return JsonResponse(body, status=200 if healthy else 503)
