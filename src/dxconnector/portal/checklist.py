"""The connection checklist (PRODUCT §1.4): one line per required step, evaluated afresh every time.

Each check is a small function of the connection. Steps whose machinery has not been built yet answer
"not done" with the tip a user would need — never a remembered or assumed tick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dxconnector.portal.models import Connection, XeroConnection


@dataclass(frozen=True)
class ChecklistLine:
    key: str
    label: str
    done: bool
    tip: str = ""
    detail: str = ""


def xero_connected(connection: Connection) -> ChecklistLine:
    xero = XeroConnection.objects.filter(connection=connection).first()
    if xero is None:
        return ChecklistLine("xero", "Xero connected", False,
                             tip="Click “Connect to Xero”, sign in to Xero and allow access to your organisation.")
    if not xero.is_chosen:
        return ChecklistLine("xero", "Xero connected", False, tip="Choose which Xero organisation this connection uses.")
    return ChecklistLine("xero", "Xero connected", True, detail=xero.tenant_name)


def solution_installed(connection: Connection) -> ChecklistLine:
    return ChecklistLine(
        "solution", "Managed solution installed in Dynamics", False,
        tip="Download the managed solution and import it into your Dynamics 365 organisation.",
    )


def dynamics_connected(connection: Connection) -> ChecklistLine:
    return ChecklistLine(
        "dynamics", "Dynamics connected", False,
        tip="Click “Connect to Dynamics” and sign in with a Microsoft account of your organisation.",
    )


def organisation_selected(connection: Connection) -> ChecklistLine:
    return ChecklistLine(
        "organisation", "Dynamics organisation selected", False,
        tip="After connecting to Dynamics, pick your organisation from the list.",
    )


def permissions_granted(connection: Connection) -> ChecklistLine:
    return ChecklistLine(
        "permissions", "Required access in Dynamics", False,
        tip="Connect to Dynamics first; then each table's required access is checked for your user.",
    )


def defaults_set(connection: Connection) -> ChecklistLine:
    missing = [label for label, value in (("connection name", connection.name), ("time zone", connection.time_zone)) if not value]
    if missing:
        return ChecklistLine("defaults", "Defaults set", False, tip=f"Fill in the {' and '.join(missing)} under Defaults and save.")
    return ChecklistLine("defaults", "Defaults set", True, detail=f"{connection.name} · {connection.time_zone}")


CHECKS: list[Callable[[Connection], ChecklistLine]] = [
    xero_connected,
    solution_installed,
    dynamics_connected,
    organisation_selected,
    permissions_granted,
    defaults_set,
]


def evaluate(connection: Connection) -> list[ChecklistLine]:
    return [check(connection) for check in CHECKS]


def all_done(lines: list[ChecklistLine]) -> bool:
    return all(line.done for line in lines)
