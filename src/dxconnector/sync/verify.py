"""`dxconnector verify CONNECTION`: a reconciliation report — Dynamics and Xero compared record by record.

It reads only: nothing is written to either side, nor to the database (no run, no attempt, no link), and the
report names records by id and differences by field, never by amount or name.

1. The connection's Dynamics invoices — the ones `rules.belongs_here` gives it: named on the invoice, or, for
   the default connection, with no connection picked — listed 5,000 ids a page, then read in full 200 at a
   time exactly as the sync reads them (`read_invoices`).
2. Every Xero invoice and credit note, 1,000 a page with their lines (unit amounts to four places). An
   invoice names its Dynamics invoice in `Url` (`invoice_id_of`); a credit note has no `Url`, so it is the
   ledger's link that names it (and, when the connection numbers them, its Dynamics number).
3. Each Dynamics invoice is then judged:
   - **expected in Xero** when the ledger links it (it went) or `pick_up` would create it now; not when it
     is held back or skipped by a rule, or cancelled (a cancelled one may be in Xero only voided or deleted),
     or voided/deleted in Xero as Dynamics already knows.
   - **missing**: expected, and Xero holds no live copy (none at all, or only a voided or deleted one).
   - **duplicated**: more than one live Xero copy of it; or a live copy this connection's ledger links that
     names an invoice which is no longer this connection's (deleted in Dynamics, or moved to another one).
   - **differing**: Xero's copy is not what `xero_invoice` makes of the invoice now, in the fields that matter
     (type, contact, dates, currency, number, reference, line amount types, branding theme, every line's
     description, quantity, unit amount, discount, account, item, tax type and tracking, and the totals); or
     the invoice is cancelled in Dynamics while Xero's copy is live.
4. Every customer and product the ledger links to a Xero contact or item is read on both sides (Dynamics 200 ids a
   query, `read_customers` / `read_products`; Xero's contacts 50 ids a call, its items all in one call) and compared
   field by field in the fields the sync keeps in step (`customer_values` / `contact_values`, `product_values` /
   `item_values`; items have no status): **in step**, **differing** (the field names), **missing** in Xero,
   **missing in Dynamics**, or **not comparable** when a rule holds the record back (its reason). A difference the
   conflict rule leaves on purpose (a field edited in Xero while two-way contact sync is off) is still reported: the
   two sides do differ.
5. The money Xero holds against what Dynamics shows of it (`invoice_amounts`, `payment_rows`):
   - each linked invoice with a live Xero copy: its Xero details row (one query of this connector's rows, 5,000 a
     page) shows Xero's amount due, paid and credited (a credit note's remaining credit and applied amount) to the
     cent, and Xero's status; **differing** names the fields, **missing in Dynamics** when it has no details row.
   - the payment rows: every row the payments stream would write (`payments.read_changes` from the connection's
     start, `payments.Ours`) is in Dynamics with the same kind, amount, status (deleted or not) and invoice; every
     Dynamics payment row of this connector (one query, paged) that is not Deleted is one of them and not deleted
     in Xero. A row whose invoice or customer was deleted in Dynamics went with it: not missing.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Count

from dxconnector.connections.clients import ClientFactory, connected_clients
from dxconnector.connections.models import Connection
from dxconnector.domain import compare, rules
from dxconnector.domain.documents import CREDIT_NOTE_NAMES, INVOICE_NAMES, XeroDocument
from dxconnector.domain.mapping.choices import option_value
from dxconnector.domain.mapping.contact import contact_values, customer_values
from dxconnector.domain.mapping.invoice import xero_invoice
from dxconnector.domain.mapping.item import STATUS as ITEM_STATUS
from dxconnector.domain.mapping.item import item_values, product_values
from dxconnector.domain.mapping.payment import MoneyRow
from dxconnector.domain.names import CONNECTOR_ID, XeroInvoiceTable, XeroPaymentTable, lookup_value
from dxconnector.domain.records import (
    DynamicsInvoice,
    InvoiceState,
    LineAmountTypes,
    XeroInvoice,
    XeroStatus,
)
from dxconnector.domain.rules import Action, RuleViolation
from dxconnector.dynamics import history
from dxconnector.dynamics.changes import IDS_PER_QUERY, InvoiceRecord
from dxconnector.dynamics.changes import PAGE_SIZE as DATAVERSE_PAGE_SIZE
from dxconnector.dynamics.customers import read_customers, read_products
from dxconnector.dynamics.solution.definition import XERO_INVOICE, XERO_PAYMENT
from dxconnector.sync import engine, payments, reading, state
from dxconnector.sync.context import Progress, SyncContext, invoice_id_of
from dxconnector.sync.isolation import Fault, guard
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.sync.to_xero import CONNECTOR_COLUMN
from dxconnector.sync.xero_io import IDS_PER_CALL, SCAN_PAGE_SIZE, UNITDP, contacts_by_id
from dxconnector.xero.resources import CREDIT_NOTES, INVOICES, ITEMS, Resource

RESOURCES: tuple[Resource, ...] = (INVOICES, CREDIT_NOTES)


class Problem(enum.StrEnum):
    MISSING = "missing"
    DUPLICATED = "duplicated"
    DIFFERING = "differing"
    SHARED = "shared"  # two Dynamics records linked to one Xero contact or item
    UNCHECKED = "unchecked"  # the comparison itself failed on the record
    MISSING_IN_DYNAMICS = "missing_in_dynamics"  # a linked customer or product Dynamics no longer has
    NOT_COMPARABLE = "not_comparable"  # a linked customer or product a rule holds back: the reason

    @property
    def label(self) -> str:
        return self.value.upper().replace("_", " ")


@dataclass(frozen=True)
class Row:
    """One problem with one Dynamics invoice, customer or product (or, shared, several records): ids, Xero's field
    names and a plain reason — no amounts, names or other values."""

    problem: Problem
    dynamics_id: str
    xero_ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()  # differing: the Xero fields that differ, e.g. LineItems[1].Quantity
    detail: str = ""
    others: tuple[str, ...] = ()  # shared: the other Dynamics records linked to the same Xero record
    kind: str = ""  # "customer" or "product"; an invoice's row says none

    @property
    def dynamics_ids(self) -> tuple[str, ...]:
        return (self.dynamics_id, *self.others)

    @property
    def line(self) -> str:
        xero = f" (Xero {', '.join(self.xero_ids)})" if self.xero_ids else ""
        said = ", ".join(self.fields) if self.fields else ""
        if self.detail:
            said = f"{said}; {self.detail}" if said else self.detail
        kind = f"{self.kind} " if self.kind else ""
        return f"{self.problem.label:<10} {kind}{', '.join(self.dynamics_ids)}{xero}: {said}"

    def to_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem.value,
            "dynamics_id": self.dynamics_id,
            "xero_ids": list(self.xero_ids),
            "fields": list(self.fields),
            "detail": self.detail,
            **({"others": list(self.others)} if self.others else {}),
            **({"kind": self.kind} if self.kind else {}),
        }


@dataclass(frozen=True)
class Held:
    """An invoice not in Xero (or not changed there) for a reason the connector gave: a rule held it back, or its
    last attempt failed with one — something for the user to act on, not a fault of the sync."""

    dynamics_id: str
    code: str
    text: str

    @property
    def line(self) -> str:
        return f"{'HELD':<10} {self.dynamics_id}: {self.code}: {self.text}"

    def to_json(self) -> dict[str, Any]:
        return {"dynamics_id": self.dynamics_id, "code": self.code, "reason": self.text}


@dataclass
class Linked:
    """The linked customers (or products), each compared with its Xero contact (or item) field by field."""

    kind: str  # "customer" or "product"
    compared: int = 0  # links looked at: each is in step or has one row
    in_step: int = 0
    rows: list[Row] = field(default_factory=list)

    def count(self, problem: Problem) -> int:
        return sum(1 for row in self.rows if row.problem is problem)

    @property
    def differing(self) -> int:
        return self.count(Problem.DIFFERING)

    @property
    def ok(self) -> bool:
        return not self.rows

    @property
    def summary(self) -> str:
        extra = "".join(
            f", {problem.label.lower()} {count}"
            for problem in (Problem.NOT_COMPARABLE, Problem.UNCHECKED)
            if (count := self.count(problem))
        )
        return (
            f"{self.kind.capitalize()}s linked {self.compared}: in step {self.in_step}, differing {self.differing}, "
            f"missing in Xero {self.count(Problem.MISSING)}, missing in Dynamics {self.count(Problem.MISSING_IN_DYNAMICS)}"
            f"{extra}."
        )

    @property
    def lines(self) -> list[str]:
        order = {problem: index for index, problem in enumerate(Problem)}
        return [row.line for row in sorted(self.rows, key=lambda row: (order[row.problem], row.dynamics_id))]

    def to_json(self) -> dict[str, Any]:
        return {
            "compared": self.compared,
            "in_step": self.in_step,
            "differing": self.differing,
            "missing_in_xero": self.count(Problem.MISSING),
            "missing_in_dynamics": self.count(Problem.MISSING_IN_DYNAMICS),
            "not_comparable": self.count(Problem.NOT_COMPARABLE),
            "unchecked": self.count(Problem.UNCHECKED),
            "records": [row.to_json() for row in sorted(self.rows, key=lambda row: row.dynamics_id)],
        }


@dataclass
class Money(Linked):
    """The money Xero holds against what Dynamics shows of it: the linked invoices' amounts on their Xero details rows
    (kind "invoice"), or the Xero payment rows (kind "payment"). A payment row Dynamics shows that Xero does not have
    (or has on nothing of this connection's) is MISSING: not in Xero."""

    title: str = ""
    dynamics_only: bool = False  # Dynamics may hold rows Xero lacks: its summary counts them

    @property
    def not_in_xero(self) -> int:
        return self.count(Problem.MISSING)

    @property
    def summary(self) -> str:
        extra = f", not in Xero {self.not_in_xero}" if self.dynamics_only else ""
        if unchecked := self.count(Problem.UNCHECKED):
            extra += f", unchecked {unchecked}"
        return (
            f"{self.title} compared {self.compared}: in step {self.in_step}, differing {self.differing}, "
            f"missing in Dynamics {self.count(Problem.MISSING_IN_DYNAMICS)}{extra}."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "compared": self.compared,
            "in_step": self.in_step,
            "differing": self.differing,
            "missing_in_dynamics": self.count(Problem.MISSING_IN_DYNAMICS),
            **({"not_in_xero": self.not_in_xero} if self.dynamics_only else {}),
            "unchecked": self.count(Problem.UNCHECKED),
            "records": [row.to_json() for row in sorted(self.rows, key=lambda row: row.dynamics_id)],
        }


@dataclass
class Report:
    connection_id: str
    dynamics_invoices: int = 0  # this connection's invoices in Dynamics
    expected: int = 0  # of which expected live in Xero
    xero_invoices: int = 0  # live Xero copies of this connection's invoices (and strays its ledger links)
    not_expected: Counter[str] = field(default_factory=Counter)  # why the others are not: a rule's code, "cancelled"
    rows: list[Row] = field(default_factory=list)  # the invoices' problems, and Xero records linked twice
    held: list[Held] = field(default_factory=list)
    customers: Linked = field(default_factory=lambda: Linked("customer"))
    products: Linked = field(default_factory=lambda: Linked("product"))
    invoice_amounts: Money = field(default_factory=lambda: Money("invoice", title="Invoices' Xero amounts"))
    payments: Money = field(default_factory=lambda: Money("payment", title="Payment rows", dynamics_only=True))

    def count(self, problem: Problem) -> int:
        return sum(1 for row in self.rows if row.problem is problem)

    @property
    def missing(self) -> int:
        return self.count(Problem.MISSING)

    @property
    def duplicated(self) -> int:
        return self.count(Problem.DUPLICATED)

    @property
    def differing(self) -> int:
        return self.count(Problem.DIFFERING)

    @property
    def shared(self) -> int:
        return self.count(Problem.SHARED)

    @property
    def unchecked(self) -> int:
        return self.count(Problem.UNCHECKED)

    @property
    def payments_differing(self) -> int:
        """Invoice amounts and payment rows Dynamics does not show as Xero holds them: differing, missing on either
        side, or not compared."""
        return len(self.invoice_amounts.rows) + len(self.payments.rows)

    @property
    def ok(self) -> bool:
        return not self.rows and self.customers.ok and self.products.ok and self.invoice_amounts.ok and self.payments.ok

    @property
    def summary(self) -> str:
        extra = "".join(f", {name} {count}" for name, count in (("shared", self.shared), ("unchecked", self.unchecked)) if count)
        return (
            f"Dynamics {self.dynamics_invoices} invoices for this connection; Xero {self.xero_invoices}; "
            f"missing {self.missing}, duplicated {self.duplicated}, differing {self.differing}{extra} "
            f"({self.expected} expected in Xero; {len(self.held)} held with a reason)."
        )

    @property
    def lines(self) -> list[str]:
        order = {problem: index for index, problem in enumerate(Problem)}
        lines = [row.line for row in sorted(self.rows, key=lambda row: (order[row.problem], row.dynamics_id))]
        lines += [held.line for held in sorted(self.held, key=lambda held: held.dynamics_id)]
        lines += self.customers.lines + self.products.lines + self.invoice_amounts.lines + self.payments.lines
        if self.not_expected:
            why = ", ".join(f"{code} {count}" for code, count in sorted(self.not_expected.items()))
            lines.append(f"Not expected in Xero: {sum(self.not_expected.values())} ({why}).")
        lines += [self.customers.summary, self.products.summary, self.invoice_amounts.summary, self.payments.summary]
        lines.append(self.summary)  # the invoices' summary stays the last line
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "connection": self.connection_id,
            "ok": self.ok,
            "dynamics_invoices": self.dynamics_invoices,
            "expected_in_xero": self.expected,
            "xero_invoices": self.xero_invoices,
            "missing": self.missing,
            "duplicated": self.duplicated,
            "differing": self.differing,
            "shared": self.shared,
            "unchecked": self.unchecked,
            "not_expected": dict(sorted(self.not_expected.items())),
            "records": [row.to_json() for row in self.rows],
            "held": [held.to_json() for held in sorted(self.held, key=lambda held: held.dynamics_id)],
            "customers": self.customers.to_json(),
            "products": self.products.to_json(),
            "payments_differing": self.payments_differing,
            "invoice_amounts": self.invoice_amounts.to_json(),
            "payments": self.payments.to_json(),
        }


