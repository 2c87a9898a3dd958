"""A sandbox of one's own for tests that steer a Dataverse host: tokens, its control routes, and seeds that
make a fault plan fail exactly the calls a test wants failed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from dxconnector.sandbox.common.control import TOKEN_HEADER
from dxconnector.sandbox.common.faults import FaultInjector, FaultPlan
from tests.sandboxes import RunningSandbox


@contextmanager
def _requests_env_unset():
    """requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override MSAL's `verify` (psf/requests#3829)."""
    saved = {name: os.environ.pop(name) for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def first_organisation(sandbox: RunningSandbox) -> dict[str, Any]:
    """The first organisation that has an application user (the daemon app can call it)."""
    microsoft = sandbox.manifest["microsoft"]
    with_app_user = {entry["organisation"] for entry in microsoft["application_users"]}
    return next(org for org in microsoft["organisations"] if org["unique_name"] in with_app_user)


def app_token(sandbox: RunningSandbox, organisation: dict[str, Any]) -> str:
    """An app-only token for the organisation, by MSAL's client-credentials flow against the identity host."""
    import msal

    microsoft = sandbox.manifest["microsoft"]
    daemon = next(app for app in microsoft["apps"] if app["kind"] == "daemon")
    tenant = next(t for t in microsoft["tenants"] if t["tenant_id"] == organisation["tenant_id"])
    with _requests_env_unset():
        client = msal.ConfidentialClientApplication(daemon["client_id"], client_credential=daemon["client_secret"],
                                                    authority=tenant["authority"], verify=sandbox.ca_file, instance_discovery=False)
        try:
            result = client.acquire_token_for_client([f"{organisation['url']}/.default"])
        finally:
            client.http_client.close()
    assert "access_token" in result, result
    return result["access_token"]


def control_client(sandbox: RunningSandbox, organisation: dict[str, Any]) -> httpx.Client:
    """The organisation host's control routes (`/_sandbox/…`), token included."""
    return httpx.Client(base_url=organisation["control_url"], verify=sandbox.tls, timeout=10,
                        headers={TOKEN_HEADER: sandbox.manifest["control"]["token"]})


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
