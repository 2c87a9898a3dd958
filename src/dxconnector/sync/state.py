"""The sync's state in the database: leases, cursors, the links ledger, runs and attempts.

Every change of state here is one statement or one transaction, and works the same on SQLite and
PostgreSQL: a lease is taken with a single conditional UPDATE, and a batch's links, attempts and cursor
are committed together (`commit_batch`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from dxconnector import metrics
from dxconnector.domain.records import InvoiceLink, InvoiceType
from dxconnector.sync.models import (
    Cursor,
    Lease,
    Link,
    RequestedRecord,
    SyncAttempt,
    SyncRun,
)

logger = logging.getLogger(__name__)
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def ledger_key() -> bytes:
    """The key of the ledger's content hashes, derived from SECRET_KEY (a new SECRET_KEY re-sends everything once)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"dxconnector links ledger v1", hashlib.sha256).digest()


# --- leases ----------------------------------------------------------------------------------------------


class LeaseLost(Exception):
    """The lease expired and another run took it: stop before writing anything more."""


def lease_seconds() -> int:
    return settings.SYNC_LEASE_SECONDS


def acquire_lease(connection_id: Any, holder: str, *, seconds: int | None = None, now: datetime | None = None) -> bool:
    """Take the lease if it is free (expired) or already ours; True when we hold it now."""
    now, seconds = now or timezone.now(), seconds or lease_seconds()
    Lease.objects.bulk_create([Lease(connection_id=connection_id, holder="", expires_at=NEVER)], ignore_conflicts=True)
    taken = Lease.objects.filter(Q(expires_at__lte=now) | Q(holder=holder), connection_id=connection_id).update(
        holder=holder, expires_at=now + timedelta(seconds=seconds)
    )
    return taken == 1


def renew_lease(connection_id: Any, holder: str, *, seconds: int | None = None, now: datetime | None = None) -> None:
    now, seconds = now or timezone.now(), seconds or lease_seconds()
    if not Lease.objects.filter(connection_id=connection_id, holder=holder).update(expires_at=now + timedelta(seconds=seconds)):
        raise LeaseLost(f"the lease of connection {connection_id} was taken by another run")


class LeaseKeeper(threading.Thread):
    """Renews a held lease every third of its length while the run lives, so a long batch never loses it and a
    killed worker's lease lapses within `seconds`. A renewal that finds the lease taken marks it `lost` and stops
    renewing; the run itself finds out at its next renewal between batches (`SyncContext.renew_lease` raises
    `LeaseLost`) and stops before writing more."""

    def __init__(self, connection_id: Any, holder: str, seconds: int):
        super().__init__(name=f"lease-{holder}", daemon=True)
        self.connection_id, self.holder, self.seconds = connection_id, holder, seconds
        self.lost = False
        self._stopping = threading.Event()

    def run(self) -> None:
        from django.db import connection as database

        try:
            while not self._stopping.wait(self.seconds / 3):
                try:
                    renew_lease(self.connection_id, self.holder, seconds=self.seconds)
                except LeaseLost:
                    self.lost = True
                    return
                except Exception:  # a busy database: try again at the next beat, the lease has time left
                    logger.warning("lease of connection %s not renewed", self.connection_id, exc_info=True)
        finally:
            database.close()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=5)


def release_lease(connection_id: Any, holder: str) -> None:
    Lease.objects.filter(connection_id=connection_id, holder=holder).update(holder="", expires_at=NEVER)


# --- cursors ---------------------------------------------------------------------------------------------


def cursor(connection_id: Any, stream: str) -> dict[str, Any] | None:
    found = Cursor.objects.filter(connection_id=connection_id, stream=stream).values_list("value", flat=True).first()
    return json.loads(found) if found else None


def cursor_saved_at(connection_id: Any, stream: str) -> datetime | None:
    return Cursor.objects.filter(connection_id=connection_id, stream=stream).values_list("updated_at", flat=True).first()


