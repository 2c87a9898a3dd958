"""One batch of changed invoices, Dynamics → Xero, in stages; each takes the previous stage's results and ends
some invoices itself (an `Ended`, with the outcome and the reasons), so that what is left is always explicit:

1. `decide` — pick-up (with the ledger's link and the keyed hash of what would be sent now): the invoices that go
   (`Going`), and the attempts of those held back or skipped.
2. `prepare` — their customers, then products, made sure of in Xero (a run of several batches has made sure of
   them all first: `prepare_run`); Xero's current copies of updates and cancellations read (one call per 50): its
   status and what was paid decide what may change (`edit_permission`, `paid_invoice_update`, `cancellation`).
   Each invoice becomes a `Write`, `Done` (Xero has it so already) or `Ended`.
3. `write` — creates marked pending in the ledger, then everything written 50 a call; each element's answer ends
   its own invoice: `Done` or `Ended`.
4. `email` — approved sales invoices that ask for it, sent from Xero.
5. `record` — the links, the attempts and (with the stream's last batch) the cursor committed in one transaction;
   then Xero's answers written back to Dynamics.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.mapping.invoice import invoice_hash, xero_invoice
from dxconnector.domain.mapping.item import catalogue_products
from dxconnector.domain.records import (
    DynamicsProduct,
    InvoiceLink,
    InvoiceState,
    InvoiceType,
    XeroInvoice,
    XeroStatus,
)
from dxconnector.domain.rules import (
    Action,
    CancelAction,
    Decision,
    EditRule,
    Reason,
    RuleViolation,
    Why,
)
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
# Xero keeps deleted and voided invoices, so a copy that is not found was not deleted there: the connection is most
# likely not connected to the organisation the invoice went to, where sending it again would make a second copy.
NOT_IN_XERO = (
    "was not found in the connected Xero organisation, so nothing was changed there. If the connection is not "
    "connected to the Xero organisation the invoice was sent to, connect it to that one. Only if you are sure the "
    "invoice is in no Xero organisation, set its Export Status to Not Exported to send it again: otherwise it would "
    "be duplicated."
)
Outcome = SyncAttempt.Outcome
CONTENT = (Action.CREATE, Action.UPDATE)  # what sends the invoice's content, with its customer and products


@dataclass(frozen=True)
class Going:
    """An invoice that goes to Xero in this batch (created, updated or cancelled), as pick-up decided; for an
    update or a cancellation, Xero's copy as it stands (`current`), once read."""

    record: InvoiceRecord
    decision: Decision
    link: InvoiceLink | None
    current: XeroDocument | None = None

    @property
    def invoice_id(self) -> str:
        return self.record.invoice.id

    def attempt(
        self, outcome: str, reasons: Iterable[Reason] = (), *, reason: str = "", message: str = "", code: str = ""
    ) -> state.Attempt:
        reasons = tuple(reasons)
        return state.Attempt(
            KIND,
            self.invoice_id,
            outcome,
            code or (reasons[0].code.value if reasons else ""),
            reason or " ".join(r.text for r in reasons),
            xero_id=self.link.xero_id if self.link else "",
            message=message,
            version=self.record.invoice.version,
            dynamics_number=self.record.invoice.invoice_number,
            xero_number=self.xero_number,
        )

    @property
    def xero_number(self) -> str:
        """Xero's number for the invoice as last known: its current copy's, else what Dynamics was last told."""
        return (self.current.number if self.current else "") or self.record.invoice.xero_number or ""

    def named(self, attempt: state.Attempt) -> state.Attempt:
        """A fault's attempt with the invoice's numbers, as people know it."""
        return replace(attempt, dynamics_number=self.record.invoice.invoice_number, xero_number=self.xero_number)

    def ended(self, outcome: str, reasons: Iterable[Reason] = (), **words: str) -> Ended:
        return Ended(self, self.attempt(outcome, reasons, **words))


@dataclass(frozen=True)
class Ended:
    """An invoice's attempt ended without Xero taking anything: its outcome and why."""

    going: Going
    attempt: state.Attempt


