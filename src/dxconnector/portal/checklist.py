"""The connection checklist (PRODUCT §1.4): one line per required step, evaluated afresh every time.

Each check is a small function of the connection and a `Live` view of it, which reads the Xero and
Dynamics state once per evaluation and asks Dynamics itself — solution installed, privileges held —
rather than remembering an earlier answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from dxconnector.connections.models import (
    Connection,
    DynamicsConnection,
    XeroConnection,
)
from dxconnector.domain.access import (
    SCHEMA_NAMES,
    AccessCheck,
    RequiredAccess,
    all_required_privileges,
    check_access,
    missing_privileges,
    privilege_in_words,
)
from dxconnector.domain.names import PREFIX
from dxconnector.dynamics.errors import AuthExpired, DynamicsError, RetryableError, UntrustedHost
from dxconnector.dynamics.solution import DYNAMICS_XERO_CONNECTOR

logger = logging.getLogger(__name__)
SOLUTION_UNIQUE_NAME = DYNAMICS_XERO_CONNECTOR.unique_name
DID_NOT_ANSWER = "Dynamics did not answer; try again in a moment (reload the page)."


@dataclass(frozen=True)
class ChecklistLine:
    key: str
    label: str
    done: bool
    tip: str = ""
    detail: str = ""
    waiting: bool = False  # it can't be done before an earlier step: its tip shows once that step is done


@dataclass(frozen=True)
class DynamicsFacts:
    """What Dynamics said, each question answered (or its problem told) on its own."""

    solution: dict[str, Any] | None = None
    solution_problem: str = ""
    access: tuple[AccessCheck, ...] = ()
    access_problem: str = ""


def refusal_in_words(message: str) -> str:
    """A 403 from Dynamics, said as what to give the user (Dataverse's own message names principal and privilege ids,
    which go to the log, not to the admin)."""
    logger.info("Dynamics refused a checklist question: %s", message)
    missing = missing_privileges(message)
    if missing:
        return "; ".join(privilege_in_words(name) for name in missing) + ", then reload this page."
    return (
        "Dynamics refused the question for this user: give the user's security role the access listed under "
        "Required access, then reload this page."
    )


def _problem(error: DynamicsError) -> str:
    if isinstance(error, AuthExpired):
        return "The Microsoft sign-in has expired: click “Connect to Dynamics” again."
    if isinstance(error, UntrustedHost):
        return f"{error} Nothing was asked of it: connect to Dynamics again and choose your organisation."
    if isinstance(error, RetryableError):
        return DID_NOT_ANSWER
    if error.status == 403:
        return refusal_in_words(str(error))
    return f"Dynamics could not be asked just now ({error}). Reload the page to check again."


class Live:
    """What the checks need, each looked up at most once per evaluation. Dynamics is asked as a page asks it (one brief
    attempt a question, connections.clients.PAGE_TIMEOUT_SECONDS); once it has not answered, it is asked nothing more."""

    def __init__(self, connection: Connection):
        self.connection = connection

    @cached_property
    def xero(self) -> XeroConnection | None:
        return XeroConnection.objects.filter(connection=self.connection).first()

    @cached_property
    def dynamics(self) -> DynamicsConnection | None:
        return DynamicsConnection.objects.filter(connection=self.connection).first()

    @cached_property
    def dynamics_facts(self) -> DynamicsFacts | None:
        if self.dynamics is None or not self.dynamics.has_organisation:
            return None
        from dxconnector.connections.clients import dynamics_client

        try:
            client = dynamics_client(self.dynamics, for_a_page=True)
        except DynamicsError as error:  # its stored URL is not a Dataverse host: nothing is asked of it
            return DynamicsFacts(solution_problem=_problem(error), access_problem=_problem(error))
        try:
            solution, solution_problem = None, ""
            try:
                solution = client.solution(SOLUTION_UNIQUE_NAME)
            except RetryableError:  # no answer in time: the other questions would wait as long
                return DynamicsFacts(solution_problem=DID_NOT_ANSWER, access_problem=DID_NOT_ANSWER)
            except DynamicsError as error:
                solution_problem = _problem(error)
            access: tuple[AccessCheck, ...] = ()
            access_problem = ""
            try:
                user_id = client.who_am_i()["UserId"]
                access = tuple(check_access(client.privileges_held(user_id, all_required_privileges())))
            except DynamicsError as error:
                access_problem = _problem(error)
        finally:
            client.close()
        return DynamicsFacts(solution, solution_problem, access, access_problem)


def xero_connected(connection: Connection, live: Live) -> ChecklistLine:
    if live.xero is None:
        return ChecklistLine(
            "xero", "Xero connected", False, tip="Click “Connect to Xero”, sign in to Xero and allow access to your organisation."
        )
    if not live.xero.is_chosen:
        return ChecklistLine("xero", "Xero connected", False, tip="Choose which Xero organisation this connection uses.")
    return ChecklistLine("xero", "Xero connected", True, detail=live.xero.tenant_name)


def dynamics_connected(connection: Connection, live: Live) -> ChecklistLine:
    """Signed in to Microsoft with an account that belongs to a Dynamics organisation: one that belongs to none is not
    connected in any useful way."""
    dynamics = live.dynamics
    if dynamics is None:
        return ChecklistLine(
            "dynamics",
            "Dynamics connected",
            False,
            tip="Click “Connect to Dynamics” and sign in with a Microsoft account of your organisation.",
        )
    if not dynamics.has_organisation and not dynamics.organisations:
        return ChecklistLine(
            "dynamics",
            "Dynamics connected",
            False,
            tip=f"{dynamics.username or 'This Microsoft account'} belongs to no Dynamics organisation: click “Sign in again” "
            "and sign in with an account of your organisation.",
        )
    return ChecklistLine("dynamics", "Dynamics connected", True, detail=dynamics.username)


def organisation_selected(connection: Connection, live: Live) -> ChecklistLine:
    if live.dynamics is None or not live.dynamics.has_organisation:
        return ChecklistLine(
            "organisation",
            "Dynamics organisation selected",
            False,
            tip="Pick your organisation from the list under “Connect to Dynamics”.",
            waiting=live.dynamics is None,
        )
    return ChecklistLine("organisation", "Dynamics organisation selected", True, detail=live.dynamics.org_name)


def solution_installed(connection: Connection, live: Live) -> ChecklistLine:
    facts = live.dynamics_facts
    label = "Managed solution installed in Dynamics"
    if facts is None:
        return ChecklistLine(
            "solution",
            label,
            False,
            tip="Connect to Dynamics and choose your organisation first: then “Install into Dynamics” installs it for you.",
            waiting=True,
        )
    dynamics = live.dynamics
    if facts.solution is None and dynamics is not None and dynamics.installing:
        return ChecklistLine("solution", label, False, tip="Installing the solution into Dynamics…")
    if facts.solution is None and dynamics is not None and dynamics.install_state == dynamics.InstallState.FAILED:
        return ChecklistLine("solution", label, False, tip=f"{dynamics.install_error} Click “Try again” to install it again.")
    if facts.solution_problem:
        return ChecklistLine("solution", label, False, tip=facts.solution_problem)
    if facts.solution is None:
        return ChecklistLine(
            "solution",
            label,
            False,
            tip="Import the managed solution into the selected organisation (Settings › Solutions › Import), or click “Install into Dynamics”.",
        )
    managed = "managed" if facts.solution.get("ismanaged") else "unmanaged"
    installed = str(facts.solution.get("version") or "")
    if _older(installed, DYNAMICS_XERO_CONNECTOR.version):
        return ChecklistLine(
            "solution",
            label,
            False,
            detail=f"Version {installed} ({managed})",
            tip=f"Version {installed} is installed; this connector needs {DYNAMICS_XERO_CONNECTOR.version}: click “Install into "
            "Dynamics” to update it (your data stays), or import the new zip yourself.",
        )
    return ChecklistLine("solution", label, True, detail=f"Version {installed} ({managed})")


def _older(installed: str, ours: str) -> bool:
    """Whether the installed solution's version comes before ours (a version Dataverse reports oddly is not)."""
    try:
        return tuple(int(part) for part in installed.split(".")) < tuple(int(part) for part in ours.split("."))
    except ValueError:
        return False


