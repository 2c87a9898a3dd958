"""Create Connection, as a job: the connection's rows and Dynamics' webhooks written, the connection made, Xero's
lists brought in and its first sync queued when it may sync. Each step is written on the connection
(`setup_state`, `setup_step`) for its page to show; a failure says why, and Create Connection can be asked again."""

from __future__ import annotations

import logging

from dxconnector.connections.models import Connection, DynamicsConnection, XeroConnection
from dxconnector.dynamics.errors import DynamicsError
from dxconnector.portal.dynamics_setup import write_connection_rows
from dxconnector.sync import api as sync
from dxconnector.sync.models import Trigger
from dxconnector.xero.errors import XeroError

logger = logging.getLogger(__name__)
State = Connection.SetupState


def _note(connection: Connection, state: str, step: str, error: str = "") -> None:
    Connection.objects.filter(pk=connection.pk).update(setup_state=state, setup_step=step, setup_error=error[:300])


def queue(connection: Connection) -> bool:
    """Queue Create Connection's job unless it is queued or running already. Returns whether it was queued now."""
    from dxconnector.portal.tasks import create_connection  # the tasks module imports this one

    asked = (
        Connection.objects.filter(pk=connection.pk)
        .exclude(setup_state__in=[State.QUEUED, State.RUNNING])
        .update(setup_state=State.QUEUED, setup_step="Waiting for a worker to take it.", setup_error="")
    )
    if asked:
        create_connection.enqueue(str(connection.pk))
    return bool(asked)


def create(connection_id: str) -> None:
    """The job: each step noted before it starts; anything unforeseen fails it with a word rather than leaving it
    "running" for ever."""
    connection = Connection.objects.get(pk=connection_id)
    try:
        _create(connection)
    except Exception:
        logger.exception("Create Connection of %s stopped", connection.pk)
        _note(
            connection,
            State.FAILED,
            "Create Connection stopped on an unexpected error.",
            "Create Connection stopped on an unexpected error (the log has it). Please try again.",
        )


def _create(connection: Connection) -> None:
    _note(connection, State.RUNNING, "Writing the connection's rows and webhooks into Dynamics.")
    try:
        write_connection_rows(
            connection, DynamicsConnection.objects.get(connection=connection), XeroConnection.objects.get(connection=connection)
        )
    except (DynamicsError, DynamicsConnection.DoesNotExist, XeroConnection.DoesNotExist) as error:
        _note(
            connection,
            State.FAILED,
            "Writing the connection's rows into Dynamics.",
            f"The connection's settings could not be written to Dynamics ({error}). Please try again.",
        )
        return
    Connection.objects.filter(pk=connection.pk).update(status=Connection.Status.CREATED)
    _note(connection, State.RUNNING, "Bringing in Xero's chart of accounts, tax rates, branding themes, tracking and currencies.")
    fill_reference_lists(connection)
    connection.refresh_from_db()
    if connection.may_sync():
        queue_first_sync(connection)
    _note(connection, State.DONE, "Created.")


def fill_reference_lists(connection: Connection) -> None:
    """Xero's chart of accounts, tax rates, themes, tracking and currencies in Dynamics right away, for users to
    pick on invoices. Should Xero or Dynamics fail now, the first sync brings them: the connection is made."""
    try:
        sync.refresh_reference_lists(connection.pk)
    except (XeroError, DynamicsError, sync.NotReady) as error:
        logger.warning("Xero's lists for connection %s wait for the first sync: %s", connection.pk, error)
    except Exception:  # a nicety must not undo the connection just made; the traceback goes to the log
        logger.exception("Xero's lists for connection %s wait for the first sync", connection.pk)


def queue_first_sync(connection: Connection) -> bool:
    """The connection's first sync, queued as soon as it may run: on Create Connection when it may sync already
    (a subscription, or a connection created again), else when the free trial starts. Invoices already in
    Dynamics reach Xero within seconds of onboarding, not at the first sweep. A sync queued already takes it."""
    return sync.request_sync(connection.pk, Trigger.CREATED)
