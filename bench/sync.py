"""`dxconnector bench sync`: the initial sync of a seeded Dynamics into an empty Xero organisation, measured.

The sync runs as `dxconnector sync CONNECTION` in a child process, as an operator (or a worker) would run
it; with `--kills N` that process is killed (SIGKILL) N times mid-run and started again, and a run that
stops early (its retries spent) is started again too, until one finishes. Calls are counted by the
sandboxes, not by the connector: what reached Xero's API and the Dataverse host, including the failed ones.
Afterwards `verify` compares both sides record by record.

A `dxconnector web` process serves the connector's `/metrics` throughout; it is scraped just before the sync and at the
end, and what grew in between is printed under `metrics`, beside the benchmark's own figures: the calls the syncing
processes counted (prometheus-client's multiprocess files, which outlive a killed process) against those the sandboxes
saw, and the runs and records the sync recorded.

With `--edit-customers N` and `--edit-products M`, after the initial sync and its verify, N linked customers (a new
email address and phone number) and M linked products (a new name and price) are edited directly in Dataverse, in
`$batch` calls as a bulk edit would; then the sync runs again until done, and its calls (the sandboxes' counts and
/metrics, from after the edits were made), how many of the edits Xero holds, and verify's verdict are added under
`edit_…`. The seeding then gives every customer an invoice and every product a line (`every_one_invoiced`), so that
all are linked; `--customers`/`--products` below the numbers to edit are raised to them.
"""

from __future__ import annotations

import os
import random
import resource
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from bench import payments
from bench.environment import Options, World
from bench.floor import Floor, floor_rate, ratio_to_floor
from bench.seeding import Seeded, apply_edits, customer_edit, edit_requests, product_edit, seed

SETTINGS_ROW = {
    "stl3_isdefaultconnection": True,
    "stl3_createnewcontacts": True,
    "stl3_createnewproducts": True,
    "stl3_defaultsalesaccountcode": "200",
    "stl3_defaultpurchaseaccountcode": "300",
}
MAX_RUNS = 60  # runs that stop early are started again; this many means something is really wrong
AT_LEAST = 5  # under --faults, each failure kind is injected at least this many times on each side, however rare
CALLS_PER_INVOICE = 0.1  # about what each side sees of an initial sync (batches of 50 invoices and their writes back)


def run(options: Options) -> dict[str, Any]:
    editing = bool(options.edit_customers or options.edit_products)
    options = _enough_to_edit(options)
    with World(options) as world:
        with world.dataverse() as client:
            seeded = seed(
                client,
                invoices=options.invoices,
                lines=options.lines,
                customers=options.customers,
                products=options.products,
                seed=options.seed,
                every_one_invoiced=editing,
            )
        connection = world.onboard(**SETTINGS_ROW, **(payments.approved_sales_invoices() if options.pay else {}))
        _without_webhooks(world, connection)
        floor = Floor.prepare(world, options) if _floor_applies(options) else None
        with MetricsEndpoint(world) as endpoint:
            world.reset_stats()
            scraped_before = endpoint.scrape()
            if options.faults:
                set_faults(world, options.faults, at_least_gap(options.invoices))
            cpu_before = children_cpu_seconds()
            started = time.monotonic()
            runs, kills, peak_kb = sync_until_done(connection.pk, options)
            wall = time.monotonic() - started
            cpu = children_cpu_seconds() - cpu_before
            stats = world.stats()
            if options.faults:
                world.set_faults(0)
            scraped = endpoint.scrape() - scraped_before
            found = figures(options, world, connection, len(seeded.invoices), stats, wall, runs, kills, peak_kb)
            found = {**found, "metrics": scraped.figures(found)}
            found.update(cost_figures(found, cpu, floor, world))
            if editing:
                found.update(edit_and_sync(options, world, connection, seeded, endpoint))
            if options.pay:
                found.update(payments.pay_and_sync(options, world, connection, sync_again, verify_figures))
        return found


