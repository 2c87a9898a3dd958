"""Invoices deleted in Dynamics after they went to Xero: their Xero copies go the way of a cancellation
(`rules.cancellation`) — deleted while unapproved, voided once approved — and where Xero can't (payments or
credit on it), the history says so, and the deletion is tried again when Xero's copy next changes.

Dataverse's change tracking names the deleted invoices (`state.mark_deleted`, before the stream's cursor moves
on); each run then acts on the ones still due, a Xero read and a write per 50, and records an attempt for each.
"""

from __future__ import annotations

from typing import Any

from dxconnector.domain import rules
from dxconnector.domain.documents import XeroDocument
from dxconnector.domain.records import InvoiceType
from dxconnector.domain.rules import CancelAction
from dxconnector.sync import state, xero_io
from dxconnector.sync.context import SyncContext
from dxconnector.sync.isolation import Fault, guard
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.xero.resources import BATCH_SIZE, Resource

KIND = Link.Kind.INVOICE
Outcome = SyncAttempt.Outcome
CAUSE = "the invoice was deleted in Dynamics."


def act_on_deletions(ctx: SyncContext) -> None:
    due = state.deletions_due(ctx.connection_id)
    for start in range(0, len(due), BATCH_SIZE):
        ctx.renew_lease()
        _act(ctx, due[start : start + BATCH_SIZE])


def _resource(link: Link) -> Resource:
    return xero_io.resource_of(InvoiceType(link.sent_type or "ACCREC"))


def _act(ctx: SyncContext, links: list[Link]) -> None:
    by_resource: dict[Resource, list[Link]] = {}
    for link in links:
        by_resource.setdefault(_resource(link), []).append(link)
    attempts: list[state.Attempt] = []
    for resource, group in by_resource.items():
        copies = xero_io.current_copies(ctx.xero, resource, [link.xero_id for link in group])
        bodies: dict[str, tuple[Link, dict[str, Any], str]] = {}
        for link in group:
            decided = guard("voiding the invoice deleted in Dynamics", link.dynamics_id, _decide, link, copies.get(link.xero_id))
            if isinstance(decided, Fault):
                attempts.append(decided.attempt(KIND, link.dynamics_id, xero_id=link.xero_id))
            elif isinstance(decided, state.Attempt):
                attempts.append(decided)
            else:
                bodies[link.dynamics_id] = (link, *decided)
        if bodies:
            results = xero_io.write(ctx.xero, resource, [body for _, body, _ in bodies.values()], create_only=False)
            for (link, _, verb), result in zip(bodies.values(), results, strict=True):
                attempts.append(_written(link, verb, result.ok, result.errors))
    state.deletions_done(ctx.connection_id, ctx.run, [link.dynamics_id for link in links], attempts)
    for attempt in attempts:
        ctx.counts.outcome(attempt.outcome)


def _attempt(link: Link, outcome: str, *, reason: str, code: str, message: str = "") -> state.Attempt:
    return state.Attempt(KIND, link.dynamics_id, outcome, code, reason, xero_id=link.xero_id, message=message)


def _decide(link: Link, copy: XeroDocument | None) -> tuple[dict[str, Any], str] | state.Attempt:
    """The body that voids or deletes the copy, and what it does; or the attempt that says why nothing is sent."""
    if copy is None:
        return _attempt(
            link, Outcome.SKIPPED, reason="Xero no longer has the invoice; " + CAUSE, code=rules.Why.DELETED_IN_DYNAMICS.value
        )
    status = copy.status
    if status is None:
        raise ValueError(f"Xero's copy {copy.id} has a status this connector doesn't know")
    cancellation = rules.cancellation(status, copy.paid, copy.credited, deleted=True)
    if cancellation.action is CancelAction.NOTHING:
        return _attempt(
            link,
            Outcome.SKIPPED,
            reason=f"The invoice was deleted in Dynamics, and in Xero it is {status.lower()} already.",
            code=rules.Why.DELETED_IN_DYNAMICS.value,
        )
    if cancellation.action is CancelAction.REFUSE:
        reason = cancellation.reason.text if cancellation.reason else ""
        return _attempt(link, Outcome.FAILED, reason=reason, code=rules.Why.HAS_PAYMENTS.value)
    body = cancellation.to_xero(InvoiceType(link.sent_type or "ACCREC"), link.xero_id)
    assert body is not None
    return body, "Deleted" if cancellation.action is CancelAction.DELETE else "Voided"


def _written(link: Link, verb: str, ok: bool, errors: list[str]) -> state.Attempt:
    if ok:
        return _attempt(link, Outcome.SUCCEEDED, reason=f"{verb} in Xero: {CAUSE}", code=rules.Why.DELETED_IN_DYNAMICS.value)
    return _attempt(
        link,
        Outcome.FAILED,
        reason="Xero refused to void or delete the invoice deleted in Dynamics; the sync history in Dynamics has Xero's words.",
        code=rules.Why.XERO_REFUSED.value,
        message="Xero: " + " ".join(errors),
    )
