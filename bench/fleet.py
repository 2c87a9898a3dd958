"""`dxconnector bench fleet`: the connector as a hosted service runs it, many connections over one PostgreSQL.

What runs today is `--sweep-only`: the scheduler's sweep timed over 1,000 and 10,000 connection rows (rows only, no
onboarding), counting its queries. The full fleet run (N connections onboarded, W `dxconnector worker` processes and the
web process, a load, verify over every connection) is refused as not yet built: see bench/README.md for why and what
it needs (above all, the Xero sandbox holds three organisations and has no route to make more).

The database is one of the benchmark's own, made on the PostgreSQL server DATABASE_URL names (or the local one) and
dropped at the end, so a run never touches another database's rows.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
SWEEP_SIZES = (1_000, 10_000)
DUE_EACH_TIME = 10  # connections due at each sweep measured: the steady state, where most were swept a moment ago
TIMED_SWEEPS = 5  # each figure is the median of this many sweeps


# --- figure arithmetic (pure: tested) ------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` 0–1) of the values: one of them, never an interpolation."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, -(-round(share * 1000) * len(ordered) // 1000))  # ceil(share × n) without float surprises
    return ordered[min(rank, len(ordered)) - 1]


def completion_figures(seconds_by_connection: dict[str, float]) -> dict[str, float]:
    """p50/p95/max of the connections' completion times, and fairness: the slowest over the median."""
    values = list(seconds_by_connection.values())
    median = statistics.median(values)
    return {
        "p50_s": round(percentile(values, 0.5), 2),
        "p95_s": round(percentile(values, 0.95), 2),
        "max_s": round(max(values), 2),
        "fairness": round(max(values) / median, 2) if median > 0 else float("inf"),
    }


def per_thousand(seconds: float, invoices: int) -> float:
    """CPU seconds per 1,000 invoices."""
    if invoices <= 0:
        raise ValueError("no invoices")
    return round(seconds * 1000 / invoices, 3)


def database_url(server: str, name: str) -> str:
    """The URL of database `name` on the server `server` names (its path replaced)."""
    parts = urlsplit(server)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"not a PostgreSQL URL: {server}")
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


# --- a database of the benchmark's own ------------------------------------------------------------------------


@contextmanager
def bench_database(server: str) -> Iterator[str]:
    """A new, empty database on `server` for one run (its URL), dropped afterwards."""
    import psycopg

    name = f"dxbench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    print(f"Database {name} made on {urlsplit(server).hostname}", file=sys.stderr, flush=True)
    try:
        yield database_url(server, name)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(f"Database {name} dropped", file=sys.stderr, flush=True)


def _django_on(url: str, state_dir: Path) -> None:
    """This process's Django on the benchmark's database, migrated."""
    from dxconnector import local

    os.environ.update(DATABASE_URL=url, DATA_DIR=str(state_dir / "connector"), DEBUG="true")
    local.setup_django()
    local.migrate()


# --- the sweep at scale -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepFigure:
    connections: int
    due: int
    queued: int
    queries: int
    seconds: float
    due_for_sweep_queries: int
    due_for_sweep_seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "due": self.due,
            "queued": self.queued,
            "queries": self.queries,
            "seconds": round(self.seconds, 4),
            "due_for_sweep_queries": self.due_for_sweep_queries,
            "due_for_sweep_seconds": round(self.due_for_sweep_seconds, 4),
        }