@dataclass(frozen=True)
class Write:
    """What goes to Xero for one invoice."""

    going: Going
    resource: Resource
    body: dict[str, Any]
    create: bool
    sent_type: InvoiceType
    verb: str  # Created, Updated, Deleted, Voided
    sending: XeroInvoice | None = None  # creates and updates: the whole invoice as Xero should now have it
    hash: str | None = None  # cancellations: what the ledger keeps, unchanged
    notes: tuple[str, ...] = ()  # what its customer's new Xero contact left out: said with the outcome


@dataclass(frozen=True)
class Done:
    """Xero holds the invoice as it should now: written, or found so (`answer` is its copy)."""

    going: Going
    answer: XeroDocument
    attempt: state.Attempt
    sent_type: InvoiceType | None  # None: nothing for the ledger (a cancellation Xero had already)
    sending: XeroInvoice | None = None
    hash: str | None = None

    @property
    def invoice_id(self) -> str:
        return self.going.invoice_id


@dataclass(frozen=True)
class Prepared:
    writes: list[Write]
    done: list[Done]  # nothing to send: Xero has it so already
    ended: list[Ended]


def _attempt(record: InvoiceRecord, decision: Decision, link: InvoiceLink | None) -> state.Attempt:
    outcome = Outcome.HELD_BACK if decision.held_back else Outcome.SKIPPED
    return state.Attempt(
        KIND,
        record.invoice.id,
        outcome,
        decision.reasons[0].code.value if decision.reasons else "",
        decision.explanation,
        xero_id=link.xero_id if link else "",
        version=record.invoice.version,
        dynamics_number=record.invoice.invoice_number,
        xero_number=record.invoice.xero_number or "",
    )


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
        sent = xero_invoice(
            record.invoice, ctx.settings, contact_id, xero_item_codes=codes, source_url=ctx.source_url(record.invoice.id)
        )
    except RuleViolation:
        return None
    return invoice_hash(sent, ctx.key)


def decisions(
    ctx: SyncContext, records: list[InvoiceRecord]
) -> Iterator[tuple[InvoiceRecord, Decision | Fault, InvoiceLink | None]]:
    """Each invoice with what `pick_up` decides for it (or the fault it raised), and its link."""
    links = state.links(ctx.connection_id, KIND, [record.invoice.id for record in records])
    hashes = expected_hashes(ctx, records, links)
    for record in records:
        link = state.invoice_link(links.get(record.invoice.id))
        yield (
            record,
            guard(
                "deciding whether the invoice goes to Xero",
                record.invoice.id,
                rules.pick_up,
                record.invoice,
                ctx.settings,
                ctx.now,
                link,
                sent_fields_hash=hashes.get(record.invoice.id),
            ),
            link,
        )


def decide(ctx: SyncContext, records: list[InvoiceRecord]) -> tuple[list[Going], list[state.Attempt]]:
    """Stage 1: the invoices that go, and the attempts of those held back or skipped (those passed over quietly
    are counted only)."""
    going, attempts = [], []
    for record, decision, link in decisions(ctx, records):
        if isinstance(decision, Fault):
            attempts.append(
                replace(
                    decision.attempt(KIND, record.invoice.id, xero_id=link.xero_id if link else ""),
                    dynamics_number=record.invoice.invoice_number,
                    xero_number=record.invoice.xero_number or "",
                )
            )
        elif decision.action not in (Action.SKIP, Action.HOLD):
            going.append(Going(record, decision, link))
        elif decision.reasons and decision.reasons[0].code in SILENT:
            ctx.counts.passed_over(decision.reasons[0].code.value)
        else:
            attempts.append(_attempt(record, decision, link))
    return going, attempts


# --- 2-3. prepare ----------------------------------------------------------------------------------------


def _status(current: XeroDocument) -> XeroStatus:
    """Xero's status of its copy; one the connector doesn't know stops the invoice rather than being guessed."""
    if current.status is None:
        raise ValueError(f"Xero's copy {current.id} has a status this connector doesn't know")
    return current.status


