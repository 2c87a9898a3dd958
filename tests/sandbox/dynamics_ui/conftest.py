"""Fixtures for the Dynamics 365 app tests: the session sandbox's app, people signed in to it, the Web API to check against."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.sandbox.dynamics_ui.helpers import Person, WebApi, sign_in

OAKWOOD_SALES, HARBOUR = "Oakwood Sales", "Harbour Lights Trading"  # this suite imports solutions into Harbour only


@pytest.fixture(scope="session")
def microsoft(sandbox) -> dict[str, Any]:
    return sandbox.manifest["microsoft"]


@pytest.fixture(scope="session")
def app_url(microsoft) -> str:
    return microsoft["app_url"]


@pytest.fixture(scope="session")
def organisation(microsoft) -> Callable[[str], dict[str, Any]]:
    def find(friendly_name: str) -> dict[str, Any]:
        return next(o for o in microsoft["organisations"] if o["friendly_name"] == friendly_name)

    return find


@pytest.fixture(scope="session")
def user(microsoft) -> Callable[[str], dict[str, Any]]:
    def find(email: str) -> dict[str, Any]:
        return next(u for u in microsoft["users"] if u["email"] == email)

    return find


@pytest.fixture
def person(app_url, organisation, user) -> Iterator[Callable[[str, str], Person]]:
    """`person(email, organisation name)`: signed in to the app, working in that organisation."""
    clients = []

    def open_as(email: str, friendly_name: str = OAKWOOD_SALES) -> Person:
        clients.append(sign_in(app_url, user(email)))
        return Person(clients[-1], organisation(friendly_name))

    yield open_as
    for client in clients:
        client.close()


@pytest.fixture
def web_api(sandbox, microsoft, organisation) -> Iterator[Callable[[str], WebApi]]:
    """`web_api(organisation name)`: that organisation's Web API as the connector's application user."""
    opened: list[WebApi] = []

    def open_for(friendly_name: str = OAKWOOD_SALES) -> WebApi:
        opened.append(WebApi(sandbox, microsoft, organisation(friendly_name)))
        return opened[-1]

    yield open_for
    for api in opened:
        api.close()