def make_connection_rows(count: int, *, due: int, first: int = 0) -> None:
    """`count` created connections that may sync (a running trial), each with a Xero and a Dynamics side but no
    tokens worth anything: rows only. The first `due` are due for a sweep; the rest were swept a moment ago (their
    next sweep is an hour off), as most connections are at any time."""
    from django.utils import timezone

    from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
    from dxconnector.portal.models import User

    now = timezone.now()
    owner, _ = User.objects.get_or_create(email="fleet@example.org", defaults={"name": "Fleet", "company": "Fleet Ltd"})
    for start in range(0, count, 1000):
        numbers = range(first + start, first + min(start + 1000, count))
        connections = Connection.objects.bulk_create(
            [
                Connection(
                    owner=owner,
                    name=f"Fleet {n:05d}",
                    status=Connection.Status.CREATED,
                    trial_started_at=now - timedelta(days=1),
                    trial_ends_at=now + timedelta(days=13),
                    sweep_interval_minutes=60,
                    next_sweep_at=None if n - first < due else now + timedelta(hours=1),
                )
                for n in numbers
            ]
        )
        XeroConnection.objects.bulk_create(
            [
                XeroConnection(connection=c, tenant_id=str(uuid.uuid4()), access_token="-", refresh_token="-", expires_at=now)
                for c in connections
            ]
        )
        DynamicsConnection.objects.bulk_create(
            [
                DynamicsConnection(connection=c, tenant_id=str(uuid.uuid4()), org_url=f"https://org{c.name[-5:]}.example")
                for c in connections
            ]
        )


def _forget_queued() -> None:
    """Undo what a sweep queued (the markers and their jobs), so the next sweep finds the same connections due."""
    from django_tasks_db.models import DBTaskResult

    from dxconnector.sync.models import QueuedSync

    QueuedSync.objects.all().delete()
    DBTaskResult.objects.all().delete()


def time_sweep(connections: int) -> SweepFigure:
    """The sweep over the rows there are now: the median of TIMED_SWEEPS sweeps, each finding the same connections
    due, and `due_for_sweep` alone (its count: the one query that picks them)."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from dxconnector.sync import triggers

    seconds, queries, queued = [], set(), set()
    for _ in range(TIMED_SWEEPS):
        _forget_queued()
        with CaptureQueriesContext(db) as captured:
            started = time.perf_counter()
            queued.add(triggers.sweep(timezone.now()))
            seconds.append(time.perf_counter() - started)
        queries.add(len(captured))
    pick_seconds, pick_queries, due = [], set(), 0
    for _ in range(TIMED_SWEEPS):
        _forget_queued()
        with CaptureQueriesContext(db) as captured:
            started = time.perf_counter()
            due = triggers.due_for_sweep(timezone.now()).count()
            pick_seconds.append(time.perf_counter() - started)
        pick_queries.add(len(captured))
    if len(queries) != 1 or len(queued) != 1 or len(pick_queries) != 1:
        raise RuntimeError(f"the sweeps differed: queries {sorted(queries)}, queued {sorted(queued)}")
    return SweepFigure(
        connections=connections,
        due=due,
        queued=queued.pop(),
        queries=queries.pop(),
        seconds=statistics.median(seconds),
        due_for_sweep_queries=pick_queries.pop(),
        due_for_sweep_seconds=statistics.median(pick_seconds),
    )


def sweep_at_scale(server: str, state_dir: Path, sizes: tuple[int, ...] = SWEEP_SIZES) -> dict[str, Any]:
    """The sweep timed over each number of connection rows in turn (rows added between), on a database of its own."""
    with bench_database(server) as url:
        _django_on(url, state_dir)
        figures, made = [], 0
        for size in sizes:
            print(f"Making connection rows: {made} → {size}", file=sys.stderr, flush=True)
            make_connection_rows(size - made, due=DUE_EACH_TIME if made == 0 else 0, first=made)
            made = size
            figures.append(time_sweep(size))
            print(f"  sweep over {size}: {figures[-1].to_json()}", file=sys.stderr, flush=True)
        _forget_queued()
    return {
        "sweep": [figure.to_json() for figure in figures],
        "sweep_same_queries": len({figure.queries for figure in figures}) == 1,
        "sweep_due_each_time": DUE_EACH_TIME,
        "database": "postgresql",
    }


# --- the whole fleet ----------------------------------------------------------------------------------------------

NOT_YET = (
    "the fleet run itself is not built yet: only --sweep-only runs (the Xero sandbox holds three organisations and "
    "has no route to make more, so N connections each with its own organisation needs that first)"
)
