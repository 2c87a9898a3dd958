"""Install into Dynamics, as a job: ImportSolution is a long Dataverse operation, so the page only queues it and shows
where it is (`install_state` on the Dynamics side of the connection); the job imports the managed solution with the
patient client, retries allowed, and a failure says why in words, after which the admin can ask again."""

from __future__ import annotations

import logging

from dxconnector.connections.clients import dynamics_client
from dxconnector.connections.models import Connection, DynamicsConnection
from dxconnector.dynamics.errors import DynamicsError, RetryableError
from dxconnector.dynamics.solution import solution_zip_bytes

logger = logging.getLogger(__name__)
State = DynamicsConnection.InstallState

NOT_ALLOWED = "Your Dynamics user may not import solutions. Download the zip and ask an administrator to import it."


def _note(dynamics_id: int, state: str, error: str = "") -> None:
    DynamicsConnection.objects.filter(pk=dynamics_id).update(install_state=state, install_error=error[:300])


def queue(connection: Connection) -> bool:
    """Queue the install unless it is queued or running already (a second click queues nothing). Returns whether it
    was queued now; False too when Dynamics is not connected with an organisation selected."""
    from dxconnector.portal.tasks import install_solution  # the tasks module imports this one

    asked = (
        DynamicsConnection.objects.filter(connection=connection)
        .exclude(org_url="")
        .exclude(install_state__in=[State.QUEUED, State.RUNNING])
        .update(install_state=State.QUEUED, install_error="")
    )
    if asked:
        install_solution.enqueue(str(connection.pk))
    return bool(asked)


def install(connection_id: str) -> None:
    """The job: anything unforeseen fails it with a word rather than leaving it "installing" for ever."""
    dynamics = DynamicsConnection.objects.filter(connection_id=connection_id).first()
    if dynamics is None:  # disconnected from Dynamics since: nothing to install into
        return
    try:
        _note(dynamics.pk, State.RUNNING)
        _install(dynamics)
    except Exception:
        logger.exception("Installing the solution for connection %s stopped", connection_id)
        _note(dynamics.pk, State.FAILED, "The install stopped on an unexpected error (the log has it). Please try again.")


def _install(dynamics: DynamicsConnection) -> None:
    try:
        client = dynamics_client(dynamics)
    except DynamicsError as error:
        _note(dynamics.pk, State.FAILED, f"Dynamics cannot be asked ({error}).")
        return
    try:
        client.import_solution(solution_zip_bytes())
    except DynamicsError as error:
        logger.warning("ImportSolution for connection %s failed: %s", dynamics.connection_id, error)
        _note(dynamics.pk, State.FAILED, failure_words(error))
        return
    finally:
        client.close()
    _note(dynamics.pk, State.DONE)


def failure_words(error: DynamicsError) -> str:
    if error.status == 403:
        return NOT_ALLOWED
    if isinstance(error, RetryableError):
        return (
            f"Dynamics did not answer, even after several tries ({error}). Try again in a while, "
            "or download the solution and import it by hand."
        )
    return f"Dynamics did not accept the solution ({error}). You can download it and import it by hand."
