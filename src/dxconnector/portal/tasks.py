"""Jobs of the portal: one-liners over the email handlers, Create Connection, Install into Dynamics, the invoice dry run
and Delete."""

from django_tasks import task

from dxconnector.portal import creation, deletion, emails, installation, invoice_questions


@task()
def send_registration_email(user_id: int) -> None:
    emails.send_registration_email(user_id)


@task()
def send_already_registered_email(user_id: int) -> None:
    emails.send_already_registered_email(user_id)


@task()
def send_password_reset_email(user_id: int) -> None:
    emails.send_password_reset_email(user_id)


@task()
def send_connection_state_email(connection_id: str) -> None:
    emails.send_connection_state_email(connection_id)


def queue_connection_state_email(connection_id: str) -> None:
    """What the sync calls when a connection's owner has news (registered in PortalConfig.ready)."""
    send_connection_state_email.enqueue(connection_id)


@task()
def create_connection(connection_id: str) -> None:
    creation.create(connection_id)


@task()
def install_solution(connection_id: str) -> None:
    installation.install(connection_id)


@task()
def explain_invoice(question_id: str) -> None:
    invoice_questions.answer(question_id)


@task()
def delete_connection(connection_id: str) -> None:
    deletion.delete(connection_id)
