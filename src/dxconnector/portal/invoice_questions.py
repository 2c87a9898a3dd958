""" "Why isn't it syncing?" in the portal (PRODUCT §3.5): the admin picks an invoice the history held back or failed, or
pastes one's id or number, and the dry run (`sync.api.explain`, what `dxconnector sync --dry-run --invoice` prints)
answers in words: the rule and what to change. The dry run reads Dynamics and Xero, so it runs as a job; the page
shows its step until the answer is in."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from dxconnector.connections.clients import dynamics_client
from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.portal.models import InvoiceQuestion
from dxconnector.sync import api as sync
from dxconnector.sync.models import SyncAttempt
from dxconnector.xero.errors import XeroError

logger = logging.getLogger(__name__)
State = InvoiceQuestion.State
GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?")
RECENT = 20  # invoices offered in the list

VERDICTS = {
    "create": "It goes to Xero at the next sync: it would be created there.",
    "update": "It goes to Xero at the next sync: its copy there would be updated.",
    "cancel": "At the next sync its copy in Xero would be voided or deleted (it was cancelled in Dynamics).",
    "skip": "It is not sent, and nothing is wrong with it:",
    "hold": "It is held back. Change this in Dynamics and it goes at the next sync:",
}


WAITING_WORDS: dict[str, str] = {
    SyncAttempt.Outcome.HELD_BACK: "held back",
    SyncAttempt.Outcome.FAILED: "failed",
    SyncAttempt.Outcome.SKIPPED: "not sent",
}


def recent_choices(connection: Connection) -> list[tuple[str, str]]:
    """The invoices whose latest attempt did not get them through (held back, failed, not sent), newest first, each
    once: (Dynamics id, how people know it). One that went through since is not offered."""
    seen: set[str] = set()
    choices: list[tuple[str, str]] = []
    attempts = (
        SyncAttempt.objects.filter(connection=connection, record_kind="invoice")
        .order_by("-attempted_at", "-pk")
        .values_list("dynamics_id", "dynamics_number", "outcome")[: RECENT * 5]
    )
    for dynamics_id, number, outcome in attempts:
        if dynamics_id in seen:
            continue
        seen.add(dynamics_id)
        if outcome in WAITING_WORDS and len(choices) < RECENT:
            choices.append((dynamics_id, f"{number or dynamics_id} ({WAITING_WORDS[outcome]})"))
    return choices


def latest(connection: Connection) -> InvoiceQuestion | None:
    return InvoiceQuestion.objects.filter(connection=connection).order_by("-asked_at").first()


def ask(connection: Connection, asked: str) -> InvoiceQuestion:
    """A new question about one invoice, queued as a job; the connection's earlier questions go."""
    from dxconnector.portal.tasks import explain_invoice  # the tasks module imports this one

    with transaction.atomic():
        InvoiceQuestion.objects.filter(connection=connection).delete()
        question = InvoiceQuestion.objects.create(
            connection=connection, asked=asked.strip()[:100], step="Waiting for a worker to take it."
        )
    explain_invoice.enqueue(str(question.pk))
    return question


def _note(question: InvoiceQuestion, state: str, step: str, answer: dict[str, Any] | None = None, invoice_id: str = "") -> None:
    fields: dict[str, Any] = {"state": state, "step": step[:200]}
    if answer is not None:
        fields.update(answer=answer, answered_at=timezone.now())
    if invoice_id:
        fields["invoice_id"] = invoice_id
    InvoiceQuestion.objects.filter(pk=question.pk).update(**fields)


def answer(question_id: str) -> None:
    """The job: find the invoice, run the dry run, keep its words. Anything unforeseen ends it with a word."""
    question = InvoiceQuestion.objects.filter(pk=question_id).select_related("connection").first()
    if question is None:  # asked again meanwhile: the newer question has its own job
        return
    try:
        _answer(question)
    except (XeroError, DynamicsError, sync.NotReady) as error:
        logger.warning("the dry run of %s for connection %s could not finish: %s", question.asked, question.connection_id, error)
        _note(question, State.FAILED, "The dry run could not finish.", {"problem": _problem(error)})
    except Exception:
        logger.exception("the dry run of %s for connection %s stopped", question.asked, question.connection_id)
        _note(question, State.FAILED, "The dry run stopped.", {"problem": "An unexpected error stopped it (the log has it)."})


def _problem(error: Exception) -> str:
    if isinstance(error, sync.NotReady):
        return f"The connection is not ready to sync ({error}): see the checklist."
    side = "Xero" if isinstance(error, XeroError) else "Dynamics"
    return f"{side} did not answer the dry run's questions just now. Ask again in a moment."


def _answer(question: InvoiceQuestion) -> None:
    connection = question.connection
    _note(question, State.RUNNING, "Finding the invoice in Dynamics.")
    invoice_id = invoice_id_of(connection, question.asked)
    if invoice_id is None:
        _note(question, State.DONE, "Answered.", {"problem": f"No invoice numbered “{question.asked}” was found in Dynamics."})
        return
    _note(question, State.RUNNING, "Reading the invoice, its customer in Xero, and applying the rules (nothing is written).")
    explanation = sync.explain(connection.pk, invoice_id)
    _note(question, State.DONE, "Answered.", in_words(explanation), invoice_id=invoice_id)


def invoice_id_of(connection: Connection, asked: str) -> str | None:
    """An invoice's Dynamics id from what the admin gave: an id as it is; a number as the history knows it, else as
    Dynamics does (one query)."""
    asked = asked.strip()
    found = GUID.fullmatch(asked)
    if found:
        return found.group(1).lower()
    known = (
        SyncAttempt.objects.filter(connection=connection, record_kind="invoice", dynamics_number__iexact=asked)
        .order_by("-attempted_at")
        .values_list("dynamics_id", flat=True)
        .first()
    )
    if known:
        return known
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    if dynamics is None or not dynamics.has_organisation:
        raise sync.NotReady("Dynamics is not connected")
    client = dynamics_client(dynamics)
    try:
        quoted = asked.replace("'", "''")
        rows = client.list("invoices", select="invoiceid", filter=f"invoicenumber eq '{quoted}'", top="1")
    finally:
        client.close()
    return str(rows[0]["invoiceid"]) if rows else None


def in_words(explanation: sync.Explanation) -> dict[str, Any]:
    """The dry run's answer for the page: a verdict, each rule with its words, and the lines the command prints."""
    if explanation.paused:
        return {"verdict": explanation.lines[0], "rules": [], "lines": explanation.lines}
    if not explanation.found or explanation.decision is None:
        return {"problem": explanation.lines[0], "lines": explanation.lines}
    decision = explanation.decision
    rules = [{"rule": reason.code.value, "words": reason.text} for reason in decision.reasons]
    blockers = [{"rule": reason.code.value, "words": reason.text} for reason in explanation.blockers]
    return {
        "action": decision.action.value,
        "verdict": VERDICTS[decision.action.value],
        "rules": rules,
        "blockers": blockers,
        "lines": explanation.lines,
    }
