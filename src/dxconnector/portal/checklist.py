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

from dxconnector.connections.models import (
    Connection,
    DynamicsConnection,
    XeroConnection,
)
from dxconnector.domain.access import (
    AccessCheck,
    all_required_privileges,
    check_access,
    missing_privileges,
    privilege_in_words,
)
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


@dataclass(frozen=True)
class DynamicsFacts:
    """What Dynamics said, each question answered (or its problem told) on its own."""

    solution: dict | None = None
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
            access, access_problem = (), ""
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


def solution_installed(connection: Connection, live: Live) -> ChecklistLine:
    facts = live.dynamics_facts
    label = "Managed solution installed in Dynamics"
    if facts is None:
        return ChecklistLine(
            "solution",
            label,
            False,
            tip="Download the managed solution and import it into your Dynamics 365 organisation, then connect to Dynamics.",
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
    return ChecklistLine("solution", label, True, detail=f"Version {facts.solution.get('version')} ({managed})")


def dynamics_connected(connection: Connection, live: Live) -> ChecklistLine:
    if live.dynamics is None:
        return ChecklistLine(
            "dynamics",
            "Dynamics connected",
            False,
            tip="Click “Connect to Dynamics” and sign in with a Microsoft account of your organisation.",
        )
    return ChecklistLine("dynamics", "Dynamics connected", True, detail=live.dynamics.username)


def organisation_selected(connection: Connection, live: Live) -> ChecklistLine:
    if live.dynamics is None or not live.dynamics.has_organisation:
        return ChecklistLine(
            "organisation",
            "Dynamics organisation selected",
            False,
            tip="After connecting to Dynamics, pick your organisation from the list.",
        )
    return ChecklistLine("organisation", "Dynamics organisation selected", True, detail=live.dynamics.org_name)


def permissions_granted(connection: Connection, live: Live) -> ChecklistLine:
    facts = live.dynamics_facts
    label = "Required access in Dynamics"
    if facts is None:
        return ChecklistLine(
            "permissions",
            label,
            False,
            tip="Connect to Dynamics first; then each table's required access is checked for your user.",
        )
    if facts.access_problem:
        return ChecklistLine("permissions", label, False, tip=facts.access_problem)
    failing = [check for check in facts.access if not check.ok]
    if failing:
        return ChecklistLine("permissions", label, False, tip=" ".join(check.tip for check in failing))
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


CHECKS: list[Callable[[Connection, Live], ChecklistLine]] = [
    xero_connected,
    solution_installed,
    dynamics_connected,
    organisation_selected,
    permissions_granted,
    defaults_set,
]


def evaluate(connection: Connection, live: Live | None = None) -> list[ChecklistLine]:
    live = live or Live(connection)
    return [check(connection, live) for check in CHECKS]


def all_done(lines: list[ChecklistLine]) -> bool:
    return all(line.done for line in lines)