# --- the entry point -------------------------------------------------------------------------------------


def verify(
    connection_id: Any,
    *,
    clients: ClientFactory | None = None,
    progress: Callable[[Progress], None] | None = None,
    now: datetime | None = None,
) -> Report:
    """Compare the connection's Dynamics invoices, its linked customers and products, and the money Dynamics shows
    (invoices' Xero amounts, payment rows) with what Xero holds. Raises `NotReady` when the
    connection is not connected on both sides, and the adapters' errors when a side can't be read."""
    connection = Connection.objects.get(pk=connection_id)
    made = (clients or connected_clients)(connection)
    try:
        ctx = engine.open_context(connection, made, progress=progress, now=now)
        return reconcile(ctx)
    finally:
        made.close()


def reconcile(ctx: SyncContext) -> Report:
    records, unreadable = connection_invoices(ctx)
    copies = xero_copies(ctx)
    items = xero_items(ctx)
    codes = {str(item.get("Code") or "") for item in items.values()} - {""}
    links = {link.dynamics_id: link for link in Link.objects.filter(connection_id=ctx.connection_id, kind=Link.Kind.INVOICE)}
    contacts = state.links(
        ctx.connection_id, Link.Kind.CONTACT, (record.invoice.customer.id for record in records if record.invoice.customer)
    )
    report = Report(str(ctx.connection_id), dynamics_invoices=len(records) + len(unreadable))
    report.rows += [
        Row(Problem.UNCHECKED, attempt.dynamics_id, detail="could not be read from Dynamics") for attempt in unreadable
    ]
    groups, claimed = group_copies(ctx, records, copies, links)
    for record in records:
        link = links.get(record.invoice.id)
        link = link if state.invoice_link(link) else None  # a create still waiting for Xero's answer: no link yet
        customer = record.invoice.customer
        contact = contacts.get(customer.id) if customer else None
        judged = guard(
            "comparing the invoice with Xero",
            record.invoice.id,
            judge,
            ctx,
            report,
            record,
            link,
            groups.get(record.invoice.id, []),
            contact.xero_id if contact else None,
            codes,
        )
        if isinstance(judged, Fault):
            report.rows.append(
                Row(Problem.UNCHECKED, record.invoice.id, detail=f"could not be compared ({type(judged.error).__name__})")
            )
    strays(report, copies, claimed, links, {record.invoice.id for record in records})
    settle_with_attempts(ctx, report, {record.invoice.id: record.invoice for record in records}, links)
    shared_links(ctx, report)
    linked_customers(ctx, report.customers)
    linked_products(ctx, report.products, items)
    invoice_amounts(ctx, report.invoice_amounts, records, links, copies)
    payment_rows(ctx, report.payments)
    return report


