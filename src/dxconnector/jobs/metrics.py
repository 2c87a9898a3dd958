"""`/metrics`: the connector in Prometheus' text format, for a scraper bearing `METRICS_TOKEN` (docs/operating.md,
"Monitoring").

Two sources, each where its figures truly live:

- What the processes count as it happens (`dxconnector.metrics`): the calls to Xero and Dataverse, and each sync run as
  it finishes with its duration and its records by outcome. Every process writes its counts to its own files in
  `PROMETHEUS_MULTIPROC_DIR`, and prometheus-client's `MultiProcessCollector` adds them up here, whichever process
  counted (this one, a worker, `dxconnector sync`, one since killed).
- What is the database's state, read when scraped (`DatabaseCollector`): the job queue (django-tasks-db's table), the
  workers' heartbeats and the connections by state. Every web process answers the same figures: no process keeps them.
"""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.sync.api import counts_by_state

logger = logging.getLogger(__name__)


class DatabaseCollector(Collector):
    """The figures that are the database's state, read at each scrape (a handful of aggregate queries)."""

    def collect(self) -> Iterator[Metric]:
        try:
            found = [*self.jobs(), *self.workers(), *self.connections()]
        except DatabaseError:
            logger.warning("/metrics could not read the database", exc_info=True)
            yield GaugeMetricFamily("dxconnector_database_up", "Whether /metrics could read the database", value=0)
            return
        yield GaugeMetricFamily("dxconnector_database_up", "Whether /metrics could read the database", value=1)
        yield from found

    @staticmethod
    def jobs() -> Iterator[Metric]:
        now = timezone.now()
        ready = DBTaskResult.objects.ready()
        yield GaugeMetricFamily("dxconnector_jobs_queued", "Jobs waiting for a worker", value=ready.count())
        oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
        yield GaugeMetricFamily(
            "dxconnector_jobs_oldest_queued_age_seconds",
            "How long the oldest job waiting for a worker has waited (0 when none waits)",
            value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "dxconnector_jobs_running", "Jobs a worker is running", value=DBTaskResult.objects.running().count()
        )
        yield GaugeMetricFamily(
            "dxconnector_jobs_failed",
            "Jobs that ended with an error, of those the queue's table keeps",
            value=DBTaskResult.objects.failed().count(),
        )

    @staticmethod
    def workers() -> Iterator[Metric]:
        now = timezone.now()
        alive = WorkerHeartbeat.objects.filter(seen_at__gte=now - timedelta(seconds=settings.WORKER_STALE_SECONDS)).count()
        yield GaugeMetricFamily(
            "dxconnector_workers", "Workers whose heartbeat is fresher than WORKER_STALE_SECONDS", value=alive
        )
        newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
        yield GaugeMetricFamily(
            "dxconnector_worker_heartbeat_age_seconds",
            "Seconds since the newest worker heartbeat (+Inf when no worker has reported)",
            value=max(0.0, (now - newest).total_seconds()) if newest else math.inf,
        )

    @staticmethod
    def connections() -> Iterator[Metric]:
        connections = GaugeMetricFamily(
            "dxconnector_connections",
            "Connections by state: healthy, syncing, degraded, needs_attention, setup",
            labels=["state"],
        )
        for state, count in counts_by_state().items():
            connections.add_metric([state], count)
        yield connections


def registry() -> CollectorRegistry:
    """The counters of every process (their files) and the database's figures, gathered for one scrape."""
    gathered = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(gathered, path=str(settings.PROMETHEUS_MULTIPROC_DIR))  # type: ignore[no-untyped-call]
    gathered.register(DatabaseCollector())
    return gathered


def authorised(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        raise Http404("/metrics is off: set METRICS_TOKEN")
    if not authorised(request):
        refused = HttpResponse("A bearer token is required (METRICS_TOKEN).\n", status=401, content_type="text/plain")
        refused["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return refused
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
