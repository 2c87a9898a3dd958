"""Delete a connection, as a job: the sync stopped and its records here dropped, the connector's access to Xero
revoked, its webhooks (and, when asked, its rows) taken out of Dynamics, then the connection itself. Each step is
written on the connection (`deletion_state`, `deletion_step`) for the page to show.

Every step can be done again: the job can simply be asked again after a failure, and a step done is not done twice
(the Xero and Dynamics sides are forgotten here once their step is through). When a remote step fails the page says
which, and the owner can try again or delete the connection here only (`delete_locally`): nobody is ever stuck
with a connection they cannot delete.

Invoices and the rest of the business's data in Dynamics are never touched. Removing the connection's rows takes
its connector row and its settings row; Dynamics then empties the "Xero Connection" lookup of the invoices that
named it (the relationship removes the link; the invoices stay).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from dxconnector.connections.clients import dynamics_client, xero_client
from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.domain.names import ConnectorSettingsTable, ConnectorTable, lookup_value
from dxconnector.dynamics import webhooks
from dxconnector.dynamics.client import DataverseClient
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.dynamics.errors import PermanentError as DynamicsPermanentError
from dxconnector.dynamics.solution.definition import CONNECTION, SETTINGS
from dxconnector.sync import api as sync
from dxconnector.xero import auth
from dxconnector.xero.errors import AuthExpired, PermanentError, XeroError

logger = logging.getLogger(__name__)
State = Connection.SetupState
BUSY_RETRY = timedelta(seconds=15)  # a run holds the connection: the job looks again this much later
GONE = (401, 403, 404)  # Xero's answers when the connection, or the access it needs, is gone already


class StepFailed(Exception):
    """A remote step failed; the message says what happened, in words for the owner."""


def _note(connection: Connection, state: str, step: str, error: str = "") -> None:
    Connection.objects.filter(pk=connection.pk).update(deletion_state=state, deletion_step=step[:200], deletion_error=error[:300])


def ask(connection: Connection, *, remove_rows: bool) -> bool:
    """Queue the deletion unless it is queued or running already; from then on nothing syncs. Returns whether it was
    queued now."""
    asked = (
        Connection.objects.filter(pk=connection.pk)
        .exclude(deletion_state__in=[State.QUEUED, State.RUNNING])
        .update(
            deletion_state=State.QUEUED,
            deletion_step="Waiting for a worker to take it.",
            deletion_error="",
            deletion_removes_rows=remove_rows,
        )
    )
    if asked:
        _enqueue(str(connection.pk))
    connection.refresh_from_db(fields=["deletion_state", "deletion_step", "deletion_error", "deletion_removes_rows"])
    return bool(asked)


def retry(connection: Connection) -> bool:
    """Ask again after a failed step, with the same choice about the rows."""
    if connection.deletion_state != State.FAILED:
        return False
    return ask(connection, remove_rows=connection.deletion_removes_rows)


def _enqueue(connection_id: str, *, later: bool = False) -> None:
    from dxconnector.portal.tasks import delete_connection  # the tasks module imports this one

    if later:
        delete_connection.using(run_after=timezone.now() + BUSY_RETRY).enqueue(connection_id)
    else:
        delete_connection.enqueue(connection_id)


def delete(connection_id: str) -> None:
    """The job. Anything unforeseen fails it with a word (and the log has the rest) rather than leaving it running."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None or connection.deletion_state not in (State.QUEUED, State.RUNNING):
        return  # deleted here meanwhile, or not asked (any more)
    try:
        _delete(connection)
    except StepFailed as failure:
        logger.warning("deleting connection %s stopped: %s", connection.pk, failure)
        _note(connection, State.FAILED, Connection.objects.get(pk=connection.pk).deletion_step, str(failure))
    except Exception:
        logger.exception("deleting connection %s stopped", connection.pk)
        _note(
            connection,
            State.FAILED,
            "Deleting stopped on an unexpected error.",
            "Deleting stopped on an unexpected error (the log has it). Try again, or delete it here only.",
        )


def _delete(connection: Connection) -> None:
    _note(connection, State.RUNNING, "Stopping the sync and dropping what it keeps of this connection here.")
    try:
        sync.forget_connection(connection.pk)
    except sync.Busy:
        _note(connection, State.QUEUED, "Waiting for the sync under way to finish.")
        _enqueue(str(connection.pk), later=True)
        return
    xero = XeroConnection.objects.filter(connection=connection).first()
    if xero is not None:
        _note(connection, State.RUNNING, "Revoking the connector's access to Xero.")
        revoke_xero(xero)
        xero.delete()
    dynamics = DynamicsConnection.objects.filter(connection=connection).first()
    if dynamics is not None:
        clean_up_dynamics(connection, dynamics)
        dynamics.delete()
    _note(connection, State.RUNNING, "Deleting the connection.")
    connection_id = connection.pk
    connection.delete()
    logger.info("connection %s deleted", connection_id)


