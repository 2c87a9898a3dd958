"""`/metrics`: the connector in Prometheus' text format, for a scraper bearing `METRICS_TOKEN` (docs/operating.md,
"Monitoring").

Two sources, each where its figures truly live:

- What the processes count as it happens, the calls to Xero and Dataverse (`dxconnector.metrics`): every process
  writes its counts to its own file in `PROMETHEUS_MULTIPROC_DIR`, and prometheus-client's `MultiProcessCollector`
  adds them up here, whichever process made the calls (this one, a worker, `dxconnector sync`, one since killed).
- What is the database's state, read when scraped (`DatabaseCollector`): the sync's runs and records by outcome and
  the runs' duration (from `SyncRun` and `SyncAttempt`), the job queue (django-tasks-db's table), the workers'
  heartbeats and the connections by state. Every web process answers the same figures: no process keeps them.
"""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from dxconnector.jobs.models import WorkerHeartbeat
from dxconnector.sync.api import counts_by_state
from dxconnector.sync.models import SyncAttempt, SyncRun

logger = logging.getLogger(__name__)

# Upper bounds (seconds) of the run-duration histogram's buckets: a quiet incremental run takes seconds, a first sync
# of thousands of invoices into an organisation held to 60 calls a minute takes many minutes.
DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
FINISHED = (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED, SyncRun.Status.BUSY, SyncRun.Status.PAUSED)
DIRECTIONS: dict[str, str] = {SyncAttempt.Direction.TO_XERO: "to_xero", SyncAttempt.Direction.TO_DYNAMICS: "to_dynamics"}


class DatabaseCollector(Collector):
    """The figures that are the database's state, read at each scrape (a handful of aggregate queries)."""

    def collect(self) -> Iterator[Metric]:
        try:
            found = [*self.runs(), *self.records(), *self.jobs(), *self.workers(), *self.connections()]
        except DatabaseError:
            logger.warning("/metrics could not read the database", exc_info=True)
            yield GaugeMetricFamily("dxconnector_database_up", "Whether /metrics could read the database", value=0)
            return
        yield GaugeMetricFamily("dxconnector_database_up", "Whether /metrics could read the database", value=1)
        yield from found

    @staticmethod
    def runs() -> Iterator[Metric]:
        runs = CounterMetricFamily(
            "dxconnector_sync_runs", "Sync runs finished, by how they ended and what started them", labels=["status", "trigger"]
        )
        for row in SyncRun.objects.filter(status__in=FINISHED).values("status", "trigger").annotate(n=Count("pk")):
            runs.add_metric([row["status"], row["trigger"]], row["n"])
        yield runs
        duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
        buckets = {
            f"le_{index}": Count("pk", filter=Q(duration__lte=timedelta(seconds=bound)))
            for index, bound in enumerate(DURATION_BUCKETS)
        }
        histogram = HistogramMetricFamily(
            "dxconnector_sync_run_duration_seconds",
            "How long the sync runs that went through or stopped early took",
            labels=["status"],
        )
        rows = (
            SyncRun.objects.filter(status__in=[SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED], finished_at__isnull=False)
            .annotate(duration=duration)
            .values("status")
            .annotate(n=Count("pk"), total=Sum("duration"), **buckets)
        )
        for finished in rows:
            found: dict[str, Any] = dict(finished)
            cumulative = [(str(float(bound)), found[f"le_{index}"]) for index, bound in enumerate(DURATION_BUCKETS)]
            total = found["total"].total_seconds() if found["total"] is not None else 0.0
            histogram.add_metric([found["status"]], [*cumulative, ("+Inf", found["n"])], total)
        yield histogram

    @staticmethod
    def records() -> Iterator[Metric]:
        records = CounterMetricFamily(
            "dxconnector_sync_records",
            "Records the sync attempted, by direction, kind and outcome (succeeded, failed, held_back, skipped)",
            labels=["direction", "kind", "outcome"],
        )
        rows = SyncAttempt.objects.values("direction", "record_kind", "outcome").annotate(n=Count("pk"))
        for row in rows:
            direction = DIRECTIONS.get(row["direction"], row["direction"].lower())
            records.add_metric([direction, row["record_kind"], row["outcome"].lower()], row["n"])
        yield records

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
        yield CounterMetricFamily(
            "dxconnector_jobs_failed", "Jobs that ended with an error", value=DBTaskResult.objects.failed().count()
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
