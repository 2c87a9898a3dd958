"""What the history says of runs and attempts, in the words of the people who read it: what started a run, how it
ended, what it did as a sentence, and each record's outcome. The raw counters stay available for a "Details" toggle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dxconnector.sync.models import SyncAttempt, SyncRun, Trigger

TRIGGERS = {
    Trigger.CREATED: "First sync",
    Trigger.SYNC_NOW: "Sync now",
    Trigger.RETRY: "Retry",
    Trigger.DYNAMICS_WEBHOOK: "A change in Dynamics",
    Trigger.XERO_WEBHOOK: "A change in Xero",
    Trigger.SWEEP: "Scheduled check",
    Trigger.CLI: "Started from the command line",
    Trigger.RESUMED: "Syncing resumed",
}

# What a run did, as parts of a sentence: (counter, one, many).
DONE = (
    ("succeeded", "1 invoice sent to Xero", "{n} invoices sent to Xero"),
    ("brought_back", "1 invoice updated from Xero", "{n} invoices updated from Xero"),
    ("held_back", "1 held back", "{n} held back"),
    ("skipped", "1 not sent", "{n} not sent"),
    ("failed", "1 failed", "{n} failed"),
)

Outcome = SyncAttempt.Outcome
Direction = SyncAttempt.Direction


def trigger_words(trigger: str) -> str:
    """What started a run, e.g. "A change in Xero" for `xero_webhook`."""
    try:
        return TRIGGERS[Trigger(trigger)]
    except ValueError:
        return trigger.replace("_", " ").capitalize()


def _count(counts: Mapping[str, object], name: str) -> int:
    value = counts.get(name, 0)
    return value if isinstance(value, int) else 0


def run_sentence(counts: Mapping[str, object]) -> str:
    """What a run did with the records, e.g. "3 invoices sent to Xero, 1 held back"."""
    parts = [(one if n == 1 else many.format(n=n)) for name, one, many in DONE if (n := _count(counts, name))]
    return ", ".join(parts) if parts else "Nothing needed syncing"


@dataclass(frozen=True)
class RunStatus:
    words: str
    badge: str  # ok, warn, bad or info (the badge's colour)


def run_status(run: SyncRun) -> RunStatus:
    """How a run ended: one with a failed record did not simply succeed."""
    if run.status == SyncRun.Status.RUNNING:
        return RunStatus("Running", "info")
    if run.status == SyncRun.Status.FAILED:
        return RunStatus("Stopped early", "bad")
    if run.status == SyncRun.Status.BUSY:
        return RunStatus("Not run: another sync was running", "info")
    if run.status == SyncRun.Status.PAUSED:
        return RunStatus("Not run: syncing is paused", "info")
    counts = run.counts or {}
    failed = _count(counts, "failed")
    if failed:
        return RunStatus(f"Finished with {failed} problem{'s' if failed != 1 else ''}", "bad")
    held = _count(counts, "held_back")
    if held:
        return RunStatus(f"Finished, {held} waiting for you", "warn")
    return RunStatus("Finished", "ok")


def counter_rows(counts: Mapping[str, object]) -> list[tuple[str, object]]:
    """The run's raw counters (API calls included), for the "Details" toggle."""
    return [(name.replace("_", " "), value) for name, value in sorted(counts.items())]


def outcome_words(attempt: SyncAttempt) -> str:
    """One record's outcome: which way it went and whether it got there."""
    to_dynamics = attempt.direction == Direction.TO_DYNAMICS
    if attempt.outcome == Outcome.SUCCEEDED:
        return "Updated from Xero" if to_dynamics else "Sent to Xero"
    if attempt.outcome == Outcome.HELD_BACK:
        return "Held back"
    if attempt.outcome == Outcome.SKIPPED:
        return "Not updated from Xero" if to_dynamics else "Not sent"
    if attempt.outcome == Outcome.FAILED:
        return "Failed"
    return str(attempt.outcome).replace("_", " ").capitalize()


# The history's outcome filter, in the same words as its rows.
OUTCOME_CHOICES = [
    (Outcome.SUCCEEDED.value, "Sent or updated"),
    (Outcome.HELD_BACK.value, "Held back"),
    (Outcome.SKIPPED.value, "Not sent"),
    (Outcome.FAILED.value, "Failed"),
]

OUTCOME_BADGES = {Outcome.SUCCEEDED: "ok", Outcome.HELD_BACK: "warn", Outcome.SKIPPED: "info", Outcome.FAILED: "bad"}


def outcome_badge(attempt: SyncAttempt) -> str:
    return OUTCOME_BADGES.get(Outcome(attempt.outcome), "info") if attempt.outcome in Outcome.values else "info"