def set_faults(world: World, rate: float, at_least_gap: int) -> None:
    """`World.set_faults`'s plans (`rate` of calls failing, each side its own seed) with every kind injected at least
    `AT_LEAST` times: at 2 % of calls a kind may not come up at all in a short run, least of all a lost answer, which
    only tells something on a write the service commits. A kind still owed is forced once `at_least_gap` calls have
    gone by without a failure."""
    from dxsandbox.common.faults import FaultPlan

    for offset, host in enumerate((world.xero_api, world.dataverse_host)):
        plan = FaultPlan.spread(
            rate,
            seed=world.options.seed + offset,
            timeout_seconds=world.options.fault_timeout,
            at_least=AT_LEAST,
            at_least_gap=at_least_gap,
        )
        world.control(host, "PUT", "/faults", plan.to_json())


def at_least_gap(invoices: int) -> int:
    """The gap that spreads the forced failures over about the first half of an initial sync's calls on a side: 300
    invoices make some 35 calls a side, so 25 forced failures (5 kinds, `AT_LEAST` each) need one every other call
    (lost answers keep a gap of their own, five times that: see dxsandbox.common.faults)."""
    from dxsandbox.common.faults import FAILURE_KINDS

    forced = len(FAILURE_KINDS) * AT_LEAST
    return max(1, round(invoices * CALLS_PER_INVOICE / 2 / forced))


def injected_faults(stats: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the fault plans did on each side: the calls failed by kind, how many of those `at_least` forced, the kinds
    still short of it (none, once every kind has come up `AT_LEAST` times), and which calls lost their answer."""
    faults = {side: stats[side].get("faults", {}) for side in stats}
    return {
        "injected_failures": {side: found.get("injected", {}) for side, found in faults.items()},
        "forced_failures": {side: found.get("forced", {}) for side, found in faults.items()},
        "failures_short_of_at_least": {side: found.get("short_of_at_least", {}) for side, found in faults.items()},
        "lost_answers": {side: found.get("lost_answers", []) for side, found in faults.items()},  # the calls they fell on
    }


def children_cpu_seconds() -> float:
    """User and system CPU of this process's children that have ended and been waited for: taken before and after
    `sync_until_done`, the difference is the `dxconnector sync` processes' own (the sandboxes and the web process are
    children too, but still running, so not in it)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _floor_applies(options: Options) -> bool:
    """The floor is the same calls with nothing failing and nothing paced: it compares with a run like that alone."""
    return not options.faults and not options.kills and options.limits == "off"


def cost_figures(found: dict[str, Any], cpu_seconds: float, floor: Floor | None, world: World) -> dict[str, Any]:
    """CPU per 1,000 invoices of the syncing processes and, where a floor was prepared, its rate and the ratio to it,
    with the calls the floor made beside the run's, both as the sandboxes counted them."""
    invoices = found["invoices"]
    costs: dict[str, Any] = {
        "cpu_seconds": round(cpu_seconds, 2),
        "cpu_seconds_per_1000_invoices": round(cpu_seconds * 1000 / invoices, 3),
    }
    if floor is None:
        return {**costs, "floor_invoices_per_second": None, "ratio_to_floor": None}
    print("Floor: the same calls with no logic, against the fresh organisations", file=sys.stderr, flush=True)
    made = floor.run(world)
    return {
        **costs,
        **made,
        "calls_run_and_floor": {
            "xero": [found["xero_calls"], made["floor_xero_calls"]],
            "dataverse": [found["dataverse_calls"], made["floor_dataverse_calls"]],
            "dataverse_writes": [_run_dataverse_writes(), made["floor_dataverse_writes"]],
        },
        "ratio_to_floor": ratio_to_floor(floor_rate(invoices, found["wall_seconds"]), made["floor_invoices_per_second"]),
    }