def with_current_copies(ctx: SyncContext, going: list[Going]) -> list[Going]:
    """Updates and cancellations with Xero's copy as it stands (one call per 50 of a collection)."""
    by_resource: dict[Resource, list[Going]] = {}
    for item in going:
        if item.decision.action in (Action.UPDATE, Action.CANCEL) and item.link is not None:
            by_resource.setdefault(xero_io.resource_of(item.link.sent_type or item.record.invoice.invoice_type), []).append(item)
    copies: dict[str, XeroDocument] = {}
    for resource, group in by_resource.items():
        copies.update(xero_io.current_copies(ctx.xero, resource, [item.link.xero_id for item in group if item.link]))
    return [replace(item, current=copies.get(item.link.xero_id)) if item.link else item for item in going]


def _content(
    ctx: SyncContext, going: Going, contact_id: str, codes: frozenset[str], notes: tuple[str, ...]
) -> Write | Done | Ended:
    """A create or an update: the invoice as Xero should have it, within what Xero lets change."""
    invoice = going.record.invoice
    if going.decision.action is Action.CREATE:
        sending = xero_invoice(invoice, ctx.settings, contact_id, xero_item_codes=codes, source_url=ctx.source_url(invoice.id))
        return Write(
            going, xero_io.resource_of(sending.type), sending.to_xero(), True, sending.type, "Created", sending, notes=notes
        )
    assert going.link is not None
    current = going.current
    if current is None:
        return going.ended(
            Outcome.FAILED, reason=f"The invoice's Xero copy ({going.link.xero_id}) {NOT_IN_XERO}", code=Why.LINK_MISSING.value
        )
    status = _status(current)
    permission = rules.edit_permission(going.link.sent_type or invoice.invoice_type, status, current.paid, current.credited)
    if permission.rule is EditRule.NONE:
        return going.ended(Outcome.FAILED, [permission.reason] if permission.reason else ())
    sending = xero_invoice(
        invoice,
        ctx.settings,
        contact_id,
        xero_item_codes=codes,
        xero_id=going.link.xero_id,
        current_status=status,
        source_url=ctx.source_url(invoice.id),
    )
    body: dict[str, Any] | None = sending.to_xero()
    if permission.rule is EditRule.PAID_FIELDS_ONLY:
        update = rules.paid_invoice_update(body or {}, current.body)
        if not update.allowed:
            return going.ended(Outcome.FAILED, [update.reason] if update.reason else ())
        body = update.body
        if body is None:  # nothing Xero takes on a paid invoice changed
            return Done(
                going,
                current,
                going.attempt(Outcome.SUCCEEDED, reason="Nothing that Xero takes on a paid invoice changed."),
                sending.type,
                sending,
            )
    assert body is not None
    return Write(going, xero_io.resource_of(sending.type), body, False, sending.type, "Updated", sending, notes=notes)


def _cancel(going: Going) -> Write | Done | Ended:
    """A cancellation: deleted while unapproved, voided once approved, refused with payments."""
    assert going.link is not None
    current = going.current
    if current is None:
        return going.ended(
            Outcome.FAILED, reason=f"The invoice's Xero copy ({going.link.xero_id}) {NOT_IN_XERO}", code=Why.LINK_MISSING.value
        )
    sent_type = going.link.sent_type or going.record.invoice.invoice_type
    cancellation = rules.cancellation(_status(current), current.paid, current.credited)
    if cancellation.action is CancelAction.NOTHING:
        return Done(going, current, going.attempt(Outcome.SKIPPED, [cancellation.reason] if cancellation.reason else ()), None)
    if cancellation.action is CancelAction.REFUSE:
        return going.ended(Outcome.FAILED, [cancellation.reason] if cancellation.reason else ())
    body = cancellation.to_xero(sent_type, going.link.xero_id)
    assert body is not None
    verb = "Deleted" if cancellation.action is CancelAction.DELETE else "Voided"
    return Write(going, xero_io.resource_of(sent_type), body, False, sent_type, verb, hash=going.link.sent_hash)


