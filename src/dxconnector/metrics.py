"""The counters the connector keeps where things happen: the calls the Xero and Dataverse clients make, by the answer's
status, and the time they spent waiting before calling; each sync run as it finishes, how long it took and its records
by outcome (from the run's own attempts: `sync.state.finish_run`).

Several processes make calls (the web server, each worker, `dxconnector sync`), so the counters use prometheus-client's
multiprocess mode: each process adds to its own file in `PROMETHEUS_MULTIPROC_DIR` (the settings make it
`DATA_DIR/metrics` unless the environment names another folder), the files outlive the process that wrote them (a
killed worker's calls still count) and `/metrics` adds them up when scraped. prometheus-client chooses that storage
when it is first imported, so the variable must be set before: the settings set it, and every process of the connector
loads them before it imports a client.

Runs and records are counted as they finish rather than read from their rows when scraped: old rows are pruned, and a
total read from the rows would fall, which Prometheus takes for a reset. What is the database's state (jobs, workers,
connections) is not counted here: `/metrics` reads it from the database when scraped (`dxconnector.jobs.metrics`).
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Histogram

XERO = "xero"  # Xero's API: the Accounting API and the connections endpoint (api.xero.com), not the sign-in's token calls
DATAVERSE = "dataverse"  # an organisation's Dataverse Web API
NO_ANSWER = "no_answer"  # the call got no HTTP answer: refused, reset, timed out
DIRECTIONS = {"D365_TO_XERO": "to_xero", "XERO_TO_D365": "to_dynamics"}  # SyncAttempt.Direction's values, as labels
TIMED = ("succeeded", "failed")  # the runs whose duration is observed (a busy or paused one does nothing)
# Upper bounds (seconds) of the run-duration buckets: a quiet incremental run takes seconds, a first sync of thousands
# of invoices into an organisation held to 60 calls a minute takes many minutes.
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)

API_CALLS = Counter(
    "dxconnector_api_calls",
    "HTTP calls made to Xero's API and to the Dataverse Web API, by the answer's status (no_answer: none came), retries included",
    ["system", "status"],
)
API_WAIT = Counter(
    "dxconnector_api_wait_seconds",
    "Seconds the clients waited before calling: for the call budget, for Retry-After after a 429, and backing off after failures",
    ["system"],
)
SYNC_RUNS = Counter("dxconnector_sync_runs", "Sync runs finished, by how they ended and what started them", ["status", "trigger"])
SYNC_RUN_DURATION = Histogram(
    "dxconnector_sync_run_duration_seconds",
    "How long the sync runs that went through or stopped early took",
    ["status"],
    buckets=DURATION_BUCKETS,
)
SYNC_RECORDS = Counter(
    "dxconnector_sync_records",
    "Records the sync attempted, by direction, kind and outcome (succeeded, failed, held_back, skipped)",
    ["direction", "kind", "outcome"],
)


def api_call(system: str, status: int | None) -> None:
    """One HTTP call to `system`, answered with `status` (None or 0: no answer came)."""
    API_CALLS.labels(system, str(status) if status else NO_ANSWER).inc()


def api_wait(system: str, seconds: float) -> None:
    if seconds > 0:
        API_WAIT.labels(system).inc(seconds)


def run_finished(status: str, trigger: str, seconds: float, records: Iterable[tuple[str, str, str, int]] = ()) -> None:
    """A sync run ended with `status`, after `seconds`; `records`: its attempts as (direction, kind, outcome, how many)."""
    SYNC_RUNS.labels(status, trigger).inc()
    if status in TIMED:
        SYNC_RUN_DURATION.labels(status).observe(max(0.0, seconds))
    for direction, kind, outcome, count in records:
        SYNC_RECORDS.labels(DIRECTIONS.get(direction, direction.lower()), kind, outcome.lower()).inc(count)