def _save_cursor(connection_id: Any, stream: str, value: Mapping[str, Any]) -> None:
    Cursor.objects.update_or_create(
        connection_id=connection_id,
        stream=stream,
        defaults={"value": json.dumps(value, sort_keys=True), "updated_at": timezone.now()},
    )


# --- records asked for again -----------------------------------------------------------------------------


def requested(connection_id: Any, kind: str, before: datetime) -> list[str]:
    """Records asked to sync again (Retry) up to `before`, oldest request first."""
    return list(
        RequestedRecord.objects.filter(connection_id=connection_id, record_kind=kind, requested_at__lte=before)
        .order_by("requested_at")
        .values_list("dynamics_id", flat=True)
    )


def forget_requested(connection_id: Any, kind: str, before: datetime, only: Iterable[str] | None = None) -> None:
    """The run that read them (`only` these, when given) has committed their batches: asked again since, they stay for
    the next run."""
    found = RequestedRecord.objects.filter(connection_id=connection_id, record_kind=kind, requested_at__lte=before)
    if only is None:
        found.delete()
        return
    for chunk in _in_chunks(only):
        found.filter(dynamics_id__in=chunk).delete()


def carry_over(connection_id: Any, kind: str, dynamics_ids: Iterable[str], now: datetime) -> None:
    """Records a run left to the next (it stopped at its slice, its cursor moving past them): asked for as a Retry asks."""
    RequestedRecord.objects.bulk_create(
        [RequestedRecord(connection_id=connection_id, record_kind=kind, dynamics_id=i, requested_at=now) for i in dynamics_ids],
        ignore_conflicts=True,
    )


# --- the links ledger ------------------------------------------------------------------------------------


def _links_by(column: str, connection_id: Any, kind: str, values: Iterable[str]) -> dict[str, Link]:
    """Ledger entries whose `column` is one of these values, by that value, asked 500 at a time (databases cap a
    statement's parameters)."""
    wanted = list(dict.fromkeys(values))
    return {
        getattr(link, column): link
        for start in range(0, len(wanted), 500)
        for link in Link.objects.filter(connection_id=connection_id, kind=kind, **{f"{column}__in": wanted[start : start + 500]})
    }


def links(connection_id: Any, kind: str, dynamics_ids: Iterable[str]) -> dict[str, Link]:
    """The ledger's entries for these Dynamics records, by Dynamics id."""
    return _links_by("dynamics_id", connection_id, kind, dynamics_ids)


def links_to(connection_id: Any, kind: str, xero_ids: Iterable[str]) -> dict[str, Link]:
    """The ledger's entries linking a Dynamics record to one of these Xero records, by Xero id."""
    return _links_by("xero_id", connection_id, kind, xero_ids)


def linked_xero_ids(connection_id: Any, kind: str) -> list[str]:
    """The Xero ids of every record of this kind the ledger links."""
    return list(Link.objects.filter(connection_id=connection_id, kind=kind).exclude(xero_id="").values_list("xero_id", flat=True))