def prepare_run(ctx: SyncContext, batches: list[list[str]], stream_name: str) -> None:
    """Before a run of several batches: the customers and products of all its invoices that go, made sure of in
    Xero at once, so that the new ones are created 50 a call rather than in a short call at the end of each
    batch (an initial sync of 2,000 invoices: 9 contact calls, not 10; 3 item calls, not 4). It reads the
    invoices ahead of their batches, a Dataverse query per 200, and keeps them for the batches (up to
    `reading.READ_AHEAD_LIMIT`: a larger run keeps only their customers and products, and its batches read them
    again). Not when every invoice is in Xero already (edits): their customers and products are, but for a rare
    new one."""
    ids = [invoice_id for batch in batches for invoice_id in batch]
    links = state.links(ctx.connection_id, KIND, ids)
    if all(state.invoice_link(links.get(invoice_id)) for invoice_id in ids):
        return
    keep = reading.keeps_read_ahead(ids)
    customers: dict[str, prerequisites.Customer] = {}
    products: dict[str, DynamicsProduct] = {}
    for number, batch in enumerate(batches, start=1):
        ctx.renew_lease()
        ctx.progress(Progress(stream_name, f"customers and products first: {number} of {len(batches)} read"))
        content = [
            record
            for record, decision, _ in decisions(ctx, reading.read_ahead(ctx, batch, keep=keep))
            if isinstance(decision, Decision) and decision.action in CONTENT
        ]
        customers.update({record.customer.id: record.customer for record in content if record.customer is not None})
        products.update(catalogue_products(record.invoice for record in content))
    prerequisites.ensure_contacts(ctx, customers)
    prerequisites.ensure_items(ctx, products)


HELD_AT_PREPARE = frozenset({Why.AMBIGUOUS_CONTACT, Why.AMBIGUOUS_ITEM, Why.CUSTOMER_NAME_TOO_LONG, Why.TEXT_XERO_CANNOT_STORE})


def _outcome_of(reasons: Iterable[Reason]) -> str:
    """Held back when every reason is a rule the user can act on in Dynamics; failed otherwise."""
    return Outcome.HELD_BACK if all(reason.code in HELD_AT_PREPARE for reason in reasons) else Outcome.FAILED


def prepare(ctx: SyncContext, going: list[Going]) -> Prepared:
    """Stage 2: the customers and products of the invoices whose content goes made sure of in Xero, Xero's copies
    of the ones already there read; then, for each invoice, what to write — or why nothing is."""
    content = [item for item in going if item.decision.action in CONTENT]
    customers = {item.record.customer.id: item.record.customer for item in content if item.record.customer is not None}
    contacts = prerequisites.ensure_contacts(ctx, customers)
    items = prerequisites.ensure_items(ctx, catalogue_products(item.record.invoice for item in content))
    prepared = Prepared([], [], [])
    for item in with_current_copies(ctx, going):
        made = guard("preparing the invoice for Xero", item.invoice_id, _prepare_one, ctx, item, contacts, items)
        if isinstance(made, Fault):
            made = Ended(item, item.named(made.attempt(KIND, item.invoice_id, xero_id=item.link.xero_id if item.link else "")))
        if isinstance(made, Write):
            prepared.writes.append(made)
        elif isinstance(made, Done):
            prepared.done.append(made)
        else:
            prepared.ended.append(made)
    return prepared


