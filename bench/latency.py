"""`dxconnector bench latency`: how long a change made in Dynamics takes to become an invoice in Xero through
the webhook path, end to end (the issue: p95 ≤ 3 s over 50 trials).

The portal's web server and a worker run as child processes, started as `dxconnector demo` starts them (and
the sandbox Xero app's webhooks point at the portal, as in the demo). Create Connection registers the
Dataverse webhooks pointing at BASE_URL. Each trial makes one invoice, its lines deep-inserted, through the
Dataverse Web API as the operator's application user, notes the moment the create returned, and then asks
Xero (through the connector's own Xero client, as the admin's app) until an invoice whose `Url` names that
Dynamics invoice is there. Trials run one after another; one warm-up invoice comes first and is not counted.

Besides the latencies, each trial is split into phases from the connector's own records (same machine, same
wall clock): create → sync job queued (the Dataverse webhook delivered and received), queued → the run that
sent it started (the worker's polling, or a run already under way), run start → Xero create recorded (the sync
itself), recorded → seen by the poll.
"""

from __future__ import annotations

import math
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.environment import Options, World
from bench.seeding import invoice_body, reference_ids, seed
from bench.sync import SETTINGS_ROW
from dxconnector import local

TRIAL_TIMEOUT = 30.0  # seconds; a trial that times out counts as this long
WORKER_INTERVAL = 0.5  # `dxconnector worker --interval`: its default, what `demo` and `serve` start workers with
POLL_INTERVAL = 0.05  # seconds between looks in Xero
POLL_INTERVAL_REAL_LIMITS = 0.5  # with Xero's limits enforced, every look spends the organisation's call budget
CUSTOMERS, PRODUCTS, LINES = 20, 20, 5


def run(options: Options, *, trials: int) -> dict[str, Any]:
    poll_interval = POLL_INTERVAL_REAL_LIMITS if options.limits == "real" else POLL_INTERVAL
    with World(options) as world:
        with world.dataverse() as dynamics:  # customers and products first, as `bench sync` seeds: no webhooks yet
            seeded = seed(dynamics, invoices=0, lines=LINES, customers=CUSTOMERS, products=PRODUCTS, seed=options.seed)
            references = reference_ids(dynamics)
        connection = world.onboard(**SETTINGS_ROW)
        local.subscribe_to_sandbox_webhooks(world.manifest, _base_url(world))  # Xero's webhooks too, as the demo does
        with world.dataverse() as dynamics:
            children = start_portal(world)
            try:
                xero = _xero_client(connection)
                rng = random.Random(options.seed)
                print("warm-up invoice", file=sys.stderr, flush=True)
                settle(connection.pk, rng)
                warm_up = trial(dynamics, xero, seeded, references, rng, poll_interval)
                print(f"warm-up: {warm_up['latency']:.2f} s", file=sys.stderr, flush=True)
                results = []
                for number in range(1, trials + 1):
                    settle(connection.pk, rng)
                    result = trial(dynamics, xero, seeded, references, rng, poll_interval)
                    results.append(result)
                    note = " (timed out)" if result["timed_out"] else ""
                    print(f"trial {number}/{trials}: {result['latency']:.2f} s{note}", file=sys.stderr, flush=True)
                phases = [_phases(connection.pk, result) for result in results]
            finally:
                stop_portal(children)
    return figures(options, world, results, phases, poll_interval)


# --- the portal ------------------------------------------------------------------------------------------


def _base_url(world: World) -> str:
    return f"http://127.0.0.1:{world.web_port}"


def start_portal(world: World, timeout: float = 60) -> dict[str, subprocess.Popen]:
    """The web server and a worker, as `dxconnector demo` starts them; back once /healthz says both are up."""
    children = local.portal_children(world.web_port)
    deadline = time.monotonic() + timeout
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    raise RuntimeError(f"the portal's {name} process exited with code {child.returncode}")
            try:
                answer = httpx.get(_base_url(world) + "/healthz", timeout=5)
                if answer.status_code == 200 and answer.json().get("worker", {}).get("status") == "ok":
                    return children
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the portal did not become healthy (web server and worker) in time")
            time.sleep(0.2)
    except BaseException:
        stop_portal(children)
        raise


def stop_portal(children: dict[str, subprocess.Popen]) -> None:
    local.stop_children(children, timeout=15)


# --- a trial ---------------------------------------------------------------------------------------------


def _xero_client(connection: Any):
    from dxconnector.connections.clients import xero_client

    connection.refresh_from_db()
    return xero_client(connection.xero)


def trial(
    dynamics: Any, xero: Any, seeded: Any, references: tuple[str, str, str], rng: random.Random, poll_interval: float
) -> dict[str, Any]:
    from dxconnector.xero import resources

    invoice_id = str(uuid.uuid4())  # not a seeded id: a new invoice, whatever Dynamics holds already
    body = invoice_body(
        invoice_id, f"Latency {invoice_id[:8]}", seeded, references, rng, LINES, datetime.now(UTC) - timedelta(days=1)
    )
    asked = time.monotonic()
    dynamics.create("invoices", body)
    created, created_at = time.monotonic(), time.time()
    deadline = created + TRIAL_TIMEOUT
    polls = 0
    while True:
        polls += 1
        found = list(xero.records(resources.INVOICES, where=f'Url.EndsWith("id={invoice_id}")'))
        now = time.monotonic()
        if found:
            return {
                "invoice_id": invoice_id,
                "latency": now - created,
                "created_at": created_at,
                "found_at": created_at + (now - created),
                "timed_out": False,
                "polls": polls,
                "found": len(found),
                "create_call": created - asked,
            }
        if now >= deadline:
            return {
                "invoice_id": invoice_id,
                "latency": TRIAL_TIMEOUT,
                "created_at": created_at,
                "found_at": None,
                "timed_out": True,
                "polls": polls,
                "found": 0,
                "create_call": created - asked,
            }
        time.sleep(min(poll_interval, max(0.0, deadline - now)))