def comes_with_the_solution(item: RequiredAccess) -> bool:
    """The connector's own tables exist only once its solution is installed."""
    return item.table.startswith(f"{PREFIX}_")


def access_to_check(facts: DynamicsFacts) -> tuple[AccessCheck, ...]:
    """The access checks that mean something now: before the solution is installed its tables do not exist, so no
    security role can hold access to them yet."""
    if facts.solution is not None:
        return facts.access
    return tuple(check for check in facts.access if not comes_with_the_solution(check.item))


def _in_a_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _missing_verbs(check: AccessCheck) -> str:
    schema = SCHEMA_NAMES.get(check.item.table, check.item.table)
    return _in_a_list([name[3:].removesuffix(schema) for name in check.missing])


def access_tip(failing: list[AccessCheck]) -> str:
    """One sentence for every missing access, tables that miss the same access together, by the names people see."""
    tables_by_verbs: dict[str, list[str]] = {}
    for check in failing:
        tables_by_verbs.setdefault(_missing_verbs(check), []).append(check.item.label)
    parts = [
        f"{verbs} access on the {_in_a_list(tables)} table{'s' if len(tables) > 1 else ''}"
        for verbs, tables in tables_by_verbs.items()
    ]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])}, and {parts[-1]}"  # each part lists with "and"
    return f"Give the user's security role {listed} ({_where(failing)}), then click “Check again”."


