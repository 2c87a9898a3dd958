"""`dxconnector bench fleet`: the connector as a hosted service runs it, many connections over one PostgreSQL.

The fleet run: N connections, each with a Xero organisation of its own (made through the Xero sandbox's control
route) and one Dynamics organisation shared, onboarded as an admin does; W `dxconnector worker` processes and the web
process; a load (every first sync at once, optionally a backfill with live connections, workers killed, PostgreSQL
restarted, faults on both sides); verify over every connection. `--sweep-only`: the scheduler's sweep timed over 1,000
and 10,000 connection rows (rows only, no onboarding), counting its queries.

The database is one of the benchmark's own, on a PostgreSQL server of the run's own (initdb'd into a temporary folder,
which `--restart-db` restarts) unless DATABASE_URL names a server, and dropped at the end, so a run never touches
another database's rows.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


# --- a PostgreSQL server of the benchmark's own --------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """Where PostgreSQL's server programs are (initdb, pg_ctl): `pg_config --bindir`, else Debian's
    /usr/lib/postgresql/<version>/bin (the newest), else None."""
    import shutil
    import subprocess

    pg_config = shutil.which("pg_config")
    if pg_config:
        found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip())
        if (found / "initdb").is_file() and (found / "pg_ctl").is_file():
            return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: _version(p.parent.parent.name))
    return versions[-1].parent if versions else None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


class OwnPostgres:
    """A PostgreSQL server for one run: `initdb` into a temporary folder, started with `pg_ctl` on a free loopback port
    (trust authentication, user postgres), restartable, and removed with its data at the end (its log is copied to the
    state dir). PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user."""

    def __init__(self, bindir: Path, state_dir: Path):
        import tempfile

        from dxconnector import local

        self.bindir, self.state_dir = bindir, state_dir
        self.folder = Path(tempfile.mkdtemp(prefix="dxbench-postgres-"))
        self.data, self.log = self.folder / "data", self.folder / "postgres.log"
        self.port = local.free_port()
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        import subprocess

        command = [str(self.bindir / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def _pg_ctl(self, action: str, *args: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
            " -c shared_preload_libraries=pg_stat_statements"  # counts the queries: db_queries_per_invoice
        )
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, *args)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self._pg_ctl("start")
        print(f"PostgreSQL of the run's own started on port {self.port} ({self.bindir})", file=sys.stderr, flush=True)

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every connection cut, open transactions rolled back, the server back when it
        answers again."""
        started = time.monotonic()
        self._pg_ctl("restart", "-m", "fast")
        self.restarts += 1
        print(f"  PostgreSQL restarted in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)

    def stop(self) -> None:
        try:
            self._pg_ctl("stop", "-m", "fast")
        finally:
            if self.log.exists():
                shutil.copyfile(self.log, self.state_dir / "postgres.log")
            shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def database_server(state_dir: Path, *, own: bool, given: str) -> Iterator[tuple[str, OwnPostgres | None]]:
    """The server the run's database goes on: one of the run's own (`own`), else the one `given` names. Yields its
    URL and, when it is the run's own, the server (to restart it)."""
    if not own:
        yield given, None
        return
    bindir = postgres_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) were not found: install postgresql")
    server = OwnPostgres(bindir, state_dir)
    try:
        server.start()
        yield server.url, server
    finally:
        server.stop()


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


@dataclass(frozen=True)
class FleetOptions:
    connections: int
    invoices: int  # per connection
    workers: int
    limits: str
    time_scale: float
    seed: int = 7
    backfill: int = 0  # the first connection's invoices instead of `invoices`: a big first sync (0: none)
    live: int = 0  # connections after it that get a new invoice every `live_interval` seconds while it runs
    live_interval: float = 3.0  # seconds between a live connection's new invoices (each connection on its own beat)
    kill_workers: int = 0  # times a worker, drawn at random, is killed (SIGKILL) mid-run and another started
    restart_db: bool = False  # the run's own PostgreSQL restarted once, at a random point of the load
    faults: float = 0.0  # share of calls failing on both sides during the load
    lines: int = 3
    customers: int = 5  # per connection
    products: int = 5  # per connection
    timeout: float = 1800  # seconds the fleet may take to send every invoice

    def invoices_of(self, number: int) -> int:
        return self.backfill if self.backfill and number == 0 else self.invoices


