"""`dxconnector bench latency`: how long a change made in Dynamics takes to become an invoice in Xero through
the webhook path, end to end (the issue: p95 ≤ 3 s over 50 trials); with `--record customer|product`, how long an
edit of a linked customer or product takes to reach the other side (`--from xero`: a customer edited in Xero,
with two-way contact sync on), and whether anything came back to the side it started on.

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

Edits (`run_edits`): the seeded customers and products each get an invoice first, and the connector's first
sync (the one Create Connection queues, run by the worker) links them to their Xero contacts and items. Each
trial then edits one linked record, in turn, with values of its own: in Dynamics, a PATCH of the account's email
address and phone or of the product's name and price through the Web API, as a user's form saves it; in Xero, a
POST of the contact's id with a new email address and phone, through the admin's Xero app (the connector's own
Xero client, as the polls use). It polls the other side until both new values are there. Then, after
`ECHO_WAIT` seconds and `settle()`, it looks whether the record it edited was written again: in Dynamics, its
`versionnumber` moved past the one the edit made; in Xero, the contact's `UpdatedDateUTC` moved past the one
the edit's answer gave. Such a trial counts as one echo write (`echo_writes`, summed over trials). The phases
come from the first sync attempt recorded for the record after the edit was asked for; it is recorded once the
batch's writes are done, so `sent_to_found` may be negative.
"""

from __future__ import annotations

import math
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from bench.environment import Options, World
from bench.seeding import customer_edit, invoice_body, product_edit, reference_ids, seed
from bench.sync import SETTINGS_ROW
from dxconnector import local

TRIAL_TIMEOUT = 30.0  # seconds; a trial that times out counts as this long
WORKER_INTERVAL = 0.5  # `dxconnector worker --interval`: its default, what `demo` and `serve` start workers with
POLL_INTERVAL = 0.05  # seconds between looks in Xero
POLL_INTERVAL_REAL_LIMITS = 0.5  # with Xero's limits enforced, every look spends the organisation's call budget
CUSTOMERS, PRODUCTS, LINES = 20, 20, 5
ECHO_WAIT = 2.0  # seconds after an edit arrived before settling and looking for an echo
FIRST_SYNC_TIMEOUT = 300.0  # seconds for the first sync that links the seeded customers and products
TWO_WAY_CONTACT_SYNC = "stl3_twowaycontactsync"


def run(options: Options, *, trials: int, record: str = "invoice", origin: str = "dynamics") -> dict[str, Any]:
    if record == "invoice":
        return run_invoices(options, trials=trials)
    return run_edits(options, trials=trials, record=record, origin=origin)


def run_invoices(options: Options, *, trials: int) -> dict[str, Any]:
    poll_interval = _poll_interval(options)
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


def _poll_interval(options: Options) -> float:
    return POLL_INTERVAL_REAL_LIMITS if options.limits == "real" else POLL_INTERVAL


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
                "record_id": invoice_id,
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
                "record_id": invoice_id,
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


def _phases(connection_id: Any, result: dict[str, Any], direction: str | None = None) -> dict[str, float | None]:
    """The trial's timeline from the connector's records, in seconds after the create (or edit) call returned: when
    the job whose run sent the invoice was queued (negative: the webhook was in before the create call's answer),
    when that run started, when its Xero create was recorded. For an edit (`direction`: the way it went), the run
    of the first attempt recorded for the record that way (a `SyncAttempt.Direction` name) since the edit was asked for."""
    from django_tasks_db.models import DBTaskResult

    from dxconnector.sync.models import SyncAttempt

    created = datetime.fromtimestamp(result["created_at"], UTC)
    attempts = SyncAttempt.objects.filter(connection_id=connection_id, dynamics_id=result["record_id"])
    if direction is None:
        attempts = attempts.exclude(xero_id="")
    else:
        attempts = attempts.filter(
            direction=SyncAttempt.Direction[direction], attempted_at__gte=datetime.fromtimestamp(result["asked_at"], UTC)
        )
    attempt = attempts.select_related("run").order_by("attempted_at").first()
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


# --- edits of linked customers and products --------------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """A seeded record linked to Xero, and its place among them (which numbers its edits' values)."""

    number: int
    dynamics_id: str
    xero_id: str


