"""A connection's settings as the portal takes them: an account code checked against the Xero organisation's chart of
accounts, a live connection's settings row in Dynamics updated when they change (the sync reads them there, and the
sweep's cadence follows its Sync Interval at once), and the invoices a changed setting held back looked at again."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Subquery

from dxconnector.connections.clients import dynamics_client, xero_client
from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.domain.mapping.settings import settings_from_row
from dxconnector.domain.names import ConnectorSettingsTable
from dxconnector.domain.rules import Why
from dxconnector.dynamics.changes import connection_rows
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.errors import AuthExpired as DynamicsAuthExpired
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.dynamics.errors import RetryableError as DynamicsDidNotAnswer
from dxconnector.dynamics.solution.definition import CONNECTION, SETTINGS
from dxconnector.sync import api as sync
from dxconnector.sync.models import SyncAttempt
from dxconnector.xero import resources
from dxconnector.xero.errors import AuthExpired, XeroError
from dxconnector.xero.errors import RetryableError as XeroDidNotAnswer

logger = logging.getLogger(__name__)


class CannotCheck(Exception):
    """Xero could not be asked; the message says why and what to do."""


@dataclass(frozen=True)
class Account:
    code: str
    name: str
    type: str
    status: str


def find_account(connection: Connection, code: str) -> Account | None:
    """The account with this code (any case) in the connected Xero organisation's chart of accounts: one call, as brief
    as a page's calls are."""
    xero = XeroConnection.objects.filter(connection=connection).first()
    if xero is None or not xero.is_chosen:
        raise CannotCheck("Connect to Xero first: the code is checked against its chart of accounts.")
    try:
        accounts = list(xero_client(xero, for_a_page=True).records(resources.ACCOUNTS))
    except XeroDidNotAnswer as error:
        logger.warning("Xero's chart of accounts could not be read for a page: %s", error)
        raise CannotCheck(
            "Xero did not answer, so the code could not be checked against its chart of accounts. "
            "Nothing was saved; try again in a moment."
        ) from error
    except AuthExpired as error:
        raise CannotCheck(
            "Xero no longer accepts this connection's sign-in, so the code could not be checked. Reconnect Xero, then save again."
        ) from error
    except XeroError as error:
        logger.warning("Xero's chart of accounts could not be read: %s", error)
        raise CannotCheck(
            "Xero's chart of accounts could not be read, so the code could not be checked. Nothing was saved; please try again."
        ) from error
    wanted = code.casefold()
    for found in accounts:
        if str(found.get("Code") or "").casefold() == wanted:
            return Account(
                str(found["Code"]), str(found.get("Name") or ""), str(found.get("Type") or ""), str(found.get("Status") or "")
            )
    return None


# --- the settings row in Dynamics ------------------------------------------------------------------------

# The portal's fields and the columns of the Dynamics rows they are kept in.
SETTINGS_COLUMNS = {
    "name": SETTINGS.primary_name,
    "time_zone": ConnectorSettingsTable.TIME_ZONE,
    "default_sales_account_code": ConnectorSettingsTable.DEFAULT_SALES_ACCOUNT_CODE,
    "sweep_interval_minutes": ConnectorSettingsTable.SYNC_INTERVAL_MINUTES,
}


class NotWritten(Exception):
    """The settings row in Dynamics could not be updated; the message says why and what to do."""


