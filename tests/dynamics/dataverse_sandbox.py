"""A sandbox of one's own for tests that steer a Dataverse host: tokens, its control routes, and seeds that
make a fault plan fail exactly the calls a test wants failed.

The fixtures below depend on an `own_sandbox` fixture (a module-scoped RunningSandbox) that each test module
defines for itself; import them into the test module to use them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from dxconnector.dynamics import auth
from dxsandbox.common.control import TOKEN_HEADER
from dxsandbox.common.faults import FAILURE_KINDS, FaultInjector, FaultPlan
from tests.sandboxes import RunningSandbox


def first_organisation(sandbox: RunningSandbox) -> dict[str, Any]:
    """The first organisation that has an application user (the daemon app can call it)."""
    microsoft = sandbox.manifest["microsoft"]
    with_app_user = {entry["organisation"] for entry in microsoft["application_users"]}
    return next(org for org in microsoft["organisations"] if org["unique_name"] in with_app_user)


def app_token(sandbox: RunningSandbox, dataverse_org: dict[str, Any]) -> str:
    """An app-only token for the organisation, as the connector gets one: the daemon app's client credentials
    against the sandbox's identity host, trusting the sandbox's CA."""
    microsoft = sandbox.manifest["microsoft"]
    daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
    config = auth.DynamicsOAuthConfig(
        daemon["client_id"],
        daemon["client_secret"],
        microsoft["authority"],
        microsoft["discovery_resource"],
        auth.user_scope(microsoft["discovery_resource"]),
        ca_bundle=sandbox.ca_file,
    )
    return auth.app_token(config, dataverse_org["tenant_id"], dataverse_org["url"]).value


def control_client(sandbox: RunningSandbox, dataverse_org: dict[str, Any]) -> httpx.Client:
    """The organisation host's control routes (`/_sandbox/…`), token included."""
    return httpx.Client(
        base_url=dataverse_org["control_url"],
        verify=sandbox.tls,
        timeout=10,
        headers={TOKEN_HEADER: sandbox.manifest["control"]["token"]},
    )


def quiet(control: httpx.Client) -> None:
    """No faults, the starting limits with nothing used, fresh stats."""
    control.put("/faults", json={}).raise_for_status()
    control.put("/limits", json={"defaults": True, "enabled": True, "reset_usage": True}).raise_for_status()
    control.post("/reset-stats").raise_for_status()


def seed_for(fates: Sequence[str | None], plan: dict[str, Any]) -> int:
    """A seed with which `plan` (control JSON, without a seed) decides the first calls as `fates` says
    (a fault kind, or None to serve the call): every call draws the same numbers whatever happens to it."""
    for seed in range(100_000):
        injector = FaultInjector(FaultPlan.from_json({**plan, "seed": seed}))
        if [injector.decide().kind for _ in fates] == list(fates):
            return seed
    raise AssertionError(f"no seed gives {fates}")


def a_seed_that_fails_every_kind(plan: dict[str, Any], calls: int, attempts: int) -> int:
    """A seed whose first `calls` fates include every failure kind, never `attempts - 1` failures in a row
    (so no call runs out of attempts, whichever calls the failures land on)."""
    for seed in range(10_000):
        injector = FaultInjector(FaultPlan.from_json({**plan, "seed": seed}))
        kinds = [injector.decide().kind for _ in range(calls)]
        run = longest = 0
        for kind in kinds:
            run = run + 1 if kind else 0
            longest = max(longest, run)
        if set(FAILURE_KINDS) <= set(kinds) and longest < attempts - 1:
            return seed
    raise AssertionError("no seed found")


# --- fixtures (each needs the test module's own `own_sandbox`) ------------------------------------------------


@pytest.fixture(scope="module")
def dataverse_org(own_sandbox) -> dict[str, Any]:
    """The organisation the module's tests call (its manifest entry)."""
    return first_organisation(own_sandbox)


@pytest.fixture(scope="module")
def token(own_sandbox, dataverse_org) -> str:
    return app_token(own_sandbox, dataverse_org)


@pytest.fixture(scope="module")
def control_routes(own_sandbox, dataverse_org):
    with control_client(own_sandbox, dataverse_org) as client:
        yield client


@pytest.fixture
def control(control_routes):
    """The control routes, with the clock back at 60× and the host quiet; faults cleared afterwards."""
    control_routes.put("/clock", json={"scale": 60}).raise_for_status()
    quiet(control_routes)
    yield control_routes
    control_routes.put("/faults", json={})