def oldest_link(connection_id: Any, kind: str) -> datetime | None:
    return (
        Link.objects.filter(connection_id=connection_id, kind=kind)
        .exclude(xero_id="")
        .order_by("updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )


def invoice_link(link: Link | None) -> InvoiceLink | None:
    """The domain's view of a ledger entry; a link still waiting for Xero's answer is no link yet."""
    if link is None or not link.xero_id:
        return None
    return InvoiceLink(
        link.xero_id, InvoiceType(link.sent_type) if link.sent_type else None, link.sent_version or None, link.sent_hash or None
    )


def _upsert_links(connection_id: Any, kind: str, rows: Mapping[str, Mapping[str, Any]]) -> None:
    """One statement for many ledger entries: insert each, or update these columns of the one already there."""
    if not rows:
        return
    fields = sorted({column for columns in rows.values() for column in columns})
    Link.objects.bulk_create(
        [
            Link(connection_id=connection_id, kind=kind, dynamics_id=dynamics_id, **columns)
            for dynamics_id, columns in rows.items()
        ],
        update_conflicts=True,
        unique_fields=["connection", "kind", "dynamics_id"],
        update_fields=fields,
        batch_size=500,
    )


def save_links(
    connection_id: Any, kind: str, xero_ids: Mapping[str, str], first_seen: Mapping[str, Mapping[str, Any]] | None = None
) -> None:
    """Dynamics id → Xero id for records found or created in Xero (contacts, items). `first_seen` (by Dynamics id):
    what the ledger starts the record from — its fields per side (`Link.seen`), its version, its table. A new link's
    Xero row in Dynamics is then due."""
    now, first_seen = timezone.now(), first_seen or {}
    _upsert_links(
        connection_id,
        kind,
        {
            dynamics_id: {"xero_id": xero_id, "updated_at": now, "writeback_due": True, **first_seen.get(dynamics_id, {})}
            for dynamics_id, xero_id in xero_ids.items()
        },
    )


def links_due(connection_id: Any, kind: str) -> list[Link]:
    """Linked customers or products whose Xero row in Dynamics is still to be written."""
    return list(Link.objects.filter(connection_id=connection_id, kind=kind, writeback_due=True).exclude(xero_id=""))


def commit_edits(
    connection_id: Any,
    run: SyncRun | None,
    kind: str,
    entries: Mapping[str, Mapping[str, Any]],
    attempts: Iterable[Attempt],
    cursors: Mapping[str, Mapping[str, Any]] | None,
) -> None:
    """One transaction: customers' or products' ledger entries after their edits crossed (`sync.edits`), their
    attempts, and (with a stream's last batch) its cursor."""
    now = timezone.now()
    with transaction.atomic():
        _upsert_links(
            connection_id, kind, {dynamics_id: {**columns, "updated_at": now} for dynamics_id, columns in entries.items()}
        )
        _record(connection_id, run, attempts, cursors)


def mark_pending(connection_id: Any, creates: Mapping[str, tuple[str, str]], now: datetime | None = None) -> None:
    """Before first creating invoices in Xero (id → the type it goes as, and a credit note's recognition hash):
    if no answer gets recorded, the next run looks for them in Xero. The hash waits in `sent_hash` until Xero's
    answer replaces it."""
    now = now or timezone.now()
    _upsert_links(
        connection_id,
        Link.Kind.INVOICE,
        {
            dynamics_id: {"pending_since": now, "updated_at": now, "sent_type": sent_type, "sent_hash": recognition}
            for dynamics_id, (sent_type, recognition) in creates.items()
        },
    )


def pending_links(connection_id: Any) -> list[Link]:
    return list(Link.objects.filter(connection_id=connection_id, kind=Link.Kind.INVOICE, xero_id="", pending_since__isnull=False))


def forget_pending(connection_id: Any, dynamics_ids: Iterable[str]) -> None:
    """Creates that never reached Xero: nothing was linked."""
    Link.objects.filter(
        connection_id=connection_id, kind=Link.Kind.INVOICE, xero_id="", dynamics_id__in=list(dynamics_ids)
    ).delete()


def due_writebacks(connection_id: Any) -> list[Link]:
    return list(Link.objects.filter(connection_id=connection_id, kind=Link.Kind.INVOICE, writeback_due=True).exclude(xero_id=""))


def written_back(connection_id: Any, versions: Mapping[str, str | None], xero_hashes: Mapping[str, str] | None = None) -> None:
    """Xero's answer is in Dynamics; a new version given is our own write-back, so it is no change to send, and
    the state it showed (`xero_hashes`) is no change to bring back."""
    now, xero_hashes = timezone.now(), xero_hashes or {}
    links = Link.objects.filter(connection_id=connection_id, kind=Link.Kind.INVOICE, dynamics_id__in=list(versions)).values_list(
        "dynamics_id", "sent_version", "xero_hash"
    )
    # An upsert of links known to exist: one INSERT … ON CONFLICT UPDATE, far cheaper to build than bulk_update's CASE.
    _upsert_links(
        connection_id,
        Link.Kind.INVOICE,
        {
            dynamics_id: {
                "writeback_due": False,
                "updated_at": now,
                "sent_version": versions[dynamics_id] or sent_version,
                "xero_hash": xero_hashes.get(dynamics_id, xero_hash),
            }
            for dynamics_id, sent_version, xero_hash in links
        },
    )


def due_from_xero(
    connection_id: Any,
    run: SyncRun | None,
    dynamics_ids: Iterable[str],
    attempts: Iterable[Attempt],
    cursors: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """One transaction: Xero changed these invoices, so their write-back is due (a run that stops now leaves it
    to the next), their attempts are recorded, and (with the last batch) the stream's cursor moves on."""
    with transaction.atomic():
        Link.objects.filter(connection_id=connection_id, kind=Link.Kind.INVOICE, dynamics_id__in=list(dynamics_ids)).update(
            writeback_due=True, updated_at=timezone.now()
        )
        _record(connection_id, run, attempts, cursors)


# --- invoices deleted in Dynamics -------------------------------------------------------------------------


def _in_chunks(values: Iterable[str], size: int = 500) -> Iterable[list[str]]:
    wanted = list(dict.fromkeys(values))
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def mark_deleted(connection_id: Any, dynamics_ids: Iterable[str], now: datetime | None = None) -> int:
    """Dynamics says these invoices were deleted: those this connection sent are to be voided or deleted in Xero
    (their write-back is moot). Returns how many were ours."""
    now, marked = now or timezone.now(), 0
    for chunk in _in_chunks(dynamics_ids):
        marked += Link.objects.filter(
            connection_id=connection_id, kind=Link.Kind.INVOICE, dynamics_id__in=chunk, dynamics_deleted_at__isnull=True
        ).update(dynamics_deleted_at=now, deletion_due=True, writeback_due=False, updated_at=now)
    return marked


def deletions_due(connection_id: Any) -> list[Link]:
    return list(Link.objects.filter(connection_id=connection_id, kind=Link.Kind.INVOICE, deletion_due=True).exclude(xero_id=""))


def deletion_due_again(connection_id: Any, dynamics_ids: Iterable[str]) -> None:
    """Xero changed the copy of an invoice deleted in Dynamics (a payment removed, say): try the deletion again."""
    for chunk in _in_chunks(dynamics_ids):
        Link.objects.filter(
            connection_id=connection_id, kind=Link.Kind.INVOICE, dynamics_id__in=chunk, dynamics_deleted_at__isnull=False
        ).update(deletion_due=True)


def deleted_in_dynamics(connection_id: Any, dynamics_ids: Iterable[str]) -> set[str]:
    return {
        dynamics_id
        for chunk in _in_chunks(dynamics_ids)
        for dynamics_id in Link.objects.filter(
            connection_id=connection_id, kind=Link.Kind.INVOICE, dynamics_id__in=chunk, dynamics_deleted_at__isnull=False
        ).values_list("dynamics_id", flat=True)
    }


def deletions_done(connection_id: Any, run: SyncRun | None, dynamics_ids: Iterable[str], attempts: Iterable[Attempt]) -> None:
    """One transaction: what was done about these deletions is recorded, and they are no longer due."""
    with transaction.atomic():
        for chunk in _in_chunks(dynamics_ids):
            Link.objects.filter(connection_id=connection_id, kind=Link.Kind.INVOICE, dynamics_id__in=chunk).update(
                deletion_due=False
            )
        _record(connection_id, run, attempts, None)


# --- what a batch commits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """A record Xero accepted: the ledger entry to keep."""

    dynamics_id: str
    xero_id: str
    sent_type: str
    version: str | None
    hash: str | None


@dataclass
class Attempt:
    record_kind: str
    dynamics_id: str
    outcome: str  # SyncAttempt.Outcome
    reason_code: str = ""
    reason: str = ""  # a rule's words: no amounts, descriptions or names
    xero_id: str = ""
    message: str = ""  # for the history row in Dynamics only (may quote Xero)
    at: datetime = field(default_factory=timezone.now)
    direction: str = SyncAttempt.Direction.TO_XERO
    version: str | None = None  # the record's version that was tried: unchanged since, a refusal still holds
    id: uuid.UUID = field(default_factory=uuid.uuid4)  # its row's, and its history row's in Dynamics
    dynamics_number: str = ""  # the invoice's number in Dynamics, as people know it (an identifier)
    xero_number: str = ""  # and in Xero

    def model(self, connection_id: Any, run: SyncRun | None) -> SyncAttempt:
        return SyncAttempt(
            id=self.id,
            connection_id=connection_id,
            run=run,
            record_kind=self.record_kind,
            dynamics_id=self.dynamics_id,
            xero_id=self.xero_id,
            outcome=self.outcome,
            reason_code=self.reason_code,
            reason=self.reason,
            attempted_at=self.at,
            direction=self.direction,
            dynamics_version=self.version or "",
            dynamics_number=(self.dynamics_number or "")[:100],
            xero_number=(self.xero_number or "")[:255],
        )


def commit_batch(
    connection_id: Any,
    run: SyncRun | None,
    *,
    sent: Iterable[Sent],
    failed_creates: Iterable[str],
    attempts: Iterable[Attempt],
    cursors: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[SyncAttempt]:
    """One transaction: the ledger entries of what Xero accepted, the attempts, and (with the batch that ends
    a stream's changes) the stream's cursor. Called only after Xero answered."""
    now = timezone.now()
    with transaction.atomic():
        _upsert_links(
            connection_id,
            Link.Kind.INVOICE,
            {
                entry.dynamics_id: {
                    "xero_id": entry.xero_id,
                    "sent_type": entry.sent_type,
                    "sent_version": entry.version or "",
                    "sent_hash": entry.hash or "",
                    "pending_since": None,
                    "writeback_due": True,
                    "updated_at": now,
                }
                for entry in sent
            },
        )
        forget_pending(connection_id, failed_creates)
        return _record(connection_id, run, attempts, cursors)


def _record(
    connection_id: Any, run: SyncRun | None, attempts: Iterable[Attempt], cursors: Mapping[str, Mapping[str, Any]] | None
) -> list[SyncAttempt]:
    """A batch's attempts and, with a stream's last batch, its cursor (inside the caller's transaction)."""
    rows = SyncAttempt.objects.bulk_create([attempt.model(connection_id, run) for attempt in attempts])
    for stream, value in (cursors or {}).items():
        _save_cursor(connection_id, stream, value)
    return rows


def record_attempts(connection_id: Any, run: SyncRun | None, attempts: Iterable[Attempt]) -> list[SyncAttempt]:
    with transaction.atomic():
        return _record(connection_id, run, attempts, None)


def save_cursors(connection_id: Any, cursors: Mapping[str, Mapping[str, Any]]) -> None:
    with transaction.atomic():
        for stream, value in cursors.items():
            _save_cursor(connection_id, stream, value)


def unreported_attempts(connection_id: Any) -> list[SyncAttempt]:
    return list(SyncAttempt.objects.filter(connection_id=connection_id, reported_at__isnull=True).order_by("attempted_at"))


def reported(attempt_ids: Iterable[Any]) -> None:
    SyncAttempt.objects.filter(pk__in=list(attempt_ids)).update(reported_at=timezone.now())


# --- runs ------------------------------------------------------------------------------------------------


def start_run(connection_id: Any, trigger: str) -> SyncRun:
    return SyncRun.objects.create(connection_id=connection_id, trigger=trigger)


def finish_run(run: SyncRun, status: str, counts: Mapping[str, int], error: str = "", cause: str = "") -> SyncRun:
    run.status, run.counts, run.error, run.cause, run.finished_at = status, dict(counts), error[:300], cause, timezone.now()
    run.save(update_fields=["status", "counts", "error", "cause", "finished_at"])
    _counted(run)
    return run


def _counted(run: SyncRun) -> None:
    """The finished run in this process's counters (/metrics): how it ended, how long it took, its records by outcome."""
    records = SyncAttempt.objects.filter(run=run).values_list("direction", "record_kind", "outcome").annotate(n=Count("pk"))
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
    metrics.run_finished(run.status, run.trigger, seconds, list(records))