def run_edits(options: Options, *, trials: int, record: str, origin: str) -> dict[str, Any]:
    poll_interval = _poll_interval(options)
    two_way = record == "customer"  # where Xero's side of a customer is read at all: its echoes can happen
    settings_row = {**SETTINGS_ROW, TWO_WAY_CONTACT_SYNC: True} if two_way else SETTINGS_ROW
    if record == "payment":  # invoices go to Xero approved: payable
        settings_row = {**settings_row, **_approved_sales_invoices()}
    with World(options) as world:
        with world.dataverse() as dynamics:  # every customer and product on an invoice: the first sync links them
            seeded = seed(
                dynamics,
                invoices=CUSTOMERS,
                lines=LINES,
                customers=CUSTOMERS,
                products=PRODUCTS,
                seed=options.seed,
                every_one_invoiced=True,
            )
        connection = world.onboard(**settings_row)
        local.subscribe_to_sandbox_webhooks(world.manifest, _base_url(world))
        with world.dataverse() as dynamics:
            children = start_portal(world)
            try:
                xero = _xero_client(connection)
                rng = random.Random(options.seed)
                targets = first_sync(connection.pk, _targets(seeded, record), record)
                edit = EDITS[(record, origin)](dynamics, xero, _connector_id(dynamics, connection.pk))
                print(f"{len(targets)} linked {record}s; warm-up edit", file=sys.stderr, flush=True)
                settle(connection.pk, rng)
                warm_up = edit_trial(connection.pk, edit, targets[0], 0, rng, poll_interval)
                print(f"warm-up: {warm_up['latency']:.2f} s", file=sys.stderr, flush=True)
                results = []
                for number in range(1, trials + 1):
                    settle(connection.pk, rng)
                    result = edit_trial(connection.pk, edit, targets[number % len(targets)], number, rng, poll_interval)
                    results.append(result)
                    notes = "".join((" (timed out)" if result["timed_out"] else "", " (echo)" if result["echo"] else ""))
                    print(f"trial {number}/{trials}: {result['latency']:.2f} s{notes}", file=sys.stderr, flush=True)
                phases = [_phases(connection.pk, result, edit.direction) for result in results]
            finally:
                stop_portal(children)
    found = figures(options, world, results, phases, poll_interval, invoices=False)
    return {
        "record": record,
        "from": origin,
        "two_way_contact_sync": two_way,
        "linked_records": len(targets),
        "echo_writes": sum(result["echo"] for result in results),
        "echo_wait_s": ECHO_WAIT,
        **found,
    }


def _approved_sales_invoices() -> dict[str, int]:
    from dxconnector.domain.mapping.choices import option_value
    from dxconnector.domain.names import ConnectorSettingsTable as Settings

    return {
        Settings.DEFAULT_SALES_INVOICE_STATUS: option_value(Settings.TABLE, Settings.DEFAULT_SALES_INVOICE_STATUS, "AUTHORISED")
    }


def _connector_id(dynamics: Any, connection_id: Any) -> str:
    """The connection's connector row in Dynamics: the payments' rows are keyed under it."""
    from dxconnector.dynamics.solution.definition import CONNECTION

    [row] = dynamics.list(
        CONNECTION.set_name, select=CONNECTION.primary_id, filter=f"stl3_portalconnectionid eq '{connection_id}'"
    )
    return str(row[CONNECTION.primary_id])


def _targets(seeded: Any, record: str) -> list[str]:
    return {"customer": seeded.customers, "product": seeded.products}.get(record, seeded.invoices)


def first_sync(connection_id: Any, dynamics_ids: list[str], record: str) -> list[Linked]:
    """The connection's first sync (queued by Create Connection and the trial's start, run by the worker), waited
    for; the seeded records it linked, in seeded order."""
    from dxconnector.sync import api as sync
    from dxconnector.sync.models import Link, Trigger

    sync.request_sync(connection_id, Trigger.SYNC_NOW)  # no-op when the first sync is queued already
    print("waiting for the first sync to link the seeded records", file=sys.stderr, flush=True)
    settle(connection_id, random.Random(0), quiet_for=1.0, timeout=FIRST_SYNC_TIMEOUT)
    kind = {"customer": Link.Kind.CONTACT, "product": Link.Kind.ITEM}.get(record, Link.Kind.INVOICE)
    found = Link.objects.filter(connection_id=connection_id, kind=kind, dynamics_id__in=dynamics_ids).exclude(xero_id="")
    if kind == Link.Kind.INVOICE:
        found = found.filter(sent_type="ACCREC")  # sales invoices: what a customer pays
    links = dict(found.values_list("dynamics_id", "xero_id"))
    linked = [Linked(n, dynamics_id, links[dynamics_id]) for n, dynamics_id in enumerate(dynamics_ids) if dynamics_id in links]
    if not linked:
        raise RuntimeError(f"the first sync linked none of the seeded {record}s")
    return linked


