"""Values of the connector settings row that Xero can never take. The row is kept in Dynamics, where an admin may edit
it, and the sync reads it there: an invoice such a value would spoil is held back with a reason that names the
setting and where to fix it, rather than sent for Xero to refuse."""

from __future__ import annotations

from dxconnector.domain.rules.reasons import Reason, Why

# Xero keeps an account code of at most 10 characters, without spaces.
ACCOUNT_CODE_MAX_LENGTH = 10


def account_code_fault(code: str) -> str | None:
    """What makes `code` one Xero can't take, in words, or None when it may be one."""
    if len(code) > ACCOUNT_CODE_MAX_LENGTH:
        return f"an account code has at most {ACCOUNT_CODE_MAX_LENGTH} characters, and this one has {len(code)}"
    if any(character.isspace() for character in code):
        return "an account code has no spaces"
    return None


def default_account_code_problem(code: str, *, sales: bool) -> Reason | None:
    """The reason to hold an invoice whose line would take the connection's default account code `code`, if Xero
    can't take it."""
    fault = account_code_fault(code)
    if fault is None:
        return None
    side = "Sales" if sales else "Purchase"
    where = (
        "the Connector Settings in Dynamics, or Defaults on the connection's page"
        if sales
        else "the Connector Settings in Dynamics"
    )
    return Reason(
        Why.NO_ACCOUNT_CODE,
        f"The connection's Default {side} Account Code is “{code}”, which Xero can't take: {fault}. "
        f"Enter the code as Xero's chart of accounts shows it, in {where}.",
    )
