"""The counters the connector keeps where things happen: the calls the Xero and Dataverse clients make, by the answer's
status, and the time they spent waiting before calling.

Several processes make calls (the web server, each worker, `dxconnector sync`), so the counters use prometheus-client's
multiprocess mode: each process adds to its own file in `PROMETHEUS_MULTIPROC_DIR` (the settings make it
`DATA_DIR/metrics` unless the environment names another folder), the files outlive the process that wrote them (a
killed worker's calls still count) and `/metrics` adds them up when scraped. prometheus-client chooses that storage
when it is first imported, so the variable must be set before: the settings set it, and every process of the connector
loads them before it imports a client.

What is the database's state (runs, records, jobs, workers, connections) is not counted here: `/metrics` reads it from
the database when scraped (`dxconnector.jobs.metrics`).
"""

from __future__ import annotations

from prometheus_client import Counter

XERO = "xero"  # Xero's API: the Accounting API and the connections endpoint (api.xero.com), not the sign-in's token calls
DATAVERSE = "dataverse"  # an organisation's Dataverse Web API
NO_ANSWER = "no_answer"  # the call got no HTTP answer: refused, reset, timed out

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


def api_call(system: str, status: int | None) -> None:
    """One HTTP call to `system`, answered with `status` (None or 0: no answer came)."""
    API_CALLS.labels(system, str(status) if status else NO_ANSWER).inc()


def api_wait(system: str, seconds: float) -> None:
    if seconds > 0:
        API_WAIT.labels(system).inc(seconds)
