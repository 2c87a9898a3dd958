"""Connect to Xero: start the sign-in, finish it, pick the organisation, disconnect.

Nothing is written until the code exchange and the organisation lookup have both succeeded; every
failure comes back as a sentence the admin can act on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from dxconnector.connections.clients import xero_client, xero_config
from dxconnector.connections.models import Connection, XeroConnection
from dxconnector.portal import organisation_change, sign_ins
from dxconnector.portal.sign_ins import ConnectFailed
from dxconnector.xero import auth
from dxconnector.xero.client import (
    MemoryTokenStore,
    OrganisationInfo,
    XeroClient,
    XeroTenant,
)
from dxconnector.xero.errors import (
    AuthExpired,
    OAuthFlowError,
    RetryableError,
    XeroError,
)

logger = logging.getLogger(__name__)

SESSION_KEY = "xero_sign_ins"
# The sign-in's pages ask Xero once, briefly (connections.clients.xero_config(for_a_page=True)); this is what they say
# when it did not answer in time, or answered with a failure of its own.
DID_NOT_ANSWER = "Xero did not answer; try again in a moment."


@dataclass(frozen=True)
class Connected:
    connection: Connection
    message: str


def is_configured() -> bool:
    return bool(settings.XERO_CLIENT_ID and settings.XERO_CLIENT_SECRET)


def redirect_uri() -> str:
    return settings.BASE_URL + reverse("xero-callback")


def start(request: HttpRequest, connection: Connection) -> str:
    """Remember this sign-in (state and PKCE verifier) in the admin's session; return Xero's URL."""
    authorization = auth.begin(auth.XeroOAuthConfig.from_settings(), redirect_uri())
    sign_ins.remember(request, SESSION_KEY, authorization.state, connection, verifier=authorization.code_verifier)
    return authorization.url


def finish(request: HttpRequest, params: Mapping[str, str]) -> Connected:
    connection, entry = sign_ins.take(request, SESSION_KEY, params.get("state", ""), "Xero", "Connect to Xero")
    if params.get("error"):
        if params["error"] == "access_denied":
            raise ConnectFailed("You cancelled the Xero consent, so nothing was connected.", connection)
        raise ConnectFailed(f"Xero reported an error ({params['error']}); nothing was connected.", connection)
    if not params.get("code"):
        raise ConnectFailed("Xero sent no authorization code back; nothing was connected. Please try again.", connection)
    tokens = _exchange(params["code"], entry["verifier"], connection)
    client = XeroClient(xero_config(for_a_page=True), MemoryTokenStore(tokens))
    linked = organisation_change.linked_xero(connection)
    try:
        tenants = client.connections(tokens.authentication_event_id()) or client.connections()
        if linked is not None:  # it has synced: only its own organisation will do
            chosen = next((t for t in tenants if t.tenant_id == linked.tenant_id), None)
            if chosen is None and tenants:
                _give_back(client, tenants)
                raise ConnectFailed(organisation_change.refusal("Xero", linked.tenant_name), connection)
        else:
            chosen = tenants[0] if len(tenants) == 1 else None
            if chosen is not None and not _may_use(connection, tokens, chosen):
                _give_back(client, tenants)
                raise ConnectFailed(organisation_change.elsewhere("Xero", chosen.tenant_name), connection)
        organisation = _organisation(tokens, chosen.tenant_id) if chosen else None
    except RetryableError as error:
        logger.warning("Xero lookup after sign-in did not answer: %s", error)
        raise ConnectFailed(f"{DID_NOT_ANSWER} Nothing was connected.", connection) from error
    except XeroError as error:
        logger.warning("Xero lookup after sign-in failed: %s", error)
        raise ConnectFailed(
            "Xero accepted the sign-in but its organisation list could not be read. Please try again.", connection
        ) from error
    if not tenants:
        raise ConnectFailed("No Xero organisation was selected on Xero's consent page, so nothing was connected.", connection)
    xero = _save(connection, tokens, tenants, chosen, organisation)
    if chosen is not None:
        _release_unused(xero, [_tenant_record(t) for t in tenants if t.tenant_id != chosen.tenant_id])
    if organisation is None:
        return Connected(connection, "Connected to Xero. Choose which organisation this connection uses.")
    return Connected(connection, f"Connected to Xero organisation “{organisation.name}”.")


def _exchange(code: str, verifier: str, connection: Connection) -> auth.TokenSet:
    try:
        return auth.exchange_code(auth.XeroOAuthConfig.from_settings(), code, redirect_uri(), verifier)
    except AuthExpired as error:
        raise ConnectFailed(
            "The Xero sign-in expired before it finished (its code lasts a few minutes). Please try again.", connection
        ) from error
    except OAuthFlowError as error:
        raise ConnectFailed(f"{error.reason} Nothing was connected.", connection) from error
    except RetryableError as error:
        raise ConnectFailed(
            "Xero could not be reached to finish the sign-in. Please try again in a moment.", connection
        ) from error


def _may_use(connection: Connection, tokens: auth.TokenSet, tenant: XeroTenant) -> bool:
    """A connection that has synced but is connected to no Xero organisation (it was disconnected) may use this one only
    if it holds the records the connection linked."""
    if not organisation_change.has_synced(connection):
        return True
    client = XeroClient(xero_config(for_a_page=True), MemoryTokenStore(tokens), tenant.tenant_id)
    return organisation_change.xero_holds_linked_records(connection, client)


def _organisation(tokens: auth.TokenSet, tenant_id: str) -> OrganisationInfo:
    return XeroClient(xero_config(for_a_page=True), MemoryTokenStore(tokens), tenant_id).organisation()


def _tenant_record(tenant: XeroTenant) -> dict[str, str]:
    return {"tenant_id": tenant.tenant_id, "name": tenant.tenant_name, "connection_id": tenant.connection_id}


def _give_back(client: XeroClient, tenants: list[XeroTenant]) -> None:
    """Release organisations consented to in a sign-in that was refused, unless a connection uses them."""
    in_use = set(XeroConnection.objects.values_list("tenant_id", flat=True))
    for tenant in tenants:
        if tenant.tenant_id in in_use:
            continue
        try:
            client.delete_connection(tenant.connection_id)
        except XeroError as error:
            logger.warning("could not release Xero organisation %s: %s", tenant.tenant_id, error)


def _save(
    connection: Connection,
    tokens: auth.TokenSet,
    tenants: list[XeroTenant],
    chosen: XeroTenant | None,
    organisation: OrganisationInfo | None,
) -> XeroConnection:
    with transaction.atomic():
        xero, _ = XeroConnection.objects.update_or_create(
            connection=connection,
            defaults={
                "tenant_id": chosen.tenant_id if chosen else "",
                "tenant_name": organisation.name if organisation else "",
                "xero_connection_id": chosen.connection_id if chosen else "",
                "organisation_timezone": organisation.timezone if organisation else "",
                "auth_event_id": tokens.authentication_event_id(),
                "pending_tenants": [] if chosen else [_tenant_record(t) for t in tenants],
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "id_token": tokens.id_token,
                "expires_at": datetime.fromtimestamp(tokens.expires_at, UTC),
                "scope": tokens.scope,
            },
        )
    return xero


def choose(connection: Connection, tenant_id: str) -> str:
    xero = XeroConnection.objects.get(connection=connection)
    refused = organisation_change.xero_refusal(connection, tenant_id)
    if refused:
        raise ConnectFailed(refused, connection)
    record = next((t for t in xero.pending_tenants if t["tenant_id"] == tenant_id), None)
    if record is None:
        raise ConnectFailed("Choose one of the organisations you allowed on Xero's consent page.", connection)
    client = xero_client(xero, tenant_id, for_a_page=True)
    try:
        organisation = client.organisation()
        elsewhere = organisation_change.has_synced(connection) and not organisation_change.xero_holds_linked_records(
            connection, client
        )
    except RetryableError as error:
        logger.warning("Xero did not answer for organisation %s: %s", tenant_id, error)
        raise ConnectFailed(DID_NOT_ANSWER, connection) from error
    except XeroError as error:
        raise ConnectFailed("Xero could not be reached to read that organisation. Please try again.", connection) from error
    if elsewhere:
        raise ConnectFailed(organisation_change.elsewhere("Xero", organisation.name), connection)
    unchosen = [t for t in xero.pending_tenants if t["tenant_id"] != tenant_id]
    XeroConnection.objects.filter(pk=xero.pk).update(
        tenant_id=tenant_id,
        tenant_name=organisation.name,
        xero_connection_id=record["connection_id"],
        organisation_timezone=organisation.timezone,
        pending_tenants=[],
    )
    _release_unused(xero, unchosen)
    return organisation.name


def _release_unused(xero: XeroConnection, tenants: list[dict[str, str]]) -> None:
    """Give back access to organisations consented to but not chosen, unless another connection uses them."""
    in_use = set(XeroConnection.objects.exclude(pk=xero.pk).values_list("tenant_id", flat=True))
    client = xero_client(xero)
    for tenant in tenants:
        if tenant["tenant_id"] in in_use:
            continue
        try:
            client.delete_connection(tenant["connection_id"])
        except XeroError as error:
            logger.warning("could not release Xero organisation %s: %s", tenant["tenant_id"], error)


def disconnect(connection: Connection) -> list[str]:
    """Remove the organisation's connection at Xero, revoke the tokens, forget them here. Returns warnings."""
    xero = XeroConnection.objects.filter(connection=connection).first()
    if xero is None:
        return []
    warnings = []
    connection_ids = [xero.xero_connection_id] if xero.xero_connection_id else [t["connection_id"] for t in xero.pending_tenants]
    client = xero_client(xero)
    for connection_id in connection_ids:
        try:
            client.delete_connection(connection_id)
        except XeroError as error:
            if getattr(error, "status", None) != 404:
                warnings.append(f"Xero did not confirm removing the connection ({error}).")
    try:
        auth.revoke(auth.XeroOAuthConfig.from_settings(), xero.refresh_token)
    except XeroError as error:
        warnings.append(f"Xero did not confirm revoking the tokens ({error}).")
    xero.delete()
    return warnings