FLEET_SETTINGS_ROW = {
    "stl3_isdefaultconnection": False,  # each connection takes the invoices given to it, not every unassigned one
    "stl3_createnewcontacts": True,
    "stl3_createnewproducts": True,
    "stl3_defaultsalesaccountcode": "200",
    "stl3_defaultpurchaseaccountcode": "300",
}
POLL_SECONDS = 0.2
LIVE_ROUNDS_AT_LEAST = 5  # live rounds made even when the backfill is over sooner
LIVE_ROUNDS_AT_MOST = 200
FAULTS_AT_LEAST = 5  # with --faults: each failure kind injected at least this many times on each side
STALLED_AFTER = 120.0  # seconds without a connection finishing or a live invoice arriving: the run is stuck, said so
KILL_EVERY = (1.0, 4.0)  # seconds between kills, drawn


def run_fleet(fleet: FleetOptions, server: str, state_dir: Path, *, own_server: bool) -> dict[str, Any]:
    """Make each connection its own Xero organisation, onboard the connections (one Dynamics organisation shared, as
    one company's several connections share theirs), seed each its own customers, products and invoices, start the
    workers and the web process, queue every connection's first sync at once and time each to its last invoice in
    Xero; then verify all. With `own_server` the database goes on a PostgreSQL server of the run's own (`server`
    otherwise), which `restart_db` restarts mid-load."""
    from bench.environment import Options, World

    options = Options(state_dir=state_dir, limits=fleet.limits, time_scale=fleet.time_scale, seed=fleet.seed)
    if fleet.kill_workers:  # a killed worker's job is taken back once its heartbeat is this old: soon, in a benchmark
        os.environ.setdefault("WORKER_STALE_SECONDS", "15")
    with (
        database_server(state_dir, own=own_server, given=server) as (server_url, postgres),
        bench_database(server_url) as url,
        World(options, database_url=url) as world,
    ):
        print(f"Making {fleet.connections} Xero organisations", file=sys.stderr, flush=True)
        organisations = world.create_xero_organisations("Fleet", fleet.connections)
        connections = [_onboard(world, number, org["tenant_id"]) for number, org in enumerate(organisations)]
        expected = {str(c.pk): _seed_connection(world, c, number, fleet) for number, c in enumerate(connections)}
        world.reset_stats()
        figures = _load(world, fleet, connections, expected, postgres)
        figures["database_server"] = "the run's own" if postgres else urlsplit(server_url).hostname
        return figures


def _onboard(world: Any, number: int, xero_tenant_id: str) -> Any:
    from dxconnector.dynamics import webhooks

    print(f"Onboarding connection {number + 1}", file=sys.stderr, flush=True)
    connection = world.onboard_to(xero_tenant_id, **FLEET_SETTINGS_ROW)
    with world.dataverse() as client:  # the fleet queues its runs itself: no webhook starts one behind its back
        webhooks.unregister(client, str(connection.pk))
    return connection


def _connector_id(world: Any, connection: Any) -> str:
    from dxconnector.dynamics.solution.definition import CONNECTION

    with world.dataverse() as client:
        [row] = client.list(
            CONNECTION.set_name, select=CONNECTION.primary_id, filter=f"stl3_portalconnectionid eq '{connection.pk}'"
        )
    return str(row[CONNECTION.primary_id])


