"""Everything an invoice's own content must satisfy before it can be mapped, each rule's reasons gathered at once."""

from __future__ import annotations

import threading

from dxconnector.domain.records import ConnectionSettings, DynamicsInvoice
from dxconnector.domain.rules.amounts import (
    SendAs,
    precision_problems,
    send_as,
    totals_problem,
)
from dxconnector.domain.rules.header import invoice_number
from dxconnector.domain.rules.items import item_problems
from dxconnector.domain.rules.lines import (
    account_code,
    carries_amounts,
    line_description,
    line_label,
    lines_in_order,
    tracking,
)
from dxconnector.domain.rules.reasons import Reason, RuleViolation, Why, check
from dxconnector.domain.rules.text import text_problem, unstorable, unstorable_text


def _target(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[SendAs, tuple[Reason, ...]]:
    """What the invoice goes as, and why it can't go at all; its lines are checked as its own type then."""
    try:
        return send_as(invoice, settings), ()
    except RuleViolation as violation:
        return SendAs(invoice.invoice_type), violation.reasons


def line_problems(invoice: DynamicsInvoice, settings: ConnectionSettings, target: SendAs | None = None) -> tuple[Reason, ...]:
    target = target or _target(invoice, settings)[0]
    problems: list[Reason] = []
    for position, line in enumerate(lines_in_order(invoice), start=1):
        label = line_label(position, line)
        problems += check(line_description, line, label)
        if carries_amounts(line):
            problems += check(account_code, line, target.type, settings, label)
            problems += check(tracking, line, label)
            problems += precision_problems(line, label)
    return tuple(problems)


def text_problems(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[Reason, ...]:
    """Every text the invoice goes to Xero with must be one Xero keeps as it is."""
    number = "" if settings.use_xero_invoice_number else invoice.name if settings.use_invoice_name else invoice.invoice_number
    problems = [
        text_problem(number, "The invoice's number"),
        text_problem(invoice.description if settings.description_to_reference else "", "The invoice's description"),
    ]
    for position, line in enumerate(lines_in_order(invoice), 1):
        if unstorable(line.description or line.name):
            problems.append(unstorable_text(line_label(position, line)))
        if any(unstorable(choice.category + choice.option) for choice in line.tracking):
            problems.append(unstorable_text(f"A tracking option of {line_label(position, line)}"))
    return tuple(dict.fromkeys(problem for problem in problems if problem is not None))


# A run asks this of each invoice up to three times (pick-up ahead of its batch, pick-up in it, and the mapping), of the
# same record and the same settings: a fifth or more of the sync's CPU. Both are frozen, so the answer is remembered for
# that very pair of objects (by identity: hashing a whole invoice would cost about as much as judging it), for the last
# `REMEMBERED` invoices asked about. An entry holds its invoice, so its id is not reused while it is remembered.
REMEMBERED = 10_000
_remembered: dict[int, tuple[DynamicsInvoice, ConnectionSettings, tuple[Reason, ...]]] = {}
_remembering = threading.Lock()


def invoice_problems(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[Reason, ...]:
    """Every rule the invoice's own content breaks (not when or where it goes)."""
    known = _remembered.get(id(invoice))
    if known is not None and known[0] is invoice and known[1] is settings:
        return known[2]
    problems = judge_invoice(invoice, settings)
    with _remembering:
        _remembered[id(invoice)] = (invoice, settings, problems)
        while len(_remembered) > REMEMBERED:
            del _remembered[next(iter(_remembered))]  # the oldest: dicts keep their order
    return problems


def judge_invoice(invoice: DynamicsInvoice, settings: ConnectionSettings) -> tuple[Reason, ...]:
    """Every rule the invoice's own content breaks, judged afresh (`invoice_problems` remembers the answer)."""
    problems: list[Reason] = []
    if invoice.customer is None:
        problems.append(Reason(Why.NO_CUSTOMER, "The invoice has no customer: pick an account or a contact."))
    if not invoice.lines:
        problems.append(Reason(Why.NO_LINES, "The invoice has no products: add at least one line."))
    if invoice.date_delivered is None:
        problems.append(Reason(Why.NO_DATE_DELIVERED, "Date Delivered is empty; it becomes the Xero invoice date: fill it in."))
    if invoice.freight_amount:
        problems.append(
            Reason(
                Why.FREIGHT_AMOUNT,
                "The invoice has a freight amount, which Xero has no place for: add the freight as a line instead.",
            )
        )
    problems += check(invoice_number, invoice, settings)
    target, refused = _target(invoice, settings)
    problems += refused
    problems += line_problems(invoice, settings, target)
    problems += item_problems(invoice, settings)
    problems += text_problems(invoice, settings)
    if not problems:
        problems += tuple(filter(None, [totals_problem(invoice, target)]))
    return tuple(problems)