# --- 1. Dynamics ------------------------------------------------------------------------------------------


def connection_filter(ctx: SyncContext) -> str:
    """`rules.belongs_here` as a Dataverse filter: invoices naming this connection, and for the default one
    also those naming none."""
    mine = f"{CONNECTOR_COLUMN} eq {ctx.connector_id}"
    return f"({mine} or {CONNECTOR_COLUMN} eq null)" if ctx.settings.is_default_connection else mine


def connection_invoices(ctx: SyncContext) -> tuple[list[InvoiceRecord], list[state.Attempt]]:
    ids: list[str] = []
    params = {"$select": "invoiceid", "$filter": connection_filter(ctx)}
    pages = ctx.dynamics.pages("invoices", params=params, headers={"Prefer": f"odata.maxpagesize={DATAVERSE_PAGE_SIZE}"})
    for number, page in enumerate(pages, start=1):
        ids += [str(row["invoiceid"]) for row in page.get("value", []) if row.get("invoiceid")]
        ctx.progress(Progress("Dynamics", f"page {number}, {len(ids)} invoices listed"))
    ids = list(dict.fromkeys(ids))
    records: list[InvoiceRecord] = []
    unreadable: list[state.Attempt] = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        read, faults = reading.readable(ctx, ids[start : start + IDS_PER_QUERY])
        records, unreadable = records + read, unreadable + faults
        ctx.progress(Progress("Dynamics", f"{min(start + IDS_PER_QUERY, len(ids))}/{len(ids)} invoices read in full"))
    return [record for record in records if rules.belongs_here(record.invoice, ctx.settings)], unreadable