def _run_dataverse_writes() -> int:
    """The requests the run's `$batch` calls carried, as its runs recorded them."""
    from dxconnector.sync.models import SyncRun

    return sum(int((run.counts or {}).get("dynamics_writes", 0)) for run in SyncRun.objects.all())


def _enough_to_edit(options: Options) -> Options:
    """The options with at least as many customers and products seeded as are to be edited."""
    customers, products = max(options.customers, options.edit_customers), max(options.products, options.edit_products)
    if (customers, products) != (options.customers, options.products):
        print(
            f"Seeding {customers} customers and {products} products, enough to edit "
            f"{options.edit_customers} and {options.edit_products}",
            file=sys.stderr,
            flush=True,
        )
    return replace(options, customers=customers, products=products)


def _without_webhooks(world: World, connection: Any) -> None:
    """This benchmark starts the sync itself: nobody listens for Dynamics' webhooks, so none are registered."""
    from dxconnector.dynamics import webhooks

    with world.dataverse() as client:
        webhooks.unregister(client, str(connection.pk))


class Scrape(dict[tuple[str, tuple[tuple[str, str], ...]], float]):
    """One scrape of /metrics: every sample by name and labels (sorted)."""

    @classmethod
    def of(cls, text: str) -> Scrape:
        # Imported here: prometheus-client picks its storage when first imported, once the settings have named the folder.
        from prometheus_client.parser import text_string_to_metric_families

        return cls(
            ((sample.name, tuple(sorted(sample.labels.items()))), sample.value)
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        )

    def __sub__(self, earlier: Scrape) -> Scrape:
        """What grew since `earlier` (a sample missing then was 0)."""
        return Scrape((key, value - earlier.get(key, 0.0)) for key, value in self.items())

    def total(self, name: str, **labels: str) -> int:
        wanted = set(labels.items())
        return round(sum(value for (found, sample), value in self.items() if found == name and wanted <= set(sample)))

    def by(self, name: str, label: str, **labels: str) -> dict[str, int]:
        wanted = set(labels.items())
        counts: dict[str, int] = {}
        for (found, sample), value in self.items():
            if found == name and wanted <= set(sample) and round(value):
                key = dict(sample)[label]
                counts[key] = counts.get(key, 0) + round(value)
        return dict(sorted(counts.items()))

    def figures(self, own: dict[str, Any]) -> dict[str, Any]:
        """The scraped figures, named as the benchmark names its own, and whether the calls agree with the sandboxes'."""
        calls, runs, records = "dxconnector_api_calls_total", "dxconnector_sync_runs_total", "dxconnector_sync_records_total"
        scraped: dict[str, Any] = {
            "xero_calls": self.total(calls, system="xero"),
            "dataverse_calls": self.total(calls, system="dataverse"),
            "xero_calls_by_status": self.by(calls, "status", system="xero"),
            "dataverse_calls_by_status": self.by(calls, "status", system="dataverse"),
            "runs_succeeded": self.total(runs, status="succeeded"),
            "runs_failed": self.total(runs, status="failed"),
            "runs_busy": self.total(runs, status="busy"),
            "invoices_succeeded": self.total(records, direction="to_xero", kind="invoice", outcome="succeeded"),
            "records_by_outcome": self.by(records, "outcome", direction="to_xero"),
        }
        scraped["agree_with_the_sandboxes"] = {
            "xero_calls": scraped["xero_calls"] == own["xero_calls"],
            "dataverse_calls": scraped["dataverse_calls"] == own["dataverse_calls"],
        }
        return scraped


