"""A connection's clients: a Xero client and a Dataverse client for its two organisations, their tokens coming from
the connection's stores. What the sync runs with, and what the portal asks Dynamics and Xero with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

from django.conf import settings

from dxconnector.connections import budgets, dataverse_limits, shared_limits
from dxconnector.connections.models import (
    Connection,
    DynamicsConnection,
    XeroConnection,
)
from dxconnector.connections.tokens import DatabaseTokenStore, dynamics_token
from dxconnector.dynamics import auth
from dxconnector.dynamics.client import MAX_ATTEMPTS, DataverseClient
from dxconnector.dynamics.hosts import checked_org_url
from dxconnector.dynamics.limits import Limits as DataverseLimits
from dxconnector.xero.client import XeroApiConfig, XeroClient

# A web request asks Dataverse or Xero once, briefly: a page waits at most this long for each of its questions (the sync
# and the jobs keep the patient defaults: Dataverse 6 attempts of 15 s, Xero 8 attempts).
PAGE_TIMEOUT_SECONDS = 4.0


class NotReady(Exception):
    """The connection is not connected on both sides, or Create Connection has not written its rows."""


def xero_config(*, for_a_page: bool = False) -> XeroApiConfig:
    """Xero's settings, with the budgets every process shares (shared_limits): whoever calls with it — a sync run, a
    page, the onboarding, verify — spends from one budget per organisation and per app.

    `for_a_page`: for a web request, which must not hang on Xero: one attempt per call (no retry, not even the HTTP
    library's), waiting PAGE_TIMEOUT_SECONDS at most to connect, for each read of the answer, and for the budget (while
    sync runs spend the organisation's minute); what does not answer by then raises RetryableError and the page says so."""
    config = replace(XeroApiConfig.from_settings(), slot_store=shared_limits.shared_store())
    if not for_a_page:
        return config
    return replace(config, max_attempts=1, timeout=PAGE_TIMEOUT_SECONDS, slot_max_wait=PAGE_TIMEOUT_SECONDS)


def xero_client(xero: XeroConnection, tenant_id: str | None = None, *, for_a_page: bool = False) -> XeroClient:
    """A client for the connection's Xero organisation (or, while choosing one, for `tenant_id`); `for_a_page`: see
    `xero_config`."""
    return XeroClient(
        xero_config(for_a_page=for_a_page),
        DatabaseTokenStore(xero.pk),
        xero.tenant_id if tenant_id is None else tenant_id,
        on_budget=budgets.record_xero,
    )


def dynamics_client(dynamics: DynamicsConnection, *, for_a_page: bool = False) -> DataverseClient:
    """A client for the connection's organisation; its stored URL is checked again first (UntrustedHost: not a Dataverse
    host, nor one in DATAVERSE_EXTRA_HOSTS), so no token goes to a URL that found its way into the table.

    `for_a_page`: see `dataverse_client`."""
    org_url = checked_org_url(dynamics.org_url, settings.DATAVERSE_EXTRA_HOSTS)
    token = auth.TokenSource(partial(dynamics_token, dynamics))
    return dataverse_client(org_url, token, budgets.dataverse_key(dynamics), for_a_page=for_a_page)


def dataverse_client(
    org_url: str, token: Callable[[], str], key: str = "", *, for_a_page: bool = False, timeout: float = 15
) -> DataverseClient:
    """A client for the organisation at `org_url` (checked by the caller), calling as the user `key` names
    (`budgets.dataverse_key`; by default the organisation's application user): it spends from the budget every process
    shares for that organisation and user (`dataverse_governor`), and records what Dataverse says is left of it.

    `for_a_page`: for a web request, which must not hang on Dynamics: one attempt per call, of PAGE_TIMEOUT_SECONDS at
    most, and as long at most waiting for the budget; what does not answer by then raises RetryableError and the page
    says so."""
    key = key or budgets.dataverse_user_key(org_url)
    recorder = budgets.DataverseRecorder(key)
    governor = dataverse_governor(key, for_a_page=for_a_page)
    timeout, attempts = (PAGE_TIMEOUT_SECONDS, 1) if for_a_page else (timeout, MAX_ATTEMPTS)
    return DataverseClient(
        org_url, token, settings.CA_BUNDLE, timeout=timeout, max_attempts=attempts, on_budget=recorder, governor=governor
    )


def dataverse_governor(key: str, *, for_a_page: bool = False) -> dataverse_limits.DataverseGovernor:
    """The governor of the organisation and user `key`, spending from the store Xero's budgets are kept in."""
    return dataverse_limits.governor_for(
        key,
        DataverseLimits(requests=settings.DATAVERSE_REQUESTS_PER_WINDOW, concurrent=settings.DATAVERSE_CONCURRENT_REQUESTS),
        settings.DATAVERSE_TIME_SCALE,
        store=shared_limits.shared_store(),
        max_wait=PAGE_TIMEOUT_SECONDS if for_a_page else None,
    )


@dataclass
class Clients:
    dynamics: DataverseClient
    xero: XeroClient

    def close(self) -> None:
        self.dynamics.close()
        budgets.flush()  # the run's last word on what is left, even if it came within the throttle's interval


ClientFactory = Callable[[Connection], Clients]


def connected_clients(connection: Connection) -> Clients:
    try:
        return Clients(dynamics_client(connection.dynamics), xero_client(connection.xero))
    except (Connection.dynamics.RelatedObjectDoesNotExist, Connection.xero.RelatedObjectDoesNotExist) as missing:
        raise NotReady("Connect both Xero and Dynamics first.") from missing