# --- 2. Xero ----------------------------------------------------------------------------------------------


def xero_copies(ctx: SyncContext) -> list[XeroDocument]:
    found: list[XeroDocument] = []
    for resource in RESOURCES:
        for number, page in enumerate(ctx.xero.pages(resource, page_size=SCAN_PAGE_SIZE, unitdp=UNITDP), start=1):
            found += [XeroDocument.read(body) for body in page]
            ctx.progress(Progress(f"Xero {resource.name}", f"page {number}, {len(page)} read"))
    return found


def xero_items(ctx: SyncContext) -> dict[str, dict[str, Any]]:
    """Every Xero item, by lower-cased ItemID, unit prices to four places: Xero answers them all in one call (it
    neither pages items nor filters them by id)."""
    items = {str(item.get("ItemID") or "").lower(): item for item in ctx.xero.records(ITEMS, unitdp=UNITDP)}
    ctx.progress(Progress("Xero Items", f"{len(items)} read"))
    return items


def xero_id_of(document: XeroDocument) -> str:
    """Compared lower-cased: Xero's ids in a `Url` or a link may differ in case from its answers."""
    return document.id.lower()


def _status_of(document: XeroDocument) -> str:
    return str(document.body.get("Status") or "").lower()


def group_copies(
    ctx: SyncContext, records: Sequence[InvoiceRecord], copies: Sequence[XeroDocument], links: Mapping[str, Link]
) -> tuple[dict[str, list[XeroDocument]], set[str]]:
    """Each of the connection's invoices → its Xero copies (live or not): those whose `Url` names it, the one
    its link names, and credit notes bearing the number it is sent with. Also the Xero ids so claimed."""
    mine = {record.invoice.id.lower(): record.invoice.id for record in records}
    by_id = {xero_id_of(copy): copy for copy in copies}
    groups: dict[str, dict[str, XeroDocument]] = {}
    for copy in copies:
        named = str(invoice_id_of(copy.url) or "").lower()
        if named in mine:
            groups.setdefault(mine[named], {})[xero_id_of(copy)] = copy
    credit_notes_by_number: dict[str, list[XeroDocument]] = {}
    if not ctx.settings.use_xero_invoice_number:
        for copy in copies:
            if copy.is_credit_note and copy.number:
                credit_notes_by_number.setdefault(copy.number.casefold(), []).append(copy)
    for record in records:
        invoice = record.invoice
        group = groups.setdefault(invoice.id, {})
        link = links.get(invoice.id)
        linked = by_id.get(link.xero_id.lower()) if link and link.xero_id else None
        if linked is not None:
            group.setdefault(xero_id_of(linked), linked)
        number = _credit_note_number(ctx, invoice) if credit_notes_by_number else None
        for copy in credit_notes_by_number.get((number or "").casefold(), []):
            group.setdefault(xero_id_of(copy), copy)
    claimed = {xero_id for group in groups.values() for xero_id in group}
    return {invoice_id: list(group.values()) for invoice_id, group in groups.items() if group}, claimed


def _credit_note_number(ctx: SyncContext, invoice: DynamicsInvoice) -> str | None:
    """The number the invoice goes to Xero with, when it goes as a credit note numbered by Dynamics."""
    try:
        return rules.invoice_number(invoice, ctx.settings) if rules.send_as(invoice, ctx.settings).type.is_credit_note else None
    except RuleViolation:
        return None


# --- 3. judging each invoice ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotExpected:
    """Why an invoice is not expected live in Xero: a rule's code (and its words), `cancelled`, or voided there."""

    code: str
    text: str = ""
    held: bool = False  # a rule holds it back: the user has something to fix or wait for


def expectation(ctx: SyncContext, record: InvoiceRecord, link: Link | None) -> NotExpected | None:
    """None when the invoice should be live in Xero; otherwise why not."""
    invoice = record.invoice
    if invoice.state is InvoiceState.CANCELED:
        return NotExpected("cancelled")
    if link is not None:
        if invoice.xero_status in (XeroStatus.VOIDED, XeroStatus.DELETED):
            return NotExpected(f"{invoice.xero_status.value.lower()}_in_xero")
        return None
    decision = rules.pick_up(invoice, ctx.settings, ctx.now, None)
    if decision.action is Action.CREATE:
        return None
    code = decision.reasons[0].code.value if decision.reasons else decision.action.value
    return NotExpected(code, decision.explanation, held=decision.held_back)


def judge(
    ctx: SyncContext,
    report: Report,
    record: InvoiceRecord,
    link: Link | None,
    copies: Sequence[XeroDocument],
    contact_id: str | None,
    codes: set[str],
) -> None:
    invoice = record.invoice
    live = [copy for copy in copies if copy.is_live]
    report.xero_invoices += len(live)
    why_not = expectation(ctx, record, link)
    if why_not is None:
        report.expected += 1
    else:
        report.not_expected[why_not.code] += 1
        if why_not.held:
            report.held.append(Held(invoice.id, why_not.code, why_not.text))
    if why_not is None and not live:
        dead = sorted({_status_of(copy) for copy in copies})
        detail = f"not in Xero ({' and '.join(dead)} there)" if dead else "not in Xero"
        if link is not None and not copies:
            detail = "not in Xero: the ledger links a Xero record that Xero doesn't list"
        report.rows.append(Row(Problem.MISSING, invoice.id, tuple(xero_id_of(copy) for copy in copies), detail=detail))
    if len(live) > 1:
        report.rows.append(
            Row(
                Problem.DUPLICATED,
                invoice.id,
                tuple(xero_id_of(copy) for copy in live),
                detail=f"{len(live)} live Xero copies of one invoice",
            )
        )
    if not live:
        return
    linked_id = link.xero_id.lower() if link is not None else ""
    copy = next((copy for copy in live if xero_id_of(copy) == linked_id), live[0])
    if invoice.state is InvoiceState.CANCELED:
        report.rows.append(
            Row(
                Problem.DIFFERING,
                invoice.id,
                (xero_id_of(copy),),
                ("Status",),
                f"cancelled in Dynamics, {_status_of(copy)} in Xero",
            )
        )
        return
    try:
        expected = xero_invoice(
            invoice, ctx.settings, contact_id or "", xero_item_codes=codes, source_url=ctx.source_url(invoice.id)
        )
    except RuleViolation as violation:
        held = ", ".join(dict.fromkeys(reason.code.value for reason in violation.reasons))
        report.rows.append(
            Row(
                Problem.DIFFERING,
                invoice.id,
                (xero_id_of(copy),),
                detail=f"Xero has it, but the invoice no longer goes to Xero as it is (held back by {held})",
            )
        )
        return
    fields = differences(expected, copy.body)
    if expected.url and str(invoice_id_of(copy.url) or "").lower() != invoice.id.lower():
        fields.append("Url")
    if fields:
        report.rows.append(Row(Problem.DIFFERING, invoice.id, (xero_id_of(copy),), tuple(fields)))


