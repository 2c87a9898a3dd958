"""The person's app of the session's sandbox (`sandbox` fixture), with the Accounting API beside it for
setting up records (unique names) and reading back what the person changed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sandbox.xero_helpers import connect
from tests.sandbox.xero_ui.clients import AccountingClient, Person

ACCOUNTANT = 0  # accountant@xero.sandbox: Oakwood Trading and Bayside Wholesale


@pytest.fixture(scope="session")
def accountant(sandbox) -> dict:
    return sandbox.xero["users"][ACCOUNTANT]


@pytest.fixture(scope="session")
def oakwood(accountant) -> str:
    return accountant["organisations"][0]


@pytest.fixture(scope="session")
def api(sandbox, oakwood) -> Iterator[AccountingClient]:
    """Oakwood's Accounting API through the PKCE app (the app whose webhook the webhook tests set)."""
    connection = connect(sandbox, app_kind="pkce", user_index=ACCOUNTANT, tenant_index=0)
    assert connection.tenant_id == oakwood
    client = AccountingClient(sandbox, connection)
    yield client
    client.close()  # an open keep-alive connection would hold up the sandbox's shutdown


@pytest.fixture
def visitor(sandbox) -> Iterator[Person]:
    """Someone at the app who has not signed in."""
    person = Person(sandbox.url("xero-app"))
    yield person
    person.close()


@pytest.fixture
def person(visitor, accountant) -> Person:
    """The accountant, signed in."""
    assert visitor.sign_in(accountant["email"], accountant["password"]).status_code == 303
    return visitor


@pytest.fixture
def books(oakwood) -> str:
    """The path of Oakwood's pages in the app."""
    return f"/organisations/{oakwood}"