def write_changes(connection: Connection, changed: Iterable[str]) -> None:
    """Put the changed fields of a created connection into its rows in Dynamics (only those: a setting an admin changed
    in Dynamics is not overwritten by one the portal merely shows). A name goes to the connection's row too: it is what
    people pick on an invoice. The sweep then keeps the row's Sync Interval (the one written, or the one found there)
    from now on, on `connection` too, so saving it keeps that."""
    columns = {SETTINGS_COLUMNS[field]: getattr(connection, field) or None for field in changed if field in SETTINGS_COLUMNS}
    if not columns or connection.status != Connection.Status.CREATED:
        return
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    if dynamics is None or not dynamics.has_organisation:
        raise NotWritten(
            "Dynamics is not connected, so the settings could not be saved there. Reconnect Dynamics, then save again."
        )
    try:
        client = dynamics_client(dynamics, for_a_page=True)
        try:
            _update_rows(client, connection, columns)
        finally:
            client.close()
    except DynamicsDidNotAnswer as error:
        logger.warning("The settings row of %s could not be updated: %s", connection.pk, error)
        raise NotWritten(
            "Dynamics did not answer, so the settings could not be saved there. Nothing was changed; try again in a moment."
        ) from error
    except DynamicsAuthExpired as error:
        raise NotWritten(
            "Dynamics no longer accepts this connection's sign-in, so the settings could not be saved there. "
            "Nothing was changed: reconnect Dynamics, then save again."
        ) from error
    except DynamicsError as error:
        logger.warning("The settings row of %s could not be updated: %s", connection.pk, error)
        raise NotWritten(
            "Dynamics refused the settings, so nothing was changed. Please try again; if it happens again, tell the "
            "operator of this service (the log has Dynamics' answer)."
        ) from error


def _update_rows(client: DataverseClient, connection: Connection, columns: dict[str, Any]) -> None:
    found = connection_rows(client, str(connection.pk))
    if found is None or not found[1].get(SETTINGS.primary_id):
        raise NotWritten(
            "The connection's settings row is no longer in Dynamics. Click Create Connection again to write it, then save."
        )
    connector_id, settings = found
    client.update(SETTINGS.set_name, settings[SETTINGS.primary_id], columns)
    if SETTINGS.primary_name in columns:
        client.update(CONNECTION.set_name, connector_id, {CONNECTION.primary_name: columns[SETTINGS.primary_name]})
    connection.note_sweep_interval(settings_from_row({**settings, **columns}).sync_interval_minutes)


# --- invoices held back by a setting ----------------------------------------------------------------------

# The reasons that depend on each setting: an invoice whose latest attempt ended on one of them is looked at again
# when the setting changes.
HELD_BY = {
    "time_zone": {Why.UNKNOWN_TIME_ZONE, Why.DELIVERED_IN_FUTURE, Why.BEFORE_SYNC_FROM, Why.DATE_OUT_OF_RANGE},
    "default_sales_account_code": {Why.NO_ACCOUNT_CODE, Why.XERO_REFUSED},
}


def reasons_to_recheck(changed: Iterable[str], sync_from_before: date | None, sync_from_now: date | None) -> set[str]:
    reasons = {str(why) for field in changed for why in HELD_BY.get(field, ())}
    if sync_from_before is not None and (sync_from_now is None or sync_from_now < sync_from_before):
        reasons.add(str(Why.BEFORE_SYNC_FROM))  # an earlier date (or none) lets in invoices it kept out
    return reasons


def held_back_by(connection: Connection, reasons: set[str]) -> list[str]:
    """The invoices whose latest attempt towards Xero was held, skipped or failed for one of these reasons."""
    latest = (
        SyncAttempt.objects.filter(
            connection=connection,
            direction=SyncAttempt.Direction.TO_XERO,
            record_kind="invoice",
            dynamics_id=OuterRef("dynamics_id"),
        )
        .order_by("-attempted_at")
        .values("pk")[:1]
    )
    found = SyncAttempt.objects.filter(
        connection=connection,
        direction=SyncAttempt.Direction.TO_XERO,
        record_kind="invoice",
        reason_code__in=reasons,
        outcome__in=[SyncAttempt.Outcome.HELD_BACK, SyncAttempt.Outcome.SKIPPED, SyncAttempt.Outcome.FAILED],
        pk=Subquery(latest),
    )
    return sorted(set(found.values_list("dynamics_id", flat=True)))


def recheck(connection: Connection, reasons: set[str]) -> int:
    """Ask the next sync to look again at the invoices these reasons held back (a sync is queued). They were never sent,
    or their sending failed, so looking again duplicates nothing in Xero. Returns how many."""
    if not reasons or connection.status != Connection.Status.CREATED:
        return 0
    invoices = held_back_by(connection, reasons)
    if invoices:
        sync.retry_invoices(connection.pk, invoices)
    return len(invoices)
