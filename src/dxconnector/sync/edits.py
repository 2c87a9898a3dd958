"""What customers' and products' edits share on their way across: which linked records changed on either side,
the plan for each (`rules.conflicts.merge`), Xero's writes in batches of 50, the history's words, and the ledger
entry kept after — keyed hashes of each field per side, the Dynamics version we last read or wrote.

A batch goes: plans → Xero's writes (each element's outcome on its own: a refusal fails that record only) →
Dynamics' writes in one `$batch` (the fields Xero won, each linked record's Xero row) → one transaction with the
ledger, the attempts and (with the last batch) the cursor. A run that stops between them redoes the batch: the
writes are repeatable, and a value both sides already agree on is never written again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dxconnector.domain.rules import RuleViolation, Why
from dxconnector.domain.rules.conflicts import Merge, Seen, Side, hashes, merge
from dxconnector.domain.rules.dates import parse_xero_moment
from dxconnector.dynamics.batch import BatchRequest, BatchResponse, execute
from dxconnector.sync import state, writeback
from dxconnector.sync.context import SyncContext
from dxconnector.sync.isolation import Fault, guard
from dxconnector.sync.models import Link, SyncAttempt
from dxconnector.sync.xero_io import write
from dxconnector.xero.resources import Resource

TO_XERO, TO_DYNAMICS = SyncAttempt.Direction.TO_XERO, SyncAttempt.Direction.TO_DYNAMICS
XERO_REFUSED = (
    "Xero refused the change; the sync history in Dynamics has Xero's words. It goes again with the next edit, or Retry."
)


@dataclass(frozen=True)
class Plan:
    """One linked record in this batch: both sides' values and which fields go which way."""

    link: Link
    table: str  # the Dynamics table: account, contact or product
    record: Any  # the Dynamics record (`domain.records`)
    dynamics: Mapping[str, str]
    xero: Mapping[str, str] | None  # None: Xero's side not read
    xero_body: Mapping[str, Any] | None
    merged: Merge
    notes: tuple[str, ...] = ()  # what the mapping left out (an email address Xero can't take)
    untaken: frozenset[str] = frozenset()  # fields of `merged.to_dynamics` Dynamics has no column for: not written


@dataclass
class Outcome:
    """What became of a plan: Xero's answer to its write, Dynamics' row after its write, the attempt for history."""

    xero_body: Mapping[str, Any] | None = None
    xero_refused: list[str] = field(default_factory=list)
    dynamics_row: Mapping[str, Any] | None = None
    dynamics_failed: str = ""


def plan_for(
    ctx: SyncContext,
    link: Link,
    table: str,
    record: Any,
    dynamics_values: Callable[[Any], dict[str, str]],
    xero_body: Mapping[str, Any] | None,
    xero_values: Callable[[Mapping[str, Any]], dict[str, str]],
    *,
    two_way: bool,
    notes: tuple[str, ...] = (),
) -> Plan:
    """The plan for one linked record (raises `RuleViolation` when its values can't go to Xero)."""
    ours = dynamics_values(record)
    theirs = xero_values(xero_body) if xero_body is not None else None
    merged = merge(
        ours,
        theirs,
        Seen.from_json(link.seen),
        ctx.key,
        dynamics_changed_at=getattr(record, "modified_on", None),
        xero_changed_at=updated_at(xero_body),
        two_way=two_way,
    )
    return Plan(link, table, record, ours, theirs, xero_body, merged, notes)


def updated_at(body: Mapping[str, Any] | None) -> datetime | None:
    value = (body or {}).get("UpdatedDateUTC")
    return parse_xero_moment(value) if value else None


def plans(
    ids: Iterable[str], make: Callable[[str], Plan | None], kind_of: Callable[[str], str]
) -> tuple[list[Plan], list[state.Attempt]]:
    """Each record's plan, or the failed attempt of a record that can't go (its rule, or a fault of its own);
    `kind_of` names a record's table for its attempt."""
    made: list[Plan] = []
    failed: list[state.Attempt] = []
    for dynamics_id in ids:
        kind = kind_of(dynamics_id)
        try:
            plan = guard("comparing the record with its Xero copy", dynamics_id, make, dynamics_id)
        except RuleViolation as violation:
            reason = violation.reasons[0]
            failed.append(state.Attempt(kind, dynamics_id, SyncAttempt.Outcome.FAILED, reason.code.value, reason.text))
            continue
        if isinstance(plan, Fault):
            failed.append(plan.attempt(kind, dynamics_id))
        elif plan is not None:
            made.append(plan)
    return made, failed


def write_to_xero(
    ctx: SyncContext, resource: Resource, patches: Mapping[str, dict[str, Any]], outcomes: Mapping[str, Outcome]
) -> None:
    """The patches (Dynamics id → body), 50 a call with `summarizeErrors=false`: each record's outcome takes Xero's
    answer, or its refusal."""
    if not patches:
        return
    results = write(ctx.xero, resource, list(patches.values()), create_only=False)
    for dynamics_id, result in zip(patches, results, strict=True):
        if result.ok:
            outcomes[dynamics_id].xero_body = result.record
        else:
            outcomes[dynamics_id].xero_refused = result.errors or ["refused"]


def write_to_dynamics(ctx: SyncContext, requests: Sequence[BatchRequest]) -> list[BatchResponse]:
    if not requests:
        return []
    answers = execute(ctx.dynamics, list(requests))
    ctx.counts.dynamics_writes += len(requests)
    return answers


def representation(answer: BatchResponse) -> Mapping[str, Any] | None:
    return answer.body if answer.ok and isinstance(answer.body, dict) else None


# --- history's words: field names, never values ---------------------------------------------------------