def edit_trial(
    connection_id: Any, edit: Edit, target: Linked, round_: int, rng: random.Random, poll_interval: float
) -> dict[str, Any]:
    """One edit, timed until the other side holds it; then, after ECHO_WAIT and settling, whether it echoed."""
    values = edit.values(target.number, round_)
    asked, asked_at = time.monotonic(), time.time()
    mark = edit.make(target, values)
    edited, edited_at = time.monotonic(), time.time()
    deadline = edited + TRIAL_TIMEOUT
    polls = 0
    while True:
        polls += 1
        arrived = edit.arrived(target, values)
        now = time.monotonic()
        if arrived or now >= deadline:
            break
        time.sleep(min(poll_interval, max(0.0, deadline - now)))
    time.sleep(ECHO_WAIT)
    settle(connection_id, rng)
    return {
        "record_id": target.dynamics_id,
        "asked_at": asked_at,
        "created_at": edited_at,
        "latency": now - edited if arrived else TRIAL_TIMEOUT,
        "found_at": edited_at + (now - edited) if arrived else None,
        "timed_out": not arrived,
        "polls": polls,
        "create_call": edited - asked,
        "echo": edit.echoed(target, mark),
    }


class Edit:
    """How one kind of edit is made on one side, looked for on the other, and its echo found."""

    direction = "TO_XERO"  # the `SyncAttempt.Direction` of the attempts that carry it

    def __init__(self, dynamics: Any, xero: Any, connector_id: str = ""):
        self.dynamics, self.xero, self.connector_id = dynamics, xero, connector_id

    def values(self, number: int, round_: int) -> dict[str, Any]:
        raise NotImplementedError

    def make(self, target: Linked, values: dict[str, Any]) -> Any:
        """Make the edit; what tells a later write from it (a version, a timestamp)."""
        raise NotImplementedError

    def arrived(self, target: Linked, values: dict[str, Any]) -> bool:
        raise NotImplementedError

    def echoed(self, target: Linked, mark: Any) -> bool:
        raise NotImplementedError

    # Dynamics' side
    def patch(self, entity_set: str, row_id: str, body: dict[str, Any]) -> int:
        """A PATCH as a user's form saves a record; the row's version after it."""
        answer = self.dynamics.request(
            "PATCH",
            f"{entity_set}({row_id})",
            json=body,
            params={"$select": "versionnumber"},
            headers={"If-Match": "*", "Prefer": "return=representation"},
        )
        return int(answer.json()["versionnumber"])

    def row(self, entity_set: str, row_id: str, columns: str) -> dict[str, Any]:
        return dict(self.dynamics.read(f"{entity_set}({row_id})", params={"$select": columns}))

    def version(self, entity_set: str, row_id: str) -> int:
        return int(self.row(entity_set, row_id, "versionnumber")["versionnumber"])

    # Xero's side
    def contact(self, contact_id: str) -> dict[str, Any]:
        body, _ = self.xero.request("get_contact", contact_id)
        return dict(body["Contacts"][0])

    def item(self, item_id: str) -> dict[str, Any]:
        body, _ = self.xero.request("get_item", item_id)
        return dict(body["Items"][0])


class CustomerInDynamics(Edit):
    def values(self, number: int, round_: int) -> dict[str, Any]:
        return customer_edit(number, round_)

    def make(self, target: Linked, values: dict[str, Any]) -> int:
        return self.patch("accounts", target.dynamics_id, values)

    def arrived(self, target: Linked, values: dict[str, Any]) -> bool:
        from dxconnector.domain.mapping.contact import account_columns_from_xero

        columns = account_columns_from_xero(self.contact(target.xero_id))
        return all(columns.get(column) == value for column, value in values.items())

    def echoed(self, target: Linked, mark: int) -> bool:
        return self.version("accounts", target.dynamics_id) > mark


class ProductInDynamics(Edit):
    def values(self, number: int, round_: int) -> dict[str, Any]:
        return product_edit(number, round_)

    def make(self, target: Linked, values: dict[str, Any]) -> int:
        return self.patch("products", target.dynamics_id, values)

    def arrived(self, target: Linked, values: dict[str, Any]) -> bool:
        item = self.item(target.xero_id)
        price = (item.get("SalesDetails") or {}).get("UnitPrice")
        return item.get("Name") == values["name"] and price is not None and Decimal(str(price)) == Decimal(str(values["price"]))

    def echoed(self, target: Linked, mark: int) -> bool:
        return self.version("products", target.dynamics_id) > mark


class CustomerInXero(Edit):
    direction = "TO_DYNAMICS"

    def values(self, number: int, round_: int) -> dict[str, Any]:
        return {"emailaddress1": f"xero{round_}.{number}@example.org", "telephone1": f"+64 9 {round_:02d}{number:05d}"}

    def make(self, target: Linked, values: dict[str, Any]) -> str:
        from dxconnector.xero.resources import CONTACTS

        change = {
            "ContactID": target.xero_id,
            "EmailAddress": values["emailaddress1"],
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": values["telephone1"]}],
        }
        [answer] = self.xero.write(CONTACTS, [change])
        if not answer.ok:
            raise RuntimeError(f"Xero refused the contact's edit: {answer.errors}")
        return str(answer.record["UpdatedDateUTC"])

    def arrived(self, target: Linked, values: dict[str, Any]) -> bool:
        row = self.row("accounts", target.dynamics_id, ",".join(values))
        return all(row.get(column) == value for column, value in values.items())

    def echoed(self, target: Linked, mark: str) -> bool:
        return str(self.contact(target.xero_id)["UpdatedDateUTC"]) != mark