class MetricsEndpoint:
    """`dxconnector web` on the benchmark's own port, serving /metrics with a token of the run's own. No worker: nothing
    but the benchmark starts a sync. It shares the connector's data folder, and so the counters' folder
    (PROMETHEUS_MULTIPROC_DIR), with the benchmark's process and every `dxconnector sync` it starts."""

    def __init__(self, world: World, timeout: float = 60):
        self.url = f"http://127.0.0.1:{world.web_port}"
        self.token = secrets.token_urlsafe(24)
        self.timeout = timeout
        self.child: subprocess.Popen | None = None

    def __enter__(self) -> MetricsEndpoint:
        command = [sys.executable, "-m", "dxconnector", "web", "--host", "127.0.0.1", "--port", self.url.rsplit(":", 1)[1]]
        environment = {**os.environ, "METRICS_TOKEN": self.token}
        self.child = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                httpx.get(self.url + "/healthz", timeout=5)  # any answer: it is serving (no worker: 503)
                return self
            except httpx.TransportError:
                if self.child.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError("dxconnector web did not start for /metrics") from None
                time.sleep(0.2)

    def scrape(self) -> Scrape:
        answer = httpx.get(self.url + "/metrics", headers={"Authorization": f"Bearer {self.token}"}, timeout=60)
        answer.raise_for_status()
        return Scrape.of(answer.text)

    def __exit__(self, *exc_info: object) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()
            try:
                self.child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.child.kill()


class PeakMemory(threading.Thread):
    """The largest resident size a process reached, read from its own high-water mark (`VmHWM`) until it ends.

    Not `getrusage(RUSAGE_CHILDREN)`: Linux carries the parent's high-water mark into a child across exec, so
    that figure is at least this (bigger, seeded) benchmark process's own size, not the sync's."""

    INTERVAL = 0.05

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{pid}/status")
        self.peak_kb = 0
        self.start()

    def run(self) -> None:
        while (kb := self.high_water_kb()) is not None:
            self.peak_kb = max(self.peak_kb, kb)
            time.sleep(self.INTERVAL)

    def high_water_kb(self) -> int | None:
        try:
            lines = self.status.read_text().splitlines()
        except OSError:  # the process has ended
            return None
        return next((int(line.split()[1]) for line in lines if line.startswith("VmHWM:")), None)