def _seed_connection(world: Any, connection: Any, number: int, fleet: FleetOptions) -> int:
    """Customers and products named for this connection alone (its Xero organisation is its own, but the Dynamics
    organisation is shared, and names unique across it keep every connection's records apart) and its invoices, each
    given to this connection. Returns the invoices made."""
    import random

    from bench.seeding import Seeded, _id, reference_ids
    from dxconnector.dynamics.batch import MAX_REQUESTS, BatchRequest, execute

    seed = fleet.seed * 100_000 + number
    rng = random.Random(seed)
    connector = _connector_id(world, connection)
    with world.dataverse() as client:
        schedule, unit, price_list = reference_ids(client)
        customers = [_id("account", n, seed) for n in range(fleet.customers)]
        products = [_id("product", n, seed) for n in range(fleet.products)]
        invoices = [_id("invoice", n, seed) for n in range(fleet.invoices_of(number))]
        requests = [
            BatchRequest(
                "PATCH",
                f"accounts({account})",
                {"name": f"Fleet {number:05d} customer {n}", "accountnumber": f"F{number:05d}-{n}"},
            )
            for n, account in enumerate(customers)
        ] + [
            BatchRequest(
                "PATCH",
                f"products({product})",
                {
                    "name": f"Fleet {number:05d} product {n}",
                    "productnumber": f"F{number:05d}-P{n}",
                    "price": 10 + n,
                    "defaultuomscheduleid@odata.bind": f"/uomschedules({schedule})",
                    "defaultuomid@odata.bind": f"/uoms({unit})",
                },
            )
            for n, product in enumerate(products)
        ]
        seeded = Seeded(customers, products, invoices)
        delivered = datetime.now(UTC) - timedelta(days=2)
        references = (schedule, unit, price_list)
        for n, invoice in enumerate(invoices):
            requests.append(
                BatchRequest(
                    "POST",
                    "invoices",
                    _invoice(
                        invoice, f"Fleet {number:05d} order {n}", seeded, references, rng, fleet.lines, delivered, connector
                    ),
                )
            )
        for start in range(0, len(requests), MAX_REQUESTS):
            failed = [answer for answer in execute(client, requests[start : start + MAX_REQUESTS]) if not answer.ok]
            if failed:
                raise RuntimeError(f"seeding connection {number}: {len(failed)} refused, e.g. {failed[0].error}")
    LIVE_SEEDS[str(connection.pk)] = LiveSeed(connector, seeded, references, rng)
    return len(invoices)


@dataclass
class LiveSeed:
    """What a connection's new invoices are made of: its connector row, customers, products, references."""

    connector: str
    seeded: Any
    references: tuple[str, str, str]
    rng: Any


LIVE_SEEDS: dict[str, LiveSeed] = {}


def _invoice(
    invoice_id: str, name: str, seeded: Any, references: Any, rng: Any, lines: int, delivered: datetime, connector: str
) -> dict[str, Any]:
    """A seeded invoice given to the connection (`stl3_connectorid`)."""
    from bench.seeding import invoice_body
    from dxconnector.dynamics.solution.definition import CONNECTION

    body = invoice_body(invoice_id, name, seeded, references, rng, lines, delivered)
    body["stl3_connectorid@odata.bind"] = f"/{CONNECTION.set_name}({connector})"
    return body


def _sent_by_connection() -> dict[str, int]:
    """Invoices each connection has in Xero, by its ledger (one query)."""
    from django.db.models import Count

    from dxconnector.sync.models import Link

    rows = (
        Link.objects.filter(kind=Link.Kind.INVOICE)
        .exclude(xero_id="")
        .values("connection_id")
        .annotate(sent=Count("pk"))
        .values_list("connection_id", "sent")
    )
    return {str(connection_id): sent for connection_id, sent in rows}


def database_activity() -> dict[str, int]:
    """The benchmark database's transactions and rows touched so far (pg_stat_database), and its statements run
    (`queries`, from pg_stat_statements, which the run's own server loads; absent on a server without it)."""
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched, tup_inserted + tup_updated + tup_deleted "
            "FROM pg_stat_database WHERE datname = current_database()"
        )
        transactions, returned, fetched, written = cursor.fetchone()
    activity = {"transactions": transactions, "tuples_returned": returned, "tuples_fetched": fetched, "tuples_written": written}
    queries = _statements_run()
    if queries is not None:
        activity["queries"] = queries
    return activity