class PaymentInXero(Edit):
    """A part payment of one linked sales invoice, recorded through the admin's Xero app (the API the sandbox's Xero
    app records payments with: the same rules and webhooks); arrived once Dynamics shows it: the payment's row, and
    on the invoice's Xero details the amount paid Xero then had."""

    direction = "TO_DYNAMICS"

    def values(self, number: int, round_: int) -> dict[str, Any]:
        return {"Amount": "1.00", "Reference": f"bench {round_}.{number}"}

    def make(self, target: Linked, values: dict[str, Any]) -> str:
        from dxconnector.xero.resources import PAYMENTS

        payment = {"Invoice": {"InvoiceID": target.xero_id}, "Account": {"Code": "090"}, **values}
        [answer] = self.xero.write(PAYMENTS, [payment], create_only=True)
        if not answer.ok:
            raise RuntimeError(f"Xero refused the payment: {answer.errors}")
        invoice = self.invoice(target.xero_id)
        values.update(PaymentID=answer.record["PaymentID"], AmountPaid=Decimal(str(invoice["AmountPaid"])))
        return str(invoice["UpdatedDateUTC"])

    def arrived(self, target: Linked, values: dict[str, Any]) -> bool:
        from dxconnector.sync.payments import row_id

        rows = self.dynamics.list(
            "stl3_xeropayments",
            select="stl3_xeroid",
            filter=f"stl3_xeropaymentid eq {row_id(self.connector_id, 'payment:' + values['PaymentID'])}",
        )
        if not rows:
            return False
        details = self.dynamics.list(
            "stl3_xeroinvoices", select="stl3_amountpaid", filter=f"_stl3_invoiceid_value eq {target.dynamics_id}"
        )
        return any(Decimal(str(row.get("stl3_amountpaid") or 0)) == values["AmountPaid"] for row in details)

    def echoed(self, target: Linked, mark: str) -> bool:
        return str(self.invoice(target.xero_id)["UpdatedDateUTC"]) != mark

    def invoice(self, invoice_id: str) -> dict[str, Any]:
        body, _ = self.xero.request("get_invoice", invoice_id)
        return dict(body["Invoices"][0])


EDITS: dict[tuple[str, str], type[Edit]] = {
    ("customer", "dynamics"): CustomerInDynamics,
    ("product", "dynamics"): ProductInDynamics,
    ("customer", "xero"): CustomerInXero,
    ("payment", "xero"): PaymentInXero,
}


# --- figures ---------------------------------------------------------------------------------------------


def nearest_rank(ordered: list[float], percent: float) -> float:
    """The nearest-rank percentile of an ascending list: the smallest value with at least `percent`% at or below it."""
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def figures(
    options: Options,
    world: World,
    results: list[dict[str, Any]],
    phases: list[dict[str, Any]],
    poll_interval: float,
    *,
    invoices: bool = True,
) -> dict[str, Any]:
    """The trials' figures; `invoices`: with the invoice trials' own (copies found, lines per invoice)."""
    latencies = sorted(result["latency"] for result in results)
    create_calls = sorted(result["create_call"] for result in results)
    found: dict[str, Any] = {
        "trials": len(results),
        "p50_s": round(nearest_rank(latencies, 50), 3),
        "p95_s": round(nearest_rank(latencies, 95), 3),
        "max_s": round(latencies[-1], 3),
        "mean_s": round(statistics.fmean(latencies), 3),
        "timed_out": sum(result["timed_out"] for result in results),
    }
    if invoices:
        found["duplicates"] = sum(result["found"] > 1 for result in results)
    found.update(
        limits=options.limits,
        time_scale=options.time_scale,
        poll_interval_s=poll_interval,
        worker_interval_s=WORKER_INTERVAL,
        trial_timeout_s=TRIAL_TIMEOUT,
    )
    if invoices:
        found["lines_per_invoice"] = LINES
    # The create (or edit) call itself is not counted: the clock starts once it returned.
    found["create_call_p50_s"] = round(nearest_rank(create_calls, 50), 3)
    found["phases"] = _phase_summary(phases)
    found["state_dir"] = str(world.state_dir)
    return found


if __name__ == "__main__":  # `python -m bench.latency` as a shortcut for `dxconnector bench latency`
    from bench.cli import main

    sys.exit(main(["latency", *sys.argv[1:]]))