def settle(connection_id: Any, rng: random.Random, quiet_for: float = 0.5, timeout: float = 60) -> None:
    """Wait until the connector is idle (no sync queued or running, for `quiet_for` seconds: the echoes of the
    last trial — its write-back's Dataverse webhook, Xero's webhook for the new invoice — have run), then a
    random moment more, up to one worker poll interval: a change lands at any point of the idle worker's sleep,
    not right behind a run that is still busy (which would pick it up at once and flatter the figures)."""
    from django_tasks_db.models import DBTaskResult

    from dxconnector.sync.models import QueuedSync

    busy = DBTaskResult.objects.filter(task_path="dxconnector.sync.tasks.sync_connection", status__in=["READY", "RUNNING"])
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        if busy.exists() or QueuedSync.objects.filter(connection_id=connection_id).exists():
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_for:
            break
        time.sleep(0.05)
    time.sleep(rng.uniform(0, WORKER_INTERVAL))


# --- where the time went ---------------------------------------------------------------------------------


def _phases(connection_id: Any, result: dict[str, Any]) -> dict[str, float | None]:
    """The trial's timeline from the connector's records, in seconds after the create call returned: when the job
    whose run sent the invoice was queued (negative: the webhook was in before the create call's answer), when
    that run started, when its Xero create was recorded."""
    from django_tasks_db.models import DBTaskResult

    from dxconnector.sync.models import SyncAttempt

    created = datetime.fromtimestamp(result["created_at"], UTC)
    attempt = (
        SyncAttempt.objects.filter(connection_id=connection_id, dynamics_id=result["invoice_id"])
        .exclude(xero_id="")
        .select_related("run")
        .order_by("attempted_at")
        .first()
    )
    jobs = DBTaskResult.objects.filter(
        task_path="dxconnector.sync.tasks.sync_connection", args_kwargs__args__0=str(connection_id)
    )
    run_started = attempt.run.started_at if attempt is not None and attempt.run is not None else None
    job = jobs.filter(started_at__lte=run_started).order_by("-started_at").first() if run_started else None
    queued = job.enqueued_at if job is not None else None
    sent = attempt.attempted_at if attempt is not None else None
    found = datetime.fromtimestamp(result["found_at"], UTC) if result["found_at"] else None

    def seconds(start: datetime | None, end: datetime | None) -> float | None:
        return None if start is None or end is None else (end - start).total_seconds()

    return {
        "to_queued": seconds(created, queued),
        "to_run_start": seconds(created, run_started),
        "queued_to_run_start": seconds(queued, run_started),
        "run_start_to_sent": seconds(run_started, sent),
        "sent_to_found": seconds(sent, found),
        "run_trigger": attempt.run.trigger if attempt is not None and attempt.run is not None else None,
    }


def _phase_summary(phases: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for name in ("to_queued", "to_run_start", "queued_to_run_start", "run_start_to_sent", "sent_to_found"):
        values = sorted(value for phase in phases if (value := phase[name]) is not None)
        if values:
            summary[name] = {
                "p50_s": round(nearest_rank(values, 50), 3),
                "p95_s": round(nearest_rank(values, 95), 3),
                "max_s": round(values[-1], 3),
                "n": len(values),
            }
    triggers: dict[str, int] = {}
    for phase in phases:
        triggers[str(phase["run_trigger"])] = triggers.get(str(phase["run_trigger"]), 0) + 1
    summary["sent_by_runs_triggered_by"] = triggers
    return summary


# --- figures ---------------------------------------------------------------------------------------------


def nearest_rank(ordered: list[float], percent: float) -> float:
    """The nearest-rank percentile of an ascending list: the smallest value with at least `percent`% at or below it."""
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def figures(
    options: Options, world: World, results: list[dict[str, Any]], phases: list[dict[str, Any]], poll_interval: float
) -> dict[str, Any]:
    latencies = sorted(result["latency"] for result in results)
    create_calls = sorted(result["create_call"] for result in results)
    return {
        "trials": len(results),
        "p50_s": round(nearest_rank(latencies, 50), 3),
        "p95_s": round(nearest_rank(latencies, 95), 3),
        "max_s": round(latencies[-1], 3),
        "mean_s": round(statistics.fmean(latencies), 3),
        "timed_out": sum(result["timed_out"] for result in results),
        "duplicates": sum(result["found"] > 1 for result in results),
        "limits": options.limits,
        "time_scale": options.time_scale,
        "poll_interval_s": poll_interval,
        "worker_interval_s": WORKER_INTERVAL,
        "trial_timeout_s": TRIAL_TIMEOUT,
        "lines_per_invoice": LINES,
        "create_call_p50_s": round(nearest_rank(create_calls, 50), 3),  # not counted: the clock starts once it returned
        "phases": _phase_summary(phases),
        "state_dir": str(world.state_dir),
    }


if __name__ == "__main__":  # `python -m bench.latency` as a shortcut for `dxconnector bench latency`
    from bench.cli import main

    sys.exit(main(["latency", *sys.argv[1:]]))