def _names(fields: Iterable[str]) -> str:
    return ", ".join(sorted(fields))


def words(plan: Plan, outcome: Outcome, *, two_way: bool) -> str:
    """What crossed, in the history row: which fields went which way, and each conflict the rule decided."""
    said = []
    merged = plan.merged
    if merged.to_xero and not outcome.xero_refused:
        said.append(f"Xero took {_names(merged.to_xero)} from Dynamics.")
    taken = merged.to_dynamics - plan.untaken
    if taken and not outcome.dynamics_failed:
        said.append(f"Dynamics took {_names(taken)} from Xero.")
    for conflict in merged.conflicts:
        later = "Xero's" if conflict.kept is Side.XERO else "Dynamics'"
        said.append(f"{conflict.field} was changed on both sides; {later} change was later and was kept.")
    if plan.xero is not None and not two_way:
        said.append("Two-way contact sync is off: edits made in Xero stay in Xero.")
    said += plan.notes
    return " ".join(said)


def direction_of(plan: Plan) -> str:
    return TO_DYNAMICS if plan.merged.to_dynamics and not plan.merged.to_xero else TO_XERO


def attempt_for(plan: Plan, outcome: Outcome, kind: str, *, two_way: bool) -> state.Attempt | None:
    """The history row of a record that crossed or failed to (a record with nothing to send has none)."""
    if plan.merged.nothing_to_do and not plan.notes:
        return None
    text = words(plan, outcome, two_way=two_way)
    if outcome.xero_refused:
        return state.Attempt(
            kind,
            plan.link.dynamics_id,
            SyncAttempt.Outcome.FAILED,
            Why.XERO_REFUSED.value,
            f"{XERO_REFUSED} {text}".strip(),
            xero_id=plan.link.xero_id,
            message="Xero: " + "; ".join(outcome.xero_refused),
            direction=TO_XERO,
            version=getattr(plan.record, "version", None),
        )
    if outcome.dynamics_failed:
        return state.Attempt(
            kind,
            plan.link.dynamics_id,
            SyncAttempt.Outcome.FAILED,
            reason_code=Why.DYNAMICS_REFUSED.value,
            reason="Dynamics refused the change from Xero; it goes again with the next run. " + text,
            xero_id=plan.link.xero_id,
            message="Dynamics: " + outcome.dynamics_failed,
            direction=TO_DYNAMICS,
        )
    return state.Attempt(
        kind,
        plan.link.dynamics_id,
        SyncAttempt.Outcome.SUCCEEDED,
        reason=text,
        xero_id=plan.link.xero_id,
        direction=direction_of(plan),
        version=getattr(plan.record, "version", None),
    )


# --- the ledger after -------------------------------------------------------------------------------------


def seen_after(
    ctx: SyncContext,
    plan: Plan,
    outcome: Outcome,
    dynamics_after: Callable[[Mapping[str, Any]], dict[str, str]] | None,
    xero_after: Callable[[Mapping[str, Any]], dict[str, str]],
) -> Seen:
    """Each side's hashes as the sides now are: from Xero's answer and Dynamics' row when written; as read when
    not. A refused write keeps that side's old hashes of the fields it carried, so they go again with the next run
    that takes up the record."""
    old = Seen.from_json(plan.link.seen)
    ours = dict(hashes(plan.dynamics, ctx.key))
    if outcome.dynamics_row is not None and dynamics_after is not None:
        ours = hashes(dynamics_after(outcome.dynamics_row), ctx.key)
    elif outcome.dynamics_failed:
        ours.update({name: old.dynamics[name] for name in plan.merged.to_dynamics if name in old.dynamics})
    theirs: dict[str, str] = dict(old.xero)
    if outcome.xero_body is not None:
        theirs = hashes(xero_after(outcome.xero_body), ctx.key)
    elif plan.xero is not None:
        theirs = hashes(plan.xero, ctx.key)
    if outcome.xero_refused:
        for name in plan.merged.to_xero:
            if name in old.dynamics:
                ours[name] = old.dynamics[name]
            else:
                ours.pop(name, None)
    return Seen(ours, theirs)


def commit(
    ctx: SyncContext,
    kind: str,
    entries: Mapping[str, Mapping[str, Any]],
    attempts: Sequence[state.Attempt],
    cursors: Mapping[str, Mapping[str, Any]] | None,
) -> None:
    """One transaction: the ledger entries, the attempts, and with the last batch the cursor. Then the attempts'
    history rows in Dynamics, with Xero's words: those are never kept in our tables (the data promise), so they
    reach the history now or not at all."""
    state.commit_edits(ctx.connection_id, ctx.run, kind, entries, attempts, cursors)
    for attempt in attempts:
        ctx.counts.outcome(attempt.outcome)
    if attempts:
        writeback.flush(ctx, [], [], {attempt.id: attempt.message for attempt in attempts if attempt.message})


def changed_links(ctx: SyncContext, kind: str, rows: Iterable[Mapping[str, Any]], key: str) -> tuple[dict[str, Link], int]:
    """The linked records among Dynamics' changed rows whose version is not the one we last read or wrote (our own
    write comes back as a change), and how many were our own."""
    versions = {str(row[key]): str(row.get("versionnumber") or "") for row in rows if row.get(key)}
    linked = {i: link for i, link in state.links(ctx.connection_id, kind, versions).items() if link.xero_id}
    changed = {i: link for i, link in linked.items() if not versions[i] or versions[i] != link.sent_version}
    return changed, len(linked) - len(changed)


def due_links(ctx: SyncContext, kind: str) -> dict[str, Link]:
    """Linked records whose Xero row in Dynamics is still to be written (linked since the last run)."""
    return {link.dynamics_id: link for link in state.links_due(ctx.connection_id, kind)}