def _prepare_one(
    ctx: SyncContext, going: Going, contacts: Mapping[str, prerequisites.ContactOutcome], items: prerequisites.Items
) -> Write | Done | Ended:
    try:
        if going.decision.action is Action.CANCEL:
            return _cancel(going)
        outcome = contacts.get(going.record.customer.id) if going.record.customer else None
        if outcome is None or outcome.contact_id is None:
            reasons = [outcome.reason] if outcome and outcome.reason else [UNREADABLE_CUSTOMER]
            return going.ended(
                _outcome_of(reasons),
                reasons,
                message=" ".join(filter(None, (reasons[0].text, outcome.message if outcome else ""))),
            )
        blocked = [items.problems[product.id] for product in going.record.products if product.id in items.problems]
        if blocked:
            reasons = list(dict.fromkeys(reason for reason, _ in blocked))
            return going.ended(
                _outcome_of(reasons),
                reasons,
                message=" ".join(filter(None, (*(r.text for r in reasons), *(m for _, m in blocked)))),
            )
        return _content(ctx, going, outcome.contact_id, items.codes, outcome.notes)
    except RuleViolation as violation:
        return going.ended(Outcome.FAILED, violation.reasons)


# --- 4. write --------------------------------------------------------------------------------------------


def write(ctx: SyncContext, writes: list[Write]) -> tuple[list[Done], list[Ended]]:
    """Stage 3: creates (PUT: never overwrites an invoice someone else numbered the same) and updates (POST), per
    collection, 50 a call; each element's answer ends its own invoice's attempt. Creates are marked pending in the
    ledger first, so that an answer lost is looked for, not sent again."""
    groups: dict[tuple[Resource, bool], list[Write]] = {}
    for item in writes:
        groups.setdefault((item.resource, item.create), []).append(item)
    creates = {item.going.invoice_id: _pending(ctx, item) for item in writes if item.create}
    if creates:
        state.mark_pending(ctx.connection_id, creates)
    done: list[Done] = []
    ended: list[Ended] = []
    for (resource, create), group in groups.items():
        for item, result in zip(
            group, xero_io.write(ctx.xero, resource, [item.body for item in group], create_only=create), strict=True
        ):
            going = item.going
            if result.ok:
                answer = XeroDocument.read(result.record)
                attempt = replace(
                    going.attempt(Outcome.SUCCEEDED, reason=" ".join((f"{item.verb} in Xero.", *item.notes))),
                    xero_id=answer.id,
                    xero_number=answer.number or going.xero_number,
                )
                done.append(Done(going, answer, attempt, item.sent_type, item.sending, item.hash))
            else:
                ended.append(
                    going.ended(
                        Outcome.FAILED,
                        reason=XERO_REFUSED,
                        code=Why.XERO_REFUSED.value,
                        message="Xero: " + " ".join(result.errors),
                    )
                )
    return done, ended


def _pending(ctx: SyncContext, item: Write) -> tuple[str, str]:
    """The type a create goes as, and how it is found in Xero should its answer be lost: an invoice by its
    `Url`, a credit note (which has none) by the recognition hash of what was sent."""
    recognition = rules.recognition_hash(item.body, ctx.key) if item.sent_type.is_credit_note else ""
    return item.sent_type.value, recognition


def _to_email(ctx: SyncContext, done: Done) -> bool:
    """Xero's answer is an approved sales invoice not yet sent to its contact, and the invoice (or else the
    connection) asks for an email: `should_email` decides."""
    answer = done.answer
    if answer.is_credit_note or done.attempt.outcome != Outcome.SUCCEEDED:
        return False
    return rules.should_email(
        answer.type, answer.status, rules.email_wanted(done.going.record.invoice, ctx.settings), answer.sent_to_contact
    )


def email(ctx: SyncContext, done: list[Done]) -> list[Done]:
    """Stage 4: send from Xero the approved sales invoices that ask for it, once each (Xero then marks them sent to
    the contact). An email Xero refuses leaves the invoice synced; Xero's words go to its history row."""
    emailed = []
    for item in done:
        sent = guard("emailing the invoice from Xero", item.invoice_id, _email_one, ctx, item)
        if isinstance(sent, Fault):
            sent = _not_emailed(item, sent.message)
        emailed.append(sent)
    return emailed


def _not_emailed(done: Done, why: str) -> Done:
    attempt = done.attempt
    return replace(
        done, attempt=replace(attempt, message=" ".join(filter(None, (attempt.message, f"Not emailed from Xero: {why}"))))
    )