def _where(failing: list[AccessCheck]) -> str:
    """Where the role editor lists the tables: Settings › Security › Security Roles, the classic editor's tab of each."""
    tables_by_tab: dict[str, list[str]] = {}
    for check in failing:
        tables_by_tab.setdefault(check.item.tab, []).append(check.item.label)
    tabs = [f"{_in_a_list(tables)} on its {tab} tab" for tab, tables in tables_by_tab.items()]
    return f"Settings › Security › Security Roles, the user's role: {'; '.join(tabs)}; at Organization level"


def permissions_granted(connection: Connection, live: Live) -> ChecklistLine:
    facts = live.dynamics_facts
    label = "Required access in Dynamics"
    if facts is None:
        return ChecklistLine(
            "permissions",
            label,
            False,
            tip="Checked once Dynamics is connected: each table's required access is then checked for your user.",
            waiting=True,
        )
    if facts.access_problem:
        return ChecklistLine("permissions", label, False, tip=facts.access_problem)
    failing = [check for check in access_to_check(facts) if not check.ok]
    if failing:
        return ChecklistLine("permissions", label, False, tip=access_tip(failing))
    if facts.solution is None:
        return ChecklistLine(
            "permissions",
            label,
            False,
            tip="The connector's own tables are checked once the solution is installed: install it first.",
            waiting=True,
        )
    return ChecklistLine("permissions", label, True, detail=f"All {len(facts.access)} tables")


def defaults_set(connection: Connection, live: Live) -> ChecklistLine:
    missing = [label for label, value in (("connection name", connection.name), ("time zone", connection.time_zone)) if not value]
    if missing:
        return ChecklistLine(
            "defaults",
            "Defaults set",
            False,
            tip=f"Fill in the {' and '.join(missing)} under Defaults: Create Connection saves them.",
        )
    return ChecklistLine("defaults", "Defaults set", True, detail=f"{connection.name} · {connection.time_zone}")


# In the order they can be done: the solution is installed into the organisation chosen, and the access it needs is
# checked on tables the solution brings.
CHECKS: list[Callable[[Connection, Live], ChecklistLine]] = [
    xero_connected,
    dynamics_connected,
    organisation_selected,
    solution_installed,
    permissions_granted,
    defaults_set,
]


def evaluate(connection: Connection, live: Live | None = None) -> list[ChecklistLine]:
    live = live or Live(connection)
    return [check(connection, live) for check in CHECKS]


def all_done(lines: list[ChecklistLine]) -> bool:
    return all(line.done for line in lines)


NEXT_STEP = {
    "xero": "Next: connect to Xero.",
    "dynamics": "Next: connect to Dynamics.",
    "organisation": "Next: choose your Dynamics organisation.",
    "solution": "Next: install the managed solution into Dynamics.",
    "permissions": "Next: give the Dynamics user the access it needs.",
    "defaults": "Next: fill in the defaults.",
}
READY_TO_CREATE = "Next: click “Create Connection”."


def next_line(lines: list[ChecklistLine]) -> ChecklistLine | None:
    """The one thing to do next: the first line not done (the lines are in the order they can be done)."""
    return next((line for line in lines if not line.done), None)


def next_step(lines: list[ChecklistLine]) -> str:
    line = next_line(lines)
    return NEXT_STEP[line.key] if line else READY_TO_CREATE
