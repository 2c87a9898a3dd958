"""One batch of changed invoices, Dynamics → Xero.

1. `pick_up` decides each invoice (with the ledger's link and the keyed hash of what would be sent now);
   holds and skips are recorded with the rule's reason.
2. The customers, then the products, of the invoices that go are made sure of in Xero (a run of several
   batches has made sure of them all first: `prepare_run`).
3. For updates and cancellations Xero's current copies are read (one call per 50): its status and what
   was paid decide what may change (`edit_permission`, `paid_invoice_update`, `cancellation`).
4. Creates are marked pending in the ledger, then everything is written in batches of up to 50; each
   element's outcome is its invoice's alone.
5. After Xero answered: the links, the attempts and (with the stream's last batch) the cursor are committed
   in one transaction; then Xero's answer is written back to Dynamics.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.mapping.invoice import invoice_hash, xero_invoice
from dxconnector.domain.mapping.item import catalogue_products
from dxconnector.domain.records import DynamicsProduct, InvoiceLink, InvoiceState, InvoiceType, XeroInvoice, XeroStatus
from dxconnector.domain.rules import Action, CancelAction, Decision, EditRule, Reason, RuleViolation, Why
from dxconnector.dynamics.changes import InvoiceRecord
from dxconnector.sync import prerequisites, reading, state, writeback, xero_io
from dxconnector.sync.context import Progress, SyncContext
from dxconnector.sync.isolation import Fault, guard
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.xero.client import idempotency_key
from dxconnector.xero.errors import XeroError
from dxconnector.xero.resources import Resource

KIND = Link.Kind.INVOICE
# Nothing to record: an echo of our own write-back, or an invoice for another connection (named on it, or the
# default one); `explain` still says so for any invoice asked about.
SILENT = {Why.UNCHANGED, Why.OTHER_CONNECTION, Why.NO_CONNECTION}
XERO_REFUSED = "Xero refused the invoice; the sync history in Dynamics has Xero's words."
UNREADABLE_CUSTOMER = Reason(Why.NO_CUSTOMER, "The invoice's customer can't be read: check the user's access to it.")
NOT_IN_XERO = ("The invoice's Xero copy can't be found (deleted in Xero?): set its Export Status to Not Exported to send "
               "it as a new invoice.")
Outcome = SyncAttempt.Outcome
CONTENT = (Action.CREATE, Action.UPDATE)  # what sends the invoice's content, with its customer and products


@dataclass
class Plan:
    """What the batch does with one invoice that goes to Xero."""

    record: InvoiceRecord
    decision: Decision
    link: InvoiceLink | None
    resource: Resource | None = None
    body: dict[str, Any] | None = None
    create: bool = False
    sent_type: InvoiceType | None = None
    sending: XeroInvoice | None = None  # the whole invoice as Xero should now have it (creates and updates)
    hash: str | None = None  # what the ledger keeps for a cancellation (unchanged)
    verb: str = ""
    current: XeroDocument | None = None  # Xero's copy before the write
    answer: XeroDocument | None = None  # Xero's copy after it (or the current one when nothing was sent)
    attempt: state.Attempt | None = None
    notes: tuple[str, ...] = ()  # what its customer's new Xero contact left out: said with the outcome

    @property
    def invoice_id(self) -> str:
        return self.record.invoice.id

    def end(self, outcome: str, reasons: Iterable[Reason] = (), *, reason: str = "", message: str = "", code: str = "") -> None:
        reasons = tuple(reasons)
        self.attempt = state.Attempt(
            KIND, self.invoice_id, outcome, code or (reasons[0].code.value if reasons else ""),
            reason or " ".join(r.text for r in reasons), xero_id=self.link.xero_id if self.link else "", message=message,
            version=self.record.invoice.version)

    def fault(self, fault: Fault) -> None:
        self.attempt = fault.attempt(KIND, self.invoice_id, xero_id=self.link.xero_id if self.link else "")


def _attempt(record: InvoiceRecord, decision: Decision, link: InvoiceLink | None) -> state.Attempt:
    outcome = Outcome.HELD_BACK if decision.held_back else Outcome.SKIPPED
    return state.Attempt(KIND, record.invoice.id, outcome, decision.reasons[0].code.value if decision.reasons else "",
                         decision.explanation, xero_id=link.xero_id if link else "", version=record.invoice.version)


# --- 1. decide -------------------------------------------------------------------------------------------


def expected_hashes(ctx: SyncContext, records: list[InvoiceRecord], links: Mapping[str, Link]) -> dict[str, str]:
    """For invoices already in Xero, the keyed hash of what would be sent now, from the ledger alone (the
    customer's linked contact, the linked items): equal to the hash sent, the invoice is skipped."""
    linked = [record for record in records if state.invoice_link(links.get(record.invoice.id))]
    if not linked:
        return {}
    contacts = state.links(ctx.connection_id, Link.Kind.CONTACT, [r.invoice.customer.id for r in linked if r.invoice.customer])
    codes = prerequisites.linked_item_codes(ctx, catalogue_products(r.invoice for r in linked))
    hashes = {}
    for record in linked:
        contact = contacts.get(record.invoice.customer.id) if record.invoice.customer else None
        if contact is None or not contact.xero_id:
            continue
        found = guard("working out what would be sent", record.invoice.id, _sent_hash, ctx, record, contact.xero_id, codes)
        if isinstance(found, str):
            hashes[record.invoice.id] = found
    return hashes


def _sent_hash(ctx: SyncContext, record: InvoiceRecord, contact_id: str, codes: set[str]) -> str | None:
    try:
        sent = xero_invoice(record.invoice, ctx.settings, contact_id, xero_item_codes=codes, source_url=ctx.source_url(record.invoice.id))
    except RuleViolation:
        return None
    return invoice_hash(sent, ctx.key)


def decisions(ctx: SyncContext, records: list[InvoiceRecord]) -> Iterator[tuple[InvoiceRecord, Decision | Fault, InvoiceLink | None]]:
    """Each invoice with what `pick_up` decides for it (or the fault it raised), and its link."""
    links = state.links(ctx.connection_id, KIND, [record.invoice.id for record in records])
    hashes = expected_hashes(ctx, records, links)
    for record in records:
        link = state.invoice_link(links.get(record.invoice.id))
        yield record, guard("deciding whether the invoice goes to Xero", record.invoice.id, rules.pick_up, record.invoice,
                            ctx.settings, ctx.now, link, sent_fields_hash=hashes.get(record.invoice.id)), link


def decide(ctx: SyncContext, records: list[InvoiceRecord]) -> tuple[list[Plan], list[state.Attempt]]:
    plans, attempts = [], []
    for record, decision, link in decisions(ctx, records):
        if isinstance(decision, Fault):
            attempts.append(decision.attempt(KIND, record.invoice.id, xero_id=link.xero_id if link else ""))
            continue
        if decision.action in (Action.SKIP, Action.HOLD):
            code = decision.reasons[0].code if decision.reasons else None
            if code in SILENT:
                ctx.counts[code.value] += 1
            else:
                attempts.append(_attempt(record, decision, link))
            continue
        plans.append(Plan(record, decision, link))
    return plans, attempts


# --- 2-3. prepare ----------------------------------------------------------------------------------------


def _status(current: XeroDocument) -> XeroStatus:
    """Xero's status of its copy; one the connector doesn't know stops the invoice rather than being guessed."""
    if current.status is None:
        raise ValueError(f"Xero's copy {current.id} has a status this connector doesn't know")
    return current.status


def _fetch_current(ctx: SyncContext, plans: list[Plan]) -> None:
    by_resource: dict[Resource, list[Plan]] = {}
    for plan in plans:
        if plan.decision.action in (Action.UPDATE, Action.CANCEL) and plan.link is not None:
            sent_type = plan.link.sent_type or plan.record.invoice.invoice_type
            by_resource.setdefault(xero_io.resource_of(sent_type), []).append(plan)
    for resource, group in by_resource.items():
        copies = xero_io.current_copies(ctx.xero, resource, [plan.link.xero_id for plan in group if plan.link])
        for plan in group:
            plan.current = copies.get(plan.link.xero_id) if plan.link else None


def _plan_content(ctx: SyncContext, plan: Plan, contact_id: str, codes: frozenset[str]) -> None:
    invoice = plan.record.invoice
    if plan.decision.action is Action.CREATE:
        sending = xero_invoice(invoice, ctx.settings, contact_id, xero_item_codes=codes, source_url=ctx.source_url(invoice.id))
        plan.body, plan.create, plan.verb = sending.to_xero(), True, "Created"
    else:
        assert plan.link is not None
        if plan.current is None:
            plan.end(Outcome.FAILED, reason=NOT_IN_XERO, code=Why.LINK_MISSING.value)
            return
        status = _status(plan.current)
        permission = rules.edit_permission(plan.link.sent_type or invoice.invoice_type, status, plan.current.paid,
                                           plan.current.credited)
        if permission.rule is EditRule.NONE:
            plan.end(Outcome.FAILED, [permission.reason] if permission.reason else ())
            return
        sending = xero_invoice(invoice, ctx.settings, contact_id, xero_item_codes=codes, xero_id=plan.link.xero_id,
                               current_status=status, source_url=ctx.source_url(invoice.id))
        plan.body, plan.verb = sending.to_xero(), "Updated"
        if permission.rule is EditRule.PAID_FIELDS_ONLY:
            update = rules.paid_invoice_update(plan.body, plan.current.body)
            if not update.allowed:
                plan.end(Outcome.FAILED, [update.reason] if update.reason else ())
                return
            plan.body = update.body
            if plan.body is None:  # nothing Xero takes on a paid invoice changed
                plan.answer = plan.current
                plan.end(Outcome.SUCCEEDED, reason="Nothing that Xero takes on a paid invoice changed.")
    plan.resource, plan.sent_type, plan.sending = xero_io.resource_of(sending.type), sending.type, sending


def _plan_cancel(plan: Plan) -> None:
    assert plan.link is not None
    if plan.current is None:
        plan.end(Outcome.FAILED, reason=NOT_IN_XERO, code=Why.LINK_MISSING.value)
        return
    sent_type = plan.link.sent_type or plan.record.invoice.invoice_type
    cancellation = rules.cancellation(_status(plan.current), plan.current.paid, plan.current.credited)
    if cancellation.action is CancelAction.NOTHING:
        plan.answer = plan.current
        plan.end(Outcome.SKIPPED, [cancellation.reason] if cancellation.reason else ())
    elif cancellation.action is CancelAction.REFUSE:
        plan.end(Outcome.FAILED, [cancellation.reason] if cancellation.reason else ())
    else:
        plan.body = cancellation.to_xero(sent_type, plan.link.xero_id)
        plan.resource, plan.sent_type, plan.hash = xero_io.resource_of(sent_type), sent_type, plan.link.sent_hash
        plan.verb = "Deleted" if cancellation.action is CancelAction.DELETE else "Voided"


def prepare_run(ctx: SyncContext, batches: list[list[str]], stream_name: str) -> None:
    """Before a run of several batches: the customers and products of all its invoices that go, made sure of in
    Xero at once, so that the new ones are created 50 a call rather than in a short call at the end of each
    batch (an initial sync of 2,000 invoices: 9 contact calls, not 10; 3 item calls, not 4). It reads the
    invoices once more, a Dataverse query per 200, and keeps only their customers and products. Not when every
    invoice is in Xero already (edits): their customers and products are, but for a rare new one."""
    ids = [invoice_id for batch in batches for invoice_id in batch]
    links = state.links(ctx.connection_id, KIND, ids)
    if all(state.invoice_link(links.get(invoice_id)) for invoice_id in ids):
        return
    customers: dict[str, prerequisites.Customer] = {}
    products: dict[str, DynamicsProduct] = {}
    for number, batch in enumerate(batches, start=1):
        ctx.renew_lease()
        ctx.progress(Progress(stream_name, f"customers and products first: {number} of {len(batches)} read"))
        content = [record for record, decision, _ in decisions(ctx, reading.readable(ctx, batch)[0])
                   if isinstance(decision, Decision) and decision.action in CONTENT]
        customers.update({record.customer.id: record.customer for record in content if record.customer is not None})
        products.update(catalogue_products(record.invoice for record in content))
    prerequisites.ensure_contacts(ctx, customers)
    prerequisites.ensure_items(ctx, products)


HELD_AT_PREPARE = frozenset({Why.AMBIGUOUS_CONTACT, Why.AMBIGUOUS_ITEM, Why.CUSTOMER_NAME_TOO_LONG, Why.TEXT_XERO_CANNOT_STORE})


def _outcome_of(reasons: Iterable[Reason]) -> str:
    """Held back when every reason is a rule the user can act on in Dynamics; failed otherwise."""
    return Outcome.HELD_BACK if all(reason.code in HELD_AT_PREPARE for reason in reasons) else Outcome.FAILED


def prepare(ctx: SyncContext, plans: list[Plan]) -> None:
    content = [plan for plan in plans if plan.decision.action in CONTENT]
    customers = {plan.record.customer.id: plan.record.customer for plan in content if plan.record.customer is not None}
    contacts = prerequisites.ensure_contacts(ctx, customers)
    items = prerequisites.ensure_items(ctx, catalogue_products(plan.record.invoice for plan in content))
    _fetch_current(ctx, plans)
    for plan in plans:
        done = guard("preparing the invoice for Xero", plan.invoice_id, _prepare_one, ctx, plan, contacts, items)
        if isinstance(done, Fault):
            plan.fault(done)


def _prepare_one(ctx: SyncContext, plan: Plan, contacts: Mapping[str, prerequisites.ContactOutcome],
                 items: prerequisites.Items) -> None:
    try:
        if plan.decision.action is Action.CANCEL:
            _plan_cancel(plan)
            return
        outcome = contacts.get(plan.record.customer.id) if plan.record.customer else None
        if outcome is None or outcome.contact_id is None:
            reasons = [outcome.reason] if outcome and outcome.reason else [UNREADABLE_CUSTOMER]
            plan.end(_outcome_of(reasons), reasons, message=" ".join(filter(None, (reasons[0].text, outcome.message if outcome else ""))))
            return
        blocked = [items.problems[product.id] for product in plan.record.products if product.id in items.problems]
        if blocked:
            reasons = list(dict.fromkeys(reason for reason, _ in blocked))
            plan.end(_outcome_of(reasons), reasons, message=" ".join(filter(None, (*(r.text for r in reasons), *(m for _, m in blocked)))))
            return
        plan.notes = outcome.notes
        _plan_content(ctx, plan, outcome.contact_id, items.codes)
    except RuleViolation as violation:
        plan.end(Outcome.FAILED, violation.reasons)


# --- 4. write --------------------------------------------------------------------------------------------


def write(ctx: SyncContext, plans: list[Plan]) -> None:
    """Creates (PUT: never overwrites an invoice someone else numbered the same) and updates (POST), per
    collection; each element's answer ends its own invoice's attempt."""
    groups: dict[tuple[Resource, bool], list[Plan]] = {}
    for plan in plans:
        if plan.attempt is None and plan.body is not None and plan.resource is not None:
            groups.setdefault((plan.resource, plan.create), []).append(plan)
    creates = {plan.invoice_id: _pending(ctx, plan) for (_, create), group in groups.items() if create for plan in group}
    if creates:
        state.mark_pending(ctx.connection_id, creates)
    for (resource, create), group in groups.items():
        for plan, result in zip(group, xero_io.write(ctx.xero, resource, [plan.body for plan in group], create_only=create), strict=True):
            if result.ok:
                plan.answer = XeroDocument.read(result.record)
                plan.end(Outcome.SUCCEEDED, reason=" ".join((f"{plan.verb} in Xero.", *plan.notes)))
                plan.attempt.xero_id = plan.answer.id  # type: ignore[union-attr]
            else:
                plan.end(Outcome.FAILED, reason=XERO_REFUSED, code=Why.XERO_REFUSED.value, message="Xero: " + " ".join(result.errors))


def _pending(ctx: SyncContext, plan: Plan) -> tuple[str, str]:
    """The type a create goes as, and how it is found in Xero should its answer be lost: an invoice by its
    `Url`, a credit note (which has none) by the recognition hash of what was sent."""
    sent_type = plan.sent_type or plan.record.invoice.invoice_type
    recognition = rules.recognition_hash(plan.body, ctx.key) if sent_type.is_credit_note and plan.body else ""
    return sent_type.value, recognition


def _to_email(ctx: SyncContext, plan: Plan) -> bool:
    """Xero's answer is an approved sales invoice not yet sent to its contact, and the invoice (or else the
    connection) asks for an email: `should_email` decides."""
    answer, invoice = plan.answer, plan.record.invoice
    if answer is None or answer.is_credit_note or plan.attempt is None or plan.attempt.outcome != Outcome.SUCCEEDED:
        return False
    return rules.should_email(answer.type, answer.status, rules.email_wanted(invoice, ctx.settings), answer.sent_to_contact)


def email(ctx: SyncContext, plans: list[Plan]) -> None:
    """Send from Xero the approved sales invoices that ask for it, once each (Xero then marks them sent to the
    contact). An email Xero refuses leaves the invoice synced; Xero's words go to its history row."""
    for plan in plans:
        sent = guard("emailing the invoice from Xero", plan.invoice_id, _email_one, ctx, plan)
        if isinstance(sent, Fault) and plan.attempt is not None:
            plan.attempt.message = " ".join(filter(None, (plan.attempt.message, f"Not emailed from Xero: {sent.message}")))


def _email_one(ctx: SyncContext, plan: Plan) -> None:
    if not _to_email(ctx, plan):
        return
    assert plan.answer is not None and plan.attempt is not None
    xero_id = plan.answer.id
    key = idempotency_key(ctx.xero.tenant_id, "email_invoice", [{"InvoiceID": xero_id}])
    try:
        ctx.xero.request("email_invoice", xero_id, {}, idempotency_key=key)
    except XeroError as error:
        plan.attempt.message = " ".join(filter(None, (plan.attempt.message, f"Not emailed from Xero: {error}")))
        return
    plan.attempt.reason += " Emailed from Xero."
    ctx.counts["emailed"] += 1


# --- 5. record and write back ------------------------------------------------------------------------------


def _settled_hash(ctx: SyncContext, plan: Plan) -> str | None:
    """The hash of the invoice as it stands once the write-back is done. A due date left empty is worked out
    by Xero and written back onto the invoice, so the ledger counts it as sent: the invoice, read again with
    it, is then unchanged rather than an edit to send back."""
    if plan.sending is None:
        return plan.hash
    sending = plan.sending
    if sending.due_date is None and plan.answer and plan.record.invoice.state is InvoiceState.ACTIVE:
        sending = replace(sending, due_date=plan.answer.due_date)
    return invoice_hash(sending, ctx.key)


def _sent(ctx: SyncContext, plan: Plan) -> state.Sent | None:
    """What the ledger keeps of an invoice Xero accepted. Whatever else fails, the link is kept (without a hash the
    invoice's next change goes as an update): an invoice in Xero is never sent as new again."""
    if plan.answer is None or plan.attempt is None or plan.attempt.outcome == Outcome.FAILED or plan.sent_type is None:
        return None
    xero_id = plan.answer.id
    settled = guard("recording Xero's answer", plan.invoice_id, _settled_hash, ctx, plan)
    return state.Sent(plan.invoice_id, xero_id, plan.sent_type.value, plan.record.invoice.version,
                      None if isinstance(settled, Fault) else settled)


def sync_invoices(ctx: SyncContext, records: list[InvoiceRecord], *, cursors: Mapping[str, Mapping[str, Any]] | None = None,
                  unreadable: Iterable[state.Attempt] = ()) -> None:
    plans, attempts = decide(ctx, records)
    attempts = [*unreadable, *attempts]
    prepare(ctx, plans)
    write(ctx, plans)
    email(ctx, plans)
    ended = [plan.attempt for plan in plans if plan.attempt is not None]
    rows = state.commit_batch(
        ctx.connection_id, ctx.run, sent=[sent for plan in plans if (sent := _sent(ctx, plan))], attempts=[*attempts, *ended],
        cursors=cursors, failed_creates=[plan.invoice_id for plan in plans if plan.create and plan.answer is None],
    )
    for attempt in (*attempts, *ended):
        ctx.counts[attempt.outcome.lower()] += 1
    messages = {row.pk: attempt.message for row, attempt in zip(rows, [*attempts, *ended], strict=True) if attempt.message}
    exported = [writeback.Exported(plan.record, plan.answer) for plan in plans if plan.answer is not None]
    never_sent = [plan.record for plan in plans if plan.link is None and plan.answer is None and plan.attempt is not None]
    writeback.flush(ctx, exported, never_sent, messages)


def sync_batch(ctx: SyncContext, invoice_ids: list[str], *, cursors: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Read the changed invoices in full (one query) and sync them."""
    records, unreadable = reading.readable(ctx, invoice_ids)
    sync_invoices(ctx, records, cursors=cursors, unreadable=unreadable)