def revoke_xero(xero: XeroConnection) -> None:
    """Remove the organisation's connection to the app at Xero, then revoke the grant. What is gone already (a
    connection removed in Xero, a grant revoked or expired) counts as done."""
    connection_ids = [xero.xero_connection_id] if xero.xero_connection_id else [t["connection_id"] for t in xero.pending_tenants]
    client = xero_client(xero)
    for connection_id in connection_ids:
        try:
            client.delete_connection(connection_id)
        except AuthExpired:
            break  # the grant is gone: so is its access to the organisation
        except PermanentError as error:
            if error.status not in GONE:
                raise StepFailed(f"Xero refused to remove the connection to your organisation ({error}).") from error
        except XeroError as error:
            raise StepFailed(f"Xero could not be reached to remove the connection to your organisation ({error}).") from error
    xero.refresh_from_db()  # the client may have refreshed the tokens on the way
    try:
        auth.revoke(auth.XeroOAuthConfig.from_settings(), xero.refresh_token)
    except XeroError as error:
        raise StepFailed(f"Xero did not confirm revoking the connector's access ({error}).") from error


def clean_up_dynamics(connection: Connection, dynamics: DynamicsConnection) -> None:
    """The connection's webhooks out of Dynamics, then (when asked) its connector and settings rows."""
    if not dynamics.has_organisation:
        return
    _note(connection, State.RUNNING, "Removing the connection's webhooks from Dynamics.")
    try:
        client = dynamics_client(dynamics)
    except DynamicsError as error:
        raise StepFailed(f"Dynamics could not be reached ({error}).") from error
    try:
        try:
            webhooks.unregister(client, str(connection.pk))
        except DynamicsError as error:
            raise StepFailed(f"Dynamics did not let the connector remove its webhooks ({error}).") from error
        if connection.deletion_removes_rows:
            _note(connection, State.RUNNING, "Removing the connection's rows from Dynamics.")
            try:
                remove_rows(client, str(connection.pk))
            except DynamicsError as error:
                raise StepFailed(f"Dynamics did not let the connector remove the connection's rows ({error}).") from error
    finally:
        client.close()


def remove_rows(client: DataverseClient, connection_id: str) -> int:
    """The connection's settings rows, then its connector row (none of the invoices' data). Returns how many went."""
    removed = 0
    for connector in client.list(
        CONNECTION.set_name, select=CONNECTION.primary_id, filter=f"{ConnectorTable.PORTAL_CONNECTION_ID} eq '{connection_id}'"
    ):
        connector_id = connector[CONNECTION.primary_id]
        of_connector = f"{lookup_value(ConnectorSettingsTable.CONNECTOR_ID)} eq {connector_id}"
        for row in client.list(SETTINGS.set_name, select=SETTINGS.primary_id, filter=of_connector):
            removed += _delete_row(client, SETTINGS.set_name, row[SETTINGS.primary_id])
        removed += _delete_row(client, CONNECTION.set_name, connector_id)
    return removed


def _delete_row(client: DataverseClient, entity_set: str, row_id: str) -> int:
    try:
        client.request("DELETE", f"{entity_set}({row_id})")
    except DynamicsPermanentError as error:
        if error.status == 404:
            return 0  # gone already
        raise
    return 1


def delete_locally(connection: Connection) -> list[str]:
    """Delete the connection here only, now (no network): what was not done remotely is left behind, and named for
    the owner to remove by hand."""
    left: list[str] = []
    if XeroConnection.objects.filter(connection=connection).exists():
        left.append(
            "The connector's access to Xero was not revoked: in Xero, remove the connector from Settings › Connected apps."
        )
    if DynamicsConnection.objects.filter(connection=connection).exclude(org_url="").exists():
        left.append(
            "Its webhooks may still be registered in Dynamics (a service endpoint named "
            f"“{webhooks.endpoint_name(str(connection.pk))}”); they call nothing that answers any more."
        )
    try:
        sync.forget_connection(connection.pk)
    except sync.Busy:
        logger.warning("connection %s deleted here while a sync held it", connection.pk)
    connection.delete()  # and with it both sides' tokens
    return left