def strays(report: Report, copies: Iterable[XeroDocument], claimed: set[str], links: Mapping[str, Link], mine: set[str]) -> None:
    """Live copies this connection's ledger links (or, for a create whose answer was lost, whose `Url` names the
    invoice) that are not of one of its invoices now: the invoice was deleted in Dynamics or moved to another
    connection. Copies of other connections' invoices are theirs, not strays."""
    ledger = {link.xero_id.lower(): link.dynamics_id for link in links.values() if link.xero_id}
    # a create whose answer was never recorded: only the copy's Url can name it
    pending = {
        dynamics_id.lower(): dynamics_id for dynamics_id, link in links.items() if not link.xero_id and dynamics_id not in mine
    }
    for copy in copies:
        xero_id = xero_id_of(copy)
        if xero_id in claimed or not copy.is_live:
            continue
        named = str(invoice_id_of(copy.url) or "").lower()
        dynamics_id = ledger.get(xero_id) or pending.get(named)
        if dynamics_id is None or dynamics_id in mine:
            continue
        report.xero_invoices += 1
        report.rows.append(
            Row(
                Problem.DUPLICATED,
                dynamics_id,
                (xero_id,),
                detail=(
                    "Xero has it, but the Dynamics invoice it was sent for is not this connection's any more "
                    "(deleted in Dynamics, or moved to another connection)"
                ),
            )
        )