def _statements_run() -> int | None:
    """Every statement the benchmark's database has run (pg_stat_statements' calls), or None without the extension."""
    from django.db import DatabaseError, transaction
    from django.db import connection as db

    try:
        with transaction.atomic(), db.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            cursor.execute(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            return int(cursor.fetchone()[0])
    except DatabaseError:  # not loaded (another server), or not installed
        return None


def activity_since(before: dict[str, int]) -> dict[str, int]:
    return {key: value - before[key] for key, value in database_activity().items() if key in before}


def _load(
    world: Any, fleet: FleetOptions, connections: list[Any], expected: dict[str, int], postgres: OwnPostgres | None
) -> dict[str, Any]:
    """Every connection's first sync queued at once; each timed to its last invoice in Xero (by its ledger). With a
    backfill, once every other connection is done, the live connections get new invoices while it goes on. Under
    `faults`, both sandboxes fail that share of calls until the load is over; with `restart_db`, PostgreSQL is
    restarted once on the way."""
    import resource

    from django.utils import timezone

    from dxconnector import local
    from dxconnector.sync.models import Trigger
    from dxconnector.sync.triggers import request_sync

    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = local.serve_children("127.0.0.1", world.web_port, fleet.workers)
    live_latencies: list[float] = []
    try:
        _wait_healthy(world, children)
        activity_before = database_activity()
        if fleet.faults:
            world.set_faults(fleet.faults, at_least=FAULTS_AT_LEAST)
        started = time.monotonic()
        now = timezone.now()
        for connection in connections:
            request_sync(connection.pk, Trigger.CREATED, now)  # a first sync, as Create Connection queues it
        done: dict[str, float] = {}
        backfill_id = str(connections[0].pk) if fleet.backfill else None
        live = [str(c.pk) for c in connections[1 : 1 + fleet.live]] if fleet.backfill else []
        tracker = LiveTracker(world, fleet, live)
        killer = WorkerKiller(children, fleet.kill_workers, fleet.seed)
        worker_exits = 0
        restarter = DatabaseRestarter(postgres if fleet.restart_db else None, sum(expected.values()), fleet.seed)
        progress_at, stalled = time.monotonic(), False
        while len(done) < len(expected) or tracker.busy():
            if time.monotonic() - started > fleet.timeout or time.monotonic() - progress_at > STALLED_AFTER:
                stalled = True
                print("Stopped waiting: no progress, or out of time", file=sys.stderr, flush=True)
                break
            worker_exits += _start_exited_workers(children)  # before the killer: it must not take an exited one
            killer.step()
            arrived_before = len(tracker.found)
            sent_by_connection = _sent_by_connection()
            restarter.step(sum(sent_by_connection.values()))
            for connection_id, sent in sent_by_connection.items():
                if connection_id not in done and sent >= expected.get(connection_id, 0):
                    done[connection_id] = time.monotonic() - started
                    progress_at = time.monotonic()
                    print(f"  {len(done)}/{len(expected)} connections done", file=sys.stderr, flush=True)
            others_done = all(c in done for c in expected if c != backfill_id)
            if live and others_done:
                tracker.step(backfill_done=backfill_id in done)
                if len(tracker.found) > arrived_before or tracker.rounds <= LIVE_ROUNDS_AT_LEAST:
                    progress_at = time.monotonic()
            time.sleep(POLL_SECONDS)
        wall = time.monotonic() - started
        stats = world.stats()  # before the faults are turned off: what the plan still owed is measured against it
        if fleet.faults:
            world.set_faults(0)  # the idle rounds and verify see both sides well
        activity = activity_since(activity_before)
        live_latencies = tracker.latencies()
        idle: dict[str, Any] = {}
        if not stalled:  # the first incremental run reads Xero for the first time (invoices, payments): then steady
            idle = {f"first_{k}": v for k, v in idle_round(world, connections, children).items()}
            idle.update(idle_round(world, connections, children))
    finally:
        local.stop_children(children, timeout=30)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    invoices = sum(expected.values()) + tracker.made
    figures = fleet_figures(world, fleet, connections, invoices, done, wall, cpu, activity, stats, backfill_id)
    figures.update(live_figures(live_latencies, tracker))
    figures.update(idle)
    figures.update(kills=killer.kills, worker_exits=worker_exits, db_restarts=restarter.restarts, stalled=stalled)
    figures.update(fault_figures(fleet, stats))
    return figures


def fault_figures(fleet: FleetOptions, stats: dict[str, Any]) -> dict[str, Any]:
    """The share of calls failed on purpose, and what each sandbox injected during the load, by kind: all of them, those
    the plan's `at_least` forced, and how many each kind still fell short of it when the load ended (none, or the load
    made too few calls)."""
    sides = {side: stats[side].get("faults") or {} for side in ("xero", "dataverse")}
    return {
        "faults": fleet.faults,
        "faults_at_least": FAULTS_AT_LEAST if fleet.faults else 0,
        "injected_failures": {side: faults.get("injected", {}) for side, faults in sides.items()},
        "forced_failures": {side: faults.get("forced", {}) for side, faults in sides.items()},
        "short_of_at_least": {side: faults.get("short_of_at_least", {}) for side, faults in sides.items()},
    }


class DatabaseRestarter:
    """Restarts the run's own PostgreSQL once (`pg_ctl restart -m fast`), at a point of the load drawn at random: when
    a share of the invoices (20–80%) is in Xero, so that work is going on whatever the run's length. This process's
    own connections are closed before and after, as it knows what it did; the workers and the web process find theirs
    cut, as they would."""

    def __init__(self, postgres: OwnPostgres | None, invoices: int, seed: int):
        import random

        self.postgres = postgres
        self.restarts = 0
        self.at_invoices = max(1, round(invoices * random.Random(seed + 1).uniform(0.2, 0.8)))

    def step(self, sent: int) -> None:
        from django.db import connections

        if self.postgres is None or self.restarts or sent < self.at_invoices:
            return
        print(f"  restarting PostgreSQL with {sent} invoices in Xero", file=sys.stderr, flush=True)
        connections.close_all()
        self.postgres.restart()
        connections.close_all()
        self.restarts += 1


def idle_round(world: Any, connections: list[Any], children: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
    """Once everything is sent: a sweep's run of every connection, with nothing changed since (what the fleet does most
    of the time), timed to the last one's end, its calls counted by the sandboxes."""
    from django.utils import timezone

    from dxconnector.sync.models import SyncRun, Trigger
    from dxconnector.sync.triggers import request_sync

    print(f"Idle round: a sweep's run of each of {len(connections)} connections", file=sys.stderr, flush=True)
    _wait_quiet(children, STALLED_AFTER)
    world.reset_stats()
    activity_before = database_activity()
    since = timezone.now()
    started = time.monotonic()
    for connection in connections:
        request_sync(connection.pk, Trigger.SWEEP, since)
    finished = 0
    while time.monotonic() - started < timeout:
        _still_running(children)
        # A connection's run of any trigger that did its work: a sweep asked for while another run was queued for it
        # (one put off by a lease left by a worker killed or cut off from the database) is that run.
        runs = SyncRun.objects.filter(started_at__gte=since, finished_at__isnull=False).exclude(status=SyncRun.Status.BUSY)
        finished = runs.values("connection_id").distinct().count()
        if finished >= len(connections):
            break
        time.sleep(POLL_SECONDS)
    seconds = time.monotonic() - started
    stats = world.stats()
    activity = activity_since(activity_before)
    runs_done = max(finished, 1)
    return {
        "idle_runs": finished,
        "idle_seconds": round(seconds, 2),
        "idle_runs_per_second": round(finished / seconds, 2),
        "xero_calls_per_idle_run": round(int(stats["xero"].get("calls", 0)) / runs_done, 2),
        "dataverse_calls_per_idle_run": round(int(stats["dataverse"].get("calls", 0)) / runs_done, 2),
        "db_transactions_per_idle_run": round(activity["transactions"] / runs_done, 1),
        "db_queries_per_idle_run": round(activity["queries"] / runs_done, 1) if "queries" in activity else None,
        "idle_rate_limit_violations": sum(
            int((stats[side].get("too_many_requests") or {}).get("limits", 0)) for side in ("xero", "dataverse")
        ),
    }


def _wait_quiet(children: dict[str, Any], timeout: float) -> None:
    """Until no sync is queued or running: runs put off by the load (a lease left by a killed worker, a database
    restart) are over before an idle round starts."""
    from dxconnector.sync.models import QueuedSync, SyncRun

    deadline = time.monotonic() + timeout
    while QueuedSync.objects.exists() or SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exists():
        _still_running(children)
        if time.monotonic() > deadline:
            print("  still not quiet: the idle round starts anyway", file=sys.stderr, flush=True)
            return
        time.sleep(POLL_SECONDS)


class WorkerKiller:
    """Kills a worker drawn at random (SIGKILL: no chance to finish or release anything) every few seconds until it
    has killed `wanted` times, and starts another in its place at once, as a process supervisor would."""

    def __init__(self, children: dict[str, Any], wanted: int, seed: int):
        import random

        self.children, self.wanted, self.kills = children, wanted, 0
        self.rng = random.Random(seed)
        self.next_kill = time.monotonic() + self.rng.uniform(*KILL_EVERY)

    def step(self) -> None:
        import signal
        import subprocess

        if self.kills >= self.wanted or time.monotonic() < self.next_kill:
            return
        name = self.rng.choice(sorted(name for name in self.children if name.startswith("worker")))
        child = self.children[name]
        child.send_signal(signal.SIGKILL)
        child.wait()  # reaped: its CPU is counted among the children's
        self.children[name] = subprocess.Popen([sys.executable, "-m", "dxconnector", "worker"], start_new_session=True)
        self.kills += 1
        self.next_kill = time.monotonic() + self.rng.uniform(*KILL_EVERY)
        print(f"  killed {name} ({self.kills}/{self.wanted}), started another", file=sys.stderr, flush=True)


def _start_exited_workers(children: dict[str, Any]) -> int:
    """A worker that exited by itself (not one the benchmark killed) is started again, as a process supervisor would,
    and said on stderr; the web process exiting ends the run. Returns how many workers were started again."""
    import subprocess

    exited = [name for name, child in children.items() if name.startswith("worker") and child.poll() is not None]
    for name in exited:
        print(f"  {name} exited by itself with code {children[name].returncode}: started again", file=sys.stderr, flush=True)
        children[name] = subprocess.Popen([sys.executable, "-m", "dxconnector", "worker"], start_new_session=True)
    _still_running(children)
    return len(exited)


def _still_running(children: dict[str, Any]) -> None:
    for name, child in children.items():
        if child.poll() is not None:
            raise RuntimeError(f"{name} exited with code {child.returncode}")


class LiveTracker:
    """The live connections' new invoices: a round every `live_interval` seconds in which each connection gets one, on
    a beat of its own (the connections' turns spread evenly over the interval, as independent businesses' changes come,
    not all in the same instant); the invoices due at one look are made in one `$batch`, each then asked to sync as its
    Dynamics webhook would ask (the connections share one Dynamics organisation, whose webhooks would call every
    connection for every change), each timed from the `$batch`'s answer to the invoice's link to Xero in the connector's
    ledger."""

    def __init__(self, world: Any, fleet: FleetOptions, live: list[str]):
        self.world, self.fleet, self.live = world, fleet, live
        self.rounds = 0
        self.made = 0
        self.round_started = 0.0
        self.turns_left: list[str] = []  # the connections of the round under way not yet given their invoice
        self.pending: dict[str, float] = {}  # invoice id → when made
        self.found: dict[str, float] = {}  # invoice id → seconds to Xero
        self.backfill_running_rounds = 0

    def busy(self) -> bool:
        return (
            bool(self.live)
            and (self.rounds < LIVE_ROUNDS_AT_LEAST or bool(self.pending) or bool(self.turns_left))
            and self.rounds <= LIVE_ROUNDS_AT_MOST
        )

    def step(self, *, backfill_done: bool) -> None:
        now = time.monotonic()
        if not self.turns_left and self._another_round(now, backfill_done):
            self.rounds += 1
            self.backfill_running_rounds += not backfill_done
            self.round_started = max(now, self.round_started + self.fleet.live_interval) if self.rounds > 1 else now
            self.turns_left = list(self.live)
        due = self._due(now)
        if due:
            self._make(due, backfill_done)
        self._look()

    def _another_round(self, now: float, backfill_done: bool) -> bool:
        if self.rounds >= LIVE_ROUNDS_AT_MOST or (backfill_done and self.rounds >= LIVE_ROUNDS_AT_LEAST):
            return False
        return self.rounds == 0 or now >= self.round_started + self.fleet.live_interval

    def _due(self, now: float) -> list[str]:
        """The connections whose turn in this round has come: the n-th of N at n/N of the interval."""
        spacing = self.fleet.live_interval / len(self.live)
        done = len(self.live) - len(self.turns_left)
        reached = min(len(self.live), int((now - self.round_started) / spacing) + 1)
        due, self.turns_left = self.turns_left[: reached - done], self.turns_left[reached - done :]
        return due

    def _make(self, connections: list[str], backfill_done: bool) -> None:
        from django.utils import timezone

        from dxconnector.dynamics.batch import BatchRequest, execute
        from dxconnector.sync.models import Trigger
        from dxconnector.sync.triggers import request_sync

        delivered = datetime.now(UTC) - timedelta(hours=1)
        made, requests = [], []
        for connection_id in connections:
            seed = LIVE_SEEDS[connection_id]
            invoice_id = str(uuid.uuid4())
            made.append((connection_id, invoice_id))
            body = _invoice(
                invoice_id,
                f"Live {invoice_id[:8]}",
                seed.seeded,
                seed.references,
                seed.rng,
                self.fleet.lines,
                delivered,
                seed.connector,
            )
            requests.append(BatchRequest("POST", "invoices", body))
        with self.world.dataverse() as client:
            failed = [answer for answer in execute(client, requests) if not answer.ok]
        if failed:
            raise RuntimeError(f"live invoices: {len(failed)} refused, e.g. {failed[0].error}")
        created = time.monotonic()
        for connection_id, invoice_id in made:
            self.pending[invoice_id] = created
            request_sync(connection_id, Trigger.DYNAMICS_WEBHOOK, timezone.now())
        self.made += len(made)
        if not self.turns_left:
            print(
                f"  live round {self.rounds}: {len(self.live)} new invoices (backfill {'done' if backfill_done else 'running'})",
                file=sys.stderr,
                flush=True,
            )

    def _look(self) -> None:
        from dxconnector.sync.models import Link

        if not self.pending:
            return
        arrived = (
            Link.objects.filter(kind=Link.Kind.INVOICE, dynamics_id__in=list(self.pending))
            .exclude(xero_id="")
            .values_list("dynamics_id", flat=True)
        )
        now = time.monotonic()
        for invoice_id in arrived:
            self.found[str(invoice_id)] = now - self.pending.pop(str(invoice_id))

    def latencies(self) -> list[float]:
        return list(self.found.values())


def live_figures(latencies: list[float], tracker: LiveTracker) -> dict[str, Any]:
    if not tracker.live:
        return {"live_p95_s": None}
    return {
        "live_connections": len(tracker.live),
        "live_interval_s": tracker.fleet.live_interval,
        "live_invoices": tracker.made,
        "live_arrived": len(latencies),
        "live_rounds": tracker.rounds,
        "live_rounds_during_backfill": tracker.backfill_running_rounds,
        "live_p50_s": round(percentile(latencies, 0.5), 2) if latencies else None,
        "live_p95_s": round(percentile(latencies, 0.95), 2) if latencies else None,
        "live_max_s": round(max(latencies), 2) if latencies else None,
    }


def _wait_healthy(world: Any, children: dict[str, Any], timeout: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"http://127.0.0.1:{world.web_port}/healthz", timeout=5)
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the web process and workers did not become healthy in time")


def fleet_figures(
    world: Any,
    fleet: FleetOptions,
    connections: list[Any],
    invoices: int,
    done: dict[str, float],
    wall: float,
    cpu: float,
    activity: dict[str, int],
    stats: dict[str, Any],
    backfill_id: str | None = None,
) -> dict[str, Any]:
    from dxconnector.sync.verify import verify

    print(
        f"Load over in {wall:.1f} s: {len(done)} of {len(connections)} connections done, CPU {cpu:.1f} s, database "
        f"{activity}; verifying every connection",
        file=sys.stderr,
        flush=True,
    )
    missing = duplicated = differing = 0
    for number, connection in enumerate(connections, start=1):
        report = verify(connection.pk)
        missing, duplicated, differing = missing + report.missing, duplicated + report.duplicated, differing + report.differing
        if number % 20 == 0 or number == len(connections):
            print(
                f"  verified {number}/{len(connections)}: missing {missing}, duplicated {duplicated}, differing "
                f"{differing} so far",
                file=sys.stderr,
                flush=True,
            )
    others = {key: value for key, value in done.items() if key != backfill_id}
    completion = completion_figures(others) if others else {"p50_s": None, "p95_s": None, "max_s": None, "fairness": None}
    return {
        "connections": fleet.connections,
        "workers": fleet.workers,
        "invoices": invoices,
        "completed_connections": len(done),  # the completion figures leave out the backfilling connection
        "wall_seconds": round(wall, 2),
        "invoices_per_second": round(invoices / wall, 1),
        **completion,
        "backfill_invoices": fleet.backfill,
        "backfill_s": round(done[backfill_id], 2) if backfill_id in done else None,
        "rate_limit_violations": {
            side: (stats[side].get("limits") or {}).get("rate_limited", {}) for side in ("xero", "dataverse")
        },
        "rate_limit_violations_total": sum(
            int((stats[side].get("too_many_requests") or {}).get("limits", 0)) for side in ("xero", "dataverse")
        ),
        "xero_calls": int(stats["xero"].get("calls", 0)),
        "dataverse_calls": int(stats["dataverse"].get("calls", 0)),
        "cpu_seconds": round(cpu, 2),
        "cpu_seconds_per_1000_invoices": per_thousand(cpu, invoices),
        "db_queries_per_invoice": round(activity["queries"] / invoices, 2) if "queries" in activity else None,
        "db_transactions_per_invoice": round(activity["transactions"] / invoices, 2),
        "db_activity": activity,
        "missing": missing,
        "duplicated": duplicated,
        "differing": differing,
        "limits": fleet.limits,
        "time_scale": fleet.time_scale,
        "worker_stale_seconds": int(os.environ.get("WORKER_STALE_SECONDS", "60")),
        "sync_lease_seconds": int(os.environ.get("SYNC_LEASE_SECONDS", "60")),
        "xero_organisations": len({c.xero.tenant_id for c in connections}),
        "dynamics_organisations": len({c.dynamics.org_url for c in connections}),
        "state_dir": str(world.state_dir),
    }