def _email_one(ctx: SyncContext, done: Done) -> Done:
    if not _to_email(ctx, done):
        return done
    xero_id = done.answer.id
    key = idempotency_key(ctx.xero.tenant_id, "email_invoice", [{"InvoiceID": xero_id}])
    try:
        ctx.xero.request("email_invoice", xero_id, {}, idempotency_key=key)
    except XeroError as error:
        return _not_emailed(done, str(error))
    ctx.counts.emailed += 1
    return replace(done, attempt=replace(done.attempt, reason=done.attempt.reason + " Emailed from Xero."))


# --- 5. record and write back ------------------------------------------------------------------------------


def _settled_hash(ctx: SyncContext, done: Done) -> str | None:
    """The hash of the invoice as it stands once the write-back is done. A due date left empty is worked out
    by Xero and written back onto the invoice, so the ledger counts it as sent: the invoice, read again with
    it, is then unchanged rather than an edit to send back."""
    if done.sending is None:
        return done.hash
    sending = done.sending
    if sending.due_date is None and done.going.record.invoice.state is InvoiceState.ACTIVE:
        sending = replace(sending, due_date=done.answer.due_date)
    return invoice_hash(sending, ctx.key)


def _sent(ctx: SyncContext, done: Done) -> state.Sent | None:
    """What the ledger keeps of an invoice Xero holds. Whatever else fails, the link is kept (without a hash the
    invoice's next change goes as an update): an invoice in Xero is never sent as new again."""
    if done.sent_type is None:
        return None
    settled = guard("recording Xero's answer", done.invoice_id, _settled_hash, ctx, done)
    return state.Sent(
        done.invoice_id,
        done.answer.id,
        done.sent_type.value,
        done.going.record.invoice.version,
        None if isinstance(settled, Fault) else settled,
    )


def record(
    ctx: SyncContext,
    done: list[Done],
    ended: list[Ended],
    attempts: list[state.Attempt],
    cursors: Mapping[str, Mapping[str, Any]] | None,
    failed_creates: list[str],
) -> None:
    """Stage 5: the links, every attempt and (with a stream's last batch) the cursor in one transaction — and the
    pending marks of the creates Xero refused taken off; then Xero's answers, the failures and the history rows
    written back to Dynamics."""
    attempts = [*attempts, *(item.attempt for item in ended), *(item.attempt for item in done)]
    state.commit_batch(
        ctx.connection_id,
        ctx.run,
        sent=[sent for item in done if (sent := _sent(ctx, item))],
        attempts=attempts,
        cursors=cursors,
        failed_creates=failed_creates,
    )
    ctx.counts.outcomes(attempt.outcome for attempt in attempts)
    messages = {attempt.id: attempt.message for attempt in attempts if attempt.message}
    exported = [writeback.Exported(item.going.record, item.answer) for item in done]
    never_sent = [item.going.record for item in ended if item.going.link is None]
    writeback.flush(ctx, exported, never_sent, messages)


def sync_invoices(
    ctx: SyncContext,
    records: list[InvoiceRecord],
    *,
    cursors: Mapping[str, Mapping[str, Any]] | None = None,
    unreadable: Iterable[state.Attempt] = (),
) -> None:
    """One batch, stage by stage; each stage takes the previous one's results and ends some invoices itself."""
    going, attempts = decide(ctx, records)
    prepared = prepare(ctx, going)
    written, refused = write(ctx, prepared.writes)
    done = email(ctx, [*prepared.done, *written])
    record(
        ctx,
        done,
        [*prepared.ended, *refused],
        [*unreadable, *attempts],
        cursors,
        [item.going.invoice_id for item in refused if item.going.decision.action is Action.CREATE],
    )


def sync_batch(ctx: SyncContext, invoice_ids: list[str], cursors: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Read the changed invoices in full (one query) and sync them."""
    records, unreadable = reading.readable(ctx, invoice_ids)
    sync_invoices(ctx, records, cursors=cursors, unreadable=unreadable)