def sync_until_done(connection_id: Any, options: Options) -> tuple[int, int, int]:
    """Run `dxconnector sync` until a run succeeds; kill the first `options.kills` runs part way through.
    Returns the runs, the kills and the largest peak memory (KB) of a run."""
    rng = random.Random(options.seed)
    runs = kills = peak_kb = 0
    while runs < MAX_RUNS:
        runs += 1
        child = subprocess.Popen(
            [sys.executable, "-m", "dxconnector", "sync", str(connection_id)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        memory = PeakMemory(child.pid)
        assert child.stdout is not None
        kill_after = rng.randrange(1, 4) if kills < options.kills else None  # batches of 500: a 2,000-invoice run has 5
        batches = 0
        last = ""
        for line in child.stdout:
            last = line.strip() or last
            print(f"  [run {runs}] {last}", file=sys.stderr, flush=True)
            batches += "batch" in line
            if kill_after is not None and batches >= kill_after:
                time.sleep(rng.uniform(0, 0.5))  # mid-batch, not at a tidy boundary
                if child.poll() is not None:
                    break  # it finished first: not a kill
                child.send_signal(signal.SIGKILL)
                kills += 1
                print(f"  [run {runs}] killed", file=sys.stderr, flush=True)
                break
        code = child.wait()
        memory.join()
        peak_kb = max(peak_kb, memory.peak_kb)
        if code == 0:
            return runs, kills, peak_kb
        if "busy" in last.lower():
            time.sleep(1)  # a killed run's lease lapses after SYNC_LEASE_SECONDS
    raise RuntimeError(f"no run succeeded in {MAX_RUNS} runs")


# --- edits after the initial sync ------------------------------------------------------------------------


def sync_again(options: Options, world: World, connection_id: Any) -> tuple[int, float, int, dict[str, Any]]:
    """After a change made on one side: the sandboxes' counts reset, then the sync run until done (under `--faults` if
    asked, never killed). Its runs, seconds, peak memory (KB) and the sandboxes' counts."""
    world.reset_stats()
    if options.faults:
        world.set_faults(options.faults)  # the rates alone: forced failures would swamp a rerun's few calls and its cost
    started = time.monotonic()
    runs, _kills, peak_kb = sync_until_done(connection_id, replace(options, kills=0))
    wall = time.monotonic() - started
    stats = world.stats()
    if options.faults:
        world.set_faults(0)
    return runs, wall, peak_kb, stats


def edit_and_sync(options: Options, world: World, connection: Any, seeded: Seeded, endpoint: MetricsEndpoint) -> dict[str, Any]:
    """Edit linked customers and products in Dataverse, sync until done, and say what that cost and what arrived."""
    from dxconnector.sync.models import Link
    from dxconnector.sync.verify import verify

    customers = linked(connection.pk, seeded.customers, options.edit_customers, Link.Kind.CONTACT)
    products = linked(connection.pk, seeded.products, options.edit_products, Link.Kind.ITEM)
    print(f"Editing {len(customers)} customers and {len(products)} products in Dynamics", file=sys.stderr, flush=True)
    with world.dataverse() as client:
        apply_edits(client, edit_requests(list(customers), list(products)))
    scraped_before = endpoint.scrape()
    runs, wall, peak_kb, stats = sync_again(options, world, connection.pk)  # not the edits' own calls: the user's
    scraped = endpoint.scrape() - scraped_before
    arrived = edits_in_xero(connection, customers, products)
    report = verify(connection.pk)
    xero_calls, dataverse_calls = int(stats["xero"].get("calls", 0)), int(stats["dataverse"].get("calls", 0))
    edited = len(customers) + len(products)
    return {
        "edited_customers": len(customers),
        "edited_products": len(products),
        "edited_records": edited,
        "edit_xero_calls": xero_calls,
        "edit_dynamics_calls": dataverse_calls,
        "xero_calls_per_edited_record": round(xero_calls / edited, 4),
        "dynamics_calls_per_edited_record": round(dataverse_calls / edited, 4),
        "edit_seconds": round(wall, 2),
        "edit_runs": runs,
        "edit_peak_rss_mb": round(peak_kb / 1024, 1),
        "edit_rate_limit_violations": _too_many_requests(stats["xero"]) + _too_many_requests(stats["dataverse"]),
        "edits_in_xero": arrived,
        "edit_verify": verify_figures(report),
        "edit_metrics": scraped.figures({"xero_calls": xero_calls, "dataverse_calls": dataverse_calls}),
    }


def verify_figures(report: Any) -> dict[str, Any]:
    """Verify's verdict after a second round of syncing (edits, payments)."""
    return {
        "missing": report.missing,
        "duplicated": report.duplicated,
        "differing": report.differing,
        "payments_differing": report.payments_differing,
        "differing_fields": _differing_fields(report),
        **_linked_records(report),
        "verify": report.lines[-3:],
    }


def _differing_fields(report: Any) -> dict[str, int]:
    """Which fields the differing invoices differ in, and in how many."""
    counts: dict[str, int] = {}
    for row in report.rows:
        if row.problem.name == "DIFFERING":
            for name in row.fields:
                counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))


def _linked_records(report: Any) -> dict[str, Any]:
    """Verify's comparison of the linked customers and products, field by field, where verify makes one."""
    found = {}
    for kind in ("customers", "products"):
        if hasattr(report, kind):
            found[kind] = {name: value for name, value in getattr(report, kind).to_json().items() if name != "records"}
    return found


def linked(connection_id: Any, dynamics_ids: list[str], wanted: int, kind: str) -> dict[str, str]:
    """The first `wanted` of these Dynamics records that are linked to Xero, as {Dynamics id: Xero id}."""
    from dxconnector.sync.models import Link

    links = dict(
        Link.objects.filter(connection_id=connection_id, kind=kind, dynamics_id__in=dynamics_ids)
        .exclude(xero_id="")
        .values_list("dynamics_id", "xero_id")
    )
    found = {dynamics_id: links[dynamics_id] for dynamics_id in dynamics_ids if dynamics_id in links}
    if len(found) < wanted:
        raise RuntimeError(f"only {len(found)} of the seeded {kind} records are linked to Xero, {wanted} to edit")
    return dict(list(found.items())[:wanted])