def _chunks(ids: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    """Database lookups by id a few hundred at a time (SQLite caps a statement's parameters)."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _last_attempts(ctx: SyncContext, dynamics_ids: Sequence[str]) -> dict[str, SyncAttempt]:
    """Each invoice's last attempt towards Xero, if it had one."""
    last: dict[str, SyncAttempt] = {}
    for chunk in _chunks(list(dynamics_ids)):
        for attempt in SyncAttempt.objects.filter(
            connection_id=ctx.connection_id,
            record_kind=Link.Kind.INVOICE,
            direction=SyncAttempt.Direction.TO_XERO,
            dynamics_id__in=chunk,
        ).order_by("attempted_at"):
            last[attempt.dynamics_id] = attempt
    return last


def _held_by(attempt: SyncAttempt, invoice: DynamicsInvoice | None) -> bool:
    """The attempt gave a reason the user can act on, and the invoice has not changed since (it would go again)."""
    if attempt.outcome == SyncAttempt.Outcome.SUCCEEDED or not attempt.reason_code:
        return False
    if attempt.reason_code == rules.Why.INTERNAL_ERROR:
        return False
    return invoice is None or (attempt.dynamics_version or None) == invoice.version


def settle_with_attempts(
    ctx: SyncContext, report: Report, invoices: Mapping[str, DynamicsInvoice], links: Mapping[str, Link]
) -> None:
    """A missing invoice whose last attempt was refused with a reason (no contact, Xero's words…), or a live copy of
    an invoice deleted in Dynamics that Xero would not void, is held, not lost: it is listed with that reason. Other
    missing ones name their last attempt's outcome."""
    open_rows = [row for row in report.rows if row.problem is Problem.MISSING or _refused_deletion(row, links)]
    if not open_rows:
        return
    last = _last_attempts(ctx, [row.dynamics_id for row in open_rows])
    holding = {
        row.dynamics_id: attempt
        for row in open_rows
        if (attempt := last.get(row.dynamics_id)) is not None and _held_by(attempt, invoices.get(row.dynamics_id))
    }
    words = _history_words(ctx, list(holding.values()))
    for row in open_rows:
        attempt = last.get(row.dynamics_id)
        if row.dynamics_id in holding:
            assert attempt is not None
            report.rows.remove(row)
            report.held.append(Held(row.dynamics_id, attempt.reason_code, words.get(str(attempt.pk), attempt.reason)))
            if row.problem is Problem.MISSING:
                report.expected -= 1
                report.not_expected[attempt.reason_code] += 1
        elif attempt is not None and attempt.outcome != SyncAttempt.Outcome.SUCCEEDED and row.problem is Problem.MISSING:
            why = f" ({attempt.reason_code})" if attempt.reason_code else ""
            report.rows[report.rows.index(row)] = replace(
                row, detail=f"{row.detail}; last attempt {attempt.outcome.lower().replace('_', ' ')}{why}"
            )


def _history_words(ctx: SyncContext, attempts: list[SyncAttempt]) -> dict[str, str]:
    """Xero's own words about the refusals, from the attempts' history rows in Dynamics (the connector keeps none)."""
    refused = [str(attempt.pk) for attempt in attempts if attempt.reason_code == rules.Why.XERO_REFUSED and attempt.reported_at]
    return {row_id: message.removeprefix("Xero: ") for row_id, message in history.messages(ctx.dynamics, refused).items()}


def _refused_deletion(row: Row, links: Mapping[str, Link]) -> bool:
    link = links.get(row.dynamics_id)
    return (
        row.problem is Problem.DUPLICATED and link is not None and link.dynamics_deleted_at is not None and not link.deletion_due
    )


def shared_links(ctx: SyncContext, report: Report) -> None:
    """No two Dynamics records may share a Xero record: the ledger links each Xero invoice, contact and item to one."""
    for kind, what in ((Link.Kind.INVOICE, "invoice"), (Link.Kind.CONTACT, "contact"), (Link.Kind.ITEM, "item")):
        shared = (
            Link.objects.filter(connection_id=ctx.connection_id, kind=kind)
            .exclude(xero_id="")
            .values("xero_id")
            .annotate(records=Count("id"))
            .filter(records__gt=1)
            .values_list("xero_id", flat=True)
        )
        for xero_id in shared:
            ids = sorted(
                Link.objects.filter(connection_id=ctx.connection_id, kind=kind, xero_id=xero_id).values_list(
                    "dynamics_id", flat=True
                )
            )
            report.rows.append(
                Row(
                    Problem.SHARED,
                    ids[0],
                    (xero_id,),
                    others=tuple(ids[1:]),
                    detail=f"one Xero {what} linked to {len(ids)} Dynamics records",
                )
            )


# --- 4. linked customers and products, field by field --------------------------------------------------------


def linked_ids(ctx: SyncContext, kind: str) -> dict[str, str]:
    """The connection's links of this kind to a Xero record: Dynamics id → Xero id."""
    found = Link.objects.filter(connection_id=ctx.connection_id, kind=kind).exclude(xero_id="")
    return dict(found.order_by("dynamics_id").values_list("dynamics_id", "xero_id"))


def xero_contacts(ctx: SyncContext, xero_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Xero's contacts with these ids (archived ones too, in full), by lower-cased ContactID, read as the sync reads
    them (`xero_io.contacts_by_id`), its progress told every call."""
    ids = list(dict.fromkeys(xero_ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), IDS_PER_CALL):
        chunk = ids[start : start + IDS_PER_CALL]
        found.update({contact_id.lower(): contact for contact_id, contact in contacts_by_id(ctx.xero, chunk).items()})
        ctx.progress(Progress("Xero Contacts", f"{min(start + IDS_PER_CALL, len(ids))}/{len(ids)} linked contacts read"))
    return found


def linked_customers(ctx: SyncContext, section: Linked) -> None:
    links = linked_ids(ctx, Link.Kind.CONTACT)
    if not links:
        return
    customers = read_customers(ctx.dynamics, list(links))
    ctx.progress(Progress("Dynamics", f"{len(customers)}/{len(links)} linked customers read"))
    contacts = xero_contacts(ctx, links.values())
    compare_linked(section, links, customers, contacts, customer_values, contact_values)


def linked_products(ctx: SyncContext, section: Linked, items: Mapping[str, Mapping[str, Any]]) -> None:
    links = linked_ids(ctx, Link.Kind.ITEM)
    if not links:
        return
    products = read_products(ctx.dynamics, list(links))
    ctx.progress(Progress("Dynamics", f"{len(products)}/{len(links)} linked products read"))

    def values(product: Any) -> dict[str, str]:
        """What the product maps to, but its status: Xero items have none."""
        mapped = product_values(product, ctx.settings)
        mapped.pop(ITEM_STATUS, None)
        return mapped

    compare_linked(section, links, products, items, values, item_values)


def compare_linked(
    section: Linked,
    links: Mapping[str, str],
    records: Mapping[str, Any],
    bodies: Mapping[str, Mapping[str, Any]],
    ours: Callable[[Any], dict[str, str]],
    theirs: Callable[[Mapping[str, Any]], dict[str, str]],
) -> None:
    """Each link judged (`judge_linked`); a record the comparison fails on is unchecked, the others still are."""
    for dynamics_id, xero_id in links.items():
        section.compared += 1
        judged = guard(
            f"comparing the {section.kind} with Xero",
            dynamics_id,
            judge_linked,
            section,
            dynamics_id,
            xero_id,
            records.get(dynamics_id),
            bodies.get(xero_id.lower()),
            ours,
            theirs,
        )
        if isinstance(judged, Fault):
            detail = f"could not be compared ({type(judged.error).__name__})"
            section.rows.append(Row(Problem.UNCHECKED, dynamics_id, (xero_id,), detail=detail, kind=section.kind))


def judge_linked(
    section: Linked,
    dynamics_id: str,
    xero_id: str,
    record: Any | None,
    body: Mapping[str, Any] | None,
    ours: Callable[[Any], dict[str, str]],
    theirs: Callable[[Mapping[str, Any]], dict[str, str]],
) -> None:
    """One linked record: in step, or one row saying how not. Only the fields the record maps to (`ours`) are
    compared, so a field Xero has and the sync does not keep (a Dynamics contact's whole name) is never a difference."""

    def row(problem: Problem, fields: tuple[str, ...] = (), detail: str = "") -> None:
        section.rows.append(Row(problem, dynamics_id, (xero_id,), fields, detail, kind=section.kind))

    if record is None:
        row(Problem.MISSING_IN_DYNAMICS, detail="not in Dynamics any more (deleted there, or out of the connector's reach)")
        return
    if body is None:
        row(Problem.MISSING, detail="not in Xero: the ledger links a Xero record that Xero doesn't list")
        return
    try:
        expected = ours(record)
    except RuleViolation as violation:
        reasons = "; ".join(f"{reason.code.value}: {reason.text}" for reason in violation.reasons)
        row(Problem.NOT_COMPARABLE, detail=f"it no longer goes to Xero as it is ({reasons})")
        return
    found = theirs(body)
    fields = tuple(name for name, value in expected.items() if found.get(name, "") != value)
    if fields:
        row(Problem.DIFFERING, fields)
    else:
        section.in_step += 1


# --- 5. the money: invoices' amounts and payment rows ---------------------------------------------------------

CENT = Decimal("0.01")


def cents(value: Any) -> Decimal | None:
    """An amount to the cent, as both sides show money; None for none (or a value that is no number)."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None


def _listed(ctx: SyncContext, set_name: str, columns: Sequence[str], what: str) -> list[dict[str, Any]]:
    """Every row of one of our tables that belongs to this connector: one query, 5,000 rows a page."""
    params = {"$select": ",".join(columns), "$filter": f"{lookup_value(CONNECTOR_ID)} eq {ctx.connector_id}"}
    found: list[dict[str, Any]] = []
    pages = ctx.dynamics.pages(set_name, params=params, headers={"Prefer": f"odata.maxpagesize={DATAVERSE_PAGE_SIZE}"})
    for number, page in enumerate(pages, start=1):
        found += page.get("value", [])
        ctx.progress(Progress("Dynamics", f"page {number}, {len(found)} {what} listed"))
    return found


DETAILS_COLUMNS = (
    XERO_INVOICE.primary_id,
    lookup_value(XeroInvoiceTable.INVOICE_ID),
    XeroInvoiceTable.XERO_ID,
    XeroInvoiceTable.XERO_STATUS,
    XeroInvoiceTable.AMOUNT_DUE,
    XeroInvoiceTable.AMOUNT_PAID,
    XeroInvoiceTable.AMOUNT_CREDITED,
)


def details_rows(ctx: SyncContext) -> dict[str, list[dict[str, Any]]]:
    """This connector's Xero details rows, by lower-cased Dynamics invoice id."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in _listed(ctx, XERO_INVOICE.set_name, DETAILS_COLUMNS, "Xero details rows"):
        invoice_id = str(row.get(lookup_value(XeroInvoiceTable.INVOICE_ID)) or "").lower()
        if invoice_id:
            found.setdefault(invoice_id, []).append(row)
    return found


def invoice_amounts(
    ctx: SyncContext, section: Money, records: Sequence[InvoiceRecord], links: Mapping[str, Link], copies: Sequence[XeroDocument]
) -> None:
    """Each invoice the ledger links to a live Xero copy: its details row shows Xero's amounts and status."""
    live = {xero_id_of(copy): copy for copy in copies if copy.is_live}
    linked = [
        (record.invoice.id, copy)
        for record in records
        if (link := links.get(record.invoice.id)) is not None
        and link.xero_id
        and (copy := live.get(link.xero_id.lower())) is not None
    ]
    if not linked:
        return
    rows = details_rows(ctx)
    for invoice_id, copy in linked:
        section.compared += 1
        judged = guard("comparing the invoice's amounts with Xero", invoice_id, judge_amounts, section, invoice_id, copy, rows)
        if isinstance(judged, Fault):
            detail = f"could not be compared ({type(judged.error).__name__})"
            section.rows.append(Row(Problem.UNCHECKED, invoice_id, (xero_id_of(copy),), detail=detail, kind=section.kind))


def judge_amounts(section: Money, invoice_id: str, copy: XeroDocument, rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """One invoice's details row against its Xero copy, in the fields Xero gives (the write-back writes no others)."""
    candidates = rows.get(invoice_id.lower(), [])
    row = next(
        (row for row in candidates if str(row.get(XeroInvoiceTable.XERO_ID) or "").lower() == xero_id_of(copy)),
        candidates[0] if candidates else None,
    )
    if row is None:
        section.rows.append(
            Row(
                Problem.MISSING_IN_DYNAMICS,
                invoice_id,
                (xero_id_of(copy),),
                detail="no Xero details row in Dynamics shows Xero's amounts",
                kind=section.kind,
            )
        )
        return
    fields = amount_differences(copy, row)
    if fields:
        section.rows.append(
            Row(
                Problem.DIFFERING,
                invoice_id,
                (xero_id_of(copy),),
                fields,
                "its Xero details row in Dynamics shows otherwise",
                kind=section.kind,
            )
        )
    else:
        section.in_step += 1


def amount_differences(copy: XeroDocument, row: Mapping[str, Any]) -> tuple[str, ...]:
    """Xero's names of the amounts (to the cent) and status the details row does not show as Xero has them."""
    names = CREDIT_NOTE_NAMES if copy.is_credit_note else INVOICE_NAMES
    pairs = (
        (names["due"], copy.amount_due, XeroInvoiceTable.AMOUNT_DUE),
        ("AmountPaid", copy.amount_paid, XeroInvoiceTable.AMOUNT_PAID),
        (names["credited"], copy.amount_credited, XeroInvoiceTable.AMOUNT_CREDITED),
    )
    fields = [name for name, xero, column in pairs if xero is not None and cents(xero) != cents(row.get(column))]
    if copy.status is not None:
        status = option_value(XeroInvoiceTable.TABLE, XeroInvoiceTable.XERO_STATUS, copy.status)
        if row.get(XeroInvoiceTable.XERO_STATUS) != status:
            fields.append("Status")
    return tuple(fields)


@dataclass(frozen=True)
class PaymentShown:
    """What a payment row says, in the columns compared: its kind, amount to the cent, deleted or not, its invoice."""

    xero_id: str
    kind: int | None
    amount: Decimal | None
    deleted: bool
    invoice_id: str  # the Dynamics invoice, lower-cased; "" for a credit note shown on its customer alone

    def differences(self, other: PaymentShown) -> tuple[str, ...]:
        pairs = (
            ("Kind", self.kind, other.kind),
            ("Amount", self.amount, other.amount),
            ("Status", self.deleted, other.deleted),
            ("Invoice", self.invoice_id, other.invoice_id),
        )
        return tuple(name for name, mine, theirs in pairs if mine != theirs)


@dataclass(frozen=True)
class XeroSide:
    """The payment rows Xero's records stand for, by row id: those that concern this connection (`shown`), whether
    Dynamics may have let them go with a record deleted there (`gone_with`), and the ids of those that concern it not."""

    shown: dict[str, PaymentShown]
    gone_with: set[str]
    elsewhere: set[str]


DELETED_STATUS = option_value(XeroPaymentTable.TABLE, XeroPaymentTable.STATUS, "DELETED")
PAYMENT_COLUMNS = (
    XERO_PAYMENT.primary_id,
    XeroPaymentTable.XERO_ID,
    XeroPaymentTable.KIND,
    XeroPaymentTable.AMOUNT,
    XeroPaymentTable.STATUS,
    lookup_value(XeroPaymentTable.INVOICE_ID),
)


def xero_payment_rows(ctx: SyncContext) -> XeroSide:
    """What the payments stream would write now: every payment, credit note, prepayment and overpayment Xero changed
    since the connection was made (`payments.read_changes`), kept where it concerns this connection."""
    read, _ = payments.read_changes(ctx, {})
    rows = list({row.key: row for row in read}.values())
    ctx.progress(Progress("Xero Payments", f"{len(rows)} payments and credits read"))
    ours = payments.Ours(ctx, rows)
    shown: dict[str, PaymentShown] = {}
    gone_with: set[str] = set()
    elsewhere: set[str] = set()
    for row in rows:
        row_id = payments.row_id(ctx.connector_id, row.key).lower()
        if not ours.concern(row):
            elsewhere.add(row_id)
            continue
        invoice, customer = ours.invoices.get(row.invoice_id), ours.customers.get(row.contact_id)
        owner = invoice if row.invoice_id else customer
        if owner is not None and owner.dynamics_deleted_at is not None:
            gone_with.add(row_id)
        shown[row_id] = _xero_shown(row, invoice)
    return XeroSide(shown, gone_with, elsewhere)


def _xero_shown(row: MoneyRow, invoice: Link | None) -> PaymentShown:
    """As `payments.row_request` writes it: the invoice bound unless it was deleted in Dynamics."""
    bound = invoice.dynamics_id.lower() if invoice is not None and not invoice.dynamics_deleted_at else ""
    return PaymentShown(
        row.xero_id.lower(),
        option_value(XeroPaymentTable.TABLE, XeroPaymentTable.KIND, row.kind),
        cents(row.amount),
        row.deleted,
        bound,
    )


def dynamics_payment_rows(ctx: SyncContext) -> dict[str, PaymentShown]:
    """This connector's payment rows in Dynamics, by lower-cased row id."""
    return {
        str(row[XERO_PAYMENT.primary_id]).lower(): PaymentShown(
            str(row.get(XeroPaymentTable.XERO_ID) or "").lower(),
            row.get(XeroPaymentTable.KIND),
            cents(row.get(XeroPaymentTable.AMOUNT)),
            row.get(XeroPaymentTable.STATUS) == DELETED_STATUS,
            str(row.get(lookup_value(XeroPaymentTable.INVOICE_ID)) or "").lower(),
        )
        for row in _listed(ctx, XERO_PAYMENT.set_name, PAYMENT_COLUMNS, "payment rows")
        if row.get(XERO_PAYMENT.primary_id)
    }


def payment_rows(ctx: SyncContext, section: Money) -> None:
    """Xero's rows in Dynamics as Xero has them; Dynamics' rows not Deleted, live in Xero."""
    xero = xero_payment_rows(ctx)
    dynamics = dynamics_payment_rows(ctx)
    for row_id in sorted(set(xero.shown) | {row_id for row_id, shown in dynamics.items() if not shown.deleted}):
        theirs, mine = xero.shown.get(row_id), dynamics.get(row_id)
        if theirs is not None and mine is None and row_id in xero.gone_with:
            continue  # its invoice (or customer) was deleted in Dynamics, and the row with it
        section.compared += 1
        judged = guard("comparing the payment row with Xero", row_id, judge_payment, section, row_id, theirs, mine, xero)
        if isinstance(judged, Fault):
            detail = f"could not be compared ({type(judged.error).__name__})"
            section.rows.append(Row(Problem.UNCHECKED, row_id, detail=detail, kind=section.kind))


def judge_payment(section: Money, row_id: str, theirs: PaymentShown | None, mine: PaymentShown | None, xero: XeroSide) -> None:
    """One payment row: in step, or one row saying how not (its invoice named, never its amount)."""
    shown = theirs or mine
    assert shown is not None
    on = f"on invoice {shown.invoice_id}" if shown.invoice_id else "on its customer"

    def row(problem: Problem, fields: tuple[str, ...], detail: str) -> None:
        section.rows.append(Row(problem, row_id, (shown.xero_id,) if shown.xero_id else (), fields, detail, kind=section.kind))

    if mine is None:
        row(Problem.MISSING_IN_DYNAMICS, (), f"not in Dynamics (not synced yet, or deleted there); {on}")
    elif theirs is None:
        where = (
            "Xero has it on nothing of this connection's" if row_id in xero.elsewhere else "Xero has no such payment or credit"
        )
        row(Problem.MISSING, (), f"not in Xero: {where}; {on}")
    elif fields := theirs.differences(mine):
        row(Problem.DIFFERING, fields, on)
    else:
        section.in_step += 1


# --- comparing one copy -------------------------------------------------------------------------------------


def differences(expected: XeroInvoice, copy: Mapping[str, Any]) -> list[str]:
    """The fields in which Xero's copy is not what the invoice maps to now (`compare`: the same notion of "the same"
    as the paid-invoice rule's); a field the connector leaves to Xero (due date, currency, number, branding theme)
    is compared only when it sends one, the reference always where Xero keeps one."""
    ours = expected.to_xero()
    fields = [
        "Type",
        *(["Contact"] if expected.contact_id else []),
        "Date",
        "DueDate",
        "LineAmountTypes",
        "CurrencyCode",
        expected.number_element,
        *(["Reference"] if rules.takes_reference(expected.type) else []),
        "BrandingThemeID",
    ]
    found = compare.header_changes(ours, copy, [key for key in fields if key in ours or key in ("Type", "Reference")])
    found += compare.labelled(compare.lines_changes(ours["LineItems"], list(copy.get("LineItems") or [])))
    total_field = "Total" if expected.line_amount_types is LineAmountTypes.INCLUSIVE else "SubTotal"
    if total_field in copy and not compare.same(total_field, copy.get(total_field), expected_total(expected)):
        found.append(total_field)
    return found


def expected_total(expected: XeroInvoice) -> Decimal:
    """The lines' amounts as Xero works them out, to the cent."""
    return sum(
        (
            rules.xero_line_amount(
                rules.LineAmounts(
                    line.quantity or Decimal(0), line.unit_amount or Decimal(0), line.discount_amount, line.discount_rate
                )
            )
            for line in expected.line_items
        ),
        Decimal(0),
    )