def edits_in_xero(connection: Any, customers: dict[str, str], products: dict[str, str]) -> dict[str, int]:
    """How many of the edited customers' and products' Xero records hold the edit (read after the counts are taken)."""
    from dxconnector.connections.clients import xero_client
    from dxconnector.domain.mapping.contact import account_columns_from_xero
    from dxconnector.sync.xero_io import contacts_by_id, every_item

    connection.refresh_from_db()
    xero = xero_client(connection.xero)
    contacts = contacts_by_id(xero, list(customers.values()))
    items = {str(item["ItemID"]): item for item in every_item(xero)}
    customers_there = sum(
        _holds(account_columns_from_xero(contacts.get(xero_id, {})), customer_edit(number, 1))
        for number, xero_id in enumerate(customers.values())
    )
    products_there = sum(
        _item_holds(items.get(xero_id, {}), product_edit(number, 1)) for number, xero_id in enumerate(products.values())
    )
    return {"customers": customers_there, "products": products_there}


def _holds(columns: dict[str, Any], edit: dict[str, Any]) -> bool:
    return all(columns.get(column) == value for column, value in edit.items())


def _item_holds(item: dict[str, Any], edit: dict[str, Any]) -> bool:
    price = (item.get("SalesDetails") or {}).get("UnitPrice")
    return item.get("Name") == edit["name"] and price is not None and Decimal(str(price)) == Decimal(str(edit["price"]))


def _too_many_requests(stats: dict[str, Any]) -> int:
    return int(stats.get("too_many_requests", {}).get("limits", 0))


def figures(
    options: Options,
    world: World,
    connection: Any,
    invoices: int,
    stats: dict[str, dict[str, Any]],
    wall: float,
    runs: int,
    kills: int,
    peak_kb: int,
) -> dict[str, Any]:
    from dxconnector.sync.models import Link
    from dxconnector.sync.verify import verify

    report = verify(connection.pk)
    xero_calls, dataverse_calls = int(stats["xero"].get("calls", 0)), int(stats["dataverse"].get("calls", 0))
    sent = Link.objects.filter(connection_id=connection.pk, kind=Link.Kind.INVOICE).exclude(xero_id="").count()
    return {
        "invoices": invoices,
        "lines_per_invoice": options.lines,
        "customers": options.customers,
        "products": options.products,
        "limits": options.limits,
        "time_scale": options.time_scale,
        "faults": options.faults,
        "kills": kills,
        "runs": runs,
        "xero_calls": xero_calls,
        "xero_calls_per_invoice": round(xero_calls / invoices, 4),
        "dataverse_calls": dataverse_calls,
        "dataverse_calls_per_invoice": round(dataverse_calls / invoices, 4),
        "wall_seconds": round(wall, 2),
        "invoices_per_second": round(invoices / wall, 1),
        "invoices_per_simulated_minute": round(invoices / (wall * options.time_scale / 60), 1),
        "rate_limit_violations": _too_many_requests(stats["xero"]) + _too_many_requests(stats["dataverse"]),
        "faults_at_least": AT_LEAST if options.faults else 0,
        **injected_faults(stats),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "missing": report.missing,
        "duplicated": report.duplicated,
        "differing": report.differing,
        "payments_differing": report.payments_differing,  # invoice amounts and payment rows not as Xero holds them
        "dynamics_invoices": report.dynamics_invoices,  # the seeded ones plus the organisation's own few
        "expected_in_xero": report.expected,
        "sent_to_xero": sent,
        "xero_invoices": report.xero_invoices,
        "verify": report.lines[-6:],
        "state_dir": str(world.state_dir),
    }
